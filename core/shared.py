"""What many people ask for at the same moment, made once for all of them every few seconds.

In a crisis every agent watching a department's queue fetches its rows again after the live
events (at most every 2 s each, and all of them at once, since an event reaches every socket
together): fifty agents rendered the same fifty rows fifty times, about 20 ms of a web
process's CPU each. ``shared`` keeps what was made in the shared cache with the moment it was
made; younger than ``fresh_for`` seconds, it is everyone's answer. Older, one request makes it
again (it holds a claim while it does) and the others wait for it: a moment
(``BRIEF_WAIT_SECONDS``; making it takes a few milliseconds) when there is an older answer to
fall back on, which they then get marked stale, so that they ask again shortly instead of
holding a web thread or making it too; up to ``WAIT_SECONDS`` when there is none, after which
they make their own. With the cache down each makes its own.

Fresh by age is not enough for a caller that knows of a change: a queue refetched because a
colleague assigned a mention was answered with rows made a second before the assignment, as
fresh, and never asked again. Such a caller says how long ago it learnt of the change
(``changed_ago``): an answer made before that is made again at once, by the first to ask in a
sharing window (``_early``; a storm of changes then makes it at most twice per window, not
once per caller), and given to the others marked stale, so that they ask again a window later,
when what they get is newer than the change. Only the moments answers were made are compared,
never a browser's clock: the caller's age of the change is measured where it was learnt.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

log = logging.getLogger(__name__)

T = TypeVar("T")

WAIT_SECONDS = 1.0  # for the one making it, when there is nothing recent enough to show
BRIEF_WAIT_SECONDS = 0.15  # for the one making it, with an older answer to fall back on
POLL_SECONDS = 0.02
CLAIM_SECONDS = 30  # a claim left by a process that died ends by itself


def _clock() -> float:
    return time.time()


def shared(
    key: str,
    make: Callable[[], T],
    *,
    fresh_for: float,
    stale_for: float = 60.0,
    changed_ago: float | None = None,
) -> tuple[T, bool]:
    """``make()``'s answer, shared through the cache under ``key``: (answer, stale).

    ``stale`` says the answer may not show everything the caller knows of: an older answer (at
    most ``stale_for`` seconds old) given while another request makes the next, or one made
    before the change the caller learnt of ``changed_ago`` seconds ago; the caller asks again
    a little later. ``fresh_for`` 0 or less makes it on every call."""
    if fresh_for <= 0:
        return make(), False
    kept = _read(key)
    now = _clock()
    changed_at = None if changed_ago is None else now - max(0.0, changed_ago)

    def predates(made_at: float) -> bool:
        return changed_at is not None and made_at < changed_at

    if kept is not None and now - kept[0] < fresh_for:
        if not predates(kept[0]):
            return kept[1], False
        if not _early(key, now, fresh_for):
            return kept[1], True  # made again early in this window already: ask again later
    ours = _claim(key)
    if not ours:
        showable = kept is not None and now - kept[0] < stale_for
        made = _wait_for(
            key,
            after=kept[0] if kept is not None else None,
            within=BRIEF_WAIT_SECONDS if showable else WAIT_SECONDS,
        )
        if made is not None:
            return made[1], predates(made[0])
        if showable:
            return kept[1], True
    made_at = _clock()
    try:
        answer = make()
        try:
            cache.set(key, (made_at, answer), timeout=max(stale_for, fresh_for) + 1)
        except Exception:
            log.warning("%s not shared: cache unavailable", key)
    finally:
        if ours:
            _release(key)
    return answer, False


def _early(key: str, now: float, fresh_for: float) -> bool:
    """Whether this caller may make ``key`` again before its answer's time is up: the first
    in each ``fresh_for`` window (of the shared clock) to find it older than a change."""
    window = int(now // fresh_for)
    try:
        return bool(cache.add(f"{key}:early:{window}", 1, timeout=math.ceil(fresh_for) + 1))
    except Exception:
        return True


def _read(key: str):
    try:
        return cache.get(key)
    except Exception:  # the cache is down: everyone makes their own
        return None


def _claim(key: str) -> bool:
    try:
        return bool(cache.add(f"{key}:making", 1, timeout=CLAIM_SECONDS))
    except Exception:
        return True


def _release(key: str) -> None:
    try:
        cache.delete(f"{key}:making")
    except Exception:  # the claim ends by itself
        log.warning("%s: claim not dropped, cache unavailable", key)


def _wait_for(key: str, after: float | None, within: float):
    """What the request making ``key`` stores (newer than ``after``), as (made at, answer),
    or None in time."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        kept = _read(key)
        if kept is not None and (after is None or kept[0] > after):
            return kept
    return None
