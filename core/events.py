"""Live events: the only way anything is pushed to browsers.

Services call :func:`publish` inside their transaction; the message leaves on commit, so a
rolled-back change is never announced. Event types are dotted names (``mention.assigned``);
the payload is a small JSON-safe dict that clients use to refetch what changed.
"""

import asyncio
import logging
import os
import threading

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.conf import settings
from django.db import transaction

log = logging.getLogger(__name__)

SEND_TIMEOUT = 5.0  # seconds a request thread waits for its event to leave
_server_loop: asyncio.AbstractEventLoop | None = None


def bind_server_loop() -> None:
    """Called on the ASGI server's event loop (config/asgi.py): events published from the
    request threads are then sent on that loop, where the channel layer already lives.

    Without it, ``async_to_sync`` in a plain thread starts a new event loop (and a thread) for
    every event, and channels-redis opens its connections per loop; the in-memory layer of
    the embedded default only works on the loop its consumers wait on."""
    global _server_loop  # noqa: PLW0603 - one loop per server process
    if _server_loop is None:
        _server_loop = asyncio.get_running_loop()


_own_loop: tuple[int, asyncio.AbstractEventLoop] | None = None
_own_loop_lock = threading.Lock()


def _publishing_loop(layer) -> asyncio.AbstractEventLoop | None:
    """The loop to send on from this thread: the server's, or, in a process without one (a
    Celery worker) and with a channel layer that keeps connections (Redis), a loop of the
    process's own in a background thread, started at the first event after a fork."""
    global _own_loop  # noqa: PLW0603 - one loop per process
    if _server_loop is not None:
        return _server_loop
    if isinstance(layer, InMemoryChannelLayer):
        return None  # its queues belong to the loop its consumers wait on
    with _own_loop_lock:
        if _own_loop is None or _own_loop[0] != os.getpid():
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="live-events", daemon=True).start()
            _own_loop = (os.getpid(), loop)
        return _own_loop[1]


def _group_send(layer, group: str, message: dict) -> None:
    loop = _publishing_loop(layer)
    if loop is not None and loop.is_running():
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is not loop:
            future = asyncio.run_coroutine_threadsafe(layer.group_send(group, message), loop)
            future.result(timeout=SEND_TIMEOUT)
            return
    async_to_sync(layer.group_send)(group, message)


def department_group(department_id: int) -> str:
    return f"dept.{department_id}"


def mention_group(mention_id: int) -> str:
    return f"mention.{mention_id}"


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def hub_group() -> str:
    return "hub"


def incident_group(incident_id: int) -> str:
    return f"incident.{incident_id}"


def _add_counts(old: dict, new: dict) -> dict:
    return {**old, "count": old.get("count", 0) + new.get("count", 0)}


# Events that only say "so many more": within LIVE_COALESCE_SECONDS of the first, a process
# sends one per group with the payloads merged. A listening tool pushing single mentions at a
# few hundred a second would otherwise make every socket of a department take one frame per
# shared transaction (at 300/s and 50 sockets a department, about half the web processes' CPU).
COALESCED = {"mention.received": _add_counts}


class _Coalescer:
    """Pending coalesced events of this process; touched only on its publishing loop."""

    def __init__(self):
        self._pending: dict[tuple[str, str], dict] = {}

    def add(self, loop, layer, group: str, message: dict, seconds: float) -> None:
        loop.call_soon_threadsafe(self._add, loop, layer, group, message, seconds)

    def _add(self, loop, layer, group, message, seconds) -> None:
        key = (group, message["event"])
        pending = self._pending.get(key)
        if pending is None:
            self._pending[key] = message
            loop.call_later(seconds, self._flush, loop, layer, key)
        else:
            payload = COALESCED[message["event"]](pending["payload"], message["payload"])
            self._pending[key] = {**pending, "payload": payload}

    def _flush(self, loop, layer, key) -> None:
        message = self._pending.pop(key)
        task = loop.create_task(layer.group_send(key[0], message))
        task.add_done_callback(_report_failure)


def _report_failure(task) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.warning("coalesced live event not delivered: %s", task.exception())


_coalescer = _Coalescer()


def _send(groups: list[str], message: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    seconds = getattr(settings, "LIVE_COALESCE_SECONDS", 0)
    if seconds > 0 and message.get("event") in COALESCED:
        loop = _publishing_loop(layer)
        if loop is not None and loop.is_running():
            try:
                for group in groups:
                    _coalescer.add(loop, layer, group, message, seconds)
            except RuntimeError as exc:  # the loop closed meanwhile: never break the write
                log.warning("live event %s not delivered: %s", message.get("event"), exc)
            return
    for group in groups:
        try:
            _group_send(layer, group, message)
        except Exception as exc:  # a lost live event must never break the write that caused it
            # Clients refetch on reconnect; one line per event, not a traceback per group.
            log.warning("live event %s not delivered (%s): %s", message.get("event"), group, exc)
            return


def publish(event_type: str, payload: dict, *, groups: list[str]) -> None:
    """Push to open browsers on commit, and to outbound webhook subscribers (same commit)."""
    from api.webhooks import enqueue  # deferred: the api app imports core at load time

    publish_live(event_type, payload, groups=groups)
    enqueue(event_type, payload, payload.get("department_id"))


def publish_live(event_type: str, payload: dict, *, groups: list[str]) -> None:
    """Push to open browsers on commit only: for a batch event's per-mention echo, which
    webhook subscribers already have from the batch's own :func:`publish`."""
    message = {"type": "live.event", "event": event_type, "payload": payload}
    transaction.on_commit(lambda: _send(list(groups), message))


def access_changed(user_id: int) -> None:
    """On commit, close the user's open sockets (core/consumers.py): the browser reconnects
    and every subscription goes through the permission checks again. For a revoked
    membership, a deactivated or deleted account, a changed role or password."""
    message = {"type": "access.changed"}
    transaction.on_commit(lambda: _send([user_group(user_id)], message))


# --- presence: who is looking at an incident or a mention, and who is replying -------------
# Kept in the cache (Redis in production) so every ASGI process sees the same picture. Each
# open socket is one entry, refreshed by its process's heartbeat (one write per group for all
# the process's sockets); an entry whose process died simply expires. The read-modify-write is
# guarded by a short lock; a lost race is repaired by the next heartbeat.
PRESENCE_TTL = 60  # seconds an entry lives without a heartbeat
PRESENCE_HEARTBEAT = 20
TYPING_SECONDS = 6
PRESENCE_SHOWN = 30  # names sent with each announcement; beyond that, only the count
PRESENCE_ANNOUNCE_EVERY = 1.0  # seconds: a process announces a group at most this often


def _presence_key(group: str) -> str:
    return f"presence:{group}"


def _presence_change(group: str, change) -> dict:
    import time

    from django.core.cache import cache

    key = _presence_key(group)
    lock = f"{key}:lock"
    for _ in range(50):
        if cache.add(lock, 1, timeout=2):
            break
        time.sleep(0.01)
    try:
        now = time.time()
        entries = cache.get(key) or {}
        entries = {c: e for c, e in entries.items() if e["seen"] > now - PRESENCE_TTL}
        change(entries, now)
        if entries:
            cache.set(key, entries, timeout=PRESENCE_TTL * 2)
        else:
            cache.delete(key)
        return entries
    finally:
        cache.delete(lock)


def presence_viewers(entries: dict) -> list[dict]:
    """One row per person (several tabs count once), typing if any of their tabs is; those
    replying first (an announcement names only the first ``PRESENCE_SHOWN``), then by name."""
    import time

    now = time.time()
    people: dict[int, dict] = {}
    for entry in entries.values():
        person = people.setdefault(
            entry["user_id"],
            {
                "user_id": entry["user_id"],
                "name": entry["name"],
                "initials": entry["initials"],
                "typing": False,
            },
        )
        person["typing"] = person["typing"] or entry.get("typing_until", 0) > now
    return sorted(people.values(), key=lambda p: (not p["typing"], p["name"].lower()))


def _present(channel_name: str, user_id: int, name: str, initials: str):
    def change(entries, now):
        typing_until = entries.get(channel_name, {}).get("typing_until", 0)
        entries[channel_name] = {
            "user_id": user_id,
            "name": name,
            "initials": initials,
            "seen": now,
            "typing_until": typing_until,
        }

    return change


def presence_join(group: str, channel_name: str, *, user_id: int, name: str, initials: str):
    entries = _presence_change(group, _present(channel_name, user_id, name, initials))
    return presence_viewers(entries)


def presence_leave(group: str, channel_name: str):
    return presence_viewers(_presence_change(group, lambda e, now: e.pop(channel_name, None)))


def presence_typing(group: str, channel_name: str):
    def change(entries, now):
        if channel_name in entries:
            entries[channel_name].update(seen=now, typing_until=now + TYPING_SECONDS)

    return presence_viewers(_presence_change(group, change))


def presence_refresh(group: str, sockets: dict[str, dict]) -> bool:
    """Refresh (or restore) the entries of one process's sockets in a group with one write;
    returns whether the group's set of sockets changed meanwhile (a process died, a racing
    write lost an entry)."""
    from django.core.cache import cache

    before = set((cache.get(_presence_key(group)) or {}).keys())

    def change(entries, now):
        for channel_name, who in sockets.items():
            typing_until = entries.get(channel_name, {}).get("typing_until", 0)
            entries[channel_name] = {**who, "seen": now, "typing_until": typing_until}

    return before != set(_presence_change(group, change))


def presence_read(group: str) -> list[dict]:
    """The viewers now, without the lock: for announcements, which only read."""
    import time

    from django.core.cache import cache

    now = time.time()
    try:
        entries = cache.get(_presence_key(group)) or {}
    except Exception:  # the shared cache is down: a page shows no one rather than failing
        log.warning("presence of %s unknown: cache unavailable", group)
        return []
    return presence_viewers({c: e for c, e in entries.items() if e["seen"] > now - PRESENCE_TTL})


def presence_message(kind: str, key, viewers: list[dict]) -> dict:
    return {
        "type": "live.event",
        "event": "presence.changed",
        "payload": {
            "kind": kind,
            "key": str(key),
            "viewers": viewers[:PRESENCE_SHOWN],
            "count": len(viewers),
            "typing_seconds": TYPING_SECONDS,
        },
    }
