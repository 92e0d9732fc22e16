"""Administrators see the emails Firebreak sends (escalations, SLA rules) and send failed ones
again, one or all, after the mail server is mended; audited; nobody else sees the page."""

from datetime import timedelta

import pytest
from django.core import mail as django_mail
from django.test import Client
from django.utils import timezone

from accounts.models import AuditEvent
from core import mail
from core.errors import PermissionDenied
from core.models import EmailStatus, OutgoingEmail


def _email(status="failed", n=0, **extra):
    fields = {
        "to": f"lead{n}@example.com",
        "subject": f"Escalated: mention {n}",
        "body": "See the queue.",
        "kind": "mention.escalated",
        "status": status,
        "attempts": 8 if status == "failed" else 1,
        "last_error": "ConnectionRefusedError: [Errno 111]" if status == "failed" else "",
    }
    return OutgoingEmail.objects.create(**{**fields, **extra})


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_log_lists_emails_newest_first_and_filters_by_status(
    admin_user, django_assert_max_num_queries
):
    failed = _email("failed", 1, subject="<script>alert(1)</script> refund")
    sent = _email("sent", 2, sent_at=timezone.now())
    OutgoingEmail.objects.filter(pk=failed.pk).update(
        created_at=timezone.now() - timedelta(minutes=5)
    )
    client = _client(admin_user)
    with django_assert_max_num_queries(12):
        page = client.get("/emails/").content.decode()
    assert page.index(f'id="email-{sent.pk}"') < page.index(f'id="email-{failed.pk}"')
    assert "&lt;script&gt;alert(1)&lt;/script&gt; refund" in page and "<script>alert" not in page
    assert "ConnectionRefusedError" in page and "1 email failed" in page
    assert '<a href="/api/keys/" aria-current="page">Integrations</a>' in page
    only_failed = client.get("/emails/?status=failed").content.decode()
    assert f'id="email-{failed.pk}"' in only_failed and f'id="email-{sent.pk}"' not in only_failed
    assert f'id="email-{sent.pk}"' in client.get("/emails/?status=bogus").content.decode()


def test_a_long_log_pages_by_cursor(admin_user, django_assert_max_num_queries):
    OutgoingEmail.objects.bulk_create(
        [
            OutgoingEmail(to=f"p{n}@example.com", subject=f"s{n}", body="", kind="k")
            for n in range(130)
        ]
    )
    client = _client(admin_user)
    with django_assert_max_num_queries(12):
        first = client.get("/emails/").content.decode()
    assert first.count('<tr id="email-') == 100
    cursor = first.split("&amp;cursor=")[1].split('"')[0]
    with django_assert_max_num_queries(12):
        second = client.get(f"/emails/?status=&cursor={cursor}").content.decode()
    assert second.count('<tr id="email-') == 30
    assert 'rel="next"' not in second


def test_a_failed_email_is_sent_again_once_and_audited(
    admin_user, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    failed = _email("failed", 1)
    with django_capture_on_commit_callbacks(execute=True):
        response = _client(admin_user).post(f"/emails/{failed.pk}/resend/")
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status == EmailStatus.SENT and failed.attempts == 1 and failed.last_error == ""
    assert [m.to for m in django_mail.outbox] == [["lead1@example.com"]]
    event = AuditEvent.objects.get(action="email.resent")
    assert event.actor == admin_user and event.target_id == str(failed.pk)
    assert event.data["attempts"] == 8  # what it had been through

    again = _client(admin_user).post(f"/emails/{failed.pk}/resend/", follow=True)
    assert "This email is sent." in again.content.decode()  # sent once, not twice
    assert len(django_mail.outbox) == 1
    assert _client(admin_user).post("/emails/999999/resend/").status_code == 404


def test_every_failed_email_is_sent_again_at_once(
    admin_user, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    failed = [_email("failed", n) for n in range(3)]
    pending = _email("pending", 9)
    with django_capture_on_commit_callbacks(execute=True):
        page = _client(admin_user).post("/emails/resend-failed/", follow=True)
    assert "3 failed emails on the way again." in page.content.decode()
    assert sorted(m.to[0] for m in django_mail.outbox) == [e.to for e in failed]
    assert set(OutgoingEmail.objects.filter(pk__in=[e.pk for e in failed]).values_list(
        "status", flat=True
    )) == {"sent"}  # fmt: skip
    pending.refresh_from_db()
    assert pending.status == EmailStatus.PENDING and pending.attempts == 1  # left alone
    assert AuditEvent.objects.filter(action="email.resent").count() == 3


def test_only_administrators_send_emails_again(agent, comms):
    failed = _email("failed", 1)
    for user in (agent, comms):
        with pytest.raises(PermissionDenied):
            mail.email_resend(actor=user, email_id=failed.pk)
        with pytest.raises(PermissionDenied):
            mail.emails_resend_failed(actor=user)
    failed.refresh_from_db()
    assert failed.status == EmailStatus.FAILED and failed.attempts == 8
    assert not AuditEvent.objects.filter(action="email.resent").exists()


@pytest.mark.parametrize("path", ["/emails/", "/audit/"])
def test_a_cursor_that_is_not_one_shows_the_first_page_and_says_so(admin_user, path):
    """An edited or truncated ``?cursor=`` was a 500 on the administrators' lists (found by
    the query fuzz in tests/security/test_form_fuzz.py); now the first page and a message."""
    _email("failed", 1)
    response = _client(admin_user).get(path, {"cursor": "not-a-cursor"})
    assert response.status_code == 200
    assert "The page cursor is not valid." in response.content.decode()
