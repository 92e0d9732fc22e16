import pytest

from core.errors import DomainError, NotFound, PermissionDenied
from spokes import selectors, services
from spokes.models import Mention, Status


def test_lead_transfers_and_the_queues_switch_at_once(
    billing,
    lead,
    agent,
    other_agent,
    support,
    mention,
    published,
    django_capture_on_commit_callbacks,
):
    services.mention_assign(actor=agent, mention_id=mention.pk, assignee=agent)
    assert selectors.mentions_visible(other_agent).filter(pk=mention.pk).count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        services.mention_transfer(
            actor=lead, mention_id=mention.pk, to_department=support, reason="Baggage, not billing"
        )
    mention.refresh_from_db()
    assert (mention.department, mention.status, mention.assignee) == (
        support,
        Status.TRANSFERRED,
        None,
    )
    assert selectors.mentions_visible(other_agent).filter(pk=mention.pk).exists()
    assert not selectors.mentions_visible(agent).filter(pk=mention.pk).exists()
    with pytest.raises(NotFound):
        selectors.mention_get(user=agent, mention_id=mention.pk)
    event, payload, groups = published[-1]
    assert event == "mention.transferred"
    assert f"dept.{support.pk}" in groups and f"dept.{billing.pk}" in groups


def test_a_member_of_both_departments_still_sees_it(lead, support, mention):
    services.membership_set(actor=None, user=lead, department=support, role="agent")
    services.mention_transfer(actor=lead, mention_id=mention.pk, to_department=support, reason="x")
    assert selectors.mentions_visible(lead).filter(pk=mention.pk).exists()


def test_agents_cannot_transfer(agent, support, mention):
    with pytest.raises(PermissionDenied):
        services.mention_transfer(
            actor=agent, mention_id=mention.pk, to_department=support, reason="x"
        )
    assert Mention.objects.get(pk=mention.pk).department.slug == "billing"


def test_a_transfer_needs_a_reason(lead, support, mention):
    with pytest.raises(DomainError) as excinfo:
        services.mention_transfer(
            actor=lead, mention_id=mention.pk, to_department=support, reason=" "
        )
    assert excinfo.value.field == "reason"


def test_the_receiving_lead_can_work_it_after_transfer(lead, other_lead, support, mention):
    services.mention_transfer(actor=lead, mention_id=mention.pk, to_department=support, reason="x")
    services.mention_assign(actor=other_lead, mention_id=mention.pk, assignee=other_lead)
    assert Mention.objects.get(pk=mention.pk).status == Status.ASSIGNED
