"""The Redis cache treats an outage as a miss: pages compute what they would have read."""
from recsite.cache import ForgivingRedisCache
from tests.conftest import free_port


def unreachable_cache():
    return ForgivingRedisCache(f"redis://127.0.0.1:{free_port()}/1", {"OPTIONS": {"socket_connect_timeout": 1}})


def test_reads_from_an_unreachable_cache_miss_and_writes_are_dropped():
    cache = unreachable_cache()
    assert cache.get("key") is None and cache.get("key", "fallback") == "fallback"
    assert cache.get_many(["a", "b"]) == {}
    cache.set("key", 1)
    assert cache.add("key", 1) is False and cache.delete("key") is False


def test_get_or_set_computes_the_value_when_the_cache_is_unreachable():
    assert unreachable_cache().get_or_set("key", lambda: 42, 60) == 42


def test_sets_of_keys_are_popped_whole(redis_cache):
    from django.core.cache import cache

    for member in ("web:page:b", "web:page:a", "web:page:b"):
        cache.add_to_set("pages", member, 60)
    assert cache.pop_set("pages") == ["web:page:a", "web:page:b"]
    assert cache.pop_set("pages") == []


def test_sets_in_an_unreachable_cache_are_empty():
    cache = unreachable_cache()
    cache.add_to_set("pages", "web:page:a", 60)
    assert cache.pop_set("pages") == []
