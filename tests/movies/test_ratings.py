"""The rating service: half stars only, one rating per user and movie, also under concurrent writes."""
import threading

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection

from movies.models import Movie, Rating
from movies.ratings import remove_rating, set_rating

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return get_user_model().objects.create_user("rater")


@pytest.fixture
def movie():
    return Movie.objects.create(title="Alien", year=1979)


def test_setting_a_rating_creates_it(user, movie):
    rating, created = set_rating(user=user, movie=movie, value=4.5)

    assert created and (rating.user, rating.movie, rating.value) == (user, movie, 4.5)
    assert rating.rated_at is not None


def test_setting_a_rating_again_changes_the_same_row(user, movie):
    first, _ = set_rating(user=user, movie=movie, value=2)
    second, created = set_rating(user=user, movie=movie, value="3.5")

    assert not created and second.pk == first.pk
    assert Rating.objects.get().value == 3.5


@pytest.mark.parametrize("value", [7, 0.3, 0, 5.5, -1, 4.25, float("nan"), float("inf"), "four", None, True])
def test_a_value_that_is_not_half_stars_is_rejected_with_a_field_error(user, movie, value):
    with pytest.raises(ValidationError) as error:
        set_rating(user=user, movie=movie, value=value)

    assert list(error.value.message_dict) == ["value"]
    assert not Rating.objects.exists()


def test_removing_a_rating_deletes_only_that_users_rating(user, movie):
    other = get_user_model().objects.create_user("other")
    set_rating(user=user, movie=movie, value=4)
    set_rating(user=other, movie=movie, value=1)

    assert remove_rating(user=user, movie=movie) is True
    assert remove_rating(user=user, movie=movie) is False
    assert list(Rating.objects.values_list("user__username", flat=True)) == ["other"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_ratings_of_the_same_movie_leave_one_row(user, movie):
    start = threading.Barrier(4)
    errors = []

    def rate(value):
        try:
            start.wait()
            set_rating(user=user, movie=movie, value=value)
        except Exception as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=rate, args=(value,)) for value in (1, 2, 3, 4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Rating.objects.filter(user=user, movie=movie).count() == 1
