"""One error format for every API error: {"error": {"code", "message", "fields"}}.

`fields` maps a field name or query parameter (dotted for nested input, "non_field_errors" for the whole
input) to its messages; it is empty for errors that are not about the input (a 404 or 403 about a named
input, such as a rated movie that does not exist, names it too). Django ValidationErrors raised by
the services (movies.ratings) come out the same way as the serializers' own. A task queue that
cannot be reached is a 503 `queue_unavailable`; a database that cannot be reached, a 503
`database_unavailable` (recsite/middleware.py).
"""
import sys

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, serializers, status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.views import exception_handler as drf_exception_handler

from recsite.middleware import database_unavailable, is_database_outage
from work.queue import QueueUnavailable

NON_FIELD = "non_field_errors"


class Conflict(APIException):
    """The request cannot be done in the current state (409), e.g. a run of that kind already runs."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state."
    default_code = "conflict"


class ServiceUnavailable(APIException):
    """A service the request needs is down (503): the request changed nothing and can be retried."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "A service this request needs is unavailable. Try again later."
    default_code = "queue_unavailable"


def exception_handler(exc, context):
    """DRF's handler, with Django's exceptions turned into DRF's and every body in the one format."""
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(detail=_django_errors(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    elif isinstance(exc, QueueUnavailable):
        exc = ServiceUnavailable(str(exc))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ValidationError) or isinstance(getattr(exc, "detail", None), dict):
        # An error about named input: a 400, or e.g. a 404 for {"movie": ["No movie with id 7."]}.
        fields = _flatten(exc.detail if isinstance(exc.detail, dict) else {NON_FIELD: exc.detail})
        first_field, messages = next(iter(fields.items()), (NON_FIELD, ["Invalid input."]))
        message = messages[0] if first_field == NON_FIELD else f"{first_field}: {messages[0]}"
        code = "invalid" if isinstance(exc, ValidationError) else exc.default_code
        body = {"code": code, "message": message, "fields": fields}
    else:
        code = exc.get_codes() if isinstance(exc, APIException) else "error"
        body = {"code": code if isinstance(code, str) else "error", "message": _text(response.data), "fields": {}}
    response.data = {"error": body}
    return response


def _django_errors(error: DjangoValidationError) -> dict:
    if hasattr(error, "error_dict"):
        return {NON_FIELD if name == "__all__" else name: messages for name, messages in error.message_dict.items()}
    return {NON_FIELD: error.messages}


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """{"a": {"b": ["x"]}} → {"a.b": ["x"]}; lists of messages stay lists of strings."""
    if isinstance(detail, dict):
        flat = {}
        for name, value in detail.items():
            flat.update(_flatten(value, f"{prefix}.{name}" if prefix else str(name)))
        return flat
    if isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        flat = {}
        for index, item in enumerate(detail):
            flat.update(_flatten(item, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    messages = detail if isinstance(detail, list) else [detail]
    return {prefix or NON_FIELD: [str(message) for message in messages]} if messages else {}


def _text(data) -> str:
    if isinstance(data, dict) and "detail" in data:
        return str(data["detail"])
    return str(data)


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Machine-readable: invalid, not_found, not_authenticated, "
                                           "permission_denied, throttled, conflict, ...")
    message = serializers.CharField(help_text="What went wrong, for people.")
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()),
                                   help_text="Messages per input field; empty unless the input was invalid.")


class ErrorSerializer(serializers.Serializer):
    """The body of every error response (documentation only)."""

    error = ErrorBodySerializer()


@csrf_exempt  # it changes nothing, and a POST with a session cookie must get the 404 too, not a CSRF page
def not_found(request, *args, **kwargs):
    """Any other URL under /api/: a 404 in the API's format, not Django's HTML page."""
    body = {"error": {"code": "not_found", "message": "No such API endpoint.", "fields": {}}}
    return JsonResponse(body, status=status.HTTP_404_NOT_FOUND)


def server_error(request, *args, **kwargs):
    """The site's 500 handler: under /api/ a body in the API's format, elsewhere Django's page.

    A database outage met outside a view (saving the session) is still a 503.
    """
    if is_database_outage(sys.exc_info()[1]):
        return database_unavailable(request)
    if not request.path.startswith("/api/"):
        return defaults.server_error(request, *args, **kwargs)
    body = {"error": {"code": "server_error", "message": "Server error: it has been logged.", "fields": {}}}
    return JsonResponse(body, status=status.HTTP_500_INTERNAL_SERVER_ERROR)
