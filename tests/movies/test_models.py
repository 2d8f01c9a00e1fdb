"""The database itself refuses ratings that break the rules, whatever code writes them."""
from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction

from movies.models import Movie, Rating, WikiLink

pytestmark = pytest.mark.django_db
WHEN = datetime(2020, 1, 1, tzinfo=UTC)


@pytest.fixture
def user():
    return get_user_model().objects.create_user("viewer")


@pytest.fixture
def movie():
    return Movie.objects.create(title="Alien", year=1979, movielens_id=1214)


@pytest.mark.parametrize("value", [6, 0.3, 0, 3.7, -1])
def test_database_refuses_a_rating_that_is_not_a_half_star_from_half_to_five(user, movie, value):
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        # Raw SQL: the constraint must hold even for code that skips Django's validation.
        cursor.execute(f"INSERT INTO {Rating._meta.db_table} (user_id, movie_id, value, rated_at)"
                       " VALUES (%s, %s, %s, %s)", [user.pk, movie.pk, value, WHEN])


@pytest.mark.parametrize("value", [0.5, 2.5, 5])
def test_database_accepts_every_half_star(user, movie, value):
    Rating.objects.create(user=user, movie=movie, value=value, rated_at=WHEN)


def test_database_refuses_a_second_rating_of_the_same_movie_by_the_same_user(user, movie):
    Rating.objects.create(user=user, movie=movie, value=4, rated_at=WHEN)
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(user=user, movie=movie, value=2, rated_at=WHEN)


@pytest.mark.parametrize("field, value", [("movielens_id", 1214), ("imdb_id", "tt0078748"), ("tmdb_id", 348),
                                          ("wikipedia_title", "Alien (film)"), ("wikipedia_page_id", 51512)])
def test_external_ids_are_unique_where_present(field, value):
    Movie.objects.create(title="Alien", **{field: value})
    Movie.objects.create(title="No ids at all")
    Movie.objects.create(title="Nor here")
    with pytest.raises(IntegrityError), transaction.atomic():
        Movie.objects.create(title="Another", **{field: value})


def test_a_movie_links_to_each_wikipedia_page_once(movie):
    WikiLink.objects.create(movie=movie, target="Ridley Scott")
    with pytest.raises(IntegrityError), transaction.atomic():
        WikiLink.objects.create(movie=movie, target="Ridley Scott")
