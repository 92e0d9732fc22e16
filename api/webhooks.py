"""Outbound webhooks: fan events out to subscriptions, sign them, deliver them safely.

``enqueue(event_type, payload, department_id)`` is called for every live event (from
``core.events.publish``, inside the service's transaction): it writes one delivery row per
matching active subscription and queues the Celery task after commit, so a rolled-back change
is never announced and a committed one is never lost.

Each request carries ``X-Firebreak-Event``, ``X-Firebreak-Delivery`` (unique id: receivers
de-duplicate on it), ``X-Firebreak-Timestamp`` (Unix seconds) and ``X-Firebreak-Signature:
sha256=<hex>``, the HMAC-SHA256 of ``"<timestamp>.<body>"`` with the subscription's secret.

Requests go through the SSRF guard of ``core.outbound`` (public addresses only, the checked
address connected to, no redirects).
"""

import hashlib
import hmac
import json
import logging
import time

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection

from api.models import WEBHOOK_EVENTS, WebhookDelivery, WebhookSubscription

log = logging.getLogger(__name__)

USER_AGENT = "Firebreak-Webhooks/1"

# Live event names that reach webhooks under another name (or with their payload reshaped).
LIVE_TO_WEBHOOK = {"mention.triaged": "mention.created"}


# --- signing ------------------------------------------------------------------------------
def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def verify(secret: str, timestamp: str, body: bytes, signature: str, tolerance: int = 300) -> bool:
    """What a receiver does: check the signature and refuse stale timestamps (replays)."""
    try:
        ts = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs(time.time() - ts) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, ts, body), signature or "")


def request_for(delivery: WebhookDelivery) -> tuple[bytes, dict]:
    body = json.dumps(
        {
            "id": str(delivery.pk),
            "event": delivery.event,
            "created_at": delivery.created_at.isoformat(),
            "data": delivery.payload,
        },
        cls=DjangoJSONEncoder,
        separators=(",", ":"),
    ).encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Firebreak-Event": delivery.event,
        "X-Firebreak-Delivery": str(delivery.pk),
        "X-Firebreak-Timestamp": str(timestamp),
        "X-Firebreak-Signature": sign(delivery.subscription.secret, timestamp, body),
    }
    return body, headers


# --- fan-out ------------------------------------------------------------------------------
def _webhook_event(event_type: str, payload: dict) -> tuple[str, dict] | None:
    name = LIVE_TO_WEBHOOK.get(event_type, event_type)
    if name not in WEBHOOK_EVENTS:
        return None
    if event_type == "mention.triaged":
        payload = {"department_id": payload.get("department_id"), "mention_ids": payload["ids"]}
    return name, payload


def _active_subscriptions(department_id: int | None) -> list[tuple[int, list]]:
    """(id, events) of the active subscriptions that get this department's events: its own
    and the hub's. Asked for every published event (most often with no subscription at all),
    so read with one plain statement rather than through the ORM's query compiler."""
    table = WebhookSubscription._meta.db_table
    sql = f"SELECT id, events FROM {table} WHERE active AND (department_id IS NULL"  # noqa: S608
    params = []
    if department_id is not None:
        sql += " OR department_id = %s"
        params.append(department_id)
    with connection.cursor() as cursor:
        cursor.execute(sql + ") ORDER BY id", params)
        rows = cursor.fetchall()
    return [(pk, json.loads(events) if isinstance(events, str) else events) for pk, events in rows]


def enqueue(event_type: str, payload: dict, department_id: int | None = None) -> list:
    """Record one delivery per matching active subscription; send them after commit.

    Department subscriptions get their department's events; hub subscriptions (no
    department) get every event. Returns the delivery rows created.
    """
    event = _webhook_event(event_type, payload)
    if event is None:
        return []
    name, data = event
    subscriptions = [pk for pk, events in _active_subscriptions(department_id) if name in events]
    if not subscriptions:
        return []
    data = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    deliveries = WebhookDelivery.objects.bulk_create(
        [WebhookDelivery(subscription_id=pk, event=name, payload=data) for pk in subscriptions]
    )
    ids = [str(d.pk) for d in deliveries]

    from api.tasks import deliver_webhook
    from core.outbox import enqueue_on_commit

    for delivery_id in ids:
        enqueue_on_commit(deliver_webhook, delivery_id)
    return deliveries
