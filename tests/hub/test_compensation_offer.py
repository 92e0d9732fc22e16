from decimal import Decimal

import pytest

from accounts.models import AuditEvent
from core.errors import Conflict, DomainError, NotFound, PermissionDenied
from hub import services
from hub.models import CompensationOffer, CompensationTier, OfferStatus
from spokes.models import Activity


def test_an_offer_within_the_limit_is_offered_at_once(
    agent, mention, voucher, role_limits, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        decision = services.compensation_offer_create(
            actor=agent, mention_id=mention.pk, policy_id=voucher.pk, amount="50"
        )
    offer = decision.offer
    assert not decision.needs_approval and decision.limit == 50
    assert offer.status == OfferStatus.OFFERED
    assert (offer.author_id, offer.department_id, offer.value) == (
        mention.author_id,
        mention.department_id,
        Decimal("50"),
    )
    assert Activity.objects.filter(mention=mention, verb="compensation_offered").exists()
    assert AuditEvent.objects.get(action="compensation.offered").data["needs_approval"] is False
    event, payload, groups = published[-1]
    assert event == "mention.compensation_offered" and payload["offer_id"] == offer.pk
    assert "hub" not in groups


def test_an_offer_over_the_limit_waits_for_approval_and_tells_the_hub(
    agent, mention, voucher, role_limits, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        decision = services.compensation_offer_create(
            actor=agent, mention_id=mention.pk, policy_id=voucher.pk, amount="50.01"
        )
    assert decision.needs_approval
    assert decision.offer.status == OfferStatus.PROPOSED
    assert decision.offer.limit_at_offer == 50
    assert "hub" in published[-1][2]


@pytest.mark.parametrize(
    ("who", "amount", "needs"),
    [("lead", 250, False), ("lead", 251, True), ("comms", 2000, False), ("comms", 2001, True)],
)
def test_the_decision_follows_the_role(request, who, amount, needs, mention, voucher, role_limits):
    actor = request.getfixturevalue(who)
    decision = services.compensation_offer_create(
        actor=actor, mention_id=mention.pk, policy_id=voucher.pk, amount=amount
    )
    assert decision.needs_approval is needs


def test_non_money_units_count_at_their_value(agent, mention, free_days, role_limits):
    decision = services.compensation_offer_create(
        actor=agent, mention_id=mention.pk, policy_id=free_days.pk, amount=21
    )
    assert decision.offer.value == Decimal("52.50") and decision.needs_approval


def test_a_unit_without_a_set_value_needs_the_value_stated(comms, agent, mention, role_limits):
    replacement = services.compensation_policy_save(
        actor=comms, name="Replacement", kind="replacement", unit="item"
    )
    with pytest.raises(DomainError) as error:
        services.compensation_offer_create(
            actor=agent, mention_id=mention.pk, policy_id=replacement.pk, amount=1
        )
    assert error.value.field == "value"
    decision = services.compensation_offer_create(
        actor=agent, mention_id=mention.pk, policy_id=replacement.pk, amount=1, value="39.90"
    )
    assert decision.offer.value == Decimal("39.90") and not decision.needs_approval


def test_the_suggested_tier_range_is_reported(agent, mention, voucher, role_limits):
    CompensationTier.objects.create(policy=voucher, severity="minor", min_amount=10, max_amount=25)
    inside = services.compensation_offer_create(
        actor=agent, mention_id=mention.pk, policy_id=voucher.pk, amount=20, severity="minor"
    )
    outside = services.compensation_offer_create(
        actor=agent, mention_id=mention.pk, policy_id=voucher.pk, amount=40, severity="minor"
    )
    assert inside.suggested_range == (10, 25) and not inside.outside_range
    assert outside.outside_range and not outside.needs_approval


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("amount", {"amount": "0"}),
        ("amount", {"amount": "x"}),
        ("severity", {"amount": 5, "severity": "huge"}),
        ("policy", {"amount": 5, "policy_id": 999999}),
    ],
)
def test_bad_offers_name_the_field(agent, mention, voucher, field, kwargs):
    kwargs.setdefault("policy_id", voucher.pk)
    with pytest.raises(DomainError) as error:
        services.compensation_offer_create(actor=agent, mention_id=mention.pk, **kwargs)
    assert error.value.field == field
    assert not CompensationOffer.objects.exists()


def test_another_departments_mention_is_not_found(other_agent, mention, voucher, published):
    with pytest.raises(NotFound):
        services.compensation_offer_create(
            actor=other_agent, mention_id=mention.pk, policy_id=voucher.pk, amount=5
        )
    assert not CompensationOffer.objects.exists() and published == []


def test_a_lead_whose_limit_covers_it_approves_a_colleagues_offer(
    agent, lead, mention, voucher, role_limits
):
    offer = services.compensation_offer_create(
        actor=agent, mention_id=mention.pk, policy_id=voucher.pk, amount=200
    ).offer
    approved = services.compensation_offer_approve(actor=lead, offer_id=offer.pk)
    assert approved.status == OfferStatus.OFFERED and approved.approved_by == lead
    assert AuditEvent.objects.filter(action="compensation.approved").exists()


def test_nobody_approves_their_own_offer_nor_above_their_limit(
    agent, lead, comms, mention, voucher, role_limits
):
    big = services.compensation_offer_create(
        actor=lead, mention_id=mention.pk, policy_id=voucher.pk, amount=300
    ).offer
    with pytest.raises(PermissionDenied):
        services.compensation_offer_approve(actor=lead, offer_id=big.pk)
    other = services.compensation_offer_create(
        actor=agent, mention_id=mention.pk, policy_id=voucher.pk, amount=300
    ).offer
    with pytest.raises(PermissionDenied):
        services.compensation_offer_approve(actor=lead, offer_id=other.pk)
    with pytest.raises(PermissionDenied):
        services.compensation_offer_approve(actor=agent, offer_id=big.pk)
    assert CompensationOffer.objects.filter(status=OfferStatus.PROPOSED).count() == 2
    services.compensation_offer_approve(actor=comms, offer_id=big.pk)


def test_offer_status_follows_the_customer(agent, mention, voucher, role_limits):
    offer = services.compensation_offer_create(
        actor=agent, mention_id=mention.pk, policy_id=voucher.pk, amount=20
    ).offer
    services.compensation_offer_set_status(actor=agent, offer_id=offer.pk, status="accepted")
    services.compensation_offer_set_status(actor=agent, offer_id=offer.pk, status="fulfilled")
    with pytest.raises(Conflict):
        services.compensation_offer_set_status(actor=agent, offer_id=offer.pk, status="declined")
    offer.refresh_from_db()
    assert offer.status == OfferStatus.FULFILLED
    assert [a.verb for a in Activity.objects.filter(mention=mention)][-2:] == [
        "compensation_changed"
    ] * 2


def test_a_proposed_offer_cannot_be_accepted_before_approval(agent, mention, voucher, role_limits):
    offer = services.compensation_offer_create(
        actor=agent, mention_id=mention.pk, policy_id=voucher.pk, amount=500
    ).offer
    with pytest.raises(Conflict):
        services.compensation_offer_set_status(actor=agent, offer_id=offer.pk, status="accepted")
