import pytest

from core.errors import Conflict
from spokes import services
from spokes.models import Activity, Mention, Status
from tests.factories import MentionFactory


def _status(mention_id):
    return Mention.objects.get(pk=mention_id).status


def test_assigning_a_new_mention_makes_it_assigned(agent, mention):
    services.mention_assign(actor=agent, mention_id=mention.pk, assignee=agent)
    mention.refresh_from_db()
    assert mention.status == Status.ASSIGNED
    assert mention.assignee == agent


@pytest.mark.parametrize(
    ("start", "action", "end"),
    [
        (Status.NEW, "watch", Status.WATCHING),
        (Status.NEW, "resolve", Status.RESOLVED),
        (Status.NEW, "spam", Status.SPAM),
        (Status.NEW, "take_offline", Status.TAKEN_OFFLINE),
        (Status.ASSIGNED, "resolve", Status.RESOLVED),
        (Status.WATCHING, "resolve", Status.RESOLVED),
        (Status.REPLIED, "resolve", Status.RESOLVED),
        (Status.REPLIED, "take_offline", Status.TAKEN_OFFLINE),
        (Status.TAKEN_OFFLINE, "resolve", Status.RESOLVED),
        (Status.TRANSFERRED, "watch", Status.WATCHING),
        (Status.RESOLVED, "reopen", Status.NEW),
        (Status.SPAM, "reopen", Status.NEW),
    ],
)
def test_allowed_transitions(agent, billing, start, action, end):
    mention = MentionFactory(department=billing, status=start)
    services.mention_change_status(actor=agent, mention_id=mention.pk, action=action)
    assert _status(mention.pk) == end
    assert Activity.objects.filter(mention=mention, verb="status_changed").count() == 1


@pytest.mark.parametrize(
    ("start", "action"),
    [
        (Status.RESOLVED, "resolve"),
        (Status.RESOLVED, "watch"),
        (Status.SPAM, "resolve"),
        (Status.NEW, "reopen"),
        (Status.ASSIGNED, "reopen"),
        (Status.AWAITING_APPROVAL, "resolve"),
        (Status.AWAITING_APPROVAL, "spam"),
        (Status.REPLIED, "watch"),
    ],
)
def test_illegal_transitions_are_refused_and_change_nothing(agent, billing, start, action):
    mention = MentionFactory(department=billing, status=start)
    with pytest.raises(Conflict) as excinfo:
        services.mention_change_status(actor=agent, mention_id=mention.pk, action=action)
    assert "Cannot" in excinfo.value.message
    assert _status(mention.pk) == start
    assert not Activity.objects.filter(mention=mention).exists()


def test_reopen_goes_back_to_assigned_when_someone_owns_it(agent, billing):
    mention = MentionFactory(department=billing, status=Status.RESOLVED, assignee=agent)
    services.mention_change_status(actor=agent, mention_id=mention.pk, action="reopen")
    mention.refresh_from_db()
    assert mention.status == Status.ASSIGNED
    assert mention.resolved_at is None


def test_resolving_records_the_time(agent, mention):
    services.mention_change_status(actor=agent, mention_id=mention.pk, action="resolve")
    mention.refresh_from_db()
    assert mention.resolved_at is not None


def test_unknown_action_names_the_field(agent, mention):
    from core.errors import DomainError

    with pytest.raises(DomainError) as excinfo:
        services.mention_change_status(actor=agent, mention_id=mention.pk, action="explode")
    assert excinfo.value.field == "action"
