"""Website fixtures: a small catalog with ratings, active models, and people (a viewer, a stranger, staff)."""
from datetime import UTC, datetime

import numpy as np
import pytest
from django.contrib.auth import get_user_model

from ml import versions
from ml.models import ModelKind
from movies.models import Genre, Movie, Rating
from movies.stats import refresh_stats

WHEN = datetime(2024, 5, 1, tzinfo=UTC)


@pytest.fixture
def catalog(db):
    """20 sci-fi movies of the 1980s and 20 romances of the 1990s, rated by 5 imported viewers (sci-fi more)."""
    scifi, romance = Genre.objects.create(name="Sci-Fi"), Genre.objects.create(name="Romance")
    movies = {"scifi": [], "romance": []}
    for n in range(20):
        for name, genre, year in (("scifi", scifi, 1980 + n % 10), ("romance", romance, 1990 + n % 10)):
            movie = Movie.objects.create(title=f"{name.title()} {n}", year=year, imdb_id=f"tt{n:03d}{len(name)}",
                                         tmdb_id=1000 * len(name) + n)
            movie.genres.add(genre)
            movies[name].append(movie)
    User = get_user_model()
    for v in range(5):
        viewer = User.objects.create_user(f"imported{v}", is_active=False)
        Rating.objects.bulk_create(
            [Rating(user=viewer, movie=m, value=4.0 + v % 2 / 2, rated_at=WHEN) for m in movies["scifi"][: 10 + v]]
            + [Rating(user=viewer, movie=m, value=2.0, rated_at=WHEN) for m in movies["romance"][:3]])
    refresh_stats()
    return movies


def activate_models(catalog, *, links=True):
    """A CF version (and a link version) whose vectors separate the two genres."""
    rng = np.random.default_rng(0)
    movies = catalog["scifi"] + catalog["romance"]
    ids = np.array([m.pk for m in movies])
    vectors = (np.array([[1.0, 0.0]] * 20 + [[0.0, 1.0]] * 20) + rng.normal(0, 0.05, (40, 2))).astype(np.float32)
    bias = np.array([0.1] * 20 + [0.0] * 20, np.float32)
    cf = versions.save_version(kind=ModelKind.RATINGS, movie_ids=ids, movie_vectors=vectors, movie_bias=bias,
                               rank_movie_vectors=3 * vectors, rank_movie_bias=bias, global_bias=0.5,
                               parameters={"l2": 1e-3, "bias_l2": 1e-3, "rank_l2": 0.05})
    versions.activate(cf)
    if links:
        versions.activate(versions.save_version(kind=ModelKind.LINKS, movie_ids=ids, movie_vectors=vectors[:, ::-1]))


@pytest.fixture
def models(catalog):
    activate_models(catalog)
    return catalog


@pytest.fixture
def viewer(db):
    return get_user_model().objects.create_user("viewer", password="a-long-password-1")


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_user("staff", password="a-long-password-2", is_staff=True,
                                                is_superuser=True)


@pytest.fixture
def as_viewer(client, viewer):
    client.force_login(viewer)
    return client


@pytest.fixture
def as_staff(client, staff):
    client.force_login(staff)
    return client
