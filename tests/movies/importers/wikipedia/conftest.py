"""Fixtures of the Wikipedia importer tests: generated dumps, exports of hand-written pages, and running an
import as a job."""
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pytest
from django.conf import settings

from movies import importing
from movies.models import ImportJob, Movie, MovieArticle, WikiLink
from synthetic.wikipedia import generate_dump

SHARE = 0.2


@pytest.fixture
def multistream(tmp_path):
    return generate_dump(tmp_path / "multi", articles=400, layout="multistream", schema="0.11", seed=1)


def write_export(path: Path, pages: list[tuple[int, int, str, str, str | None]]) -> Path:
    """An XML export (schema 0.11) of hand-written pages: (id, namespace, title, wikitext, redirect target or None),
    escaped as MediaWiki's exporter escapes them."""
    xml = ['<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.11/" version="0.11" xml:lang="en">\n'
           "  <siteinfo>\n    <sitename>Wikipedia</sitename>\n    <dbname>enwiki</dbname>\n  </siteinfo>\n"]
    for page_id, ns, title, text, redirect in pages:
        xml.append(f"  <page>\n    <title>{escape(title)}</title>\n    <ns>{ns}</ns>\n    <id>{page_id}</id>\n"
                   + (f"    <redirect title={quoteattr(redirect)} />\n" if redirect else "")
                   + f"    <revision>\n      <id>{page_id + 100}</id>\n"
                   "      <timestamp>2024-05-01T12:00:00Z</timestamp>\n"
                   "      <model>wikitext</model>\n      <format>text/x-wiki</format>\n"
                   f'      <text bytes="{len(text.encode())}" xml:space="preserve">{escape(text)}</text>\n'
                   "    </revision>\n  </page>\n")
    path.write_text("".join(xml) + "</mediawiki>\n", encoding="utf-8")
    return path


def run_job(*sources, **options) -> ImportJob:
    """Import SOURCEs in this process, as `manage.py import_wikipedia` does; returns the finished job."""
    options.setdefault("common_link_share", SHARE)
    job = ImportJob.objects.create(kind=ImportJob.Kind.WIKIPEDIA, source="\n".join(map(str, sources)),
                                   options=options)
    return importing.run_import(job.pk)


def imported() -> dict:
    """The films in the database, in the shape of the generator's expectation."""
    films = {}
    for movie in Movie.objects.filter(wikipedia_page_id__isnull=False):
        films[movie.wikipedia_page_id] = {
            "title": movie.wikipedia_title, "year": movie.year, "directors": movie.directors,
            "imdb_id": movie.imdb_id,
            "links": set(WikiLink.objects.filter(movie=movie).values_list("target", flat=True)),
            "article": article_of(movie)}
    return films


def article_of(movie) -> dict | None:
    """The movie's stored article in the shape of the generator's expectation."""
    article = MovieArticle.objects.filter(movie=movie).first()
    if article is None:
        return None
    return {"lead": article.lead, "starring": article.starring, "runtime_minutes": article.runtime_minutes,
            "countries": article.countries, "languages": article.languages,
            "release_date": article.release_date.isoformat() if article.release_date else None}


def expected(dump, share: float = SHARE, min_films: int | None = None) -> dict:
    links = dump.expected_links(share, settings.WIKIPEDIA_COMMON_LINK_MIN_FILMS if min_films is None else min_films)
    return {page: {**film, "links": links[page]} for page, film in dump.films.items()}


def links_snapshot() -> list:
    return sorted(WikiLink.objects.values_list("movie_id", "target"))


def movies_snapshot() -> list:
    return sorted(Movie.objects.values_list("id", "title", "year", "imdb_id", "wikipedia_title",
                                            "wikipedia_page_id", "updated_at"))


@pytest.fixture
def file_server():
    """Serves a folder over HTTP on localhost (the internet, stood in for); yields a function folder → base URL."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    servers = []

    def serve(folder) -> str:
        handler = functools.partial(SimpleHTTPRequestHandler, directory=str(folder))
        handler.log_message = lambda *args: None
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()
