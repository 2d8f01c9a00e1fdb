"""API test fixtures: a catalog, an owner, a stranger and a staff member, and clients signed in as each."""
from datetime import UTC, datetime

import numpy as np
import pytest
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from ml import versions
from ml.models import ModelKind
from movies.models import Genre, Movie, Rating
from movies.stats import refresh_stats

WHEN = datetime(2024, 5, 1, tzinfo=UTC)


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


@pytest.fixture
def ada(db):
    return get_user_model().objects.create_user("ada", password="analytical-engine")


@pytest.fixture
def bob(db):
    return get_user_model().objects.create_user("bob", password="difference-engine")


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_user("grace", password="compiler-1952", is_staff=True)


@pytest.fixture
def anonymous():
    return APIClient()


@pytest.fixture
def as_ada(ada):
    return client_for(ada)


@pytest.fixture
def as_bob(bob):
    return client_for(bob)


@pytest.fixture
def as_staff(staff):
    return client_for(staff)


@pytest.fixture
def catalog(db):
    """12 sci-fi movies of the 1980s and 12 romances of the 1990s, their names in order of release."""
    scifi, romance = Genre.objects.create(name="Sci-Fi"), Genre.objects.create(name="Romance")
    movies = {"scifi": [], "romance": []}
    for n in range(12):
        for name, genre, year in (("scifi", scifi, 1980 + n % 10), ("romance", romance, 1990 + n % 10)):
            movie = Movie.objects.create(title=f"{name.title()} {n:02d}", year=year)
            movie.genres.add(genre)
            movies[name].append(movie)
    return movies


def rate(user, movies, value):
    """Ratings as an import writes them: in bulk, then the movies' stored statistics recomputed."""
    Rating.objects.bulk_create(Rating(user=user, movie=movie, value=value, rated_at=WHEN) for movie in movies)
    refresh_stats([movie.pk for movie in movies])


def activate_ratings_model(catalog):
    """A collaborative-filtering version whose vectors separate sci-fi from romance."""
    movies = catalog["scifi"] + catalog["romance"]
    half = len(catalog["scifi"])
    rng = np.random.default_rng(0)
    vectors = (np.array([[1.0, 0.0]] * half + [[0.0, 1.0]] * half) + rng.normal(0, 0.05, (2 * half, 2)))
    vectors = vectors.astype(np.float32)
    bias = np.zeros(2 * half, np.float32)
    version = versions.save_version(
        kind=ModelKind.RATINGS, movie_ids=np.array([m.pk for m in movies]), movie_vectors=vectors, movie_bias=bias,
        rank_movie_vectors=3 * vectors, rank_movie_bias=bias,
        parameters={"l2": 1e-3, "bias_l2": 1e-3, "rank_l2": 0.05})
    return versions.activate(version)
