"""The Redis cache backend: one client per process, and the one-round-trip window counter."""

import os
import threading

import pytest
from django.core.cache.backends.locmem import LocMemCache

from core.cache import RedisCache, add_or_swap, count_in_window, read_and_count

needs_redis = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (run under scripts/with-services.sh)"
)


@pytest.fixture
def redis_cache():
    backend = RedisCache(os.environ["REDIS_URL"], {"KEY_PREFIX": "test-redis-cache"})
    yield backend
    backend.delete_many(
        ["window:a", "shared", "swapped"]
    )  # not clear(): other tests share the database


@needs_redis
def test_the_counter_counts_every_hit_across_threads_and_expires(redis_cache):
    key = "window:a"
    redis_cache.delete(key)

    def hit():
        for _ in range(50):
            count_in_window(redis_cache, key, 30)

    threads = [threading.Thread(target=hit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert count_in_window(redis_cache, key, 30) == 401
    client = redis_cache._cache.get_client(write=True)  # noqa: SLF001
    assert 0 < client.ttl(redis_cache.make_and_validate_key(key)) <= 30


@needs_redis
def test_cache_objects_of_one_process_share_a_client(redis_cache):
    other = RedisCache(os.environ["REDIS_URL"], {"KEY_PREFIX": "test-redis-cache"})
    first = redis_cache._cache.get_client(write=True)  # noqa: SLF001
    assert other._cache.get_client(write=True) is first  # noqa: SLF001
    other.set("shared", 7)
    assert redis_cache.get("shared") == 7


def test_other_backends_count_with_add_and_incr():
    backend = LocMemCache("counter", {})
    assert [count_in_window(backend, "k", 30) for _ in range(3)] == [1, 2, 3]


@needs_redis
def test_read_and_count_reads_a_value_and_counts_in_one_command(redis_cache):
    redis_cache.delete_many(["shared", "window:a"])
    assert read_and_count(redis_cache, "shared", "window:a", 30) == (None, None)
    assert redis_cache.get("window:a") is None  # nothing counted without the value
    redis_cache.set("shared", b"\x00record bytes")
    assert read_and_count(redis_cache, "shared", "window:a", 30) == (b"\x00record bytes", 1)
    assert read_and_count(redis_cache, "shared", "window:a", 30) == (b"\x00record bytes", 2)
    assert count_in_window(redis_cache, "window:a", 30) == 3
    client = redis_cache._cache.get_client(write=True)  # noqa: SLF001
    assert 0 < client.ttl(redis_cache.make_and_validate_key("window:a")) <= 30


def test_other_backends_read_and_count_with_two_calls():
    backend = LocMemCache("read-and-count", {})
    backend.set("record", {"a": 1})
    assert read_and_count(backend, "record", "k", 30) == ({"a": 1}, 1)
    assert read_and_count(backend, "missing", "k", 30) == (None, None)
    assert read_and_count(backend, "record", "k", 30) == ({"a": 1}, 2)


@needs_redis
def test_add_or_swap_stores_only_over_what_was_seen(redis_cache):
    redis_cache.delete("swapped")
    assert add_or_swap(redis_cache, "swapped", None, b"first", 30)
    assert not add_or_swap(redis_cache, "swapped", None, b"second", 30)  # something is there
    assert not add_or_swap(redis_cache, "swapped", b"other", b"second", 30)  # not what was seen
    assert redis_cache.get("swapped") == b"first"
    assert add_or_swap(redis_cache, "swapped", b"first", b"second", 30)
    assert redis_cache.get("swapped") == b"second"
    client = redis_cache._cache.get_client(write=True)  # noqa: SLF001
    assert 0 < client.ttl(redis_cache.make_and_validate_key("swapped")) <= 30


def test_other_backends_only_add():
    backend = LocMemCache("swap", {})
    assert add_or_swap(backend, "k", None, b"first", 30)
    assert not add_or_swap(backend, "k", b"first", b"second", 30)
    assert backend.get("k") == b"first"
