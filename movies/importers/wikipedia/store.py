"""The final step of a Wikipedia import, in one transaction: films to movies (with their articles' lead and
infobox facts), links resolved and replaced.

The parts' files are loaded into staging tables (COPY on PostgreSQL), the links resolved through the
redirects there, the too-common targets dropped by document frequency, and the links of the films in
this dump replaced. Any failure rolls it all back: the previous films and links stay as they were.
"""
from collections.abc import Iterable
from itertools import islice
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

from movies.importers.bulk import copy_text_rows
from movies.importers.errors import ImportFailed
from movies.importers.progress import Progress
from movies.importers.wikipedia.matching import BY_IMDB, BY_TITLE, film_name, match_films
from movies.importers.wikipedia.parse import read_films, read_redirects
from movies.importers.wikipedia.redirects import film_infoboxes, resolve_links
from movies.importers.wikipedia.titles import normalize_title
from movies.models import Movie, MovieArticle, WikiLink

NAMED_COMMON = 10  # dropped targets the counts name, the most linked first
IMPORT_LOCK = 7_221_002  # advisory lock key: one Wikipedia import's final step at a time
BATCH = 10_000
STAGING = {
    "wiki_redirect": "source varchar(255) NOT NULL, target varchar(255) NOT NULL",
    "wiki_link": "page_id bigint NOT NULL, target text NOT NULL",
    "wiki_movie": "page_id bigint PRIMARY KEY, movie_id bigint NOT NULL",
}


def finish(result_dir: Path, *, parts: int, common_link_share: float, common_link_min_films: int | None = None,
           progress: Progress | None = None) -> dict:
    """Turn the results of the `parts` parts under `result_dir` into movies and links; returns counts.

    A target is dropped as too common when more than `common_link_share` of the films link to it, and at least
    `common_link_min_films` (WIKIPEDIA_COMMON_LINK_MIN_FILMS) do."""
    progress = progress or Progress()
    films_files = sorted(result_dir.glob("part-*.films.jsonl"))
    redirect_files = sorted(result_dir.glob("part-*.redirects.csv"))
    if len(films_files) != parts or len(redirect_files) != parts:
        raise ImportFailed(f"the results of {parts - min(len(films_files), len(redirect_files))} of {parts} parts "
                           "are missing: do all workers share DATA_DIR?", file=str(result_dir))
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK])
        for table, columns in STAGING.items():
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
            cursor.execute(f"CREATE TEMPORARY TABLE {table} ({columns})")

        progress.stage("loading redirects", 0.2)
        template_redirects = []
        counts = {"redirects": _stage(cursor, "wiki_redirect", ["source", "target"],
                                      _article_redirects(redirect_files, template_redirects))}
        cursor.execute("CREATE INDEX wiki_redirect_source ON wiki_redirect (source)")
        infoboxes = film_infoboxes(template_redirects)

        progress.stage("saving films", 0.3)
        films, not_films = [], 0
        for film in read_films(films_files):
            if film["infobox"] in infoboxes:
                del film["links"], film["article"]  # read again below, a film at a time
                films.append(film)
            else:
                not_films += 1
        movie_ids, film_counts = save_films(films)
        counts |= film_counts | {"not_films": not_films}
        counts["film_articles"] = save_articles(films_files, movie_ids)

        progress.stage("linking", 0.5)
        _stage(cursor, "wiki_movie", ["page_id", "movie_id"], movie_ids.items())
        links = ((film["page_id"], target) for film in read_films(films_files) if film["page_id"] in movie_ids
                 for target in film["links"])
        counts["links_read"] = _stage(cursor, "wiki_link", ["page_id", "target"], links)
        counts["links_redirected"] = resolve_links(cursor)
        min_films = settings.WIKIPEDIA_COMMON_LINK_MIN_FILMS if common_link_min_films is None \
            else common_link_min_films
        counts |= _replace_links(cursor, common_link_share, min_films, len(films))
        for table in STAGING:
            cursor.execute(f"DROP TABLE {table}")
        counts["links_in_refs_skipped"] = sum(film["links_in_refs"] for film in films)
    return counts


def _article_redirects(paths: list[Path], template_redirects: list) -> Iterable[tuple[str, str]]:
    for ns, source, target in read_redirects(paths):
        if ns != 0:
            template_redirects.append((source, target))
        else:  # both as links are read (titles.py)
            source, target = normalize_title(source), normalize_title(target.split("#", 1)[0])
            if len(source) <= 255 and len(target) <= 255:
                yield source, target


def _stage(cursor, table: str, columns: list[str], rows: Iterable[tuple]) -> int:
    """Load rows into a staging table in batches: COPY on PostgreSQL, INSERT elsewhere."""
    total, rows = 0, iter(rows)
    while batch := list(islice(rows, BATCH)):
        if connection.vendor == "postgresql":
            copy_text_rows(cursor, table, columns, batch)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", batch)
        total += len(batch)
    return total


def _replace_links(cursor, common_link_share: float, min_films: int, n_films: int) -> dict:
    """Drop targets more than `common_link_share` of the films, and `min_films` at least, link to; replace the
    films' links. The counts name the most linked of the dropped targets."""
    cursor.execute("CREATE TEMPORARY TABLE wiki_common AS SELECT target, COUNT(*) AS films FROM"
                   " (SELECT DISTINCT page_id, target FROM wiki_link) AS distinct_links"
                   " GROUP BY target HAVING COUNT(*) > %s AND COUNT(*) >= %s", [common_link_share * n_films, min_films])
    cursor.execute("SELECT COUNT(*), COALESCE(SUM(films), 0) FROM wiki_common")
    common, common_links = cursor.fetchone()
    cursor.execute("SELECT target, films FROM wiki_common ORDER BY films DESC, target LIMIT %s", [NAMED_COMMON])
    named = [f"{target} ({films} films)" for target, films in cursor.fetchall()]
    cursor.execute("DELETE FROM movies_wikilink WHERE movie_id IN (SELECT movie_id FROM wiki_movie)")
    replaced = cursor.rowcount
    cursor.execute(
        "INSERT INTO movies_wikilink (movie_id, target) SELECT DISTINCT m.movie_id, l.target"
        " FROM wiki_link l JOIN wiki_movie m ON m.page_id = l.page_id"
        " WHERE length(l.target) <= 255 AND l.target NOT IN (SELECT target FROM wiki_common)")
    written = cursor.rowcount
    cursor.execute("DROP TABLE wiki_common")
    if common:
        described = ", ".join(named) + (", …" if common > len(named) else "")
    else:
        described = (f"none (dropped when linked by more than {common_link_share:.0%} of the {n_films} films and "
                     f"by {min_films} at least)")
    return {"links": written, "links_deleted": replaced, "common_targets_dropped": common,
            "common_links_dropped": int(common_links), "common_targets": described}


def save_films(films: list[dict]) -> tuple[dict[int, int], dict]:
    """Join each film to its MovieLens movie, or to its own movie (created the first time): page id → movie id."""
    matched = match_films(films)
    pages = [film["page_id"] for film in films]
    earlier = dict(_values("wikipedia_page_id__in", pages, "wikipedia_page_id", "id"))
    target = {page: matched[page][0] if page in matched else earlier.get(page) for page in pages}
    chosen = {pk for pk in target.values() if pk}
    # Free the pages and titles other movies hold (a film now joined to MovieLens, a renamed page).
    holders = set(_values("wikipedia_page_id__in", pages, "id", flat=True))
    holders |= set(_values("wikipedia_title__in", [film["title"] for film in films], "id", flat=True))
    stale = sorted(holders - chosen)
    for start in range(0, len(stale), BATCH):
        WikiLink.objects.filter(movie_id__in=stale[start:start + BATCH]).delete()
        MovieArticle.objects.filter(movie_id__in=stale[start:start + BATCH]).delete()
    for ids in (stale, sorted(chosen)):
        for start in range(0, len(ids), BATCH):
            Movie.objects.filter(pk__in=ids[start:start + BATCH]).update(wikipedia_page_id=None, wikipedia_title=None)
    used_imdb = set(_values("imdb_id__in", [film["imdb_id"] for film in films if film["imdb_id"]], "imdb_id",
                            flat=True))
    movies = {}
    chosen_ids = sorted(chosen)
    for start in range(0, len(chosen_ids), BATCH):
        movies |= Movie.objects.in_bulk(chosen_ids[start:start + BATCH])
    updated, created = [], []
    for film in films:
        movie = movies.get(target[film["page_id"]]) or Movie()
        own = movie.pk is None or film["page_id"] not in matched  # not MovieLens': it follows the article
        if own:
            movie.title, movie.year = film_name(film["title"])[:500], film["year"]
        movie.year = movie.year or film["year"]
        imdb_id = film["imdb_id"]
        if imdb_id != movie.imdb_id and (own or not movie.imdb_id) and (imdb_id is None or imdb_id not in used_imdb):
            used_imdb.discard(movie.imdb_id)
            movie.imdb_id = imdb_id
            used_imdb.add(imdb_id)
        movie.wikipedia_title, movie.wikipedia_page_id = film["title"], film["page_id"]
        movie.directors = film["directors"]
        (updated if movie.pk else created).append(movie)
    Movie.objects.bulk_update(updated, ["title", "year", "imdb_id", "wikipedia_title", "wikipedia_page_id",
                                        "directors"], batch_size=1000)
    Movie.objects.bulk_create(created, batch_size=1000)
    hows = [how for _, how in matched.values()]
    counts = {"films": len(films), "films_matched_imdb": hows.count(BY_IMDB),
              "films_matched_title_year": hows.count(BY_TITLE), "films_unmatched": len(films) - len(matched),
              "movies_created": len(created)}
    return {movie.wikipedia_page_id: movie.pk for movie in updated + created}, counts


def save_articles(films_files: list[Path], movie_ids: dict[int, int]) -> int:
    """Each film's lead and infobox facts on its movie (replacing what an earlier dump gave); returns how many."""
    fields = [field.name for field in MovieArticle._meta.fields if field.name != "movie"]
    articles = (MovieArticle(movie_id=movie_ids[film["page_id"]], **film["article"])
                for film in read_films(films_files) if film["page_id"] in movie_ids)
    saved, seen = 0, set()
    while batch := list(islice(articles, BATCH)):
        batch = [article for article in batch if article.movie_id not in seen]  # a page id twice in the dump
        seen.update(article.movie_id for article in batch)
        MovieArticle.objects.bulk_create(batch, batch_size=1000, update_conflicts=True, unique_fields=["movie"],
                                         update_fields=fields)
        saved += len(batch)
    return saved


def _values(lookup: str, keys: list, *fields: str, flat: bool = False):
    """Movies' values for keys asked in batches (SQLite limits the parameters of one query)."""
    for start in range(0, len(keys), BATCH):
        yield from Movie.objects.filter(**{lookup: keys[start:start + BATCH]}).values_list(*fields, flat=flat)
