"""50 writes of the same user's rating of the same movie at once, each on its own PostgreSQL
connection and committed: exactly one row, holding a value that was written, and a write after
them wins."""
import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from movies.models import Movie, Rating
from movies.ratings import set_rating

pytestmark = pytest.mark.django_db(transaction=True)
WRITERS = 50


def test_fifty_concurrent_writes_of_one_rating_leave_one_row_and_the_last_value_wins():
    user = get_user_model().objects.create_user("rater")
    movie = Movie.objects.create(title="Alien", year=1979)
    start, errors, finished = threading.Barrier(WRITERS), [], []
    values = [0.5 + (n % 10) / 2 for n in range(WRITERS)]

    def rate(value):
        try:
            start.wait()
            set_rating(user=user, movie=movie, value=value)
            finished.append(value)
        except Exception as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=rate, args=(value,)) for value in values]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == [] and len(finished) == WRITERS
    assert Rating.objects.filter(user=user, movie=movie).count() == 1
    # Writers queue on the row's lock, so each commits whole: the row holds one of the values written.
    assert Rating.objects.get(user=user, movie=movie).value in values
    set_rating(user=user, movie=movie, value=3.5)
    assert list(Rating.objects.filter(user=user, movie=movie).values_list("value", flat=True)) == [3.5]
