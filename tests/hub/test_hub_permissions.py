"""Who may open and change the hub's pages."""

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from hub.models import Guideline, RoutingRule

READ_PAGES = [
    ("hub:index", []),
    ("hub:guidelines", []),
    ("hub:faq", []),
    ("hub:compensation", []),
    ("hub:sla", []),
    ("hub:escalation", []),
    ("hub:routing", []),
    ("hub:departments", []),
]
EDIT_PAGES = [
    ("hub:guideline_new", []),
    ("hub:policy_new", []),
    ("hub:escalation_new", []),
    ("hub:routing_new", []),
    ("hub:hours", ["billing"]),
    ("hub:department_policy", ["billing"]),
]


@pytest.mark.parametrize(("name", "args"), READ_PAGES + EDIT_PAGES)
def test_comms_opens_every_hub_page(client, comms, billing, name, args):
    client.force_login(comms)
    assert client.get(reverse(name, args=args)).status_code == 200


@pytest.mark.parametrize(("name", "args"), READ_PAGES)
def test_department_staff_read_the_hub(client, agent, name, args):
    client.force_login(agent)
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    assert b"Read-only" in response.content


@pytest.mark.parametrize(("name", "args"), EDIT_PAGES)
def test_department_staff_cannot_open_edit_pages(client, lead, name, args):
    client.force_login(lead)
    assert client.get(reverse(name, args=args)).status_code == 403


@pytest.mark.parametrize(("name", "args"), READ_PAGES)
def test_outsiders_are_refused(client, outsider, name, args):
    client.force_login(outsider)
    assert client.get(reverse(name, args=args)).status_code == 403


def test_anonymous_visitors_go_to_login(client):
    response = client.get(reverse("hub:index"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_an_agent_posting_a_guideline_changes_nothing(client, agent):
    client.force_login(agent)
    response = client.post(
        reverse("hub:guideline_new"),
        {"title": "x", "kind": "template", "tone": "informative", "body": "hi"},
    )
    assert response.status_code == 403
    assert (
        not Guideline.objects.exists()
        and not AuditEvent.objects.filter(action__startswith="guideline").exists()
    )


def test_a_lead_cannot_approve_or_reorder(client, lead, comms, approved, billing):
    from hub import services

    guideline = approved()
    version = services.guideline_version_create(
        actor=comms, guideline_id=guideline.pk, body="v2 {customer_name}"
    )
    rule = services.routing_rule_save(actor=comms, name="r", department=billing, keywords=["x"])
    client.force_login(lead)
    assert (
        client.post(
            reverse("hub:approve", args=[guideline.pk]), {"version": version.pk}
        ).status_code
        == 403
    )
    assert (
        client.post(reverse("hub:routing_move", args=[rule.pk]), {"direction": "up"}).status_code
        == 403
    )
    guideline.refresh_from_db()
    assert guideline.current_version.number == 1
    assert RoutingRule.objects.get().position == rule.position


def test_another_departments_guideline_is_a_404_for_staff(client, other_agent, approved, billing):
    guideline = approved(department=billing)
    client.force_login(other_agent)
    assert client.get(reverse("hub:guideline", args=[guideline.pk])).status_code == 404


def test_drafts_are_hidden_from_staff(client, agent, comms):
    from hub import services

    draft = services.guideline_create(actor=comms, title="Secret draft", kind="template", body="x")
    client.force_login(agent)
    assert client.get(reverse("hub:guideline", args=[draft.pk])).status_code == 404
    assert b"Secret draft" not in client.get(reverse("hub:guidelines")).content
