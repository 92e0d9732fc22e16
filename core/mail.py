"""Outgoing email through an outbox: rows written with the work, sent by Celery with retries.

Sending from an ``on_commit`` hook, as escalations once did, let one unreachable mail server
raise out of the hook: the committed work's remaining hooks (its live events, its webhooks,
the next tasks) never ran, the task that committed it was reported failed, and the emails were
gone. Now the emails are rows of the same transaction; :func:`send_email` sends each once the
transaction commits, retrying with backoff, and the outbox sweeper re-enqueues any whose task
was lost with the broker or a killed worker.

Delivery is at least once: a worker killed between the mail server's acceptance and the row's
update sends that email again on the retry (there is no way to ask an SMTP server whether it
already took a message). Each email therefore carries a Message-ID of its own row, the same on
every attempt (:func:`message_id`), by which the receiving side drops the repeat; and an
attempt under way is never joined by a second one (a sweep, a duplicate task), see ``_claim``.
"""

import hashlib
import smtplib
from dataclasses import dataclass
from datetime import UTC, timedelta
from email.utils import parseaddr

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.message import DNS_NAME
from django.db import transaction
from django.utils import timezone

from accounts.audit import audit
from core.errors import Conflict, NotFound, PermissionDenied
from core.models import EmailStatus, OutgoingEmail
from core.outbox import backoff_seconds, enqueue_on_commit

MAX_ATTEMPTS = 8  # the last one about an hour after the first


@dataclass(frozen=True, slots=True)
class Email:
    to: str
    subject: str
    body: str
    kind: str


def emails_queue(emails: list[Email]) -> list[OutgoingEmail]:
    """Write the emails in the current transaction and send each after it commits."""
    rows = OutgoingEmail.objects.bulk_create(
        [
            OutgoingEmail(
                to=e.to, subject=" ".join(e.subject.split())[:255], body=e.body, kind=e.kind
            )
            for e in emails
        ]
    )
    for row in rows:
        enqueue_on_commit(send_email, row.pk)
    return rows


def message_id(kind: str, pk: int, token: str) -> str:
    """A Message-ID naming one outgoing message and nothing else (``<email-12.3f9c...@domain>``):
    derived from its row, so every attempt to send it carries the same one and a receiver that
    got it already can drop the repeat. ``token`` keeps two databases' row 12 apart (a restored
    backup, a demo reset). Not ``make_msgid``: its time and random part differ on each call.
    The domain is the sender's (``DEFAULT_FROM_EMAIL``), else this host's name."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or str(DNS_NAME)
    return f"<{kind}-{pk}.{token}@{domain}>"


def email_message_id(email: OutgoingEmail) -> str:
    created = email.created_at.astimezone(UTC).strftime("%Y%m%d%H%M%S%f")
    token = hashlib.blake2b(f"{email.pk}:{created}".encode(), digest_size=8).hexdigest()
    return message_id("email", email.pk, token)


def attempt_lease() -> timedelta:
    """How long an attempt is taken to be under way: a mail conversation of several commands,
    each bounded by ``EMAIL_TIMEOUT``."""
    return timedelta(seconds=max(60, 6 * (getattr(settings, "EMAIL_TIMEOUT", None) or 10)))


def _claim(email_id: int) -> OutgoingEmail | None:
    """Count the attempt; None when there is nothing to send (sent, given up, or gone) or when
    another attempt is under way (begun within ``attempt_lease`` and not yet ended: a sweep
    or a duplicate task would otherwise send it a second time, at once). An attempt cut off
    by a killed worker is picked up by the sweep once its lease has passed."""
    with transaction.atomic():
        email = OutgoingEmail.objects.select_for_update().filter(pk=email_id).first()
        if email is None or email.status != EmailStatus.PENDING:
            return None  # safe to run twice
        now = timezone.now()
        begun = email.last_attempt_at
        if email.next_attempt_at is None and begun and begun > now - attempt_lease():
            return None  # an attempt is under way (an ended one sets next_attempt_at)
        if email.attempts >= MAX_ATTEMPTS:  # attempts that ended in an unexpected error
            email.status = EmailStatus.FAILED
            email.save(update_fields=["status"])
            return None
        email.attempts += 1
        email.last_attempt_at, email.next_attempt_at = now, None
        email.save(update_fields=["attempts", "last_attempt_at", "next_attempt_at"])
        return email


def refused_for_good(exc: smtplib.SMTPRecipientsRefused) -> bool:
    """Every recipient refused with a permanent (5xx) code: retrying cannot help."""
    return bool(exc.recipients) and all(code >= 500 for code, _ in exc.recipients.values())


def attempt_send(email_id: int) -> tuple[str, int | None]:
    """Try once: ``("sent", None)``, ``("retry", seconds)``, or ``("done", None)`` when given
    up or there was nothing to send. The mail server is spoken to outside any transaction."""
    email = _claim(email_id)
    if email is None:
        return "done", None
    message = EmailMessage(
        subject=email.subject,
        body=email.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to],
        headers={"Message-ID": email_message_id(email)},
    )
    error, retry = "", True
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused as exc:
        error, retry = f"Recipient refused: {exc.recipients}", not refused_for_good(exc)
    except (smtplib.SMTPException, OSError) as exc:  # refused, timed out, TLS, 4xx answers
        error = f"{type(exc).__name__}: {exc}"
    except ValueError as exc:  # an address or header Django refuses to send: it stays refused
        error, retry = f"{type(exc).__name__}: {exc}", False
    except Exception as exc:  # unforeseen: the attempt has ended (the next is due) and raises
        error = f"{type(exc).__name__}: {exc}"[:500]
        _record(email, last_error=error, next_attempt_at=timezone.now())
        raise
    fields: dict = {"last_error": error[:500], "next_attempt_at": None}
    outcome, delay = "done", None
    if not error:
        fields.update(status=EmailStatus.SENT, sent_at=timezone.now())
        outcome = "sent"
    elif retry and email.attempts < MAX_ATTEMPTS:
        outcome, delay = "retry", backoff_seconds(email.attempts)
        fields["next_attempt_at"] = email.last_attempt_at + timedelta(seconds=delay)
    else:
        fields["status"] = EmailStatus.FAILED
    _record(email, **fields)
    return outcome, delay


def _record(email: OutgoingEmail, **fields) -> None:
    """The attempt's outcome. A worker killed before this line leaves the row as ``_claim``
    wrote it: the sweep sends it again, with the same Message-ID."""
    OutgoingEmail.objects.filter(pk=email.pk).update(**fields)


@shared_task(name="core.send_email", bind=True, max_retries=None)  # attempts on the row
def send_email(self, email_id: int) -> str:
    """Load by id and try; on failure retry later with backoff. Safe to run twice."""
    outcome, delay = attempt_send(email_id)
    if outcome == "retry":
        raise self.retry(countdown=delay)
    return outcome


# --- administrators: the log, and sending again --------------------------------------------
def _require_admin(actor) -> None:
    if not actor.is_administrator:
        raise PermissionDenied("Only administrators send emails again.")


def _resend(actor, emails: list[OutgoingEmail]) -> None:
    for email in emails:
        audit(
            actor=actor,
            action="email.resent",
            target=email,
            data={"to": email.to, "kind": email.kind, "attempts": email.attempts},
        )
        email.status, email.attempts, email.last_error = EmailStatus.PENDING, 0, ""
        email.next_attempt_at = timezone.now()  # due now (no attempt under way: see _claim)
        enqueue_on_commit(send_email, email.pk)
    OutgoingEmail.objects.bulk_update(
        emails, ["status", "attempts", "last_error", "next_attempt_at"]
    )


@transaction.atomic
def email_resend(*, actor, email_id) -> OutgoingEmail:
    """Send a failed email again (once the mail server is mended, say), its attempts counted
    afresh; audited. Administrators only; only a failed email (a pending one is on its way,
    a sent one was sent)."""
    _require_admin(actor)
    email = OutgoingEmail.objects.select_for_update().filter(pk=email_id).first()
    if email is None:
        raise NotFound("No such email.")
    if email.status != EmailStatus.FAILED:
        raise Conflict(f"This email is {email.get_status_display().lower()}.", field="status")
    _resend(actor, [email])
    return email


RESEND_AT_ONCE = 1000


@transaction.atomic
def emails_resend_failed(*, actor) -> int:
    """Send every failed email again (up to ``RESEND_AT_ONCE``, oldest first), as
    ``email_resend`` does one; returns how many."""
    _require_admin(actor)
    emails = list(
        OutgoingEmail.objects.select_for_update()
        .filter(status=EmailStatus.FAILED)
        .order_by("created_at", "id")[:RESEND_AT_ONCE]
    )
    _resend(actor, emails)
    return len(emails)
