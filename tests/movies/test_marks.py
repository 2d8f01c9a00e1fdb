"""Marks besides ratings: a movie on the watchlist or "not interested", one mark per movie, idempotent writes."""
import pytest
from django.contrib.auth import get_user_model

from movies import user_state
from movies.marks import mark, marked_ids, marks_of, unmark
from movies.models import Mark, Movie

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada(db):
    return get_user_model().objects.create_user("ada")


@pytest.fixture
def films(db):
    return [Movie.objects.create(title=f"Film {n}") for n in range(3)]


def test_marking_a_movie_the_other_way_replaces_its_mark(ada, films):
    first, created = mark(user=ada, movie=films[0], kind=Mark.Kind.WATCHLIST)
    again, changed = mark(user=ada, movie=films[0], kind=Mark.Kind.WATCHLIST)
    assert created and not changed and again.marked_at == first.marked_at  # the same mark, not even re-dated

    mark(user=ada, movie=films[0], kind=Mark.Kind.NOT_INTERESTED)
    assert list(Mark.objects.values_list("movie", "kind")) == [(films[0].pk, "not_interested")]


def test_marks_are_read_per_movie_and_taken_back_only_of_their_kind(ada, films):
    mark(user=ada, movie=films[0], kind=Mark.Kind.WATCHLIST)
    mark(user=ada, movie=films[1], kind=Mark.Kind.NOT_INTERESTED)

    assert marks_of(ada, [f.pk for f in films]) == {films[0].pk: "watchlist", films[1].pk: "not_interested"}
    assert marked_ids(ada) == {films[0].pk, films[1].pk}
    assert not unmark(user=ada, movie=films[0], kind=Mark.Kind.NOT_INTERESTED)
    assert unmark(user=ada, movie=films[0]) and not unmark(user=ada, movie=films[0])
    assert marked_ids(ada) == {films[1].pk}


def test_an_unknown_kind_is_refused(ada, films):
    with pytest.raises(ValueError, match="unknown mark"):
        mark(user=ada, movie=films[0], kind="favourite")
    assert not Mark.objects.exists()


def test_every_change_of_a_mark_changes_the_users_token(ada, films):
    tokens = [user_state.token(ada.pk)]
    mark(user=ada, movie=films[0], kind=Mark.Kind.WATCHLIST)
    tokens.append(user_state.token(ada.pk))
    mark(user=ada, movie=films[0], kind=Mark.Kind.NOT_INTERESTED)
    tokens.append(user_state.token(ada.pk))
    unmark(user=ada, movie=films[0])
    tokens.append(user_state.token(ada.pk))
    assert all(before != after for before, after in zip(tokens, tokens[1:]))  # (the last is the first state again)
