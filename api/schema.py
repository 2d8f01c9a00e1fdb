"""The OpenAPI schema: drf-spectacular's AutoSchema, plus the error responses each operation can give.

Views document their success responses with @extend_schema; the errors follow from how the API
works, so they are added here once: 400 (bad input), 401 (no or bad credentials), 403 (not allowed),
404 (unknown object or page), 429 (too many writes), all with the body of api.errors.

Text fields in requests also say what DRF's CharField refuses beyond its length: a NUL character
(PostgreSQL cannot store one), and, where it trims and may not be blank, a value of only spaces.
"""
from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import AllowAny

from api.errors import ErrorSerializer
from api.query import QueryCharField

DESCRIPTIONS = {
    "400": "The input is not valid; `fields` says what is wrong with which field.",
    "401": "No credentials, or a bad token.",
    "403": "Signed in but not allowed (staff only), or a session request without its CSRF token.",
    "404": "No such object, or no such page.",
    "429": "Too many writes; the Retry-After header says when to try again.",
}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
TEXT_FIELDS = (serializers.CharField, QueryCharField)  # not its subclasses with formats of their own (EmailField)
NO_NUL = r"^[^\u0000]*$"
NOT_ONLY_SPACES = r"^[^\u0000]*[^\u0000\s][^\u0000]*$"  # \s, as Python reads it: what str.strip() removes


def text_pattern(field: serializers.CharField) -> str:
    """The pattern of what `field` accepts (its lengths are documented apart)."""
    return NO_NUL if field.allow_blank or not field.trim_whitespace else NOT_ONLY_SPACES


class AutoSchema(openapi.AutoSchema):
    _direction = "response"

    def _map_basic_serializer(self, serializer, direction):
        outer, self._direction = self._direction, direction
        try:
            return super()._map_basic_serializer(serializer, direction)
        finally:
            self._direction = outer

    def _insert_field_validators(self, field, schema):
        super()._insert_field_validators(field, schema)
        if (self._direction == "request" and type(field) in TEXT_FIELDS and schema.get("type") == "string"
                and "pattern" not in schema):
            schema["pattern"] = text_pattern(field)

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code in self._error_codes():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=DESCRIPTIONS[code]), code, direction=direction)
        return dict(sorted(responses.items()))

    def _error_codes(self) -> list[str]:
        public = all(issubclass(permission, AllowAny) for permission in self.view.permission_classes)
        # A bad token is refused wherever credentials are read, public endpoints included.
        codes = ["401"] if self.view.authentication_classes else []
        if self.method != "DELETE":
            codes.append("400")
        if not public:
            codes.append("403")
        if "{" in self.path or self._is_list_view():
            codes.append("404")
        if self.method in WRITES:
            codes.append("429")
        return codes
