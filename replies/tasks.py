from celery import shared_task

from replies.connectors import DeliveryError
from replies.services import reply_deliver

MAX_RETRIES = 6


@shared_task(bind=True, max_retries=MAX_RETRIES, acks_late=True)
def deliver_reply(self, reply_id: int) -> str:
    """Deliver a queued reply; retried with exponential backoff, never sent twice."""
    final = self.request.retries >= self.max_retries
    try:
        return reply_deliver(reply_id=reply_id, final_attempt=final)
    except DeliveryError as exc:
        raise self.retry(exc=exc, countdown=min(2**self.request.retries * 5, 600)) from exc
