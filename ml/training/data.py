"""Training data read from the database in bulk into numpy arrays (never row by row in Python).

On PostgreSQL the rows come out through binary COPY and are decoded by numpy in one pass: the
25 million ratings of ml-25m load in seconds. Elsewhere (SQLite) a plain query does.
"""
import io
from dataclasses import dataclass

import numpy as np
from django.db import connection

from movies.models import Rating, WikiLink

COPY_HEADER_BYTES = 19  # signature (11), flags (4), header extension length (4)


@dataclass(frozen=True)
class Ratings:
    """All ratings, sorted by (user, movie): database ids and stars."""

    user_ids: np.ndarray  # int64
    movie_ids: np.ndarray  # int64
    values: np.ndarray  # float32, 0.5 to 5

    def __len__(self) -> int:
        return len(self.values)


def load_ratings() -> Ratings:
    table = Rating._meta.db_table
    sql = f"SELECT user_id, movie_id, value FROM {table} ORDER BY user_id, movie_id"
    users, movies, values = _columns(sql, [">i4", ">i8", ">f8"])
    return Ratings(users.astype(np.int64), movies.astype(np.int64), values.astype(np.float32))


@dataclass(frozen=True)
class Links:
    """The (movie, link) pairs of the Wikipedia links: movie database ids and link indices from 0."""

    movie_ids: np.ndarray  # int64
    links: np.ndarray  # int64, 0 .. n_links - 1
    n_links: int

    def __len__(self) -> int:
        return len(self.links)


def load_links(min_movies: int = 2) -> Links:
    """Every link whose target is linked from at least `min_movies` movies (a link of one movie says nothing of
    which movies are alike), sorted by movie and link. The targets are numbered in the database, in their order,
    once each (a join, not a rank over every row); numpy sorts the pairs."""
    table = WikiLink._meta.db_table
    sql = (f"WITH targets AS (SELECT target, ROW_NUMBER() OVER (ORDER BY target) - 1 AS link FROM {table} "
           f"GROUP BY target HAVING COUNT(*) >= {int(min_movies)}) "
           f"SELECT w.movie_id, t.link FROM {table} w JOIN targets t ON t.target = w.target")
    movies, links = _columns(sql, [">i8", ">i8"])
    order = np.lexsort((links, movies))
    movies, links = movies[order].astype(np.int64), links[order].astype(np.int64)
    return Links(movies, links, int(links.max()) + 1 if len(links) else 0)


def _columns(sql: str, big_endian_types: list[str]) -> list[np.ndarray]:
    """The result of `sql` as one array per column (fixed-width, non-null columns only)."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql)
            rows = cursor.fetchall()
        return [np.array([row[i] for row in rows]) for i in range(len(big_endian_types))]
    buffer = io.BytesIO()
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY ({sql}) TO STDOUT WITH (FORMAT binary)", buffer)
    layout = [("fields", ">i2")]
    for index, kind in enumerate(big_endian_types):
        layout += [(f"length{index}", ">i4"), (f"value{index}", kind)]
    body = buffer.getbuffer()[COPY_HEADER_BYTES:-2]  # the trailer is a 2-byte -1
    rows = np.frombuffer(body, dtype=np.dtype(layout))
    return [rows[f"value{index}"] for index in range(len(big_endian_types))]
