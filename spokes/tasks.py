from celery import shared_task

from spokes.triage_service import triage_batch


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def triage_mentions(mention_ids: list[int]) -> int:
    """Triage a batch of newly ingested mentions (and check for spikes); safe to run twice."""
    return triage_batch(mention_ids)


@shared_task
def sla_timers() -> dict:
    """Beat, every 30 s: SLA warnings and breaches once each, SLA escalation rules, and
    expiry of spike alerts nobody acted on. Safe to run twice (each fires once)."""
    from spokes import spikes, timers

    result = timers.sla_tick()
    expired = spikes.alerts_expire()
    return {**result.__dict__, "alerts_expired": expired}
