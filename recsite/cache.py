"""A Redis cache whose outages are cache misses: no page may fail because the cache is away.

Pages cache what is costly to recompute (whole pages, lists of movies, a user's folded-in picks), sessions are
read from it, and the API counts its throttles here. When Redis does not answer, reads miss and writes are
dropped (logged), and everything is computed as if nothing had been cached.

Besides Django's cache API it keeps sets of keys (``add_to_set``, ``pop_set``): the page cache lists each user's
pages so that a change can drop them all (movies/user_state.py).
"""
import logging

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def _forgiving(name: str, fallback):
    method = getattr(RedisCacheWithSets, name)

    def call(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except RedisError as error:
            logger.warning("cache unavailable (%s ignored): %s", name, error)
            return fallback(*args, **kwargs) if callable(fallback) else fallback

    call.__name__ = name
    return call


class ReusedClient(RedisCacheClient):
    """Django's Redis client builds a new redis.Redis object for every command, which costs about as much as the
    command itself (it copies some 170 response callbacks); one per connection pool, shared by the process's
    threads like the pool, is enough."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients.setdefault(id(pool), self._client(connection_pool=pool))
        return client


class RedisCacheWithSets(RedisCache):
    """Django's Redis cache, one client per connection pool, and sets of keys."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClient

    def add_to_set(self, key: str, member: str, timeout: int) -> None:
        """Add ``member`` to the set ``key``, which lives ``timeout`` seconds after its latest addition."""
        key = self.make_and_validate_key(key)
        with self._cache.get_client(key, write=True).pipeline() as pipe:
            pipe.sadd(key, member).expire(key, timeout).execute()

    def pop_set(self, key: str) -> list[str]:
        """The members of the set ``key``, which is deleted with them, at once (none if it does not exist)."""
        key = self.make_and_validate_key(key)
        with self._cache.get_client(key, write=True).pipeline(transaction=True) as pipe:
            members, _ = pipe.smembers(key).delete(key).execute()
        return sorted(member.decode() for member in members)


class ForgivingRedisCache(RedisCacheWithSets):
    get = _forgiving("get", lambda key, default=None, version=None: default)
    get_many = _forgiving("get_many", {})
    set = _forgiving("set", None)
    set_many = _forgiving("set_many", [])
    add = _forgiving("add", False)
    touch = _forgiving("touch", False)
    delete = _forgiving("delete", False)
    delete_many = _forgiving("delete_many", None)
    has_key = _forgiving("has_key", False)
    add_to_set = _forgiving("add_to_set", None)
    pop_set = _forgiving("pop_set", [])
