"""Catalog answers are the same for everyone, so they are cached (api/caching.py): read again without a query,
and never past a change of the active model versions."""
import pytest

from ml.serving import active
from movies.models import Movie
from tests.api.conftest import activate_ratings_model

pytestmark = pytest.mark.django_db


def test_a_catalog_answer_asked_again_is_read_from_the_cache(redis_cache, anonymous, as_ada, catalog,
                                                             django_assert_num_queries, monkeypatch):
    monkeypatch.setattr(active, "RECHECK_SECONDS", 60)  # as in production: the active versions are known
    first = anonymous.get("/api/movies/", {"genre": "Romance", "page_size": 5})
    with django_assert_num_queries(1):  # who asks (the token); none for the answer
        again = as_ada.get("/api/movies/", {"genre": "Romance", "page_size": 5})
    assert again.status_code == 200 and again.json() == first.json()


def test_similar_movies_follow_a_new_active_version_at_once(redis_cache, anonymous, catalog):
    path = f"/api/movies/{catalog['scifi'][0].pk}/similar/"
    assert anonymous.get(path, {"kind": "ratings"}).json() == []  # no model yet
    activate_ratings_model(catalog)
    assert len(anonymous.get(path, {"kind": "ratings"}).json()) == 10


def test_a_not_found_answer_is_not_kept(redis_cache, anonymous, catalog):
    assert anonymous.get("/api/movies/999999/").status_code == 404
    Movie.objects.create(pk=999999, title="Late arrival")
    assert anonymous.get("/api/movies/999999/").json()["title"] == "Late arrival"
