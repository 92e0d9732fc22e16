"""``Authorization: Api-Key <key>``: integration keys, never read from the query string.

A key's record (with its service account and departments) is kept in the shared cache for a
minute, so a busy integration costs one cache read per request instead of two queries. The
secret is still checked against the stored hash on every request. Any change to a key or its
service account (revocation, departments, deactivation) drops the cached record at once and
again when its transaction commits (``api.signals``), in every process, since the cache is
shared.

The record is cached as its pickled bytes, and each process remembers the last bytes it saw
per key with the objects they decode to: while the shared record is unchanged, a request
gets a fresh copy of those objects instead of unpickling seven model instances again (a
twentieth of a single-mention POST's CPU). Whatever the shared record says still decides.

Where the view limits requests per key (``IntegrationKeyThrottle``), the same cache command
that reads the record counts the request in the key's window: one round trip instead of two.
"""

import copy
import logging
import pickle
import secrets
import time
from datetime import datetime, timedelta

from django.core.cache import cache, caches
from django.utils import timezone
from rest_framework import authentication, exceptions

from api.models import IntegrationKey
from api.services import integration_key_service_account
from api.throttling import COUNTED, IntegrationKeyThrottle, Window
from core.cache import add_or_swap, read_and_count

log = logging.getLogger("firebreak.api")

KEYWORD = "Api-Key"
LAST_USED_RESOLUTION = timedelta(minutes=1)
KEY_CACHE_SECONDS = 60


def key_cache_name(prefix: str) -> str:
    return f"api-key:{prefix}"


# Left in place of a changed key's record, each change's marker its own: a request that finds
# one reads the database and caches what it read only over that same marker (one command on
# Redis, ``core.cache.add_or_swap``). One that read the row just before a change (a
# revocation) committed would otherwise cache the old row after the change had dropped it, and
# the revoked key would work for another KEY_CACHE_SECONDS: the change's own marker, written
# at its commit, makes that request's swap fail. Other cache backends cannot swap: there a
# marker keeps the key out of the cache until it expires (CHANGED_SECONDS), as every request
# reads the database meanwhile.
CHANGED = b"changed"
CHANGED_SECONDS = 10


def _is_marker(record) -> bool:
    return isinstance(record, bytes) and record.startswith(CHANGED)


def forget_key(prefix: str, *, changed: bool = False) -> None:
    """Drop a key's cached record: the next request reads the database. ``changed`` (at the
    commit of a change): a marker of this change's own in its place, over which only a request
    that found it may cache the key again (on Redis; elsewhere none for ``CHANGED_SECONDS``)."""
    try:
        if changed:
            marker = CHANGED + b":" + secrets.token_hex(8).encode()
            cache.set(key_cache_name(prefix), marker, CHANGED_SECONDS)
        else:
            cache.delete(key_cache_name(prefix))
    except Exception:  # entries expire by themselves
        log.warning("cached API key %s not dropped: cache unavailable", prefix)


def _remember(key: IntegrationKey, seen: bytes | None) -> None:
    """Cache the record read from the database, unless the cache no longer holds what the
    request ``seen`` there before reading (nothing, or a change's marker): a later change's
    marker, or another request's record of the same row, stays."""
    try:
        add_or_swap(
            caches["default"],
            key_cache_name(key.prefix),
            seen,
            pickle.dumps(key),
            KEY_CACHE_SECONDS,
        )
    except Exception:
        log.warning("API key %s not cached: cache unavailable", key.prefix)


# prefix -> (the cached bytes last seen in this process, the key they decode to); never lent
_decoded: dict[str, tuple[bytes, IntegrationKey]] = {}
_touched: dict[str, datetime] = {}  # prefix -> when this process last wrote ``last_used_at``
DECODED_KEYS = 256


def _decode(prefix: str, record: bytes) -> IntegrationKey:
    """The key a cached record holds, as objects of this request's own."""
    seen = _decoded.get(prefix)
    if seen is None or seen[0] != record:
        if len(_decoded) >= DECODED_KEYS:
            _decoded.clear()
        seen = (record, pickle.loads(record))  # noqa: S301 - written by _remember only
        _decoded[prefix] = seen
    template = seen[1]
    # Requests memoise things on their key and user (``last_used_at``, permissions): each
    # gets copies. The prefetched departments are only read, and stay shared.
    key = copy.copy(template)
    key.user = copy.copy(template.user)
    return key


def _key_by_prefix(
    prefix: str, request=None, window: Window | None = None
) -> IntegrationKey | None:
    """The unrevoked key with this prefix, its service account and departments loaded.

    With a throttle ``window``, a request whose key's record is cached is counted in it by
    the same cache command, and the count left on ``request`` for the throttle (None if the
    cache is down). Otherwise (an unknown prefix, or a record to read from the database) the
    throttle counts it, once it is authenticated: no counter for a made-up prefix."""
    try:
        if window is None:
            record = cache.get(key_cache_name(prefix))
        else:
            record, count = read_and_count(
                caches["default"], key_cache_name(prefix), window.cache_key, window.timeout
            )
            if count is not None:
                counted = (IntegrationKeyThrottle.key_ident(prefix), window, count)
                setattr(request, COUNTED, counted)
    except Exception:  # the shared cache is down: the database still answers
        record = None
        if window is not None:
            setattr(request, COUNTED, (IntegrationKeyThrottle.key_ident(prefix), window, None))
    if isinstance(record, bytes) and not _is_marker(record):
        return _decode(prefix, record)
    seen = record if _is_marker(record) else None
    key = (
        IntegrationKey.objects.select_related("user")
        .prefetch_related("departments")
        .filter(prefix=prefix, revoked=False)
        .first()
    )
    if key is not None:
        integration_key_service_account(key)
        _remember(key, seen)
    return key


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """Sets ``request.user`` to the key's service account and ``request.auth`` to the key."""

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        keyword, _, raw = header.partition(" ")
        if keyword.lower() != KEYWORD.lower():
            return None  # not ours: session authentication (or none) applies
        raw = raw.strip()
        if not raw or " " in raw:
            raise exceptions.AuthenticationFailed("Malformed Api-Key header.")
        prefix, _, _ = raw.partition(".")
        key = _key_by_prefix(prefix, request, self._throttle_window(request, prefix))
        try:
            if key is None or not key.is_valid(raw):
                raise exceptions.AuthenticationFailed("Invalid or revoked API key.")
            if key.has_expired:
                raise exceptions.AuthenticationFailed("This API key has expired.")
            user = integration_key_service_account(key)
            if not user.is_active:
                raise exceptions.AuthenticationFailed("Invalid or revoked API key.")
        except exceptions.AuthenticationFailed:
            self._uncount(request)
            raise
        self._touch(key)
        return user, key

    @staticmethod
    def _uncount(request) -> None:
        """Take back the count of a request that did not authenticate: a wrong secret sent
        with a real key's prefix must not use up that key's limit."""
        counted = getattr(request, COUNTED, None)
        if counted is None or counted[2] is None:
            return
        setattr(request, COUNTED, None)
        try:
            caches["default"].decr(counted[1].cache_key)
        except Exception:  # expired meanwhile, or the cache is down: the window ends anyway
            log.warning("request count of API key %s not taken back", counted[0])

    @staticmethod
    def _throttle_window(request, prefix: str) -> Window | None:
        """The window to count the request in now, if its view limits requests per key."""
        view = (getattr(request, "parser_context", None) or {}).get("view")
        if view is None or IntegrationKeyThrottle not in getattr(view, "throttle_classes", ()):
            return None
        return IntegrationKeyThrottle.window(IntegrationKeyThrottle.key_ident(prefix), time.time())

    @staticmethod
    def _touch(key: IntegrationKey) -> None:
        """Record use at most once a minute per process, so a busy key costs no write per
        request. The cached record is left as it is (re-caching this copy could put back a
        key changed since it was read); this process remembers when it last wrote."""
        now = timezone.now()
        last = max((t for t in (key.last_used_at, _touched.get(key.prefix)) if t), default=None)
        if last is None or now - last >= LAST_USED_RESOLUTION:
            IntegrationKey.objects.filter(pk=key.pk).update(last_used_at=now)
            key.last_used_at = now
            if len(_touched) >= DECODED_KEYS:
                _touched.clear()
            _touched[key.prefix] = now

    def authenticate_header(self, request):
        return KEYWORD


def integration_key(request) -> IntegrationKey | None:
    """The key a request was made with, or None for a browser session."""
    return request.auth if isinstance(request.auth, IntegrationKey) else None
