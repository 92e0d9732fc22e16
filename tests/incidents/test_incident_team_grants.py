import pytest

from accounts.models import AuditEvent
from core.errors import NotFound, PermissionDenied
from incidents import services
from incidents.models import IncidentGrant, IncidentMember
from spokes.selectors import mention_get
from tests.incidents.conftest import events_named


@pytest.fixture
def linked(incident, comms, mention):
    services.incident_link_mention(actor=comms, incident_id=incident.pk, mention_id=mention.pk)
    return mention


def test_a_team_member_from_another_department_may_open_linked_mentions(
    incident, comms, other_agent, linked, published, django_capture_on_commit_callbacks
):
    with pytest.raises(NotFound):
        mention_get(user=other_agent, mention_id=linked.pk)
    with django_capture_on_commit_callbacks(execute=True):
        member = services.incident_add_member(
            actor=comms,
            incident_id=incident.pk,
            user=other_agent,
            role="Liaison",
            phone="+3120",
            on_call=True,
        )
    assert member.on_call and member.phone == "+3120"
    assert mention_get(user=other_agent, mention_id=linked.pk) == linked
    [(payload, _)] = events_named(published, "incident.member_added")
    assert payload["granted"] == 1 and payload["panels"] == ["team"]
    assert events_named(published, "notification.created")  # they are told


def test_mentions_linked_later_are_shared_with_the_team_too(incident, comms, other_agent, billing):
    from tests.factories import MentionFactory

    services.incident_add_member(actor=comms, incident_id=incident.pk, user=other_agent, role="Ops")
    later = MentionFactory(department=billing)
    services.incident_link_mention(actor=comms, incident_id=incident.pk, mention_id=later.pk)
    assert mention_get(user=other_agent, mention_id=later.pk) == later


def test_leaving_the_team_withdraws_the_grant(incident, comms, other_agent, linked):
    services.incident_add_member(actor=comms, incident_id=incident.pk, user=other_agent, role="Ops")
    services.incident_remove_member(actor=comms, incident_id=incident.pk, user=other_agent)
    assert not IncidentMember.objects.filter(user=other_agent).exists()
    with pytest.raises(NotFound):
        mention_get(user=other_agent, mention_id=linked.pk)
    assert AuditEvent.objects.filter(action="incident.member_removed").exists()


def test_resolving_withdraws_every_grant(incident, comms, other_agent, linked):
    services.incident_add_member(actor=comms, incident_id=incident.pk, user=other_agent, role="Ops")
    services.incident_resolve(actor=comms, incident_id=incident.pk)
    assert not IncidentGrant.objects.exists()
    with pytest.raises(NotFound):
        mention_get(user=other_agent, mention_id=linked.pk)


def test_a_grant_another_open_incident_needs_survives(
    incident, comms, other_agent, linked, billing
):
    second = services.incident_declare(actor=comms, title="Second", departments=[billing])
    services.incident_link_mention(actor=comms, incident_id=second.pk, mention_id=linked.pk)
    for each in (incident, second):
        services.incident_add_member(actor=comms, incident_id=each.pk, user=other_agent, role="Ops")
    services.incident_resolve(actor=comms, incident_id=incident.pk)
    assert mention_get(user=other_agent, mention_id=linked.pk) == linked


def test_a_share_made_outside_incidents_is_left_alone(incident, comms, other_agent, linked):
    from guardian.shortcuts import assign_perm

    assign_perm("spokes.view_mention", other_agent, linked)
    services.incident_add_member(actor=comms, incident_id=incident.pk, user=other_agent, role="Ops")
    services.incident_remove_member(actor=comms, incident_id=incident.pk, user=other_agent)
    assert mention_get(user=other_agent, mention_id=linked.pk) == linked


def test_only_managers_change_the_team(incident, agent, other_agent):
    with pytest.raises(PermissionDenied):
        services.incident_add_member(
            actor=agent, incident_id=incident.pk, user=other_agent, role="x"
        )
    assert not IncidentMember.objects.filter(user=other_agent).exists()


def test_mentions_an_escalation_rule_links_are_shared_with_the_team(
    incident, comms, other_agent, billing
):
    """A rule's "link to incident" is a link like any other: the team from another
    department can open the mention."""
    from hub.models import EscalationRule
    from spokes.triage_service import triage_batch
    from tests.factories import MentionFactory

    services.incident_add_member(actor=comms, incident_id=incident.pk, user=other_agent, role="Ops")
    EscalationRule.objects.create(
        name="Card trouble joins the incident",
        is_active=True,
        keywords=["card declined"],
        link_to_incident=True,
    )
    mention = MentionFactory(department=billing, text="My card declined three times today")
    with pytest.raises(NotFound):
        mention_get(user=other_agent, mention_id=mention.pk)
    triage_batch([mention.pk])
    assert mention.incident_links.filter(incident=incident).exists()
    assert mention_get(user=other_agent, mention_id=mention.pk) == mention
