from celery import shared_task

from incidents.services import bulk_hand_over


@shared_task(name="incidents.hand_over_bulk", autoretry_for=(Exception,), retry_backoff=True,
             max_retries=5)  # fmt: skip
def hand_over_bulk(bulk_id: int) -> int:
    """Give a bulk response's planned replies to the reply pipeline; safe to run twice."""
    return bulk_hand_over(bulk_id)
