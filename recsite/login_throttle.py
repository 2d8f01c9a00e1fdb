"""Sign-in attempts are rate-limited per client address, whatever view handles them.

A middleware, so that it covers the admin's login, the site's login page and any other login form
listed in LOGIN_THROTTLE_PATHS without touching their views: POSTs to those paths beyond
LOGIN_RATE (API_LOGIN_RATE, 10/minute by default) from one address get a 429 with Retry-After.
Counts live in the cache (shared by all web processes with CACHE_URL); if the cache is down,
attempts are let through. The API's token view has its own throttle (scope "login").
"""
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse

logger = logging.getLogger(__name__)
PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """"10/minute" → (10, 60)."""
    count, period = rate.split("/")
    return int(count), PERIODS[period.strip()[0]]


def client_address(request) -> str:
    """The address of the client: behind our proxy (BEHIND_PROXY), the one the proxy appended last."""
    if settings.SECURE_PROXY_SSL_HEADER and request.META.get("HTTP_X_FORWARDED_FOR"):
        return request.META["HTTP_X_FORWARDED_FOR"].split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


class LoginThrottleMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.path in settings.LOGIN_THROTTLE_PATHS:
            wait = self._wait(client_address(request))
            if wait:
                response = HttpResponse("Too many sign-in attempts from your address. Try again in a minute.",
                                        status=429, content_type="text/plain; charset=utf-8")
                response["Retry-After"] = str(wait)
                return response
        return self.get_response(request)

    def _wait(self, address: str) -> int:
        """0 if this attempt is allowed, else the seconds until the next one is."""
        limit, period = parse_rate(settings.LOGIN_RATE)
        window = int(time.time() // period)
        key = f"login-attempts:{address}:{window}"
        try:
            cache.add(key, 0, timeout=period + 5)
            attempts = cache.incr(key)
        except Exception as error:  # the cache is down: let people sign in
            logger.warning("login throttle cache unavailable: %s", error)
            return 0
        return 0 if attempts <= limit else max(1, (window + 1) * period - int(time.time()))
