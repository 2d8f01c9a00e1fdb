"""Production settings pass Django's deployment checks; unsafe ones refuse to start."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k" * 20 + "a-long-random-production-secret-0123456789",
    "ALLOWED_HOSTS": "movies.example.org",
    "DATABASE_URL": "postgres://recsite:secret@db.example.org:5432/recsite",
    "CELERY_BROKER_URL": "redis://redis.example.org:6379/0",
}


def manage(*args, **env):
    clean = {key: value for key, value in os.environ.items() if key not in PRODUCTION}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env},
                          capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", **{**PRODUCTION, "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is false" in result.stderr


def test_a_misspelled_boolean_is_an_error_not_a_silent_default():
    result = manage("check", DEBUG="ture")
    assert result.returncode != 0
    assert "DEBUG='ture' is not a boolean" in result.stderr


def test_json_logs_are_one_object_a_line_with_the_traceback():
    import json
    import logging

    from recsite.logs import JsonFormatter

    try:
        raise ValueError("bad <input>")
    except ValueError:
        record = logging.LogRecord("ml.runs", logging.ERROR, __file__, 1, "run %s crashed", (7,), sys.exc_info())
    line = JsonFormatter().format(record)

    entry = json.loads(line)
    assert "\n" not in line
    assert (entry["level"], entry["logger"], entry["message"]) == ("ERROR", "ml.runs", "run 7 crashed")
    assert "ValueError: bad <input>" in entry["exception"]


def test_an_unknown_log_format_is_an_error():
    result = manage("check", LOG_FORMAT="xml")
    assert result.returncode != 0 and "LOG_FORMAT='xml'" in result.stderr


SHOW_CACHING = ("from django.conf import settings; print(settings.CACHES['default']['BACKEND'], "
                "settings.SESSION_ENGINE, settings.PAGE_CACHE_SECONDS)")


def test_cache_url_names_a_shared_redis_cache_that_keeps_sessions_and_pages():
    result = manage("shell", "-c", SHOW_CACHING, CACHE_URL="redis://127.0.0.1:6379/1")
    assert result.stdout.strip().splitlines()[-1].split() == [
        "recsite.cache.ForgivingRedisCache", "django.contrib.sessions.backends.cached_db", "300"], result.stderr


def test_without_a_shared_cache_sessions_stay_in_the_database_and_no_page_is_cached():
    result = manage("shell", "-c", SHOW_CACHING, CACHE_URL="", PAGE_CACHE_SECONDS="60")
    assert result.stdout.strip().splitlines()[-1].split() == [
        "django.core.cache.backends.locmem.LocMemCache", "django.contrib.sessions.backends.db", "0"], result.stderr
