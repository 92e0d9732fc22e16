from datetime import timedelta
from decimal import Decimal

import pytest
from django.http import QueryDict
from django.utils import timezone

from accounts.audit import audit
from insights import metrics
from insights.periods import period_from
from insights.selectors import scope_get


def context(user, department=""):
    return metrics.Context(
        scope=scope_get(user=user, department_slug=department),
        period=period_from(QueryDict("days=7")),
        now=timezone.now(),
    )


@pytest.fixture
def offers(dataset, billing, support, agent, other_agent, comms):
    from hub.models import CompensationOffer, CompensationPolicy
    from incidents.models import Incident

    voucher = CompensationPolicy.objects.create(name="Voucher", kind="voucher")
    refund = CompensationPolicy.objects.create(name="Refund", kind="refund")
    incident = Incident.objects.create(title="Double charges", declared_by=comms)

    def offer(mention, policy, value, status="offered", limit="50", by=agent, incident_id=None):
        return CompensationOffer.objects.create(
            mention=mention, author=mention.author, department=mention.department,
            policy=policy, amount=Decimal(value), unit="money", value=Decimal(value),
            status=status, limit_at_offer=Decimal(limit), offered_by=by,
            needs_approval=Decimal(value) > Decimal(limit), incident_id=incident_id,
        )  # fmt: skip

    offer(dataset[0], voucher, "20")
    offer(dataset[1], voucher, "30", status="fulfilled", incident_id=incident.pk)
    offer(dataset[2], refund, "120", incident_id=incident.pk)  # above the 50 limit
    offer(dataset[3], refund, "500", status="proposed")  # awaiting approval: not spend
    offer(dataset[4], refund, "15", status="declined")  # not spend
    offer(dataset[7], voucher, "99", by=other_agent)  # support
    return incident


@pytest.mark.django_db
def test_spend_by_type_counts_only_offers_made(offers, lead):
    tables = {t.key: t for t in metrics.compensation(context(lead, "billing"))}

    by_kind = {r[0]: r for r in tables["spend_kind"].rows}
    # offers, spend, above limit, approved, awaiting, awaiting value
    assert by_kind["Voucher"][1:] == [2, 50.0, 0, 0, 0, 0.0]
    assert by_kind["Refund"][1:] == [1, 120.0, 1, 1, 1, 500.0]


@pytest.mark.django_db
def test_spend_by_department_and_incident(offers, comms):
    tables = {t.key: t for t in metrics.compensation(context(comms))}

    by_department = {r[0]: r[2] for r in tables["spend_department"].rows}
    assert by_department == {"Billing": 170.0, "Support": 99.0}
    assert tables["spend_incident"].rows[0][:3] == ["Double charges", 2, 150.0]


@pytest.mark.django_db
def test_agent_view_counts_replies_first_responses_and_approvals(dataset, agent, lead, comms):
    from replies.models import Reply

    first = dataset[0]
    Reply.objects.create(
        mention=first, author=agent, text="Sorted", state="sent",
        sent_at=first.first_response_at, submitted_at=first.received_at,
    )  # fmt: skip
    second = dataset[1]
    Reply.objects.create(
        mention=second, author=agent, text="Sorted too", state="sent",
        sent_at=second.first_response_at, submitted_at=second.received_at,
        approval_reasons=["over_limit"],
    )  # fmt: skip
    asked = Reply.objects.create(
        mention=dataset[5], author=agent, text="Hm", state="changes_requested",
        submitted_at=timezone.now(), approval_reasons=["deviates"],
    )  # fmt: skip
    audit(actor=comms, action="reply.changes_requested", target=asked)
    Reply.objects.create(
        mention=dataset[2],
        author=lead,
        text="Later",
        state="sent",
        sent_at=dataset[2].first_response_at + timedelta(minutes=1),
    )  # a later reply, not the first response

    table = metrics.agents(context(lead, "billing"))[0]

    rows = {r[0]: r[1:] for r in table.rows}
    # sent, first responses, median first response (min), approvals requested, changes asked
    assert rows["Ava Agent"] == [2, 2, 15.0, 2, 1]
    assert rows["Leo Lead"] == [1, 0, None, 0, 0]
