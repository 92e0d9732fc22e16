from celery import shared_task

from spokes.triage_service import triage_batch


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def triage_mentions(mention_ids: list[int]) -> int:
    """Triage a batch of newly ingested mentions; safe to run twice."""
    return triage_batch(mention_ids)
