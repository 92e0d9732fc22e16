from decimal import Decimal

import pytest

from core.errors import NotFound
from hub import selectors, services
from tests.factories import AuthorFactory, MentionFactory


@pytest.fixture
def customer_mentions(billing, support):
    on_x = AuthorFactory(source="twitter", handle="Jamie_R")
    on_fb = AuthorFactory(source="facebook", handle="jamie_r")
    stranger = AuthorFactory(source="twitter", handle="someone")
    return (
        MentionFactory(department=billing, author=on_x, source="twitter"),
        MentionFactory(department=support, author=on_fb, source="facebook"),
        MentionFactory(department=billing, author=stranger),
    )


def test_the_ledger_spans_mentions_channels_and_departments(
    agent, other_agent, customer_mentions, voucher, role_limits
):
    here, elsewhere, stranger = customer_mentions
    services.compensation_offer_create(
        actor=agent, mention_id=here.pk, policy_id=voucher.pk, amount=30
    )
    services.compensation_offer_create(
        actor=other_agent, mention_id=elsewhere.pk, policy_id=voucher.pk, amount=40
    )
    services.compensation_offer_create(
        actor=agent, mention_id=here.pk, policy_id=voucher.pk, amount=100
    )  # proposed
    services.compensation_offer_create(
        actor=agent, mention_id=stranger.pk, policy_id=voucher.pk, amount=10
    )
    ledger = selectors.customer_ledger(user=agent, mention=here)
    assert ledger.count == 3
    assert ledger.total_given == Decimal("70") and ledger.total_pending == Decimal("100")
    # the support offer shows, but the billing agent cannot open that mention
    assert ledger.visible_mention_ids == {here.pk}


def test_a_declined_offer_is_listed_but_not_counted(agent, customer_mentions, voucher, role_limits):
    here = customer_mentions[0]
    offer = services.compensation_offer_create(
        actor=agent, mention_id=here.pk, policy_id=voucher.pk, amount=30
    ).offer
    services.compensation_offer_set_status(actor=agent, offer_id=offer.pk, status="declined")
    ledger = selectors.customer_ledger(user=agent, mention=here)
    assert ledger.count == 1 and ledger.total_given == 0


def test_the_ledger_of_a_mention_one_cannot_see_is_not_found(other_agent, customer_mentions):
    with pytest.raises(NotFound):
        selectors.customer_ledger(user=other_agent, mention=customer_mentions[0])


def test_spend_is_grouped_per_department_incident_and_author(
    agent, other_agent, comms, customer_mentions, voucher, role_limits
):
    here, elsewhere, _ = customer_mentions
    services.compensation_offer_create(
        actor=agent, mention_id=here.pk, policy_id=voucher.pk, amount=30, incident_id=7
    )
    services.compensation_offer_create(
        actor=agent, mention_id=here.pk, policy_id=voucher.pk, amount=20
    )
    services.compensation_offer_create(
        actor=other_agent, mention_id=elsewhere.pk, policy_id=voucher.pk, amount=40, incident_id=7
    )
    by_department = {
        r["department__name"]: r["total"] for r in selectors.compensation_spend(user=comms)
    }
    assert by_department == {"Billing": Decimal("50"), "Support": Decimal("40")}
    by_incident = {
        r["incident_id"]: r["total"]
        for r in selectors.compensation_spend(user=comms, by="incident")
    }
    assert by_incident == {7: Decimal("70"), None: Decimal("20")}
    # department staff see only their own departments' spend
    assert [r["department__name"] for r in selectors.compensation_spend(user=agent)] == ["Billing"]
    assert len(selectors.compensation_spend(user=comms, by="author")) == 2
