import time

import pytest
from django.urls import reverse

from accounts.models import AuditEvent


def test_every_html_response_carries_the_security_headers(client, agent):
    client.force_login(agent)
    response = client.get(reverse("spokes:queue", args=["billing"]))
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in response.headers["Permissions-Policy"]


def test_login_rotates_the_session_and_is_audited(client, agent):
    client.get(reverse("login"))
    before = client.cookies.get("sessionid")
    response = client.post(
        reverse("login"), {"username": "agent", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    assert client.cookies["sessionid"].value != (before.value if before else None)
    assert AuditEvent.objects.filter(action="auth.login", actor=agent).exists()


def test_failed_logins_are_audited_and_lock_the_account_after_five(client, agent):
    for _ in range(5):
        client.post(reverse("login"), {"username": "agent", "password": "wrong"})
    assert AuditEvent.objects.filter(action="auth.login_failed").count() >= 5
    response = client.post(
        reverse("login"), {"username": "agent", "password": "correct-horse-battery"}
    )
    assert response.status_code in (403, 429) or "_auth_user_id" not in client.session


@pytest.mark.parametrize("field", ["_seen_at", "_started_at"])
def test_idle_and_absolute_timeouts_log_out(client, agent, settings, field):
    client.force_login(agent)
    assert client.get(reverse("spokes:queue", args=["billing"])).status_code == 200
    session = client.session
    session[field] = int(time.time()) - 13 * 3600
    session.save()
    response = client.get(reverse("spokes:queue", args=["billing"]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_audit_log_is_for_administrators_only(client, agent, admin_user):
    client.force_login(agent)
    assert client.get(reverse("audit_log")).status_code == 404
    client.force_login(admin_user)
    response = client.get(reverse("audit_log"))
    assert response.status_code == 200
    assert "auth.login" in response.content.decode()


def test_audit_events_cannot_be_rewritten(admin_user):
    event = AuditEvent.objects.create(action="x")
    event.action = "y"
    with pytest.raises(ValueError):
        event.save()
