import time

from celery import shared_task

from replies.connectors import DeliveryError
from replies.services import reply_deliver, reply_pace

MAX_RETRIES = 6
# The longest a task waits in a worker for its turn before waking to wait again: well under
# the Redis broker's visibility timeout (900 s), past which Redis hands an unacknowledged
# waiting task to another worker as well.
LONGEST_WAIT = 300.0


@shared_task(bind=True, max_retries=MAX_RETRIES, acks_late=True)
def deliver_reply(self, reply_id: int, turn: float | None = None) -> str:
    """Deliver a queued reply; retried with exponential backoff, never sent twice. Under a
    channel's limit it first takes its turn (``reply_pace``) and is sent again for that
    moment (``turn``, a Unix time), its retries kept as they were."""
    if turn is None:
        wait = reply_pace(reply_id=reply_id)
        if wait > 0:
            return _wait(self, reply_id, time.time() + wait)
    elif turn - time.time() > 1.0 and not self.request.is_eager:
        return _wait(self, reply_id, turn)  # woken early: a long wait is taken in steps
    final = self.request.retries >= self.max_retries
    try:
        return reply_deliver(reply_id=reply_id, final_attempt=final)
    except DeliveryError as exc:
        raise self.retry(
            exc=exc, countdown=min(2**self.request.retries * 5, 600), kwargs={"turn": None}
        ) from exc


def _wait(task, reply_id: int, turn: float) -> str:
    deliver_reply.apply_async(
        args=(reply_id,),
        kwargs={"turn": turn},
        countdown=min(max(turn - time.time(), 0.0), LONGEST_WAIT),
        retries=task.request.retries,
    )
    return "paced"
