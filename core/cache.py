"""Django's Redis cache, with one Redis client and pool per process instead of per call.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` for every cache operation
(its constructor registers a couple of hundred response callbacks), and the cache object that
owns the connection pool lives in a context-local: under the ASGI server every request gets a
fresh one, so a fresh pool and a new TCP connection to Redis. On the reference machine that
made a throttled API request spend more CPU on cache plumbing than on its two round trips.
A ``redis.Redis`` is thread-safe (it borrows a pooled connection per command) and redis-py
resets a pool inherited across a fork, so one client per server URL serves the whole process.
"""

import threading
from functools import cache

from django.core.cache.backends import redis as django_redis

_clients: dict[str, object] = {}
_lock = threading.Lock()


class RedisCacheClient(django_redis.RedisCacheClient):
    def get_client(self, key=None, *, write=False):
        url = self._servers[self._get_connection_pool_index(write)]
        client = _clients.get(url)
        if client is None:
            with _lock:
                client = _clients.get(url)
                if client is None:
                    pool = self._pool_class.from_url(url, **self._pool_options)
                    client = _clients[url] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient


# Create the key with its time to live if missing, then add one: a single command.
_COUNT_IN_WINDOW = (
    "redis.call('SET', KEYS[1], 0, 'EX', ARGV[1], 'NX') return redis.call('INCR', KEYS[1])"
)


@cache
def _counter(client):
    """The counting script on ``client`` (clients live as long as the process: ``_clients``)."""
    return client.register_script(_COUNT_IN_WINDOW)


def count_in_window(backend, key: str, timeout: int) -> int:
    """Add one to ``key``'s count (created with ``timeout`` seconds to live); the new count.

    On Redis, one command (a script: ``SET NX EX`` then ``INCR``; redis-py 7 spends 85-95 us of
    Python on the two commands as a pipeline, 60 us on the script's one), where Django's
    ``add`` then ``incr`` costs three round trips (its ``incr`` checks ``EXISTS`` first).
    Other backends: add, incr.
    """
    if isinstance(backend, RedisCache):
        client = backend._cache.get_client(key, write=True)
        return _counter(client)(keys=[backend.make_and_validate_key(key)], args=[timeout])
    if backend.add(key, 1, timeout=timeout):
        return 1
    try:
        return backend.incr(key)
    except ValueError:  # expired between add and incr
        backend.add(key, 1, timeout=timeout)
        return 1


# ``GET`` one key and, only if it is there, count in a window as ``_COUNT_IN_WINDOW`` does; a
# missing key reads as false, which the reply gives as None.
_READ_AND_COUNT = (
    "local value = redis.call('GET', KEYS[1]) "
    "if not value then return {false, false} end "
    "redis.call('SET', KEYS[2], 0, 'EX', ARGV[1], 'NX') "
    "return {value, redis.call('INCR', KEYS[2])}"
)


@cache
def _reader_counter(client):
    return client.register_script(_READ_AND_COUNT)


def read_and_count(
    backend, read_key: str, count_key: str, timeout: int
) -> tuple[object, int | None]:
    """``backend.get(read_key)`` and, if it found a value, ``count_in_window(backend,
    count_key, timeout)``: (the value, the new count), or (None, None) with nothing counted.

    On Redis, one command for both (redis-py spends about as much Python on a command as
    Redis takes to answer it, and an API request needs both: its key's record and its count);
    other backends: the two calls. Both keys are on the server that takes writes.
    """
    if isinstance(backend, RedisCache):
        cache_client = backend._cache
        client = cache_client.get_client(count_key, write=True)
        keys = [backend.make_and_validate_key(read_key), backend.make_and_validate_key(count_key)]
        raw, count = _reader_counter(client)(keys=keys, args=[timeout])
        return (None if raw is None else cache_client._serializer.loads(raw)), count
    value = backend.get(read_key)
    if value is None:
        return None, None
    return value, count_in_window(backend, count_key, timeout)


# Replace the key's value only if it still is the one read before: a single command.
_SWAP = (
    "if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end "
    "redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3]) return 1"
)


@cache
def _swapper(client):
    return client.register_script(_SWAP)


def add_or_swap(backend, key: str, seen: object, value: object, timeout: int) -> bool:
    """Store ``value`` under ``key`` only if the key still holds ``seen`` (None: nothing):
    whether it was stored.

    ``seen`` is what a reader found before it went on to read the source the value comes
    from; anything written since (a newer value, an invalidation marker) keeps its place.
    Redis compares and swaps in one command. Other backends can only add: a value read over
    ``seen`` is not stored (nothing is lost but the caching).
    """
    if seen is None:
        return backend.add(key, value, timeout=timeout)
    if not isinstance(backend, RedisCache):
        return False
    cache_client = backend._cache
    client = cache_client.get_client(key, write=True)
    serializer = cache_client._serializer
    swapped = _swapper(client)(
        keys=[backend.make_and_validate_key(key)],
        args=[serializer.dumps(seen), serializer.dumps(value), timeout],
    )
    return bool(swapped)
