"""Administrators manage keys and webhooks on /api/keys/ and /api/webhooks/; others get 404."""

import re

import pytest

from accounts.models import AuditEvent
from api.models import IntegrationKey, WebhookSubscription


def _field(html: str, name: str, value: str | None = None) -> str:
    """The tag of the input (or select) named ``name`` (with ``value``, for checkboxes)."""
    tags = re.findall(rf'<(?:input|select)\b[^>]*\bname="{name}"[^>]*>', html)
    if value is not None:
        tags = [t for t in tags if f'value="{value}"' in t]
    assert len(tags) == 1, (name, value, tags)
    return tags[0]


def _error_next_to(html: str, field_id: str) -> str:
    """The error paragraph a field points to with ``aria-describedby``."""
    match = re.search(rf'<p class="error" id="{field_id}-error"[^>]*>([^<]*)</p>', html)
    assert match, f"no error for {field_id}"
    assert f'aria-describedby="{field_id}-error"' in html
    return match.group(1)


def test_an_administrator_creates_a_key_that_is_shown_once(client, admin_user, billing):
    client.force_login(admin_user)
    response = client.post(
        "/api/keys/", {"name": "CRM", "departments": ["billing"], "scopes": ["read", "write"]}
    )
    assert response.status_code == 303 and response["Location"] == "/api/keys/"
    key = IntegrationKey.objects.get(name="CRM")
    assert list(key.departments.all()) == [billing] and key.scopes == ["read", "write"]
    assert AuditEvent.objects.filter(action="api_key.created", actor=admin_user).exists()

    shown = client.get("/api/keys/")
    plain = shown.context["plain_key"]
    assert plain.startswith(key.prefix) and plain.encode() in shown.content
    assert shown.context["new_key"] == key and "Key “CRM” created" in shown.content.decode()
    assert shown["Cache-Control"] == "no-store"
    listing = client.get("/api/keys/")
    assert key.prefix.encode() in listing.content and plain.encode() not in listing.content
    assert "api.new_key" not in client.session


def test_reloading_the_page_after_creating_a_key_creates_no_second_key(client, admin_user, billing):
    client.force_login(admin_user)
    form = {"name": "CRM", "departments": ["billing"], "scopes": ["read"]}
    landed = client.post("/api/keys/", form, follow=True)
    assert landed.redirect_chain == [("/api/keys/", 303)]
    assert landed.request["REQUEST_METHOD"] == "GET" and landed.context["plain_key"]
    client.get(landed.request["PATH_INFO"])  # the browser's reload repeats the GET
    assert IntegrationKey.objects.count() == 1


def test_the_new_key_travels_in_no_url(client, admin_user, billing):
    client.force_login(admin_user)
    response = client.post(
        "/api/keys/", {"name": "CRM", "departments": ["billing"], "scopes": ["read"]}
    )
    plain = client.get(response["Location"]).context["plain_key"]
    assert plain not in response["Location"] and "?" not in response["Location"]


def test_a_key_needs_departments_and_scopes(client, admin_user, billing):
    client.force_login(admin_user)
    response = client.post("/api/keys/", {"name": "CRM", "departments": ["billing"]})
    assert response.status_code == 400 and "scopes" in response.context["errors"]
    assert not IntegrationKey.objects.exists()


@pytest.mark.parametrize(
    ("form", "field_id", "message"),
    [
        ({"name": "  ", "departments": ["billing"], "scopes": ["read"]}, "name", "needs a name"),
        (
            {"name": "CRM", "departments": ["billing", "nowhere"], "scopes": ["read"]},
            "departments",
            "No such department: nowhere",
        ),
        ({"name": "CRM", "departments": ["billing"]}, "scopes", "Scopes must be"),
    ],
    ids=["empty name", "unknown department", "no scope"],
)
def test_bad_key_input_is_shown_next_to_its_field_with_everything_typed_kept(
    client, admin_user, billing, support, form, field_id, message
):
    client.force_login(admin_user)
    response = client.post("/api/keys/", form)
    html = response.content.decode()
    assert response.status_code == 400 and message in _error_next_to(html, field_id)
    assert f'value="{form["name"]}"' in _field(html, "name")
    assert "checked" in _field(html, "departments", "billing")
    assert "checked" not in _field(html, "departments", "support")
    for scope in ("read", "write", "approve"):
        assert ("checked" in _field(html, "scopes", scope)) == (scope in form.get("scopes", []))
    assert "plain_key" not in response.context and not IntegrationKey.objects.exists()


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
    assert response.status_code == 303 and response["Location"] == "/api/webhooks/"
    subscription = WebhookSubscription.objects.get()
    assert subscription.department == billing
    assert subscription.secret not in response["Location"]
    shown = client.get("/api/webhooks/")
    assert shown.context["secret"] == subscription.secret
    assert subscription.secret.encode() in shown.content and shown["Cache-Control"] == "no-store"
    assert subscription.secret.encode() not in client.get("/api/webhooks/").content
    detail = client.get(f"/api/webhooks/{subscription.pk}/")
    assert detail.status_code == 200 and subscription.secret.encode() not in detail.content


def test_reloading_the_page_after_adding_a_webhook_adds_no_second_one(client, admin_user):
    client.force_login(admin_user)
    form = {"url": "https://93.184.216.34/hooks", "events": ["mention.created"]}
    landed = client.post("/api/webhooks/", form, follow=True)
    assert landed.redirect_chain == [("/api/webhooks/", 303)] and landed.context["secret"]
    client.get(landed.request["PATH_INFO"])  # the browser's reload repeats the GET
    assert WebhookSubscription.objects.count() == 1


def test_a_webhook_to_a_private_address_is_refused_on_the_page(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        "/api/webhooks/", {"url": "http://169.254.169.254/latest", "events": ["mention.created"]}
    )
    assert response.status_code == 400 and "url" in response.context["errors"]
    assert not WebhookSubscription.objects.exists()


@pytest.mark.parametrize(
    ("form", "field_id", "message"),
    [
        (
            {"url": "not a url", "department": "billing", "events": ["mention.created"]},
            "url",
            "Only http and https URLs",
        ),
        (
            {"url": "https://93.184.216.34/hooks", "department": "nowhere", "events": []},
            "department",
            "Choose a department or the hub",
        ),
        (
            {"url": "https://93.184.216.34/hooks", "department": "billing", "events": []},
            "events",
            "Events must be",
        ),
    ],
    ids=["bad URL", "unknown department", "no event"],
)
def test_bad_webhook_input_is_shown_next_to_its_field_with_everything_typed_kept(
    client, admin_user, billing, form, field_id, message
):
    client.force_login(admin_user)
    response = client.post("/api/webhooks/", {**form, "description": "Our CRM"})
    html = response.content.decode()
    assert response.status_code == 400 and message in _error_next_to(html, field_id)
    assert f'value="{form["url"]}"' in _field(html, "url")
    assert 'value="Our CRM"' in _field(html, "description")
    billing_option = re.search(r'<option value="billing"[^>]*>', html).group(0)
    assert ("selected" in billing_option) == (form["department"] == "billing")
    assert ("checked" in _field(html, "events", "mention.created")) == bool(form["events"])
    assert "secret" not in response.context and not WebhookSubscription.objects.exists()
