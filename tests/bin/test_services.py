"""bin/services, which bin/run-site and bin/test source: the run command works against a fresh PostgreSQL server."""
import os
import subprocess
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def postgres_server_url():
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("needs PostgreSQL")
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}"


def exists(server_url: str, name: str) -> bool:
    with psycopg2.connect(f"{server_url}/postgres") as server, server.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return cursor.fetchone() is not None


def test_run_site_creates_its_database_when_the_server_has_none(postgres_server_url):
    name = f"recsite_fresh_{uuid.uuid4().hex[:8]}"
    url = f"{postgres_server_url}/{name}"
    create = ["bash", "-c", "source bin/services >/dev/null && create_database_if_missing"]
    try:
        first, again = (subprocess.run(create, cwd=ROOT, env={**os.environ, "DATABASE_URL": url},
                                       capture_output=True, text=True, check=True) for _ in range(2))
        assert exists(postgres_server_url, name)
        assert f"Created the PostgreSQL database {name}" in first.stdout and "Created" not in again.stdout
    finally:
        server = psycopg2.connect(f"{postgres_server_url}/postgres")
        server.autocommit = True
        with server.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        server.close()
