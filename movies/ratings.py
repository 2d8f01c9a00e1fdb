"""Ratings people enter on the site: set one (create or change) and remove one, with what follows from it.

The REST API and the website both call these; neither writes Rating rows itself. A rating is
0.5 to 5 stars in half steps, and a user has at most one rating per movie, also when two
requests for the same movie arrive at once (the unique (user, movie) constraint decides).
What follows a change of ratings is `ratings_changed`, which the admin calls too.
"""
import math
from collections.abc import Iterable
from numbers import Real

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from movies import user_state
from movies.models import RATING_VALUES, Movie, Rating
from movies.stats import refresh_stats

MIN_STARS, MAX_STARS = RATING_VALUES[0], RATING_VALUES[-1]


def validate_stars(value) -> float:
    """The value as a float if it is 0.5 to 5 in half steps; else a ValidationError saying why."""
    if isinstance(value, bool) or not isinstance(value, Real | str):
        raise ValidationError("A rating is a number of stars.", code="invalid")
    try:
        stars = float(value)
    except ValueError:
        raise ValidationError("A rating is a number of stars.", code="invalid") from None
    if not math.isfinite(stars) or not MIN_STARS <= stars <= MAX_STARS:
        raise ValidationError(f"A rating is {MIN_STARS:g} to {MAX_STARS:g} stars.", code="out_of_range")
    if stars * 2 != round(stars * 2):
        raise ValidationError("A rating is a whole or half number of stars.", code="not_half_star")
    return stars


@transaction.atomic
def set_rating(*, user, movie: Movie, value) -> tuple[Rating, bool]:
    """Give `movie` `value` stars from `user`; returns (rating, created).

    Raises ValidationError with a `value` field error for anything but 0.5..5 in half steps.
    update_or_create locks the existing row, and if a concurrent request inserts the same
    (user, movie) first, the unique constraint's IntegrityError makes it fetch and update that row.
    """
    try:
        stars = validate_stars(value)
    except ValidationError as error:
        raise ValidationError({"value": error.error_list}) from None
    rating, created = Rating.objects.update_or_create(user=user, movie=movie,
                                                      defaults={"value": stars, "rated_at": timezone.now()})
    ratings_changed(movie_ids=[movie.pk], user_ids=[user.pk])
    return rating, created


@transaction.atomic
def remove_rating(*, user, movie: Movie) -> bool:
    """Delete `user`'s rating of `movie`; returns whether there was one."""
    deleted, _ = Rating.objects.filter(user=user, movie=movie).delete()
    if deleted:
        ratings_changed(movie_ids=[movie.pk], user_ids=[user.pk])
    return deleted > 0


def ratings_changed(*, movie_ids: Iterable[int], user_ids: Iterable[int]) -> None:
    """What follows a change of ratings, wherever it was made: the movies' stored count and average (what pages
    show), and the users' cached pages and picks dropped once the transaction commits (movies/user_state.py)."""
    refresh_stats(movie_ids)
    for user_id in set(user_ids):
        user_state.changed(user_id)
