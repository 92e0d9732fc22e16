import pytest

from core.errors import Conflict, DomainError, PermissionDenied
from incidents import services
from incidents.models import IncidentStatus
from tests.factories import MentionFactory
from tests.incidents.conftest import events_named


def test_status_moves_through_explicit_transitions(
    incident, lead, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.incident_change_status(actor=lead, incident_id=incident.pk, action="identify")
        services.incident_change_status(actor=lead, incident_id=incident.pk, action="monitor")
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.MONITORING
    moves = [(p["from"], p["to"]) for p, _ in events_named(published, "incident.status_changed")]
    assert moves == [("investigating", "identified"), ("identified", "monitoring")]


def test_an_impossible_transition_is_a_conflict(incident, comms):
    services.incident_change_status(actor=comms, incident_id=incident.pk, action="monitor")
    with pytest.raises(Conflict):
        services.incident_change_status(actor=comms, incident_id=incident.pk, action="identify")


def test_an_unknown_action_names_the_field(incident, comms):
    with pytest.raises(DomainError) as exc:
        services.incident_change_status(actor=comms, incident_id=incident.pk, action="panic")
    assert exc.value.field == "action"


def test_an_agent_cannot_change_the_status(incident, agent):
    with pytest.raises(PermissionDenied):
        services.incident_change_status(actor=agent, incident_id=incident.pk, action="identify")
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.INVESTIGATING


def test_resolving_writes_the_post_incident_summary(incident, comms, billing):
    first = MentionFactory(department=billing, sentiment=-0.6, reach=1000)
    second = MentionFactory(department=billing, sentiment=0.3, reach=50, author=first.author)
    for mention in (first, second):
        services.incident_link_mention(actor=comms, incident_id=incident.pk, mention_id=mention.pk)
    services.incident_add_fact(actor=comms, incident_id=incident.pk, text="Root cause found")
    services.incident_change_status(actor=comms, incident_id=incident.pk, action="identify")
    services.incident_resolve(actor=comms, incident_id=incident.pk, note="Back to normal")
    incident.refresh_from_db()
    summary = incident.post_incident_summary
    assert incident.status == "resolved" and incident.resolved_at
    assert summary["linked_mentions"] == 2 and summary["unique_authors"] == 1
    assert summary["reach"] == 1050 and summary["negative"] == 1
    assert summary["note"] == "Back to normal"
    assert summary["compensation"] == {"count": 0, "total_eur": "0"}
    kinds = [row["kind"] for row in summary["timeline"]]
    assert kinds[0] == "declared" and "fact" in kinds and kinds[-1] == "status"
    with pytest.raises(Conflict):
        services.incident_add_member(actor=comms, incident_id=incident.pk, user=comms, role="x")
