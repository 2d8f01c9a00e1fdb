"""Hostile content in a dump (titles and tags with HTML, JavaScript URLs) is stored as data, exactly,
and comes out escaped in every page and as plain strings in the API."""
import pytest
from django.contrib.auth.models import User

from movies.importers.movielens import import_movielens
from movies.models import Movie, Tag
from tests.movies.importers.helpers import read_rows, write_rows

pytestmark = pytest.mark.django_db

SCRIPT_TITLE = '<script>alert("owned")</script> & <img src=x onerror=alert(1)>'
LINK_TAG = 'javascript:alert(document.cookie)//<a href="javascript:alert(2)">x</a>'


@pytest.fixture
def hostile(release):
    movies = read_rows(release.path / "movies.csv")
    movies[1][1] = f"{SCRIPT_TITLE} (1999)"
    write_rows(release.path / "movies.csv", movies)
    tags = read_rows(release.path / "tags.csv")
    tags[1][2] = LINK_TAG
    write_rows(release.path / "tags.csv", tags)
    import_movielens(str(release.path))
    return Movie.objects.get(title=SCRIPT_TITLE)


def test_hostile_titles_and_tags_are_stored_exactly_as_data(hostile):
    assert (hostile.title, hostile.year) == (SCRIPT_TITLE, 1999)
    assert Tag.objects.filter(text=LINK_TAG).exists()


def test_hostile_titles_come_out_of_the_api_as_plain_strings(hostile, client):
    body = client.get(f"/api/movies/{hostile.pk}/").json()

    assert body["title"] == SCRIPT_TITLE


def test_hostile_content_is_escaped_in_the_pages(hostile, client):
    client.force_login(User.objects.create_superuser("boss", password="pw"))
    pages = [client.get(path).content.decode() for path in
             ["/", "/admin/movies/movie/", f"/admin/movies/movie/{hostile.pk}/change/", "/admin/movies/tag/"]]

    for page in pages:
        assert "<script>alert" not in page and "<img src=x" not in page
        assert 'href="javascript:' not in page
    assert "&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt;" in pages[1]


def test_hostile_tags_are_escaped_on_the_movie_page_and_in_the_tag_browse(hostile, client):
    tagged = Tag.objects.get(text=LINK_TAG).movie
    pages = [client.get(path, data).content.decode() for path, data in
             [(f"/movies/{tagged.pk}/", {}), ("/movies/", {"tag": LINK_TAG}), ("/movies/", {"q": LINK_TAG})]]

    for page in pages:
        assert 'href="javascript:' not in page and '<a href="javascript:alert(2)">' not in page
    assert "javascript:alert(document.cookie)//&lt;a href=&quot;javascript:alert(2)&quot;&gt;x&lt;/a&gt;" in pages[0]
    assert f'href="/movies/{tagged.pk}/"' in pages[1]  # the tag browse finds it
    assert client.get(f"/api/movies/{tagged.pk}/").json()["tags"][0]["name"] == LINK_TAG
