"""Triage on arrival, coalesced.

A task per ingest request costs a worker a task's overhead (broker round trips, a transaction,
the router, the spike counters) for as little as one mention: at a few hundred single-mention
POSTs a second, that alone would take a core. Instead, a request that stores mentions raises a
flag in the shared cache once its transaction commits; only the request that raises it sends
``triage_backlog``, which lowers the flag and then drains every untriaged mention. Whatever
commits while it runs either sees the flag down and sends the next task, or sees it up and is
picked up by the task that raised it, whose drain starts after the flag came down. The task
runs ``TRIAGE_GATHER_SECONDS`` after it is sent (a quarter of a second): under a steady stream
of single mentions, what arrives meanwhile is triaged in the same transaction, so a worker
pays a task's fixed cost (router, spike counters, live events) a few times a second rather
than once per mention. The flag expires, so a lost task delays triage by seconds; the outbox
sweeper still backs everything.
When the cache is unreachable, the mentions' ids are sent as before (``triage_mentions``).
"""

import logging

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from core.outbox import enqueue_on_commit, send_now
from spokes.triage_service import triage_backlog as drain_backlog
from spokes.triage_service import triage_isolating

log = logging.getLogger("firebreak.triage")

BACKLOG_FLAG = "triage:backlog-queued"
BACKLOG_FLAG_SECONDS = 10


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def triage_mentions(mention_ids: list[int]) -> int:
    """Triage a batch of newly ingested mentions (and check for spikes); safe to run twice."""
    return triage_isolating(mention_ids)


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def triage_backlog() -> int:
    """Lower the flag, then triage every untriaged mention; safe to run twice, or at once."""
    try:
        cache.delete(BACKLOG_FLAG)
    except Exception:  # the flag expires by itself
        log.warning("triage flag not cleared: cache unavailable")
    return drain_backlog()


def triage_on_commit(mention_ids: list[int]) -> None:
    """Have these mentions triaged once the current transaction commits; never raises."""
    if not settings.TRIAGE_COALESCE:
        enqueue_on_commit(triage_mentions, mention_ids)
        return
    transaction.on_commit(lambda: _request_backlog(mention_ids))


def _request_backlog(mention_ids: list[int]) -> None:
    try:
        first = cache.add(BACKLOG_FLAG, 1, timeout=BACKLOG_FLAG_SECONDS)
    except Exception:
        send_now(triage_mentions, (mention_ids,))
        return
    if first and not send_now(triage_backlog, (), countdown=settings.TRIAGE_GATHER_SECONDS):
        try:  # the broker refused: let the next request try again
            cache.delete(BACKLOG_FLAG)
        except Exception:  # then the flag expires by itself
            log.warning("triage flag not cleared: cache unavailable")


@shared_task
def sla_timers() -> dict:
    """Beat, every 30 s: SLA warnings and breaches once each, SLA escalation rules, and
    expiry of spike alerts nobody acted on. Safe to run twice (each fires once). The two
    parts fail apart: an error in one does not keep the other from running."""
    from spokes import spikes, timers

    try:
        result = timers.sla_tick()
    finally:
        expired = spikes.alerts_expire()
    return {**result.__dict__, "alerts_expired": expired}
