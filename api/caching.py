"""Answers that are the same for everyone (the public catalog), kept in the cache.

A list page, a movie or its neighbours is read from the cache for ``PAGE_CACHE_SECONDS`` (the page cache's
setting: nothing is kept without a shared cache) under its full path, and only while the active model versions
are those it was made with. Its numbers that ratings move (counts, averages) may be that old, as on the site's
pages. The data are kept, not the bytes, so that each request still gets the rendering it negotiated.
"""
import functools
import hashlib

from django.conf import settings
from django.core.cache import cache
from rest_framework.response import Response

from ml.serving import active


def shared_response(method):
    """Decorate a viewset action whose answer does not depend on who asks."""
    @functools.wraps(method)
    def wrapper(view, request, *args, **kwargs):
        if not settings.PAGE_CACHE_SECONDS:
            return method(view, request, *args, **kwargs)
        digest = hashlib.blake2b(request.get_full_path().encode(), digest_size=16).hexdigest()
        key, versions = f"api:shared:{digest}", active.active_versions()
        entry = cache.get(key)
        if entry is not None and entry["versions"] == versions:
            return Response(entry["data"])
        response = method(view, request, *args, **kwargs)
        if response.status_code == 200:
            cache.set(key, {"versions": versions, "data": response.data}, settings.PAGE_CACHE_SECONDS)
        return response

    return wrapper
