"""Administrators manage keys and webhooks on /api/keys/ and /api/webhooks/; others get 404."""

import pytest

from accounts.models import AuditEvent
from api.models import IntegrationKey, WebhookSubscription


def test_an_administrator_creates_a_key_that_is_shown_once(client, admin_user, billing):
    client.force_login(admin_user)
    response = client.post(
        "/api/keys/", {"name": "CRM", "departments": ["billing"], "scopes": ["read", "write"]}
    )
    assert response.status_code == 200
    key = IntegrationKey.objects.get(name="CRM")
    plain = response.context["plain_key"]
    assert plain.startswith(key.prefix) and plain.encode() in response.content
    assert response["Cache-Control"] == "no-store"
    assert list(key.departments.all()) == [billing] and key.scopes == ["read", "write"]
    assert AuditEvent.objects.filter(action="api_key.created", actor=admin_user).exists()
    listing = client.get("/api/keys/")
    assert key.prefix.encode() in listing.content and plain.encode() not in listing.content


def test_a_key_needs_departments_and_scopes(client, admin_user, billing):
    client.force_login(admin_user)
    response = client.post("/api/keys/", {"name": "CRM", "departments": ["billing"]})
    assert response.status_code == 400 and "scopes" in response.context["errors"]
    assert not IntegrationKey.objects.exists()


def test_an_administrator_revokes_a_key(client, admin_user, make_key, billing, api):
    key, plain = make_key(billing)
    client.force_login(admin_user)
    client.post(f"/api/keys/{key.prefix}/revoke/")
    key.refresh_from_db()
    assert key.revoked
    assert api(plain).get("/api/v1/departments/").status_code == 401
    assert AuditEvent.objects.filter(action="api_key.revoked").exists()


@pytest.mark.parametrize("path", ["/api/keys/", "/api/webhooks/"])
def test_people_who_are_not_administrators_get_404(client, lead, comms, path):
    for person in (lead, comms):
        client.force_login(person)
        assert client.get(path).status_code == 404
        assert client.post(path, {"name": "x"}).status_code == 404
    assert not IntegrationKey.objects.exists() and not WebhookSubscription.objects.exists()


def test_an_administrator_adds_a_webhook_and_sees_its_secret_once(client, admin_user, billing):
    client.force_login(admin_user)
    response = client.post(
        "/api/webhooks/",
        {
            "url": "https://93.184.216.34/hooks",
            "department": "billing",
            "events": ["mention.created"],
        },
    )
    subscription = WebhookSubscription.objects.get()
    assert response.context["secret"] == subscription.secret
    assert subscription.department == billing
    assert subscription.secret.encode() not in client.get("/api/webhooks/").content
    detail = client.get(f"/api/webhooks/{subscription.pk}/")
    assert detail.status_code == 200


def test_a_webhook_to_a_private_address_is_refused_on_the_page(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        "/api/webhooks/", {"url": "http://169.254.169.254/latest", "events": ["mention.created"]}
    )
    assert response.status_code == 400 and "url" in response.context["errors"]
    assert not WebhookSubscription.objects.exists()
