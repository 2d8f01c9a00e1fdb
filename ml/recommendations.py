"""What the site recommends: a user's picks, a movie's neighbours, a predicted rating (selectors, numpy only).

Every answer comes from the active model versions held in memory (ml/serving.py) and the user's ratings as they
are now: the user's vectors are folded in from his ratings on each request (ml/fold_in.py), so picks change
right after he rates, without waiting for a retrain. Without an active model, or for a user with no ratings,
picks fall back to the most rated movies.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.db.models import Count

from ml import serving
from ml.collaborative import DEFAULT_PARAMS
from ml.fold_in import fold_in_choices, fold_in_ratings
from ml.models import ModelKind
from movies.models import Movie, Rating

LIKED = 4.0  # a rating from which a movie can be the reason for a pick ("because you rated Alien highly")


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
    """The k most rated movies (of a genre and decade, when given), except ``exclude_ids``."""
    movies = _filtered_movies(genre, decade).exclude(pk__in=list(exclude_ids))
    return list(movies.annotate(rating_count=Count("ratings")).filter(rating_count__gt=0)
                .order_by("-rating_count", "pk")[:k])


def picks_for(*, user, k: int = 10, genre: str | None = None, decade: int | None = None) -> list[Pick]:
    """The user's k best picks (of a genre and decade, when given), never a movie he has rated."""
    rated = dict(Rating.objects.filter(user=user).values_list("movie_id", "value")) if user.is_authenticated else {}
    ranking = serving.served(ModelKind.RATINGS, serving.RANKING)
    if ranking is None:
        return [Pick(movie, 0.0) for movie in popular(k=k, exclude_ids=rated, genre=genre, decade=decade)]
    index = ranking.index
    params = {**DEFAULT_PARAMS, **ranking.parameters}
    vector = params["rank_user_scale"] * fold_in_choices(index, np.fromiter(rated, np.int64, len(rated)),
                                                         l2=params["rank_l2"])
    allowed = None
    if genre or decade is not None:
        allowed = index.mask(_filtered_movies(genre, decade).values_list("pk", flat=True))
    top = index.picks(vector, exclude_ids=np.fromiter(rated, np.int64, len(rated)), k=k, allowed_mask=allowed)
    liked = [movie for movie, value in rated.items() if value >= LIKED]
    reasons = index.closest([movie for movie, _ in top], liked)
    movies = Movie.objects.in_bulk([movie for movie, _ in top] + [r for r in reasons if r is not None])
    return [Pick(movies[movie], score, movies.get(reason)) for (movie, score), reason in zip(top, reasons)]


def similar_to(*, movie: Movie, k: int = 10, kind: str = ModelKind.LINKS) -> list[Neighbour]:
    """The k movies closest to ``movie`` by cosine in the active model of ``kind`` (links: Wikipedia links;
    ratings: "viewers also liked"), never the movie itself; empty without an active model."""
    tower = serving.RANKING if kind == ModelKind.RATINGS else serving.RATING
    index = serving.index_for(kind, tower)
    if index is None:
        return []
    top = index.similar(movie.pk, k=k)
    movies = Movie.objects.in_bulk([neighbour for neighbour, _ in top])
    return [Neighbour(movies[neighbour], similarity) for neighbour, similarity in top if neighbour in movies]


def predicted_rating(*, user, movie: Movie) -> float | None:
    """The rating (0.5–5) the CF model predicts ``user`` would give ``movie``; None without a model for it."""
    rating = serving.served(ModelKind.RATINGS, serving.RATING)
    if rating is None:
        return None
    rated = list(Rating.objects.filter(user=user).values_list("movie_id", "value")) if user.is_authenticated else []
    ids = np.array([movie_id for movie_id, _ in rated], np.int64)
    values = np.array([value for _, value in rated], np.float64)
    params = {**DEFAULT_PARAMS, **rating.parameters}
    vector, bias = fold_in_ratings(rating.index, ids, values, l2=params["l2"], bias_l2=params["bias_l2"])
    return rating.index.predict_rating(vector, bias, movie.pk)
