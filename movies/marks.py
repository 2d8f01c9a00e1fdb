"""A user's marks on movies besides ratings: his watchlist and the movies he is not interested in.

The website's forms and the REST API both call these; neither writes Mark rows itself. A movie has at most one
mark per user: putting it on the watchlist takes back "not interested", and the other way round. Marked movies stay
out of his picks (ml/serving/recommendations.py), and every change ends what is cached for him (movies/user_state.py).
"""
from django.db import transaction
from django.utils import timezone

from movies import user_state
from movies.models import Mark, Movie

KINDS = Mark.Kind.values


@transaction.atomic
def mark(*, user, movie: Movie, kind: str) -> tuple[Mark, bool]:
    """Mark `movie` for `user` as `kind` (a Mark.Kind); returns (mark, changed). Marking it as it already is
    changes nothing, not even its date."""
    if kind not in KINDS:
        raise ValueError(f"unknown mark {kind!r}: one of {', '.join(KINDS)}")
    existing = Mark.objects.select_for_update().filter(user=user, movie=movie).first()
    if existing is not None and existing.kind == kind:
        return existing, False
    found, _ = Mark.objects.update_or_create(user=user, movie=movie,
                                             defaults={"kind": kind, "marked_at": timezone.now()})
    user_state.changed(user.pk)
    return found, True


@transaction.atomic
def unmark(*, user, movie: Movie, kind: str | None = None) -> bool:
    """Take back `user`'s mark of `movie` (only if it is `kind`, when given); returns whether there was one."""
    marks = Mark.objects.filter(user=user, movie=movie)
    if kind is not None:
        marks = marks.filter(kind=kind)
    deleted, _ = marks.delete()
    if deleted:
        user_state.changed(user.pk)
    return deleted > 0


def marks_of(user, movie_ids) -> dict[int, str]:
    """The user's marks of these movies, by movie id (one query; none for anonymous visitors)."""
    if not user.is_authenticated or not movie_ids:
        return {}
    return dict(Mark.objects.filter(user=user, movie_id__in=list(movie_ids)).values_list("movie_id", "kind"))


def marked_ids(user) -> set[int]:
    """Every movie the user marked either way: what his picks leave out besides what he rated."""
    return set(Mark.objects.filter(user=user).values_list("movie_id", flat=True))
