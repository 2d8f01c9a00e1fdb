"""Whole pages cached per visitor: a page seen again costs one cache read, not a session read, a dozen queries, a
fold-in and a render.

A signed-in visitor's page is stored under his session cookie, his CSRF cookie (the page's forms carry a token of
it) and the path with its query, and kept only while it is right: every change that could alter it drops all of
the user's pages (movies/user_state.py: a rating written or removed, any change of his account, logging out), the
entry never outlives the session, and a page rendered from data older than such a change is dropped by its own
renderer (see ``store``). A hit therefore needs neither the session nor the user: the entry's existence is the
check. The active model versions are stored with the page and compared on each hit, so a new version shows at
once.

Pages are stored gzipped (a picks page of 80 KB takes 8 KB) and sent so to browsers that accept it, as every
browser does, on the miss that stores them too; they are unpacked for the rare client that does not. Django's
GZipMiddleware compresses the pages not stored. As in it, the gzip header carries up to 100 random bytes against
BREACH-style length probes.

Visitors without a session share pages. Numbers that other people's ratings change (a movie's average and count)
may be ``PAGE_CACHE_SECONDS`` old, and so may the pages of a session deleted other than by logging out (by hand,
or by ``clearsessions`` once expired, when the entry has expired too). Requests bringing a message (after a form)
and answers other than a 200, or that set a cookie, are not served from or stored in the cache.
``PAGE_CACHE_SECONDS`` is 0, and nothing is cached, without a shared cache (``CACHE_URL``): one process could not
drop what another stored.
"""
import functools
import gzip
import hashlib
import re

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.gzip import GZipMiddleware
from django.utils.cache import patch_vary_headers
from django.utils.text import compress_string

from ml.serving import active
from movies import user_state

ACCEPTS_GZIP = re.compile(r"\bgzip\b")  # as GZipMiddleware reads Accept-Encoding


def cached_page(view):
    """Serve the view's page from the cache while it is right for this visitor (see the module docstring);
    else render it and store it."""
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not settings.PAGE_CACHE_SECONDS or request.method != "GET" or "messages" in request.COOKIES:
            return view(request, *args, **kwargs)
        key, versions = _key(request), active.active_versions()
        entry = cache.get(key)
        # An entry of another form (stored before an upgrade) is a miss.
        if entry is not None and entry.get("versions") == versions and "gzipped" in entry:
            return _cached_response(request, entry)

        user_id = request.session.get(SESSION_KEY)
        token = user_state.token(int(user_id)) if user_id is not None else None  # read before the data is
        csrf_secret = request.META.get("CSRF_COOKIE")
        response = view(request, *args, **kwargs)
        if _storable(request, response, user_id, csrf_secret):
            body = compress_string(response.content, max_random_bytes=GZipMiddleware.max_random_bytes)
            entry = {"versions": versions, "content_type": response["Content-Type"], "gzipped": body}
            store(key, entry, request=request, user_id=user_id, token=token)
            if _accepts_gzip(request):  # the page just compressed, not compressed again by GZipMiddleware
                return _cached_response(request, entry)
        return response

    return wrapper


def store(key: str, entry: dict, *, request, user_id, token) -> None:
    """Keep a page for at most PAGE_CACHE_SECONDS and never beyond the session; a signed-in user's page is
    listed among his pages, then dropped again if his token moved since the page's data were read (a change
    committed meanwhile, whose dropping of his pages may have come before this one was listed)."""
    timeout = settings.PAGE_CACHE_SECONDS
    if user_id is not None:
        timeout = min(timeout, request.session.get_expiry_age())
    cache.set(key, entry, timeout)
    if user_id is not None:
        user_state.list_page(int(user_id), key)
        if user_state.token(int(user_id)) != token:
            cache.delete(key)


def _cached_response(request, entry: dict) -> HttpResponse:
    """The stored page, gzipped if the client accepts it."""
    if _accepts_gzip(request):
        response = HttpResponse(entry["gzipped"], content_type=entry["content_type"])
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(gzip.decompress(entry["gzipped"]), content_type=entry["content_type"])
    patch_vary_headers(response, ["Cookie", "Accept-Encoding"])  # as the rendered page has: it differs per visitor
    return response


def _accepts_gzip(request) -> bool:
    return bool(ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")))


def _key(request) -> str:
    session = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    visitor = f"{session}:{request.COOKIES.get(settings.CSRF_COOKIE_NAME, '')}" if session else "anonymous"
    digest = hashlib.blake2b(f"{visitor} {request.get_full_path()}".encode(), digest_size=16).hexdigest()
    return f"web:page:{digest}"


def _storable(request, response, user_id, csrf_secret) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if request.META.get("CSRF_COOKIE") != csrf_secret:
        return False  # the page made a new CSRF secret: the next request brings it in its cookie
    user = request.user
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        # Shared by every visitor without a session: only a page without a CSRF token.
        return not user.is_authenticated and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
    return (user.is_authenticated and str(user.pk) == str(user_id)
            and request.session.session_key == request.COOKIES[settings.SESSION_COOKIE_NAME])
