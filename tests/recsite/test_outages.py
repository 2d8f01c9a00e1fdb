"""Redis or PostgreSQL down: the site keeps answering, never with a 500.

The site runs under gunicorn with production-like settings (tests/conftest.py `live_site`). "Down"
is a closed port of 127.0.0.1: the shared servers of this machine are never stopped. A PostgreSQL
restart with the site running is bench/faults/postgres_restart.py.
"""
import os
import re
import subprocess
import sys

import pytest
import requests
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from ml.models import TrainingRun
from movies.models import ImportJob, Movie, Rating, WikiLink
from tests.conftest import PRODUCTION_LIKE, ROOT, database_url, free_port

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def grace(transactional_db, settings):
    settings.SECRET_KEY = PRODUCTION_LIKE["SECRET_KEY"]  # the site's, so that its sessions are valid there
    return get_user_model().objects.create_user("grace", password="compiler-1952", is_staff=True, is_superuser=True)


class Browser:
    """requests with the session cookie of `user`, sent by hand: the site's cookies are Secure and
    this is plain HTTP on loopback."""

    def __init__(self, base: str, user=None):
        self.base, self.cookies = base, {}
        if user is not None:
            client = Client()
            client.force_login(user)
            self.cookies["sessionid"] = client.cookies["sessionid"].value

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), **kwargs.pop("headers", {})}
        response = requests.request(method, self.base + path, headers=headers, allow_redirects=False, timeout=30,
                                    **kwargs)
        self.cookies.update(response.cookies.get_dict())
        return response

    def post_form(self, path: str, form_page: str, data: dict) -> requests.Response:
        page = self.request("get", form_page).text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
        return self.request("post", path, data={**data, "csrfmiddlewaretoken": token},
                            headers={"Referer": self.base + form_page})


def api(base: str, user, method: str, path: str, **body) -> requests.Response:
    token = Token.objects.get_or_create(user=user)[0].key
    return requests.request(method, base + path, json=body or None, timeout=30,
                            headers={"Authorization": f"Token {token}"})


@pytest.fixture
def redis_down():
    """A broker and a cache at a port where nothing listens."""
    port = free_port()
    return {"CELERY_BROKER_URL": f"redis://127.0.0.1:{port}/0", "CACHE_URL": f"redis://127.0.0.1:{port}/1"}


def test_with_redis_down_every_page_still_renders(live_site, redis_down, grace):
    movie = Movie.objects.create(title="Metropolis", year=1927)
    base = live_site(**redis_down)
    browser = Browser(base, grace)

    for path in ["/", f"/api/movies/{movie.pk}/", "/api/movies/?search=metro", f"/api/movies/{movie.pk}/similar/",
                 "/admin/", "/admin/ml/trainingrun/", "/admin/ml/modelversion/", "/admin/movies/importjob/",
                 "/api/docs/"]:
        response = browser.request("get", path)
        assert response.status_code == 200, (path, response.status_code, response.text[:300])


def test_with_redis_down_starting_a_retrain_or_import_in_the_api_is_a_503_that_says_so(live_site, redis_down, grace):
    base = live_site(**redis_down)

    retrain = api(base, grace, "post", "/api/staff/training-runs/", kind="ratings")
    again = api(base, grace, "post", "/api/staff/training-runs/", kind="ratings")
    imported = api(base, grace, "post", "/api/staff/import-jobs/", source="https://example.org/ml.zip")

    for response in (retrain, again, imported):  # again: the failed attempt blocks nothing (no 409)
        assert response.status_code == 503, response.text
        error = response.json()["error"]
        assert error["code"] == "queue_unavailable" and "task queue is unavailable" in error["message"]
    assert set(TrainingRun.objects.values_list("status", flat=True)) == {"failed"}
    assert ImportJob.objects.get().status == "failed"


def test_with_redis_down_the_admin_retrain_button_says_the_queue_is_unavailable(live_site, redis_down, grace):
    WikiLink.objects.create(movie=Movie.objects.create(title="Linked"), target="Film noir")  # something to train on
    browser = Browser(live_site(**redis_down), grace)

    response = browser.post_form("/admin/ml/trainingrun/retrain/", "/admin/ml/trainingrun/", {"kind": "links"})
    page = browser.request("get", response.headers["Location"])

    assert response.status_code == 302 and page.status_code == 200
    assert "The task queue is unavailable" in page.text


def test_with_redis_down_rating_writes_still_work_unthrottled(live_site, redis_down, grace):
    movie = Movie.objects.create(title="Nosferatu", year=1922)
    base = live_site(**redis_down)

    response = api(base, grace, "post", "/api/me/ratings/", movie=movie.pk, value=4.5)

    assert response.status_code == 201, response.text


@pytest.mark.parametrize("command", [["retrain", "ratings", "--async"], ["import_movielens", "/x", "--async"]])
def test_with_redis_down_commands_that_queue_say_so(transactional_db, redis_down, command):
    Rating.objects.create(user=get_user_model().objects.create_user("rater", is_active=False),
                          movie=Movie.objects.create(title="Rated"), value=4.0, rated_at=timezone.now())
    env = {**os.environ, "DATABASE_URL": database_url(), **redis_down}
    result = subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=60)

    assert result.returncode == 1
    assert "CommandError: The task queue is unavailable" in result.stderr and "Traceback" not in result.stderr


def test_with_the_database_down_pages_and_the_api_answer_503_not_a_stack_trace(live_site):
    base = live_site(DATABASE_URL=f"postgres://postgres@127.0.0.1:{free_port()}/recsite")

    page = requests.get(base + "/", timeout=30)
    listing = requests.get(base + "/api/movies/", timeout=30)
    health = requests.get(base + "/healthz", timeout=30)

    assert page.status_code == 503 and "Back in a moment" in page.text and "Traceback" not in page.text
    assert page.headers["Retry-After"]
    assert listing.status_code == 503 and listing.json()["error"]["code"] == "database_unavailable"
    assert health.status_code == 503 and health.json()["checks"]["database"]["ok"] is False


def test_healthz_is_ok_when_the_database_and_the_broker_answer(live_site):
    response = requests.get(live_site() + "/healthz", timeout=30)

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "ok"


def test_healthz_names_the_broker_when_it_is_down(live_site, redis_down):
    body = requests.get(live_site(**redis_down) + "/healthz", timeout=30).json()

    assert body["status"] == "unavailable"
    assert body["checks"]["database"]["ok"] is True and body["checks"]["broker"]["ok"] is False
