"""The site accounts of a release's MovieLens users: found by (dataset, MovieLens id), else created.

Imported users are inactive and have unusable passwords: they carry ratings for the models but
cannot log in. Their usernames contain colons, which sign-up forms refuse, so they never clash.
"""
import secrets

import numpy as np
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import connection
from django.utils import timezone

from movies.models import MovieLensAccount


class AccountRegistry:
    """Maps a release's user ids to site user ids, creating the missing accounts in bulk."""

    def __init__(self, dataset: str):
        self.dataset = dataset
        existing = list(MovieLensAccount.objects.filter(dataset=dataset).values_list("movielens_id", "user_id"))
        self.created = 0
        self._user_ids = np.full(1024, -1, dtype=np.int64)
        pairs = np.array(existing, dtype=np.int64).reshape(-1, 2)
        self._store(pairs[:, 0], pairs[:, 1])

    def to_user_ids(self, movielens_ids: np.ndarray) -> np.ndarray:
        """Site user ids for these MovieLens ids, creating accounts for the ones seen for the first time."""
        self._grow(int(movielens_ids.max(initial=0)))
        missing = np.unique(movielens_ids[self._user_ids[movielens_ids] < 0])
        if len(missing):
            self._create(missing)
        return self._user_ids[movielens_ids]

    def movielens_id_of(self, user_id: int) -> int:
        return int(np.flatnonzero(self._user_ids == user_id)[0])

    def _create(self, movielens_ids: np.ndarray) -> None:
        if connection.vendor == "postgresql":
            created = self._create_in_sql(movielens_ids)
        else:
            created = self._create_with_orm(movielens_ids)
        self._store(created[:, 0], created[:, 1])
        self.created += len(created)

    def _create_in_sql(self, movielens_ids: np.ndarray) -> np.ndarray:
        """One statement for any number of accounts: ml-25m's 162,000 users take a second, not fifteen."""
        user_table, account_table = get_user_model()._meta.db_table, MovieLensAccount._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH new_users AS (INSERT INTO {user_table} (username, password, is_active, is_staff,"
                " is_superuser, first_name, last_name, email, date_joined)"
                " SELECT %(prefix)s || id, %(unusable)s || md5(random()::text || id), false, false, false, '', '', '',"
                " now() FROM unnest(%(ids)s::integer[]) AS id RETURNING id, username)"
                f" INSERT INTO {account_table} (user_id, dataset, movielens_id)"
                " SELECT id, %(dataset)s, substring(username FROM length(%(prefix)s) + 1)::integer FROM new_users"
                " RETURNING movielens_id, user_id",
                {"prefix": self._username_prefix(), "unusable": UNUSABLE_PASSWORD_PREFIX,
                 "ids": movielens_ids.tolist(), "dataset": self.dataset})
            return np.array(cursor.fetchall(), dtype=np.int64).reshape(-1, 2)

    def _create_with_orm(self, movielens_ids: np.ndarray) -> np.ndarray:
        User = get_user_model()
        now = timezone.now()
        users = [User(username=f"{self._username_prefix()}{ml_id}", is_active=False, date_joined=now,
                      password=UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(24))
                 for ml_id in movielens_ids.tolist()]
        User.objects.bulk_create(users, batch_size=5000)
        MovieLensAccount.objects.bulk_create(
            [MovieLensAccount(user_id=user.pk, dataset=self.dataset, movielens_id=ml_id)
             for user, ml_id in zip(users, movielens_ids.tolist())], batch_size=5000)
        return np.array([(ml_id, user.pk) for ml_id, user in zip(movielens_ids.tolist(), users)], dtype=np.int64)

    def _username_prefix(self) -> str:
        return f"movielens:{self.dataset}:"

    def _store(self, movielens_ids: np.ndarray, user_ids: np.ndarray) -> None:
        self._grow(int(movielens_ids.max(initial=0)))
        self._user_ids[movielens_ids] = user_ids

    def _grow(self, largest_id: int) -> None:
        if largest_id >= len(self._user_ids):
            grown = np.full(max(largest_id + 1, 2 * len(self._user_ids)), -1, dtype=np.int64)
            grown[: len(self._user_ids)] = self._user_ids
            self._user_ids = grown


def delete_rows_missing_from(cursor, *, table: str, stage: str, key: tuple[str, ...], dataset: str) -> int:
    """Delete the rows of `dataset`'s users that the staged release no longer has; returns how many.

    Rows of other users (people on the site, other releases) are never touched.
    """
    account_table = MovieLensAccount._meta.db_table
    same_key = " AND ".join(f"s.{column} = {table}.{column}" for column in key)
    cursor.execute(f"DELETE FROM {table} WHERE user_id IN (SELECT user_id FROM {account_table} WHERE dataset = %s)"
                   f" AND NOT EXISTS (SELECT 1 FROM {stage} s WHERE {same_key})", [dataset])
    return cursor.rowcount
