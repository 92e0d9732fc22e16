"""The hub's triage configuration, read once per process until it changes.

Triage reads the routing rules, the departments, the escalation rules, business hours,
holidays and SLA policies for every batch it triages: about ten queries, whose compiling
costs the worker more than triaging the batch when mentions arrive a few at a time (a batch
every quarter of a second). A process keeps what it read, tagged with a generation token
from the shared cache, and reads again as soon as the token changes. Every change to those
tables changes the token (``hub.signals`` for saves and deletes, :func:`changed` after bulk
writes), before the change commits and again once it has, so no process keeps a reading
older than the last commit. Whatever might escape that is read again after
``TRIAGE_CONFIG_SECONDS`` (60 by default; 0 reads every time). Without the shared cache,
every batch reads the database.
"""

import logging
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

log = logging.getLogger("firebreak.hub")

GENERATION = "hub:triage-config-generation"

# name -> (generation, monotonic time read, value)
_held: dict[str, tuple[str, float, object]] = {}


def _generation() -> str | None:
    try:
        generation = cache.get(GENERATION)
        if generation is None:  # first use, or the cache was emptied
            cache.add(GENERATION, uuid.uuid4().hex, None)
            generation = cache.get(GENERATION)
    except Exception:  # the shared cache is down: nothing can be trusted to be current
        return None
    return generation


def current(name: str, load):
    """``load()``'s value as of the current configuration, read again only when it changed."""
    max_age = settings.TRIAGE_CONFIG_SECONDS
    if max_age <= 0:
        return load()
    generation = _generation()
    if generation is None:
        return load()
    held = _held.get(name)
    now = time.monotonic()
    if held is not None and held[0] == generation and now - held[1] < max_age:
        return held[2]
    value = load()
    _held[name] = (generation, now, value)
    return value


def changed() -> None:
    """Announce a change of the triage configuration to every process: now (nobody keeps
    the old reading) and when the transaction commits (nobody keeps one made meanwhile)."""
    _renew()
    transaction.on_commit(_renew)


def _renew() -> None:
    try:
        cache.set(GENERATION, uuid.uuid4().hex, None)
    except Exception:
        log.warning("triage configuration change not announced: cache unavailable")
