import pytest

from core.errors import Conflict, DomainError, PermissionDenied
from incidents import services
from incidents.models import BulkResponse, PlannedReply
from tests.factories import AuthorFactory, MentionFactory
from tests.incidents.conftest import events_named


@pytest.fixture
def no_reply_pipeline(monkeypatch):
    monkeypatch.setattr(services, "_reply_pipeline", lambda: None)


@pytest.fixture
def linked(incident, comms, billing):
    mentions = [
        MentionFactory(
            department=billing, author=AuthorFactory(display_name="Ann"), sentiment=-0.7
        ),
        MentionFactory(
            department=billing, author=AuthorFactory(display_name="", handle="bob"), sentiment=0.4
        ),
    ]
    for mention in mentions:
        services.incident_link_mention(actor=comms, incident_id=incident.pk, mention_id=mention.pk)
    services.incident_set_holding_statement(
        actor=comms,
        incident_id=incident.pk,
        text="Hi {customer_name}, we know about {incident_title}. {dm_link} ^{agent_initials}",
    )
    return mentions


def test_the_holding_statement_goes_to_every_linked_mention_exactly_once(
    incident, comms, linked, no_reply_pipeline, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.incident_bulk_respond(actor=comms, incident_id=incident.pk)
        again = services.incident_bulk_respond(actor=comms, incident_id=incident.pk)
    assert (first.queued, first.skipped) == (2, 0)
    assert (again.queued, again.skipped) == (0, 2)
    bodies = dict(PlannedReply.objects.values_list("mention_id", "body"))
    initials = comms.display_initials
    assert (
        bodies[linked[0].pk]
        == f"Hi Ann, we know about Card payments failing. {{dm_link}} ^{initials}"
    )
    assert bodies[linked[1].pk].startswith("Hi @bob,")
    keys = set(PlannedReply.objects.values_list("idempotency_key", flat=True))
    assert keys == {f"incident-holding:{incident.pk}:v1:mention:{m.pk}" for m in linked}
    assert [p["queued"] for p, _ in events_named(published, "incident.bulk_response_queued")] == [
        2,
        0,
    ]


def test_a_new_holding_version_may_go_out_again_and_a_filter_narrows_it(
    incident, comms, linked, no_reply_pipeline
):
    services.incident_bulk_respond(actor=comms, incident_id=incident.pk)
    services.incident_set_holding_statement(actor=comms, incident_id=incident.pk, text="Fixed.")
    bulk = services.incident_bulk_respond(
        actor=comms, incident_id=incident.pk, params={"sentiment": "negative"}
    )
    assert bulk.queued == 1 and bulk.planned.get().mention == linked[0]


def test_an_update_goes_out_only_once_approved(incident, comms, lead, linked, no_reply_pipeline):
    update = services.incident_draft_update(
        actor=lead, incident_id=incident.pk, body="Fixed, {customer_name}"
    )
    with pytest.raises(Conflict):
        services.incident_bulk_respond(actor=comms, incident_id=incident.pk, update_id=update.pk)
    services.incident_approve_update(actor=comms, incident_id=incident.pk, update_id=update.pk)
    bulk = services.incident_bulk_respond(actor=comms, incident_id=incident.pk, update_id=update.pk)
    assert bulk.queued == 2
    assert (
        PlannedReply.objects.filter(
            idempotency_key__startswith=f"incident-update:{update.pk}:"
        ).count()
        == 2
    )


def test_only_central_comms_approves_a_bulk_response(incident, lead, linked, no_reply_pipeline):
    with pytest.raises(PermissionDenied):
        services.incident_bulk_respond(actor=lead, incident_id=incident.pk)
    assert not BulkResponse.objects.exists() and not PlannedReply.objects.exists()


def test_without_a_holding_statement_there_is_nothing_to_send(incident, comms, no_reply_pipeline):
    with pytest.raises(DomainError) as exc:
        services.incident_bulk_respond(actor=comms, incident_id=incident.pk)
    assert exc.value.field == "holding_statement"


def test_planned_replies_are_handed_to_the_reply_pipeline_with_their_key(
    incident, comms, linked, monkeypatch
):
    calls = []

    class Reply:
        pk = 99

    def create(**kwargs):
        calls.append(kwargs)
        return Reply()

    monkeypatch.setattr(services, "_reply_pipeline", lambda: create)
    services.incident_bulk_respond(actor=comms, incident_id=incident.pk)
    assert sorted(c["mention_id"] for c in calls) == sorted(m.pk for m in linked)
    assert all(c["approver"] == comms for c in calls)
    assert all(c["origin_key"].startswith("incident-holding:") for c in calls)
    assert set(PlannedReply.objects.values_list("status", "reply_id")) == {("handed_over", 99)}


def test_with_the_real_reply_pipeline_each_mention_gets_one_queued_reply(
    incident, comms, linked, django_capture_on_commit_callbacks
):
    from replies.models import Reply

    with django_capture_on_commit_callbacks(execute=False):
        services.incident_bulk_respond(actor=comms, incident_id=incident.pk)
        services.incident_bulk_respond(actor=comms, incident_id=incident.pk)
    replies = Reply.objects.filter(mention__in=linked)
    assert replies.count() == 2
    assert {r.origin_key for r in replies} == set(
        PlannedReply.objects.values_list("idempotency_key", flat=True)
    )
    assert "Hi Ann" in replies.get(mention=linked[0]).text
