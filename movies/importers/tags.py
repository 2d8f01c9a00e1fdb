"""Loading a release's tags (small next to ratings): staged, then inserted, updated or deleted in SQL."""
import numpy as np
from django.db import connection

from movies.importers.accounts import AccountRegistry, delete_rows_missing_from
from movies.importers.bulk import copy_text_rows
from movies.importers.catalog import MovieIds
from movies.importers.errors import ImportFailed
from movies.importers.readers import TagRecord
from movies.models import Tag

TAG = Tag._meta.db_table
STAGE = "tag_stage"
COLUMNS = ["user_id", "movie_id", "text", "tagged_at"]


def load_tags(records: list[TagRecord], *, movies: MovieIds, accounts: AccountRegistry, label: str) -> dict[str, int]:
    """Make the release's users' tags exactly those of the file; returns counts."""
    unknown = next((record for record in records if not movies.knows(record.movie)), None)
    if unknown:
        raise ImportFailed(f"movie {unknown.movie} is not in the movies file", file=label, line=unknown.line,
                           field="movieId")
    user_ids = accounts.to_user_ids(np.array([r.user for r in records], dtype=np.int64)).tolist()
    movie_ids = movies.to_movie_ids(np.array([r.movie for r in records], dtype=np.int64)).tolist()
    rows = [(user, movie, record.text, _timestamp(record.timestamp))
            for user, movie, record in zip(user_ids, movie_ids, records)]
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {STAGE} (user_id integer, movie_id bigint, text varchar(255),"
                       " tagged_at timestamp with time zone)")
        if connection.vendor == "postgresql":
            copy_text_rows(cursor, STAGE, COLUMNS, rows)
        else:
            cursor.executemany(f"INSERT INTO {STAGE} VALUES (%s, %s, %s, %s)", rows)
        same = "t.user_id = s.user_id AND t.movie_id = s.movie_id AND t.text = s.text"
        cursor.execute(f"SELECT COUNT(*) FROM (SELECT DISTINCT user_id, movie_id, text FROM {STAGE}) s"
                       f" WHERE NOT EXISTS (SELECT 1 FROM {TAG} t WHERE {same})")
        created = cursor.fetchone()[0]
        deleted = delete_rows_missing_from(cursor, table=TAG, stage=STAGE, key=("user_id", "movie_id", "text"),
                                           dataset=accounts.dataset)
        # A user may tag a movie with the same words twice: keep the first time.
        cursor.execute(
            f"INSERT INTO {TAG} (user_id, movie_id, text, tagged_at) SELECT user_id, movie_id, text, MIN(tagged_at)"
            f" FROM {STAGE} GROUP BY user_id, movie_id, text ON CONFLICT (user_id, movie_id, text) DO UPDATE"
            f" SET tagged_at = excluded.tagged_at WHERE {TAG}.tagged_at <> excluded.tagged_at")
        cursor.execute(f"DROP TABLE {STAGE}")
    return {"tags_created": created, "tags_deleted": deleted}


def _timestamp(seconds: int) -> str:
    """A timestamp both PostgreSQL and SQLite (as Django stores it there) read the same way."""
    return str(np.datetime64(seconds, "s")).replace("T", " ") + ("+00:00" if connection.vendor == "postgresql" else "")
