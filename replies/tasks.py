from celery import shared_task

from replies.connectors import DeliveryError
from replies.services import reply_deliver, reply_pace

MAX_RETRIES = 6


@shared_task(bind=True, max_retries=MAX_RETRIES, acks_late=True)
def deliver_reply(self, reply_id: int, paced: bool = False) -> str:
    """Deliver a queued reply; retried with exponential backoff, never sent twice. Under a
    channel's limit it first waits for its turn (``reply_pace``): sent again for that moment,
    ``paced``, its retries kept as they were."""
    if not paced:
        wait = reply_pace(reply_id=reply_id)
        if wait > 0:
            deliver_reply.apply_async(
                args=(reply_id,),
                kwargs={"paced": True},
                countdown=wait,
                retries=self.request.retries,
            )
            return "paced"
    final = self.request.retries >= self.max_retries
    try:
        return reply_deliver(reply_id=reply_id, final_attempt=final)
    except DeliveryError as exc:
        raise self.retry(
            exc=exc, countdown=min(2**self.request.retries * 5, 600), kwargs={"paced": False}
        ) from exc
