"""A user's token (movies/user_state.py): it changes with every committed change of his ratings or his account."""
import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from movies import user_state
from movies.models import Movie
from movies.ratings import remove_rating, set_rating

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def viewer():
    return get_user_model().objects.create_user("viewer", password="a-long-password-1")


@pytest.fixture
def movies():
    return [Movie.objects.create(title=f"Movie {n}") for n in range(2)]


def test_the_token_changes_once_a_rating_is_committed(redis_cache, viewer, movies):
    before = user_state.token(viewer.pk)
    with transaction.atomic():
        set_rating(user=viewer, movie=movies[0], value=4)
        assert user_state.token(viewer.pk) == before  # not before the commit: others still read the old data
    after_rating = user_state.token(viewer.pk)
    remove_rating(user=viewer, movie=movies[0])
    assert len({before, after_rating, user_state.token(viewer.pk)}) == 3


def test_the_token_changes_when_the_account_changes(redis_cache, viewer):
    before = user_state.token(viewer.pk)
    viewer.is_active = False
    viewer.save()
    assert user_state.token(viewer.pk) != before


def test_the_token_stays_while_nothing_changes(redis_cache, viewer, movies):
    set_rating(user=viewer, movie=movies[0], value=4)
    assert user_state.token(viewer.pk) == user_state.token(viewer.pk)


def test_without_a_shared_cache_the_token_is_read_from_the_ratings(viewer, movies):
    first, second = movies
    tokens = [user_state.token(viewer.pk)]
    set_rating(user=viewer, movie=first, value=4)
    tokens.append(user_state.token(viewer.pk))
    set_rating(user=viewer, movie=second, value=2)
    tokens.append(user_state.token(viewer.pk))
    set_rating(user=viewer, movie=second, value=3)
    tokens.append(user_state.token(viewer.pk))
    remove_rating(user=viewer, movie=first)
    tokens.append(user_state.token(viewer.pk))
    assert len(set(tokens)) == len(tokens)
