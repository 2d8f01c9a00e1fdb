"""Fixtures of the Wikipedia importer tests: generated dumps, and running an import as a job."""
import pytest

from movies import jobs
from movies.models import ImportJob, Movie, MovieArticle, WikiLink
from movies.synthetic_wikipedia import generate_dump

SHARE = 0.2


@pytest.fixture
def multistream(tmp_path):
    return generate_dump(tmp_path / "multi", articles=400, layout="multistream", schema="0.11", seed=1)


def run_job(*sources, **options) -> ImportJob:
    """Import SOURCEs in this process, as `manage.py import_wikipedia` does; returns the finished job."""
    options.setdefault("common_link_share", SHARE)
    job = ImportJob.objects.create(kind=ImportJob.Kind.WIKIPEDIA, source="\n".join(map(str, sources)),
                                   options=options)
    return jobs.run_import(job.pk)


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


def expected(dump, share: float = SHARE) -> dict:
    links = dump.expected_links(share)
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
