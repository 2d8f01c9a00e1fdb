"""Loading a release's ratings into the Rating table.

- Into an empty table on PostgreSQL (the first import), ratings stream with binary COPY into a
  bare copy of the table that gets its indexes and keys after the load and is then swapped in.
- Otherwise (a re-import, a second release, SQLite) they go through a temporary staging table
  and set-based SQL: insert the new ratings, update the changed ones, delete the ones the
  release no longer has. Ratings entered on the site by real users are never touched.
"""
import re
from collections.abc import Callable

import numpy as np
from django.db import IntegrityError, connection

from movies.importers.accounts import AccountRegistry, delete_rows_missing_from
from movies.importers.bulk import column_types, copy_binary, loaded_beside
from movies.importers.catalog import MovieIds
from movies.importers.errors import ImportFailed
from movies.importers.formats import MovieLensFormat
from movies.importers.ratings_file import RatingBlock, find_row, iter_rating_blocks
from movies.importers.sources import DatasetFiles
from movies.models import Rating

COLUMNS = ["user_id", "movie_id", "value", "rated_at"]
RATING = Rating._meta.db_table
STAGE = "rating_stage"
DUPLICATE_KEY = re.compile(r"\(user_id, movie_id\)=\((\d+), (\d+)\)")


def load_ratings(files: DatasetFiles, fmt: MovieLensFormat, *, movies: MovieIds, accounts: AccountRegistry,
                 on_block: Callable[[RatingBlock], None]) -> dict[str, int]:
    """Load the release's ratings file; returns counts of ratings created, updated and deleted."""
    blocks = iter_rating_blocks(files, fmt)

    def fail_on_duplicate(user_id: int, movie_id: int):
        user, movie = accounts.movielens_id_of(user_id), movies.key_of_pk[movie_id]
        second = find_row(files, fmt, lambda row: (row.user, row.movie) == (user, movie), skip=1)
        raise ImportFailed(f"user {user} rates movie {movie} a second time", file=files.label(fmt.ratings_file),
                           line=second.line if second else None)

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and _is_empty(cursor):
            return _fill_empty_table(cursor, blocks, movies, accounts, on_block, fail_on_duplicate)
        return _synchronise(cursor, blocks, movies, accounts, on_block, fail_on_duplicate)


def _is_empty(cursor) -> bool:
    """Whether no one has any rating yet; if so, site users cannot add one until the import commits."""
    if Rating.objects.exists():
        return False
    cursor.execute(f"LOCK TABLE {RATING} IN SHARE ROW EXCLUSIVE MODE")  # blocks writers, not readers
    return not Rating.objects.exists()


def _mapped(block: RatingBlock, movies: MovieIds, accounts: AccountRegistry) -> list[np.ndarray]:
    movie_ids = movies.to_movie_ids(block.movie)
    if (movie_ids < 0).any():
        block.fail_at_first(lambda row: not movies.knows(row.movie),
                            lambda row: f"movie {row.movie} is not in the movies file", column="movie")
    return [accounts.to_user_ids(block.user), movie_ids, block.rating, block.timestamp]


def _fill_empty_table(cursor, blocks, movies, accounts, on_block, fail_on_duplicate) -> dict[str, int]:
    columns = ["id", *COLUMNS]
    types = column_types(cursor, RATING, columns)
    created = 0
    try:
        with loaded_beside(cursor, RATING) as table:
            for block in blocks:
                # Mapping may create accounts: a statement of its own, so it runs between COPYs.
                arrays = _mapped(block, movies, accounts)
                # Ids sent with the rows spare the server a sequence call per row.
                ids = np.arange(created + 1, created + len(block) + 1, dtype=np.int64)
                copy_binary(cursor, table, columns, types, [ids, *arrays])
                created += len(block)
                on_block(block)
    except IntegrityError as error:  # building the unique index found a user rating a movie twice
        found = DUPLICATE_KEY.search(str(error))
        if not found:
            raise
        fail_on_duplicate(int(found.group(1)), int(found.group(2)))
    return {"ratings_created": created, "ratings_updated": 0, "ratings_deleted": 0}


def _synchronise(cursor, blocks, movies, accounts, on_block, fail_on_duplicate) -> dict[str, int]:
    postgres = connection.vendor == "postgresql"
    cursor.execute(f"CREATE TEMPORARY TABLE {STAGE} (user_id integer, movie_id bigint, value double precision,"
                   " rated_at timestamp with time zone)")
    types = column_types(cursor, STAGE, COLUMNS) if postgres else None
    for block in blocks:
        arrays = _mapped(block, movies, accounts)
        if postgres:
            copy_binary(cursor, STAGE, COLUMNS, types, arrays)
        else:  # SQLite stores Django datetimes as "YYYY-MM-DD HH:MM:SS" text in UTC
            when = np.datetime_as_string(block.timestamp.astype("datetime64[s]"), unit="s")
            cursor.executemany(f"INSERT INTO {STAGE} VALUES (%s, %s, %s, %s)",
                               zip(arrays[0].tolist(), arrays[1].tolist(), arrays[2].tolist(),
                                   np.char.replace(when, "T", " ").tolist()))
        on_block(block)
    if not postgres:  # SQLite joins by nested loops: it needs an index on the staged pairs
        cursor.execute(f"CREATE INDEX {STAGE}_pair ON {STAGE} (user_id, movie_id)")
    cursor.execute(f"SELECT user_id, movie_id FROM {STAGE} GROUP BY user_id, movie_id HAVING COUNT(*) > 1 LIMIT 1")
    duplicate = cursor.fetchone()
    if duplicate:
        fail_on_duplicate(*duplicate)
    # Three set-based statements, each writing only what changes: an unchanged release writes nothing.
    deleted = delete_rows_missing_from(cursor, table=RATING, stage=STAGE, key=("user_id", "movie_id"),
                                       dataset=accounts.dataset)
    cursor.execute(
        f"UPDATE {RATING} SET value = s.value, rated_at = s.rated_at FROM {STAGE} s"
        f" WHERE s.user_id = {RATING}.user_id AND s.movie_id = {RATING}.movie_id"
        f" AND ({RATING}.value <> s.value OR {RATING}.rated_at <> s.rated_at)")
    updated = cursor.rowcount
    cursor.execute(
        f"INSERT INTO {RATING} (user_id, movie_id, value, rated_at) SELECT user_id, movie_id, value, rated_at"
        f" FROM {STAGE} s WHERE NOT EXISTS (SELECT 1 FROM {RATING} r"
        " WHERE r.user_id = s.user_id AND r.movie_id = s.movie_id)")
    created = cursor.rowcount
    cursor.execute(f"DROP TABLE {STAGE}")
    return {"ratings_created": created, "ratings_updated": updated, "ratings_deleted": deleted}
