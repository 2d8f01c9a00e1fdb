"""A Redis cache whose outages are cache misses: no page may fail because the cache is away.

Pages cache what is costly to recompute (lists of movies, a user's folded-in picks); the API counts its
throttles here. When Redis does not answer, reads miss and writes are dropped (logged), and everything is
computed as if nothing had been cached.
"""
import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def _forgiving(name: str, fallback):
    method = getattr(RedisCache, name)

    def call(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except RedisError as error:
            logger.warning("cache unavailable (%s ignored): %s", name, error)
            return fallback(*args, **kwargs) if callable(fallback) else fallback

    call.__name__ = name
    return call


class ForgivingRedisCache(RedisCache):
    get = _forgiving("get", lambda key, default=None, version=None: default)
    get_many = _forgiving("get_many", {})
    set = _forgiving("set", None)
    set_many = _forgiving("set_many", [])
    add = _forgiving("add", False)
    touch = _forgiving("touch", False)
    delete = _forgiving("delete", False)
    delete_many = _forgiving("delete_many", None)
    has_key = _forgiving("has_key", False)
