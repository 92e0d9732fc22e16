"""Webhook delivery: one task per delivery, retried with exponential backoff."""

import http.client
from datetime import timedelta

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from api.models import DeliveryStatus, WebhookDelivery
from api.webhooks import request_for
from core.outbound import Unresolvable, UnsafeURL, post
from core.outbox import backoff_seconds

MAX_ATTEMPTS = 8  # the last one about an hour after the first


def _claim(delivery_id: str):
    """Count the attempt and build the request; None when there is nothing to send."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .select_related("subscription")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status != DeliveryStatus.PENDING:
            return None  # already delivered or given up: safe to run twice
        if delivery.attempts >= MAX_ATTEMPTS:  # attempts that ended in an unexpected error
            delivery.status = DeliveryStatus.FAILED
            delivery.save(update_fields=["status"])
            return None
        if not delivery.subscription.active:
            delivery.status = DeliveryStatus.FAILED
            delivery.last_error = "Subscription deactivated."
            delivery.save(update_fields=["status", "last_error"])
            return None
        delivery.attempts += 1
        delivery.last_attempt_at = timezone.now()
        delivery.save(update_fields=["attempts", "last_attempt_at"])
        return delivery


def attempt_delivery(delivery_id: str) -> tuple[str, int | None]:
    """Try once: ``("delivered", None)``, ``("retry", seconds)`` or ``("done", None)`` when
    given up or there was nothing to send.

    The HTTP call happens outside any transaction, so a slow receiver holds no lock.
    """
    delivery = _claim(delivery_id)
    if delivery is None:
        return "done", None
    body, headers = request_for(delivery)
    code, error, retry = None, "", True
    try:
        code, _ = post(delivery.subscription.url, body, headers)
        if not 200 <= code < 300:
            error = f"HTTP {code}"
    except Unresolvable as exc:  # DNS may be back later
        error = str(exc)
    except UnsafeURL as exc:
        error, retry = str(exc), False  # a refused address stays refused
    except OSError as exc:  # connection refused, timeout, TLS failure
        error = f"{type(exc).__name__}: {exc}"
    except http.client.HTTPException as exc:  # not HTTP: a garbled or cut-off answer
        error = f"{type(exc).__name__}: {exc!r}"
    fields = {"response_status": code, "last_error": error[:500], "next_attempt_at": None}
    outcome, delay = "done", None
    if code is not None and not error:
        fields.update(status=DeliveryStatus.SUCCEEDED, delivered_at=timezone.now())
        outcome = "delivered"
    elif retry and delivery.attempts < MAX_ATTEMPTS:
        outcome, delay = "retry", backoff_seconds(delivery.attempts)
        fields["next_attempt_at"] = delivery.last_attempt_at + timedelta(seconds=delay)
    else:
        fields["status"] = DeliveryStatus.FAILED
    WebhookDelivery.objects.filter(pk=delivery.pk).update(**fields)
    return outcome, delay


@shared_task(bind=True, max_retries=None)  # MAX_ATTEMPTS, counted on the delivery row
def deliver_webhook(self, delivery_id: str) -> str:
    """Load by id and try; on failure retry later with backoff. Safe to run twice."""
    outcome, delay = attempt_delivery(delivery_id)
    if outcome == "retry":
        raise self.retry(countdown=delay)
    return outcome
