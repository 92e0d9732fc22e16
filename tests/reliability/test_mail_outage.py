"""Outgoing email: a mail server that is down, hung or refusing delays or gives up that email;
it never fails the work that queued it, and nothing is sent twice by a retry or a sweep."""

import socket
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from core import mail, outbox
from core.models import EmailStatus, OutgoingEmail
from hub.models import EscalationRule
from spokes.models import Mention
from spokes.triage_service import triage_batch
from tests.factories import MentionFactory
from tests.reliability import mail_backends

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def closed_port():
    """A loopback port nothing listens on: connections are refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_down(settings, closed_port):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 2


def _queue(to="lead@example.com") -> OutgoingEmail:
    (row,) = mail.emails_queue(
        [mail.Email(to=to, subject="SLA breached:\n 2 mentions", body="Look", kind="test")]
    )
    return row


def test_triage_with_the_mail_server_down_commits_and_publishes_everything(
    smtp_down, billing, comms, published, django_capture_on_commit_callbacks
):
    comms.email = "comms@example.com"
    comms.save()
    EscalationRule.objects.create(name="Big accounts", min_reach=50_000, notify_comms=True)
    loud = MentionFactory(department=billing, text="meh", reach=90_000)
    quiet = MentionFactory(department=billing, text="meh", reach=90)
    with django_capture_on_commit_callbacks(execute=True):  # raises if any hook raised
        triage_batch([loud.pk, quiet.pk])  # Celery eager: every retry runs at once here
    assert Mention.objects.filter(pk__in=[loud.pk, quiet.pk], triaged_at__isnull=False).count() == 2
    events = [e for e, *_ in published]
    assert "mention.triaged" in events and "notification.created" in events
    email = OutgoingEmail.objects.get()
    assert email.to == "comms@example.com" and "Big accounts" in email.body
    assert email.status == EmailStatus.FAILED and email.attempts == mail.MAX_ATTEMPTS
    assert email.last_error.startswith("ConnectionRefusedError")


def test_a_failed_attempt_waits_its_backoff_then_sends_once(
    smtp_down, settings, db, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=False):
        row = _queue()
    assert row.subject == "SLA breached: 2 mentions"  # one line: a header
    outcome, delay = mail.attempt_send(row.pk)
    row.refresh_from_db()
    assert outcome == "retry" and 30 <= delay <= 33
    assert row.status == EmailStatus.PENDING and row.attempts == 1
    assert row.next_attempt_at == row.last_attempt_at + timedelta(seconds=delay)
    assert "ConnectionRefusedError" in row.last_error
    settings.EMAIL_BACKEND = LOCMEM  # the mail server is back
    assert mail.send_email.delay(row.pk).get() == "sent"
    assert mail.send_email.delay(row.pk).get() == "done"  # a duplicate task sends nothing
    row.refresh_from_db()
    assert row.status == EmailStatus.SENT and row.attempts == 2 and row.sent_at
    assert [(m.to, m.subject, m.body) for m in mailoutbox] == [
        (["lead@example.com"], "SLA breached: 2 mentions", "Look")
    ]
    assert mailoutbox[0].from_email == settings.DEFAULT_FROM_EMAIL


def test_a_hung_mail_server_costs_one_timeout_not_a_worker(settings, db):
    with socket.socket() as listener:  # accepts connections (the backlog) and never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = listener.getsockname()
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 1
        row = _queue()
        started = time.monotonic()
        assert mail.attempt_send(row.pk)[0] == "retry"
        assert time.monotonic() - started < 5
    row.refresh_from_db()
    assert row.status == EmailStatus.PENDING and "timed out" in row.last_error


@pytest.mark.parametrize(
    ("code", "status", "outcome"),
    [(550, EmailStatus.FAILED, "done"), (450, EmailStatus.PENDING, "retry")],
)
def test_a_refused_recipient_is_given_up_only_when_the_refusal_is_permanent(
    settings, db, monkeypatch, code, status, outcome
):
    settings.EMAIL_BACKEND = "tests.reliability.mail_backends.RefusingBackend"
    monkeypatch.setitem(mail_backends.REFUSAL, "code", code)
    row = _queue()
    assert mail.attempt_send(row.pk)[0] == outcome
    row.refresh_from_db()
    assert row.status == status and row.attempts == 1
    assert str(code) in row.last_error and "lead@example.com" in row.last_error


def test_an_email_whose_task_was_lost_is_sent_by_the_sweep(settings, db, mailoutbox):
    settings.EMAIL_BACKEND = LOCMEM
    lost = _queue("lost@example.com")  # no commit hook ran: as if the broker had been down
    _queue("fresh@example.com")  # not yet stale
    waiting = _queue("waiting@example.com")  # failed before, its next retry not due yet
    old = timezone.now() - timedelta(minutes=10)
    OutgoingEmail.objects.filter(pk__in=[lost.pk, waiting.pk]).update(created_at=old)
    OutgoingEmail.objects.filter(pk=waiting.pk).update(
        attempts=3, next_attempt_at=timezone.now() + timedelta(minutes=2)
    )
    assert outbox.sweep_pending_work()["email"] == 1
    assert [m.to for m in mailoutbox] == [["lost@example.com"]]
    assert outbox.sweep_pending_work()["email"] == 0
    statuses = dict(OutgoingEmail.objects.values_list("to", "status"))
    assert statuses == {
        "lost@example.com": EmailStatus.SENT,
        "fresh@example.com": EmailStatus.PENDING,
        "waiting@example.com": EmailStatus.PENDING,
    }


def test_an_address_django_refuses_is_given_up_at_once(settings, db, mailoutbox):
    settings.EMAIL_BACKEND = LOCMEM
    row = _queue("lead@example.com\nBcc: someone@elsewhere.example")
    assert mail.attempt_send(row.pk) == ("done", None)
    row.refresh_from_db()
    assert row.status == EmailStatus.FAILED and row.attempts == 1
    assert "BadHeaderError" in row.last_error and mailoutbox == []


def test_an_email_that_keeps_raising_unexpectedly_is_given_up_not_swept_forever(settings, db):
    settings.EMAIL_BACKEND = "tests.reliability.mail_backends.BrokenBackend"
    row = _queue()
    for _ in range(mail.MAX_ATTEMPTS):
        with pytest.raises(RuntimeError):
            mail.attempt_send(row.pk)  # the task fails; the sweep sends it again later
    assert mail.attempt_send(row.pk) == ("done", None)
    row.refresh_from_db()
    assert row.status == EmailStatus.FAILED and row.attempts == mail.MAX_ATTEMPTS
    OutgoingEmail.objects.filter(pk=row.pk).update(created_at=timezone.now() - timedelta(hours=1))
    assert outbox.sweep_pending_work()["email"] == 0
