"""Test data built in one place: a catalog of two genres, ratings as an import writes them, and model versions
whose vectors tell the genres apart."""
from datetime import UTC, datetime

import numpy as np
from django.contrib.auth import get_user_model

from ml import versions
from ml.models import ModelKind
from movies.models import Genre, Movie, Rating
from movies.stats import refresh_stats

WHEN = datetime(2024, 5, 1, tzinfo=UTC)


def make_catalog(*, per_genre: int = 20, title: str = "{Genre} {n}", external_ids: bool = False) -> dict:
    """`per_genre` sci-fi movies of the 1980s and as many romances of the 1990s, in order of release, by genre
    ("scifi", "romance"). `title` is formatted with the genre's key (`genre`, `Genre`) and the number `n`."""
    genres = {"scifi": Genre.objects.create(name="Sci-Fi"), "romance": Genre.objects.create(name="Romance")}
    decades = {"scifi": 1980, "romance": 1990}
    movies = {"scifi": [], "romance": []}
    for n in range(per_genre):
        for name, genre in genres.items():
            ids = {"imdb_id": f"tt{n:03d}{len(name)}", "tmdb_id": 1000 * len(name) + n} if external_ids else {}
            movie = Movie.objects.create(title=title.format(genre=name, Genre=name.title(), n=n),
                                         year=decades[name] + n % 10, **ids)
            movie.genres.add(genre)
            movies[name].append(movie)
    return movies


def rate(user, movies, value: float, *, when: datetime = WHEN) -> None:
    """Ratings as an import writes them: in bulk, then the movies' stored statistics recomputed."""
    Rating.objects.bulk_create(Rating(user=user, movie=movie, value=value, rated_at=when) for movie in movies)
    refresh_stats([movie.pk for movie in movies])


def add_imported_viewers(catalog: dict, count: int = 5) -> None:
    """Inactive accounts, as MovieLens users become: each likes some sci-fi (more than the one before) and rates
    three romances low."""
    for v in range(count):
        viewer = get_user_model().objects.create_user(f"imported{v}", is_active=False)
        Rating.objects.bulk_create(
            [Rating(user=viewer, movie=m, value=4.0 + v % 2 / 2, rated_at=WHEN) for m in catalog["scifi"][: 10 + v]]
            + [Rating(user=viewer, movie=m, value=2.0, rated_at=WHEN) for m in catalog["romance"][:3]])
    refresh_stats()


def genre_vectors(catalog: dict, *, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The catalog's movie ids (sci-fi first) and 2-d vectors, one direction per genre, a little noise."""
    movies = catalog["scifi"] + catalog["romance"]
    half = len(catalog["scifi"])
    noise = np.random.default_rng(seed).normal(0, 0.05, (2 * half, 2))
    vectors = (np.array([[1.0, 0.0]] * half + [[0.0, 1.0]] * half) + noise).astype(np.float32)
    return np.array([m.pk for m in movies]), vectors


def activate_ratings_model(catalog: dict, *, seed: int = 0, scifi_bias: float = 0.1, global_bias: float = 0.0):
    """An active collaborative-filtering version whose rating and ranking vectors separate sci-fi from romance;
    sci-fi is `scifi_bias` more popular."""
    ids, vectors = genre_vectors(catalog, seed=seed)
    half = len(catalog["scifi"])
    bias = np.array([scifi_bias] * half + [0.0] * half, np.float32)
    version = versions.save_version(
        kind=ModelKind.RATINGS, movie_ids=ids, movie_vectors=vectors, movie_bias=bias,
        rank_movie_vectors=3 * vectors, rank_movie_bias=bias, global_bias=global_bias,
        parameters={"l2": 1e-3, "bias_l2": 1e-3, "rank_l2": 0.05})
    return versions.activate(version)


def activate_links_model(catalog: dict, *, seed: int = 0):
    """An active link version: the same two directions, swapped."""
    ids, vectors = genre_vectors(catalog, seed=seed)
    return versions.activate(versions.save_version(kind=ModelKind.LINKS, movie_ids=ids, movie_vectors=vectors[:, ::-1]))


def activate_models(catalog: dict, *, links: bool = True) -> None:
    """The website's models: ratings (sci-fi a little more popular, a global bias) and, with `links`, links."""
    activate_ratings_model(catalog, global_bias=0.5)
    if links:
        activate_links_model(catalog)
