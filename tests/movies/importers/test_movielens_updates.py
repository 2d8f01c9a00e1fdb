"""Re-importing changes nothing; a newer release updates; site users' own ratings are never touched."""
from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model

from movies.importers.movielens import import_movielens
from movies.models import Movie, Rating
from tests.movies.importers.helpers import read_rows, snapshot, write_rows

pytestmark = pytest.mark.django_db


def test_importing_the_same_release_twice_changes_nothing(release):
    import_movielens(str(release.path))
    before = snapshot()

    counts = import_movielens(str(release.path))

    assert snapshot() == before
    assert counts["movies_created"] == counts["movies_updated"] == 0
    assert counts["ratings_created"] == counts["ratings_updated"] == counts["ratings_deleted"] == 0
    assert counts["tags_created"] == counts["tags_deleted"] == counts["users_created"] == 0


def test_a_newer_release_updates_changed_rows_and_drops_removed_ratings(release):
    import_movielens(str(release.path))
    ratings = read_rows(release.path / "ratings.csv")
    changed, removed = ratings[1], ratings[2]
    changed[2] = "0.5" if changed[2] != "0.5" else "1.0"
    write_rows(release.path / "ratings.csv", [ratings[0], changed, *ratings[3:]])
    movies = read_rows(release.path / "movies.csv")
    movies[1][1] = "Renamed, The (2001)"
    movies.append(["999999", "Brand New (2024)", "Comedy"])
    write_rows(release.path / "movies.csv", movies)

    counts = import_movielens(str(release.path))

    assert (counts["ratings_created"], counts["ratings_updated"], counts["ratings_deleted"]) == (0, 1, 1)
    assert (counts["movies_created"], counts["movies_updated"]) == (1, 1)
    assert Movie.objects.get(movielens_id=int(movies[1][0])).title == "The Renamed"
    assert Rating.objects.get(user__movielens_account__movielens_id=int(changed[0]),
                              movie__movielens_id=int(changed[1])).value == float(changed[2])
    assert not Rating.objects.filter(user__movielens_account__movielens_id=int(removed[0]),
                                     movie__movielens_id=int(removed[1])).exists()
    assert Rating.objects.count() == release.n_ratings - 1


def test_reimport_leaves_ratings_of_site_users_alone(release):
    import_movielens(str(release.path))
    reader = get_user_model().objects.create_user("reader", password="a long passphrase")
    movie = Movie.objects.first()
    Rating.objects.create(user=reader, movie=movie, value=4.5, rated_at=datetime(2024, 1, 1, tzinfo=UTC))

    import_movielens(str(release.path))

    assert Rating.objects.get(user=reader).value == 4.5


def test_two_datasets_keep_their_users_apart(release, tmp_path):
    from synthetic.movielens import generate_dataset

    other = generate_dataset(tmp_path / "other", n_users=5, n_movies=10, ratings_per_user=3, name="ml-other")
    import_movielens(str(release.path))
    import_movielens(str(other.path))

    assert Rating.objects.filter(user__movielens_account__dataset="ml-test").count() == release.n_ratings
    assert Rating.objects.filter(user__movielens_account__dataset="ml-other").count() == other.n_ratings
