"""Background work that survives a broker outage and a killed worker.

Two halves:

* :func:`enqueue_on_commit` sends a Celery task after the transaction commits and never lets a
  broker failure escape into the request: the write is already committed, so raising would
  turn a success into a 500 (and a client retry into a duplicate-looking 200 whose work is
  never queued again).
* :func:`sweep_pending_work` (a beat task) re-enqueues work whose row says it is still pending
  but that nobody has touched for a while. The rows themselves are the outbox: a mention not yet
  triaged (``triaged_at IS NULL``), a reply still ``queued``, a webhook delivery or an email
  still ``pending``, a bulk response's reply still ``planned``. A task lost with the broker,
  or left unacknowledged by a worker killed mid-delivery (Redis redelivers it only after its
  ``visibility_timeout``), is picked up by the next sweep. Every swept task is safe to run
  twice: triage skips triaged rows, delivery re-checks the reply's state under a row lock,
  webhook deliveries and emails their row's, a bulk hand-over its planned rows' (each reply
  exists once per key)."""

import logging
import random
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

log = logging.getLogger("firebreak.outbox")

# Fail fast when the broker is down: the sweeper, not the request, retries.
PUBLISH_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
SWEEP_BATCH = 500


def backoff_seconds(attempt: int) -> int:
    """Delay before retry ``attempt`` + 1 of a delivery: 30 s, 1 min, 2 min ... capped at 1 h,
    with up to 10% jitter so retries spread out."""
    base = min(3600, 30 * 2 ** (attempt - 1))
    return base + random.randint(0, base // 10)


def send_now(task, args: tuple, *, countdown: float | None = None) -> bool:
    """Send a Celery task now (to run ``countdown`` seconds later, if given); False (logged)
    when the broker is unreachable."""
    try:
        task.apply_async(args=args, countdown=countdown, retry=True, retry_policy=PUBLISH_RETRY)
    except Exception:  # the broker is down or refusing: the sweeper re-enqueues it later
        log.warning("could not enqueue %s%r; the sweeper will retry", task.name, args)
        return False
    return True


def load_sender() -> None:
    """Load what sending a task needs (the task registry, Celery's AMQP helpers, the broker's
    transport) at process start. Otherwise the first request that enqueues work loads it: 90 ms
    measured with compiled bytecode, 590 ms without, while the process's other requests wait
    on the interpreter. Connects nothing: the broker may be down at start."""
    from config.celery import app

    app.finalize(auto=True)
    app.amqp  # noqa: B018 - a cached property: building it imports kombu's messaging
    connection = app.connection_for_write()
    try:
        connection.transport  # noqa: B018 - imports the transport's module, does not connect
    finally:
        connection.release()


def enqueue_on_commit(task, *args) -> None:
    """``task.delay(*args)`` once the current transaction commits; never raises."""
    transaction.on_commit(lambda: send_now(task, args))


def sweep_after() -> timedelta:
    """How long pending work may sit untouched before it is re-enqueued.

    Longer than the longest delivery retry backoff (160 s), so a reply waiting for its next
    retry is not hurried; short enough that a lost task costs minutes, not the 15 minutes of
    the broker's visibility timeout.
    """
    return timedelta(seconds=getattr(settings, "OUTBOX_SWEEP_AFTER", 300))


def _stale_untriaged(cutoff) -> list[int]:
    from spokes.models import Mention

    return list(
        Mention.objects.filter(triaged_at__isnull=True, received_at__lt=cutoff)
        .order_by("id")
        .values_list("id", flat=True)[:SWEEP_BATCH]
    )


def _stale_queued_replies(cutoff) -> list[tuple[int, int]]:
    """Queued replies nobody has touched for a while, except those waiting for a paused
    delivery channel (enabling it sends them: ``replies.services.delivery_channel_set``) and
    those whose turn under their channel's limit has not come (``reply_pace``)."""
    from replies.models import DeliveryChannel, Reply, ReplyState

    paused = DeliveryChannel.objects.filter(active=False).values("source")
    return list(
        Reply.objects.filter(state=ReplyState.QUEUED, updated_at__lt=cutoff)
        .exclude(mention__source__in=paused)
        .exclude(not_before__gt=cutoff)
        .order_by("id")
        .values_list("id", "attempts")[:SWEEP_BATCH]
    )


def _stale_webhook_deliveries(cutoff) -> list[str]:
    from django.db.models import Q

    from api.models import DeliveryStatus, WebhookDelivery

    return [
        str(pk)
        for pk in WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING)
        .filter(
            Q(next_attempt_at__lt=cutoff) | Q(next_attempt_at__isnull=True, created_at__lt=cutoff)
        )
        .order_by("created_at")
        .values_list("id", flat=True)[:SWEEP_BATCH]
    ]


def _stale_emails(cutoff) -> list[int]:
    from django.db.models import Q

    from core.models import EmailStatus, OutgoingEmail

    return list(
        OutgoingEmail.objects.filter(status=EmailStatus.PENDING)
        .filter(
            Q(next_attempt_at__lt=cutoff) | Q(next_attempt_at__isnull=True, created_at__lt=cutoff)
        )
        .order_by("created_at")
        .values_list("id", flat=True)[:SWEEP_BATCH]
    )


def _stale_bulk_responses(cutoff) -> list[int]:
    """Bulk responses with replies still planned a while after approval (their hand-over task
    was lost, or gave up while the database was away)."""
    from incidents.models import PlannedReply, PlannedReplyStatus

    return list(
        PlannedReply.objects.filter(status=PlannedReplyStatus.PLANNED, created_at__lt=cutoff)
        .order_by("bulk_id")
        .values_list("bulk_id", flat=True)
        .distinct()[:SWEEP_BATCH]
    )


def sweep_pending_work(*, older_than: timedelta | None = None) -> dict[str, int]:
    """Re-enqueue stale pending work; returns how many items of each kind were sent."""
    from replies.tasks import MAX_RETRIES, deliver_reply
    from spokes.tasks import triage_mentions

    cutoff = timezone.now() - (older_than if older_than is not None else sweep_after())
    from api.tasks import deliver_webhook
    from core.mail import send_email
    from incidents.tasks import hand_over_bulk

    sent = {"triage": 0, "delivery": 0, "webhook": 0, "email": 0, "bulk": 0}
    untriaged = _stale_untriaged(cutoff)
    if untriaged and send_now(triage_mentions, (untriaged,)):
        sent["triage"] = len(untriaged)
    for reply_id, attempts in _stale_queued_replies(cutoff):
        # Count earlier attempts as retries, so a reply that keeps failing still ends "failed".
        try:
            deliver_reply.apply_async(
                args=(reply_id,), retries=min(attempts, MAX_RETRIES), retry_policy=PUBLISH_RETRY
            )
        except Exception:
            log.warning("could not re-enqueue delivery of reply %s", reply_id)
            break
        sent["delivery"] += 1
    for delivery_id in _stale_webhook_deliveries(cutoff):
        if not send_now(deliver_webhook, (delivery_id,)):
            break
        sent["webhook"] += 1
    for email_id in _stale_emails(cutoff):
        if not send_now(send_email, (email_id,)):
            break
        sent["email"] += 1
    for bulk_id in _stale_bulk_responses(cutoff):
        if not send_now(hand_over_bulk, (bulk_id,)):
            break
        sent["bulk"] += 1
    if any(sent.values()):
        log.info("swept pending work: %s", sent)
    return sent


@shared_task(name="core.sweep_pending_work", ignore_result=True)
def sweep_pending_work_task() -> dict[str, int]:
    """Beat entry point: re-enqueue work a lost or killed task left behind."""
    return sweep_pending_work()
