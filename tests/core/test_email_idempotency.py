"""An email sent again after a crash between the send and the commit is the same email.

Neither the outbox (``core.mail``) nor the reply connector gave a message an id of its own:
Django made a new random Message-ID on each attempt, so a retry reached the customer as a
second email that no mail system could tell was a repeat. Now each message's Message-ID comes
from its row, and an attempt under way is not joined by a second one.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from core import mail, outbox
from core.models import EmailStatus, OutgoingEmail
from hub.models import DepartmentPolicy
from replies import services
from replies.models import ReplyState
from tests.factories import AuthorFactory, MentionFactory


class WorkerKilled(Exception):
    """The worker dies after the mail server took the message, before the row says so."""


def _die(*args, **kwargs):
    raise WorkerKilled


def _id(message) -> str:
    """The Message-ID header as the mail server receives it."""
    return message.message()["Message-ID"]


def _queue(to="lead@example.com") -> OutgoingEmail:
    (row,) = mail.emails_queue([mail.Email(to=to, subject="SLA", body="Look", kind="test")])
    return row


def _lease_passed(row):
    """As if the killed attempt began long ago (its lease over: the sweep's task may try)."""
    long_ago = timezone.now() - mail.attempt_lease() - timedelta(seconds=1)
    OutgoingEmail.objects.filter(pk=row.pk).update(last_attempt_at=long_ago)


@pytest.mark.django_db
def test_an_outbox_email_sent_again_after_a_crash_has_the_same_message_id(mailoutbox, monkeypatch):
    row = _queue()
    with monkeypatch.context() as patch:
        patch.setattr(mail, "_record", _die)
        with pytest.raises(WorkerKilled):
            mail.attempt_send(row.pk)
    assert OutgoingEmail.objects.get(pk=row.pk).status == EmailStatus.PENDING
    _lease_passed(row)
    assert mail.send_email.apply(args=(row.pk,)).get() == "sent"  # the sweep's task

    first, again = mailoutbox
    row.refresh_from_db()
    assert row.status == EmailStatus.SENT and row.attempts == 2
    assert _id(first) == _id(again) == mail.email_message_id(row)
    assert _id(first).startswith(f"<email-{row.pk}.")
    assert _id(first).endswith("@localhost>")  # DEFAULT_FROM_EMAIL's domain

    # sent: a retried task and the sweep leave it be
    assert mail.send_email.apply(args=(row.pk,)).get() == "done"
    OutgoingEmail.objects.filter(pk=row.pk).update(created_at=timezone.now() - timedelta(hours=1))
    assert outbox.sweep_pending_work()["email"] == 0
    other = _queue("other@example.com")
    mail.attempt_send(other.pk)
    assert len(mailoutbox) == 3 and _id(mailoutbox[2]) != _id(first)  # an id per email


@pytest.mark.django_db
def test_an_attempt_under_way_is_not_joined_by_a_sweep_or_a_duplicate_task(mailoutbox):
    row = _queue()
    OutgoingEmail.objects.filter(pk=row.pk).update(
        created_at=timezone.now() - timedelta(hours=1)  # old enough for the sweep
    )
    assert mail._claim(row.pk) is not None  # a worker is talking to the mail server now
    assert outbox.sweep_pending_work()["email"] == 1  # the sweep enqueues it...
    assert mail.attempt_send(row.pk) == ("done", None)  # ...and the duplicate sends nothing
    assert mailoutbox == []
    assert OutgoingEmail.objects.get(pk=row.pk).attempts == 1


@pytest.mark.django_db
def test_a_failed_email_sent_again_by_an_administrator_leaves_at_once(mailoutbox, admin_user):
    """Sending again is no attempt under way, however soon after the last one."""
    row = _queue()
    assert mail._claim(row.pk) is not None  # an attempt is under way...
    assert mail.attempt_send(row.pk) == ("done", None)  # ...no second one joins it
    OutgoingEmail.objects.filter(pk=row.pk).update(status=EmailStatus.FAILED)  # it failed
    mail.email_resend(actor=admin_user, email_id=row.pk)  # moments after
    assert mail.attempt_send(row.pk) == ("sent", None)
    assert len(mailoutbox) == 1


@pytest.fixture
def email_reply(agent, billing):
    DepartmentPolicy.objects.create(department=billing)  # no approval needed
    author = AuthorFactory(source="email", handle="customer@example.com")
    mention = MentionFactory(department=billing, source="email", author=author)
    draft = services.reply_draft(actor=agent, mention_id=mention.pk, text="We are on it.")
    return services.reply_submit(actor=agent, reply_id=draft.pk)


@pytest.mark.django_db
def test_a_reply_email_sent_again_after_a_crash_has_the_same_message_id(
    email_reply, mailoutbox, monkeypatch, settings
):
    settings.DEFAULT_FROM_EMAIL = "Acme Care <care@acme.example>"
    with monkeypatch.context() as patch:
        patch.setattr(services, "_record_sent", _die)
        with pytest.raises(WorkerKilled):
            services.reply_deliver(reply_id=email_reply.pk)  # rolled back: still queued
    email_reply.refresh_from_db()
    assert email_reply.state == ReplyState.QUEUED and email_reply.attempts == 0
    assert services.reply_deliver(reply_id=email_reply.pk) == "sent"
    assert services.reply_deliver(reply_id=email_reply.pk) == "skipped"  # a retried task

    first, again = mailoutbox
    email_reply.refresh_from_db()
    expected = f"<reply-{email_reply.pk}.{email_reply.idempotency_key.hex}@acme.example>"
    assert _id(first) == _id(again) == email_reply.external_id == expected
