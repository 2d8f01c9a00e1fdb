"""The OpenAPI schema: drf-spectacular's AutoSchema, plus the error responses each operation can give.

Views document their success responses with @extend_schema; the errors follow from how the API
works, so they are added here once: 400 (bad input), 401 (no or bad credentials), 403 (not allowed),
404 (unknown object or page), 429 (too many writes), all with the body of api.errors.
"""
from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiResponse
from rest_framework.permissions import AllowAny

from api.errors import ErrorSerializer

DESCRIPTIONS = {
    "400": "The input is not valid; `fields` says what is wrong with which field.",
    "401": "No credentials, or a bad token.",
    "403": "Signed in but not allowed (staff only), or a session request without its CSRF token.",
    "404": "No such object, or no such page.",
    "429": "Too many writes; the Retry-After header says when to try again.",
}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


class AutoSchema(openapi.AutoSchema):
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
