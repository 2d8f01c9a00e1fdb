"""Throttling of writes: POST, PUT, PATCH and DELETE count, reads are free."""
from rest_framework.permissions import SAFE_METHODS
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle, SimpleRateThrottle


class WriteThrottle(ScopedRateThrottle):
    """Limits the writes of each user (or address, when anonymous) to the rate of the view's scope.

    A view names its scope in `throttle_scope` ("writes" when it names none). Rates come from
    REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] (API_WRITE_RATE, API_LOGIN_RATE), read at each request.
    Counts live in the default cache: per process unless CACHES points at a shared one.
    """

    def allow_request(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        self.scope = getattr(view, self.scope_attr, None) or "writes"
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        # Not ScopedRateThrottle's own, which takes the rate from a copy of the settings made at import.
        return SimpleRateThrottle.allow_request(self, request, view)

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
