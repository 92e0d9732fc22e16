"""Outbound webhooks: fan events out to subscriptions, sign them, deliver them safely.

``enqueue(event_type, payload, department_id)`` is called for every live event (from
``core.events.publish``, inside the service's transaction): it writes one delivery row per
matching active subscription and queues the Celery task after commit, so a rolled-back change
is never announced and a committed one is never lost.

Each request carries ``X-Firebreak-Event``, ``X-Firebreak-Delivery`` (unique id: receivers
de-duplicate on it), ``X-Firebreak-Timestamp`` (Unix seconds) and ``X-Firebreak-Signature:
sha256=<hex>``, the HMAC-SHA256 of ``"<timestamp>.<body>"`` with the subscription's secret.

SSRF guard: only http(s) URLs without credentials; the host is resolved and every address
must be global (no loopback, private, link-local, CGNAT, multicast, reserved or unspecified
address in any notation) unless ``settings.WEBHOOK_ALLOW_PRIVATE``; the connection goes to the
address that was checked (no second lookup to rebind), and redirects are never followed.
"""

import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import socket
import ssl
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection

from api.models import WEBHOOK_EVENTS, WebhookDelivery, WebhookSubscription

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10
USER_AGENT = "Firebreak-Webhooks/1"

# Live event names that reach webhooks under another name (or with their payload reshaped).
LIVE_TO_WEBHOOK = {"mention.triaged": "mention.created"}


class UnsafeURL(ValueError):
    """The URL is not one Firebreak will call."""


class Unresolvable(UnsafeURL):
    """The host does not resolve (now): refused when subscribing, retried when delivering."""


# --- the SSRF guard -----------------------------------------------------------------------
def _allow_private() -> bool:
    return bool(getattr(settings, "WEBHOOK_ALLOW_PRIVATE", False))


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        mapped = ip.ipv4_mapped or ip.sixtofour
        if mapped is not None:
            ip = mapped
        elif ip.teredo:
            ip = ip.teredo[1]
    return ip.is_global and not ip.is_multicast


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (the OS resolver also reads 0x7f.1 or 2130706433)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise Unresolvable(f"The host '{host}' does not resolve.") from exc
    return list(dict.fromkeys(info[4][0] for info in infos))


def check_url(url: str) -> tuple:
    """Validate ``url``; returns ``(parts, port, address)`` with the address to connect to."""
    if not url or len(url) > 500:
        raise UnsafeURL("Give an http(s) URL of at most 500 characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeURL("The URL is not valid.") from exc
    if parts.scheme not in ("http", "https"):
        raise UnsafeURL("Only http and https URLs are allowed.")
    if parts.username or parts.password:
        raise UnsafeURL("The URL must not contain credentials.")
    host = parts.hostname
    if not host:
        raise UnsafeURL("The URL has no host.")
    port = port or (443 if parts.scheme == "https" else 80)
    addresses = resolve(host, port)
    if not addresses:
        raise Unresolvable(f"The host '{host}' does not resolve.")
    if not _allow_private():
        refused = [a for a in addresses if not _is_public(a)]
        if refused:
            raise UnsafeURL(
                f"The host '{host}' resolves to a non-public address ({refused[0]}); "
                "webhooks only go to public addresses."
            )
    return parts, port, addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, address: str, host: str, port: int, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, address: str, host: str, port: int, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict) -> int:
    """POST ``body`` to ``url`` through the guard; returns the status (redirects not followed)."""
    parts, port, address = check_url(url)
    cls = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    connection = cls(address, parts.hostname, port, TIMEOUT_SECONDS)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(65536)
        return response.status
    finally:
        connection.close()


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
