import pytest

from accounts.models import AuditEvent
from core.errors import Conflict, DomainError, NotFound, PermissionDenied
from incidents import selectors, services
from incidents.models import IncidentFact, IncidentMessage, IncidentUpdate
from tests.incidents.conftest import events_named


def test_a_team_member_adds_a_fact_and_every_open_page_is_told(
    incident, comms, other_agent, published, django_capture_on_commit_callbacks
):
    services.incident_add_member(actor=comms, incident_id=incident.pk, user=other_agent, role="Ops")
    with django_capture_on_commit_callbacks(execute=True):
        fact = services.incident_add_fact(
            actor=other_agent,
            incident_id=incident.pk,
            text="PSP confirms outage",
            source="PSP status page",
            confirmed_by="Vendor desk",
        )
    assert fact.recorded_by == other_agent and fact.source == "PSP status page"
    assert AuditEvent.objects.filter(action="incident.fact_added", data__fact_id=fact.pk).exists()
    [(payload, groups)] = events_named(published, "incident.fact_added")
    assert payload == {
        "id": incident.pk,
        "status": "investigating",
        "panels": ["facts"],
        "fact_id": fact.pk,
    }
    assert groups == [f"incident.{incident.pk}"]


def test_an_agent_who_only_sees_the_incident_cannot_add_facts(
    incident, agent, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionDenied):
        services.incident_add_fact(actor=agent, incident_id=incident.pk, text="guess")
    assert not IncidentFact.objects.exists() and published == []


def test_a_foreign_agent_gets_a_404_not_a_403(incident, other_agent):
    with pytest.raises(NotFound):
        services.incident_add_fact(actor=other_agent, incident_id=incident.pk, text="x")


def test_an_empty_fact_names_the_field(incident, comms):
    with pytest.raises(DomainError) as exc:
        services.incident_add_fact(actor=comms, incident_id=incident.pk, text="  ")
    assert exc.value.field == "text"


def test_updates_are_drafted_by_the_team_and_public_once_comms_approves(
    incident, comms, lead, agent, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        update = services.incident_draft_update(
            actor=lead, incident_id=incident.pk, body="Fixed soon"
        )
    assert update.status == "draft"
    assert list(selectors.updates(incident, agent)) == []  # drafts are not public
    with pytest.raises(PermissionDenied):
        services.incident_approve_update(actor=lead, incident_id=incident.pk, update_id=update.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.incident_approve_update(actor=comms, incident_id=incident.pk, update_id=update.pk)
    update.refresh_from_db()
    assert update.status == "approved" and update.approved_by == comms and update.approved_at
    assert list(selectors.updates(incident, agent)) == [update]
    assert [p["update_id"] for p, _ in events_named(published, "incident.update_approved")] == [
        update.pk
    ]
    with pytest.raises(Conflict):
        services.incident_approve_update(actor=comms, incident_id=incident.pk, update_id=update.pk)


def test_only_comms_sets_the_holding_statement_and_each_change_is_a_new_version(
    incident, comms, lead, published, django_capture_on_commit_callbacks
):
    with pytest.raises(PermissionDenied):
        services.incident_set_holding_statement(actor=lead, incident_id=incident.pk, text="x")
    with django_capture_on_commit_callbacks(execute=True):
        services.incident_set_holding_statement(
            actor=comms, incident_id=incident.pk, text="We are aware."
        )
        services.incident_set_holding_statement(
            actor=comms, incident_id=incident.pk, text="Update."
        )
    incident.refresh_from_db()
    assert incident.holding_statement == "Update." and incident.holding_version == 2
    assert incident.holding_guideline_version_id is None
    versions = [
        p["holding_version"]
        for p, _ in events_named(published, "incident.holding_statement_changed")
    ]
    assert versions == [1, 2]


def test_anyone_who_sees_the_incident_joins_the_discussion(incident, agent, other_agent):
    services.incident_post_message(actor=agent, incident_id=incident.pk, body="Seeing many DMs")
    assert IncidentMessage.objects.get().author == agent
    with pytest.raises(NotFound):
        services.incident_post_message(actor=other_agent, incident_id=incident.pk, body="hi")
    assert IncidentUpdate.objects.count() == 0


def test_a_holding_statement_taken_from_an_approved_hub_guideline_keeps_its_version(
    incident, comms
):
    from django.utils import timezone

    from hub.models import Guideline, GuidelineVersion

    guideline = Guideline.objects.create(title="Holding: outage", kind="holding_statement")
    draft = GuidelineVersion.objects.create(
        guideline=guideline, number=1, body="Draft {incident_title}"
    )
    approved = GuidelineVersion.objects.create(
        guideline=guideline,
        number=2,
        body="We are aware of {incident_title}.",
        approved_by=comms,
        approved_at=timezone.now(),
    )
    with pytest.raises(DomainError) as exc:
        services.incident_set_holding_statement(
            actor=comms, incident_id=incident.pk, text="", guideline_version_id=draft.pk
        )
    assert exc.value.field == "guideline_version_id"
    services.incident_set_holding_statement(
        actor=comms, incident_id=incident.pk, text="", guideline_version_id=approved.pk
    )
    incident.refresh_from_db()
    assert incident.holding_guideline_version_id == approved.pk
    assert incident.holding_statement == "We are aware of Card payments failing."


def test_agents_with_drafts_on_linked_mentions_are_told_when_the_statement_changes(
    incident, comms, agent, mention, published, django_capture_on_commit_callbacks
):
    from replies.models import Reply

    services.incident_link_mention(actor=comms, incident_id=incident.pk, mention_id=mention.pk)
    Reply.objects.create(mention=mention, author=agent, text="Sorry about that")
    with django_capture_on_commit_callbacks(execute=True):
        services.incident_set_holding_statement(actor=comms, incident_id=incident.pk, text="New")
    [(payload, groups)] = events_named(published, "notification.created")
    assert groups == [f"user.{agent.pk}"] and "holding statement" in payload["text"]
    [(changed, _)] = events_named(published, "incident.holding_statement_changed")
    assert changed["drafters_told"] == 1


def test_a_panel_answer_names_its_panel_again_for_the_swap(client, incident, comms):
    """The form's target may have been replaced by a live refresh while the fact was sent:
    the answer names the panel (HX-Retarget), so htmx swaps it into the page's current one."""
    client.force_login(comms)
    response = client.post(
        f"/incidents/{incident.pk}/do/fact/",
        {"text": "Card payments fail since 09:00.", "source": "Payments"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#panel-facts"
    assert 'id="panel-facts"' in response.content.decode()
