"""Import one MovieLens release (any of its formats) into the catalog, all or nothing.

The path of an import: open the source (directory, zip or URL) → recognise the format → read
and check the movies and links → in one transaction: create or update movies and genres, find
or create the users' accounts, load the tags, then the ratings (COPY on PostgreSQL). Any bad
row raises ImportFailed naming its file and line, and the transaction leaves the database as
it was.
"""
from django.db import connection, transaction

from movies.importers.accounts import AccountRegistry
from movies.importers.catalog import MovieIds, sync_movies
from movies.importers.formats import detect_format
from movies.importers.progress import Progress
from movies.importers.ratings import load_ratings
from movies.importers.readers import iter_tags, read_links, read_movies
from movies.importers.sources import open_dataset
from movies.importers.tags import load_tags
from movies.stats import refresh_stats
from movies.tags import refresh_movie_tags

IMPORT_LOCK = 7_221_001  # advisory lock key: one MovieLens import at a time on PostgreSQL


def import_movielens(source: str, *, dataset: str | None = None, progress: Progress | None = None) -> dict:
    """Import the release at SOURCE; returns counts of what was created, updated and deleted."""
    progress = progress or Progress()
    progress.stage("downloading" if "://" in source else "opening", 0.05)
    files = open_dataset(source, on_download=lambda done, total: progress.advance(done / total if total else 0))
    fmt = detect_format(files)
    dataset = dataset or files.dataset_name()

    progress.stage("reading movies", 0.05)
    movies = read_movies(files, fmt)
    links = read_links(files, fmt)
    counts = {"dataset": dataset, "format": fmt.name}

    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK])
        progress.stage("saving movies", 0.05)
        counts |= sync_movies(movies, links, key_field=fmt.movie_key)
        movie_ids = MovieIds(fmt.movie_key)
        accounts = AccountRegistry(dataset)

        progress.stage("loading tags", 0.1)
        if fmt.tags_file and files.has(fmt.tags_file):
            counts |= load_tags(list(iter_tags(files, fmt)), movies=movie_ids, accounts=accounts,
                                label=files.label(fmt.tags_file))

        # Ratings last: a first load ends by swapping tables, which locks briefly until the commit.
        progress.stage("loading ratings", 0.75)
        ratings_size = max(files.size(fmt.ratings_file), 1)
        counts |= load_ratings(files, fmt, movies=movie_ids, accounts=accounts,
                               on_block=lambda block: progress.advance(block.bytes_done / ratings_size))
        counts["users_created"] = accounts.created
        progress.stage("counting ratings per movie", 0.0)
        refresh_stats()
        counts["movie_tags"] = refresh_movie_tags()
    progress.stage("done", 0.0)
    progress.advance(1.0)
    return counts
