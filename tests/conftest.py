"""Shared fixtures: generated MovieLens releases, import helpers, and a real Celery worker process."""
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, connections

from synthetic.movielens import generate_dataset

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def progress_uses_the_test_connection():
    """Each test runs in one transaction, which a second connection cannot see; so in tests the
    "progress" alias (a separate connection in production) is the default connection itself."""
    original = connections["progress"]
    connections["progress"] = connections["default"]
    yield
    connections["progress"] = original


@pytest.fixture(autouse=True)
def fresh_state(monkeypatch):
    """Nothing leaks from test to test: not the cache (throttle counts, pages' cached lists), nor the model
    indexes a process keeps, which are checked against the active version at every call."""
    from django.core.cache import cache

    from ml.serving import active

    cache.clear()
    active.forget()
    monkeypatch.setattr(active, "RECHECK_SECONDS", 0.0)
    yield
    cache.clear()
    active.forget()


@pytest.fixture
def redis_url():
    """The URL of the tests' Redis database (TEST_REDIS_DB, which the broker uses too). Without Redis the test is
    skipped; CI always has it (bin/services)."""
    url = os.environ.get("CELERY_BROKER_URL", "")
    if not url.startswith("redis://"):
        pytest.skip("needs Redis")
    return url.rsplit("/", 1)[0] + "/" + os.environ.get("REDIS_DB", "15")


@pytest.fixture
def redis_cache(redis_url, settings):
    """Django's cache in Redis, as in production with CACHE_URL: sessions and whole pages are kept there too.
    The test's keys carry a prefix of their own and are deleted after it."""
    import redis

    prefix = f"test-{uuid.uuid4().hex[:8]}"
    settings.CACHES = {"default": {"BACKEND": "recsite.cache.ForgivingRedisCache", "LOCATION": redis_url,
                                   "KEY_PREFIX": prefix}}
    settings.CACHE_IS_SHARED, settings.PAGE_CACHE_SECONDS = True, 60
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    yield
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


@pytest.fixture
def release(tmp_path):
    """A small generated release in the ml-latest (CSV) format."""
    return generate_dataset(tmp_path / "ml-test", format="csv", n_users=30, n_movies=60, ratings_per_user=12,
                            name="ml-test", seed=1)


def database_url() -> str:
    """The URL of the test database, for processes started by the tests."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(queue: str, log_path: Path, **env) -> subprocess.Popen:
    """A real `celery worker` process (solo pool) on the configured broker, listening on `queue` only,
    sharing the test database; `env` adds or overrides environment variables (settings)."""
    env = {**os.environ, "DATABASE_URL": database_url(), "CELERY_QUEUE": queue, "DATA_DIR": str(settings.DATA_DIR),
           **env}
    log = open(log_path, "a")
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "recsite", "worker", "--pool=solo", "--loglevel=INFO",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-Q", queue],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )


def stop_worker(worker: subprocess.Popen) -> None:
    worker.terminate()
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


@pytest.fixture
def celery_queue(transactional_db):
    """A queue of this test's own, which the tasks it queues go to, so that no other worker on the
    same broker takes them."""
    from recsite.celery import app

    queue = f"test-{uuid.uuid4().hex[:8]}"
    previous_queue = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    yield queue
    app.conf.task_default_queue = previous_queue


@pytest.fixture
def celery_worker_process(celery_queue, tmp_path):
    """A real `celery worker` process on the configured broker (Redis in CI), sharing the test database.

    It listens on a queue of its own, so that no other worker on the same broker takes its tasks.
    """
    worker = start_worker(celery_queue, tmp_path / "worker.log")
    try:
        yield worker
    finally:
        stop_worker(worker)
        print("--- worker log ---\n" + (tmp_path / "worker.log").read_text()[-4000:])


def wait_for(predicate, timeout: float = 90, every: float = 0.25):
    """Poll until predicate() is true; fail the test after timeout seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(every)
    pytest.fail(f"gave up waiting after {timeout} s")


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on (just now)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


PRODUCTION_LIKE = {"DEBUG": "false", "SECRET_KEY": "test-" + "s" * 50, "ALLOWED_HOSTS": "127.0.0.1",
                   "SECURE_SSL_REDIRECT": "false", "SECURE_HSTS_SECONDS": "0"}


@pytest.fixture
def live_site(transactional_db, tmp_path):
    """Start the site under gunicorn on loopback, with production-like settings on the test database;
    `live_site(**env)` overrides settings (e.g. a broker that is down) and returns the base URL."""
    started = []

    def start(**env) -> str:
        port = free_port()
        env = {**os.environ, **PRODUCTION_LIKE, "DATABASE_URL": database_url(), "DATA_DIR": str(settings.DATA_DIR),
               **env}
        log = open(tmp_path / "site.log", "a")
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "recsite.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1",
             "--threads", "4", "--timeout", "60"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        started.append(server)
        wait_for(lambda: server.poll() is not None or _answers(port), timeout=60)
        assert server.poll() is None, (tmp_path / "site.log").read_text()
        return f"http://127.0.0.1:{port}"

    yield start
    for server in started:
        server.terminate()
        server.wait(timeout=20)
    if (tmp_path / "site.log").exists():
        print("--- site log ---\n" + (tmp_path / "site.log").read_text()[-4000:])


def _answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True
