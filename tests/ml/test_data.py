"""Training data comes out of the database whole and in a stable order."""
import pytest

from ml.training.data import load_ratings
from movies.importers.movielens import import_movielens
from movies.models import Rating

pytestmark = pytest.mark.django_db


def test_load_ratings_returns_every_rating_sorted_by_user_and_movie(release):
    import_movielens(str(release.path))

    ratings = load_ratings()

    expected = sorted(Rating.objects.values_list("user_id", "movie_id", "value"))
    assert len(ratings) == len(expected) == release.n_ratings
    assert list(zip(ratings.user_ids.tolist(), ratings.movie_ids.tolist(), ratings.values.tolist())) == expected


def test_load_ratings_of_an_empty_database_is_empty():
    assert len(load_ratings()) == 0
