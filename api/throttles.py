"""Throttling of writes: POST, PUT, PATCH and DELETE count, reads are free."""
import logging

from rest_framework.permissions import SAFE_METHODS
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle, SimpleRateThrottle

logger = logging.getLogger(__name__)


class WriteThrottle(ScopedRateThrottle):
    """Limits the writes of each user (or address, when anonymous) to the rate of the view's scope.

    A view names its scope in `throttle_scope` ("writes" when it names none). Rates come from
    REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] (API_WRITE_RATE, API_LOGIN_RATE), read at each request.
    Counts live in the default cache: per process, or shared by all with CACHE_URL (Redis). If that
    cache is down, requests are let through (and logged): an outage of Redis must not stop writes.
    """

    def allow_request(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        self.scope = getattr(view, self.scope_attr, None) or "writes"
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        # Not ScopedRateThrottle's own, which takes the rate from a copy of the settings made at import.
        try:
            return SimpleRateThrottle.allow_request(self, request, view)
        except Exception as error:  # redis.ConnectionError and kin: the cache is down
            logger.warning("throttle cache unavailable, request let through: %s", error)
            return True

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
