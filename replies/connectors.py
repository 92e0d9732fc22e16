"""Delivery connectors: ``send(reply) -> external id``, one per source's configured channel.

Real social-network APIs plug in through the webhook connector: a deployment points it at the
tool that does the posting. Every request carries the reply's idempotency key, so a receiver
can drop a duplicate if a retry follows a send whose acknowledgement was lost.
"""

import http.client
import json
import logging
import smtplib

from django.core.mail import EmailMessage
from django.core.validators import EmailValidator, ValidationError

from core.mail import message_id, refused_for_good
from core.outbound import UnsafeURL, post
from core.signing import sign
from replies.models import ConnectorKind, DeliveryChannel, Reply
from spokes.models import Source

log = logging.getLogger("firebreak.delivery")


class DeliveryError(Exception):
    """The connector could not deliver; the task retries with backoff, unless ``permanent``:
    retrying cannot help (no address to send to, the mail server refusing the recipient for
    good), so the reply fails at once, for people to see and act on."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


def _payload(reply: Reply) -> dict:
    mention = reply.mention
    root = mention.thread_root or mention
    return {
        "idempotency_key": str(reply.idempotency_key),
        "reply_id": reply.pk,
        "kind": reply.kind,
        "text": reply.full_text,
        "mention": {
            "id": mention.pk,
            "source": mention.source,
            "external_id": mention.external_id,
            "thread_external_id": root.external_id,
            "url": mention.url,
            "author_handle": mention.author.handle,
        },
    }


class LogConnector:
    name = ConnectorKind.LOG

    def send(self, reply: Reply) -> str:
        log.info("reply %s -> %s: %s", reply.pk, reply.mention.source, reply.full_text[:200])
        return f"log-{reply.idempotency_key}"


class WebhookConnector:
    """POSTs the signed reply to the channel's URL through the SSRF guard (``core.outbound``):
    public addresses only unless ``WEBHOOK_ALLOW_PRIVATE``, no redirects."""

    name = ConnectorKind.WEBHOOK

    def __init__(self, channel: DeliveryChannel):
        self.channel = channel

    def send(self, reply: Reply) -> str:
        body = json.dumps(_payload(reply), separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": str(reply.idempotency_key),
            "User-Agent": "Firebreak-Delivery/1",
            **sign(self.channel.secret, body),
        }
        try:
            status, answer = post(self.channel.url, body, headers)
        except UnsafeURL as exc:  # refused, or not resolving (now)
            raise DeliveryError(f"delivery webhook refused: {exc}") from exc
        except OSError as exc:  # connection refused, timeout, TLS failure
            raise DeliveryError(f"delivery webhook unreachable: {exc}") from exc
        except http.client.HTTPException as exc:  # not HTTP: a garbled or cut-off answer
            raise DeliveryError(f"delivery webhook answered badly: {exc!r}") from exc
        if not 200 <= status < 300:
            raise DeliveryError(f"HTTP {status} from delivery webhook")
        try:
            external_id = str(json.loads(answer or b"{}").get("external_id") or "")
        except (ValueError, AttributeError):
            external_id = ""
        return external_id or f"webhook-{reply.idempotency_key}"


class EmailConnector:
    name = ConnectorKind.EMAIL

    def send(self, reply: Reply) -> str:
        address = reply.mention.author.handle
        try:
            EmailValidator()(address)
        except ValidationError as exc:
            raise DeliveryError(f"'{address}' is not an email address", permanent=True) from exc
        # The reply's own id, the same on every attempt: a send repeated after a crash before
        # the commit (the row still queued) reaches the customer's mail server as a duplicate
        # it can drop, not as a second email.
        stable_id = message_id("reply", reply.pk, reply.idempotency_key.hex)
        headers = {"Message-ID": stable_id}
        # The id the mention came with (its Message-ID): from outside, so a header only if it
        # is one; a line break in it would make Django refuse the whole message.
        in_reply_to = reply.mention.external_id
        if in_reply_to and in_reply_to.isprintable() and " " not in in_reply_to:
            headers["In-Reply-To"] = in_reply_to
        email = EmailMessage(
            subject="Re: your message", body=reply.full_text, to=[address], headers=headers
        )
        try:
            email.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as exc:  # 5xx for the one recipient: for good
            raise DeliveryError(
                f"mail server refused the recipient: {exc.recipients}",
                permanent=refused_for_good(exc),
            ) from exc
        except OSError as exc:  # smtplib's errors included
            raise DeliveryError(f"mail server refused: {exc}") from exc
        return stable_id


class PausedConnector:
    """A channel an administrator disabled (paused publishing, say, while a crisis unfolds):
    its replies wait, queued, without using up their attempts, and leave when it is enabled
    again (``replies.services.reply_deliver``, ``delivery_channel_set``); never rerouted."""

    def __init__(self, channel: DeliveryChannel):
        self.channel = channel
        self.name = channel.connector

    def waiting_note(self) -> str:
        return (
            f"The {self.channel.get_source_display()} delivery channel is paused: the reply "
            "waits and leaves when an administrator enables it."
        )


def connector_for(reply: Reply):
    channel = DeliveryChannel.objects.filter(source=reply.mention.source).first()
    if channel is not None and not channel.active:
        return PausedConnector(channel)
    if channel is None:
        return EmailConnector() if reply.mention.source == Source.EMAIL else LogConnector()
    if channel.connector == ConnectorKind.WEBHOOK:
        return WebhookConnector(channel)
    if channel.connector == ConnectorKind.EMAIL:
        return EmailConnector()
    return LogConnector()
