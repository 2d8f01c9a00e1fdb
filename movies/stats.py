"""Each movie's rating count and average, stored on the movie so that pages never aggregate the ratings table.

`refresh_stats` recomputes them from the ratings in one statement: for the movies given (after a rating is set
or removed: an aggregate over one movie's ratings, read through its index) or for every movie (after an import:
one pass over the ratings table).
"""
from collections.abc import Iterable

from django.db import connection

from movies.models import Movie, Rating


def refresh_stats(movie_ids: Iterable[int] | None = None) -> None:
    """Recompute num_ratings and mean_rating of these movies (of every movie when None)."""
    movies, ratings = Movie._meta.db_table, Rating._meta.db_table
    with connection.cursor() as cursor:
        if movie_ids is None:
            # Only rows whose numbers changed are written, so a re-import leaves the movies table alone.
            cursor.execute(f"""
                UPDATE {movies} SET num_ratings = s.n, mean_rating = s.average
                FROM (SELECT m.id, COUNT(r.movie_id) AS n, AVG(r.value) AS average
                      FROM {movies} m LEFT JOIN {ratings} r ON r.movie_id = m.id GROUP BY m.id) AS s
                WHERE {movies}.id = s.id AND ({movies}.num_ratings != s.n
                      OR COALESCE({movies}.mean_rating, -1) != COALESCE(s.average, -1))""")
            return
        ids = list(movie_ids)
        if ids and connection.vendor == "postgresql":
            # Lock the movies first: a concurrent rating of the same movie then waits for this transaction, and
            # the UPDATE below (a new statement, so a new snapshot) counts every rating committed before it.
            cursor.execute(f"SELECT id FROM {movies} WHERE id IN ({', '.join(['%s'] * len(ids))}) ORDER BY id "
                           "FOR NO KEY UPDATE", ids)
        if ids:
            cursor.execute(f"""
                UPDATE {movies} SET
                  num_ratings = (SELECT COUNT(*) FROM {ratings} r WHERE r.movie_id = {movies}.id),
                  mean_rating = (SELECT AVG(r.value) FROM {ratings} r WHERE r.movie_id = {movies}.id)
                WHERE id IN ({", ".join(["%s"] * len(ids))})""", ids)
