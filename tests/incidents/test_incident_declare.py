import pytest

from accounts.models import AuditEvent
from core.errors import DomainError, PermissionDenied
from incidents import services
from incidents.models import Incident, IncidentMember
from tests.incidents.conftest import events_named


def test_central_comms_declares_an_incident_and_leads_it(
    comms, billing, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        incident = services.incident_declare(
            actor=comms, title="  Outage ", departments=[billing], keywords="Outage, AMS,outage"
        )
    incident.refresh_from_db()
    assert incident.title == "Outage" and incident.status == "investigating"
    assert incident.keywords == ["outage", "ams"]
    assert list(incident.departments.all()) == [billing]
    assert IncidentMember.objects.get(incident=incident).user == comms
    assert AuditEvent.objects.filter(
        action="incident.declared", target_id=str(incident.pk)
    ).exists()
    [(payload, groups)] = events_named(published, "incident.declared")
    assert payload["id"] == incident.pk and payload["panels"] == ["header"]
    assert set(groups) == {f"incident.{incident.pk}", "hub", f"dept.{billing.pk}"}


def test_a_lead_of_an_involved_department_may_declare(lead, billing, support):
    incident = services.incident_declare(
        actor=lead, title="Refund run failed", departments=[billing, support]
    )
    assert incident.declared_by == lead


@pytest.mark.parametrize("who", ["agent", "other_lead", "outsider"])
def test_others_cannot_declare_and_nothing_is_written(
    who, request, billing, published, django_capture_on_commit_callbacks
):
    actor = request.getfixturevalue(who)
    # a lead of another department is told to include theirs; the others may not declare
    refused = DomainError if who == "other_lead" else PermissionDenied
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(refused) as excinfo:
        services.incident_declare(actor=actor, title="Nope", departments=[billing])
    assert who != "other_lead" or excinfo.value.field == "departments"
    assert not Incident.objects.exists()
    assert not AuditEvent.objects.filter(action="incident.declared").exists()
    assert published == []


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"title": ""}, "title"), ({"title": "x", "severity": "apocalyptic"}, "severity")],
)
def test_bad_input_names_the_field(comms, kwargs, field):
    with pytest.raises(DomainError) as exc:
        services.incident_declare(actor=comms, **kwargs)
    assert exc.value.field == field
    assert not Incident.objects.exists()
