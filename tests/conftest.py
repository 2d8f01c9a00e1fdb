"""Shared fixtures: generated MovieLens releases, import helpers, and a real Celery worker process."""
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, connections

from movies.synthetic import generate_dataset

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def progress_uses_the_test_connection():
    """Each test runs in one transaction, which a second connection cannot see; so in tests the
    "progress" alias (a separate connection in production) is the default connection itself."""
    original = connections["progress"]
    connections["progress"] = connections["default"]
    yield
    connections["progress"] = original


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
