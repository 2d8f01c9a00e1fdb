"""`/healthz`: 200 when the database and the task broker answer, 503 (naming what is down) otherwise.

For load balancers and container orchestrators. It reads nothing but `SELECT 1` and opens one
broker connection, each with a short timeout, and needs no login.
"""
import time

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

BROKER_TIMEOUT_SECONDS = 2


@require_GET
@never_cache
def healthz(request):
    checks = {"database": _check(_database), "broker": _check(_broker)}
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse({"status": "ok" if healthy else "unavailable", "checks": checks},
                        status=200 if healthy else 503)


def _check(probe) -> dict:
    started = time.monotonic()
    try:
        probe()
    except Exception as error:  # any failure is an answer here, not a crash
        return {"ok": False, "error": f"{type(error).__name__}: {error}"[:300]}
    return {"ok": True, "ms": round((time.monotonic() - started) * 1000, 1)}


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _broker() -> None:
    from recsite.celery import app

    with app.connection_for_write() as broker:
        broker.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
