"""After a first import (on PostgreSQL: a new table swapped in) the ratings table is whole and usable."""
from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction

from movies.importers.movielens import import_movielens
from movies.models import Movie, Rating

pytestmark = pytest.mark.django_db


def rating_table_layout():
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Rating._meta.db_table)
    return {name: (info["columns"], info["primary_key"], info["unique"], info["foreign_key"], info["index"],
                   info["check"]) for name, info in constraints.items()}


def test_a_first_import_keeps_every_index_key_and_check_of_the_ratings_table(release):
    before = rating_table_layout()
    import_movielens(str(release.path))
    assert rating_table_layout() == before


def test_after_a_first_import_new_ratings_get_fresh_ids_and_the_rules_still_hold(release):
    import_movielens(str(release.path))
    reader = get_user_model().objects.create_user("reader")
    movie = Movie.objects.first()

    rating = Rating.objects.create(user=reader, movie=movie, value=4, rated_at=datetime(2024, 1, 1, tzinfo=UTC))

    assert rating.pk > Rating.objects.exclude(pk=rating.pk).order_by("-pk").first().pk
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(user=reader, movie=movie, value=3, rated_at=datetime(2024, 1, 1, tzinfo=UTC))
