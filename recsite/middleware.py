"""A database outage answers 503 (JSON under /api/, a short page elsewhere), not a 500 and a traceback.

While PostgreSQL restarts, queries raise OperationalError or InterfaceError. Those requests get a
503 with Retry-After; the connection is dropped, and CONN_HEALTH_CHECKS opens a fresh one for the
next request, so the site serves again as soon as the database is back.
"""
import logging

from django.db import InterfaceError, OperationalError, close_old_connections
from django.http import HttpResponse, JsonResponse

logger = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 10
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Back soon</title></head>
<body><h1>Back in a moment</h1><p>The site cannot reach its database just now. Please try again in a few
seconds.</p></body></html>"""


def database_unavailable(request) -> HttpResponse:
    """The 503 answer for a request that could not reach the database."""
    if request.path.startswith("/api/"):
        body = {"error": {"code": "database_unavailable",
                          "message": "The database is unavailable. Try again shortly.", "fields": {}}}
        response = JsonResponse(body, status=503)
    else:
        response = HttpResponse(PAGE, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def is_database_outage(error: BaseException | None) -> bool:
    return isinstance(error, OperationalError | InterfaceError)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_database_outage(exception):
            return None
        logger.error("database unavailable: %s %s: %s", request.method, request.path, exception)
        close_old_connections()  # drops the broken connection now
        return database_unavailable(request)
