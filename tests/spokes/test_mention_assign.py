import pytest

from core.errors import DomainError, NotFound, PermissionDenied
from spokes import services
from spokes.models import Activity, Mention, Status


def test_agent_takes_an_unowned_mention_and_it_is_audited_and_published(
    agent, mention, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.mention_assign(actor=agent, mention_id=mention.pk, assignee=agent)
    activity = Activity.objects.get(mention=mention)
    assert (activity.actor, activity.verb, activity.data["to"]) == (agent, "assigned", agent.pk)
    [(event, payload, groups)] = published
    assert event == "mention.assigned"
    assert payload == {
        "id": mention.pk,
        "department_id": mention.department_id,
        "status": "assigned",
        "assignee_id": agent.pk,
        "priority": 2,
    }
    assert f"dept.{mention.department_id}" in groups and f"mention.{mention.pk}" in groups


def test_agent_cannot_take_a_mention_owned_by_someone_else(agent, lead, mention, published):
    services.mention_assign(actor=lead, mention_id=mention.pk, assignee=lead)
    with pytest.raises(PermissionDenied):
        services.mention_assign(actor=agent, mention_id=mention.pk, assignee=agent)
    assert Mention.objects.get(pk=mention.pk).assignee == lead


def test_lead_assigns_a_member(agent, lead, mention):
    services.mention_assign(actor=lead, mention_id=mention.pk, assignee=agent)
    assert Mention.objects.get(pk=mention.pk).assignee == agent


def test_lead_cannot_assign_someone_outside_the_department(lead, other_agent, mention):
    with pytest.raises(DomainError) as excinfo:
        services.mention_assign(actor=lead, mention_id=mention.pk, assignee=other_agent)
    assert excinfo.value.field == "assignee"
    assert Mention.objects.get(pk=mention.pk).status == Status.NEW


def test_another_departments_mention_is_not_found(
    other_agent, mention, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(NotFound):
        services.mention_assign(actor=other_agent, mention_id=mention.pk, assignee=other_agent)
    assert Mention.objects.get(pk=mention.pk).assignee is None
    assert published == []
    assert not Activity.objects.filter(mention=mention).exists()


def test_central_comms_sees_but_cannot_work_a_queue(comms, mention):
    with pytest.raises(PermissionDenied):
        services.mention_assign(actor=comms, mention_id=mention.pk, assignee=comms)


def test_an_unassigned_mention_is_new_again_and_the_queue_is_told(
    agent, lead, mention, published, django_capture_on_commit_callbacks
):
    services.mention_assign(actor=lead, mention_id=mention.pk, assignee=agent)
    with django_capture_on_commit_callbacks(execute=True):
        services.mention_assign(actor=lead, mention_id=mention.pk, assignee=None)
    mention.refresh_from_db()
    assert (mention.assignee, mention.status) == (None, Status.NEW)
    [(event, payload, _)] = [p for p in published if p[1].get("assignee_id", 0) is None]
    assert (event, payload["status"]) == ("mention.assigned", "new")


def test_unassigning_a_watched_mention_keeps_it_watched(agent, lead, mention):
    services.mention_assign(actor=lead, mention_id=mention.pk, assignee=agent)
    services.mention_change_status(actor=agent, mention_id=mention.pk, action="watch")
    services.mention_assign(actor=lead, mention_id=mention.pk, assignee=None)
    mention.refresh_from_db()
    assert (mention.assignee, mention.status) == (None, Status.WATCHING)
