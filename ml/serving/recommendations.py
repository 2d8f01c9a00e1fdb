"""What the site recommends: a user's picks, a movie's neighbours, a predicted rating (selectors, numpy only).

Every answer comes from the active model versions held in memory (ml/serving/active.py) and the user's ratings as they
are now: the user's vectors are folded in from his ratings (ml/serving/fold_in.py), so picks change right after he
rates, without waiting for a retrain. A fold-in costs more than the rest of a page, so picks and folded-in
vectors are remembered in the cache under the user's token (movies/user_state.py), which every rating write
changes, and the active version. Without an active model, or for a user with no ratings, picks fall back to
the most rated movies.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
from django.core.cache import cache

from ml.constants import SERVING_DEFAULTS
from ml.models import ModelKind
from ml.serving import active
from ml.serving.fold_in import fold_in_choices, fold_in_ratings, picks_vector
from movies import user_state
from movies.marks import marked_ids
from movies.models import Movie, Rating

LIKED = 4.0  # a rating from which a movie can be the reason for a pick ("because you rated Alien highly")
CACHE_SECONDS = 600  # picks and folded-in vectors; a rating or a new active version replaces them sooner
LAST_VECTOR_SECONDS = 24 * 3600  # a user's latest ranking vector, where his next fold-in starts


@dataclass(frozen=True)
class Pick:
    movie: Movie
    score: float
    because: Movie | None = None  # a movie the user rated highly that is closest to this one


@dataclass(frozen=True)
class Neighbour:
    movie: Movie
    similarity: float


def _filtered_movies(genre: str | None, decade: int | None):
    movies = Movie.objects.all()
    if genre:
        movies = movies.filter(genres__name=genre)
    if decade is not None:
        movies = movies.filter(year__gte=decade, year__lt=decade + 10)
    return movies


def popular(*, k: int = 10, exclude_ids=(), genre: str | None = None, decade: int | None = None) -> list[Movie]:
    """The k most rated movies (of a genre and decade, when given), except ``exclude_ids`` (by the counts stored
    on each movie, movies/stats.py)."""
    movies = _filtered_movies(genre, decade).exclude(pk__in=list(exclude_ids))
    return list(movies.filter(num_ratings__gt=0).order_by("-num_ratings", "pk")[:k])


def picks_for(*, user, k: int = 10, genre: str | None = None, decade: int | None = None) -> list[Pick]:
    """The user's k best picks (of a genre and decade, when given), never a movie he has rated or marked (his
    watchlist, "not interested")."""
    ranking = active.served(ModelKind.RATINGS, active.RANKING)
    if not user.is_authenticated:
        return _picks(user, None, ranking, k, genre, decade)
    token = user_state.token(user.pk)  # before his ratings are read
    # The filters come from the request as typed: hashed, so that any text makes a valid key.
    filters = hashlib.blake2b(repr((genre, decade, k)).encode(), digest_size=12).hexdigest()
    key = f"picks:{user.pk}:{token}:{ranking.version_id if ranking else 0}:{filters}"
    found = cache.get(key)
    if found is None:
        picks = _picks(user, token, ranking, k, genre, decade)
        cache.set(key, [(pick.movie.pk, pick.score, pick.because and pick.because.pk) for pick in picks],
                  CACHE_SECONDS)
        return picks
    movies = Movie.objects.in_bulk({pk for movie, _, because in found for pk in (movie, because) if pk})
    return [Pick(movies[movie], score, movies.get(because)) for movie, score, because in found if movie in movies]


def _picks(user, token: str | None, ranking: active.Served | None, k: int, genre: str | None,
           decade: int | None) -> list[Pick]:
    rated = dict(Rating.objects.filter(user=user).values_list("movie_id", "value")) if user.is_authenticated else {}
    hidden = set(rated) | (marked_ids(user) if user.is_authenticated else set())  # his watchlist and "not interested"
    if ranking is None:
        return [Pick(movie, 0.0) for movie in popular(k=k, exclude_ids=hidden, genre=genre, decade=decade)]
    index = ranking.index
    scale = ranking.parameters.get("rank_user_scale", SERVING_DEFAULTS["rank_user_scale"])
    vector = scale * _ranking_vector(user, token, ranking, np.fromiter(rated, np.int64, len(rated)))
    allowed = None
    if genre or decade is not None:
        allowed = index.mask(_filtered_movies(genre, decade).values_list("pk", flat=True))
    top = index.picks(vector, exclude_ids=np.fromiter(hidden, np.int64, len(hidden)), k=k, allowed_mask=allowed)
    liked = [movie for movie, value in rated.items() if value >= LIKED]
    reasons = index.closest([movie for movie, _ in top], liked)
    movies = Movie.objects.in_bulk([movie for movie, _ in top] + [r for r in reasons if r is not None])
    return [Pick(movies[movie], score, movies.get(reason)) for (movie, score), reason in zip(top, reasons)]


def _ranking_vector(user, token: str | None, ranking: active.Served, rated_ids: np.ndarray) -> np.ndarray:
    """The user's ranking-tower vector folded in from the movies he rated, remembered under his token (the picks
    of every filter and length share it). The fold-in starts from his vector before his latest ratings, when
    known: it is near, so fewer steps reach the same optimum."""
    l2 = ranking.parameters.get("rank_l2", SERVING_DEFAULTS["rank_l2"])
    # The spectral model's vector is a sum (nothing to fit or remember); an anonymous visitor has rated nothing.
    if ranking.index.input_vectors is not None or token is None:
        return picks_vector(ranking.index, rated_ids, l2=l2)
    key, last_key = (f"rank-vector:{user.pk}:{token}:{ranking.version_id}",
                     f"rank-vector-last:{user.pk}:{ranking.version_id}")
    found = cache.get_many([key, last_key])
    if key in found:
        return found[key]
    vector = fold_in_choices(ranking.index, rated_ids, l2=l2, start=found.get(last_key))
    cache.set(key, vector, CACHE_SECONDS)
    cache.set(last_key, vector, LAST_VECTOR_SECONDS)
    return vector


def similar_to(*, movie: Movie, k: int = 10, kind: str = ModelKind.LINKS) -> list[Neighbour]:
    """The k movies closest to ``movie`` by cosine in the active model of ``kind`` (links: Wikipedia links;
    ratings: "viewers also liked"), never the movie itself; empty without an active model."""
    tower = active.RANKING if kind == ModelKind.RATINGS else active.RATING
    index = active.index_for(kind, tower)
    if index is None:
        return []
    top = index.similar(movie.pk, k=k)
    movies = Movie.objects.in_bulk([neighbour for neighbour, _ in top])
    return [Neighbour(movies[neighbour], similarity) for neighbour, similarity in top if neighbour in movies]


def predicted_rating(*, user, movie: Movie) -> float | None:
    """The rating (0.5–5) the CF model predicts ``user`` would give ``movie``; None without a model for it."""
    return predicted_ratings(user=user, movie_ids=[movie.pk]).get(movie.pk)


def predicted_ratings(*, user, movie_ids) -> dict[int, float]:
    """The ratings the CF model predicts ``user`` would give these movies (one fold-in for all, cached), by movie
    id; empty without a model, and without the movies the model does not know."""
    rating = active.served(ModelKind.RATINGS, active.RATING)
    if rating is None or not user.is_authenticated:
        return {}
    key = f"folded:{user.pk}:{user_state.token(user.pk)}:{rating.version_id}"
    folded = cache.get(key)
    if folded is None:
        rated = list(Rating.objects.filter(user=user).values_list("movie_id", "value"))
        params = {**SERVING_DEFAULTS, **rating.parameters}
        folded = fold_in_ratings(rating.index, np.array([movie_id for movie_id, _ in rated], np.int64),
                                 np.array([value for _, value in rated], np.float64), l2=params["l2"],
                                 bias_l2=params["bias_l2"])
        cache.set(key, folded, CACHE_SECONDS)
    vector, bias = folded
    found = {movie_id: rating.index.predict_rating(vector, bias, movie_id) for movie_id in movie_ids}
    return {movie_id: value for movie_id, value in found.items() if value is not None}
