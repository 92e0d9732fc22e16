from decimal import Decimal

import pytest

from hub.models import CompensationPolicy, DepartmentPolicy, DiscretionLimit
from hub.services.guidelines import guideline_approve, guideline_create
from replies import services


@pytest.fixture
def voucher(db):
    policy = CompensationPolicy.objects.create(name="Voucher", kind="voucher", unit="money")
    DiscretionLimit.objects.create(role="agent", amount=Decimal("50"))
    DiscretionLimit.objects.create(role="lead", amount=Decimal("250"))
    DiscretionLimit.objects.create(role="comms", amount=Decimal("2000"))
    return policy


@pytest.fixture
def policy(billing):
    return DepartmentPolicy.objects.create(department=billing)


@pytest.fixture
def template_version(comms, billing):
    guideline = guideline_create(
        actor=comms,
        title="Billing apology",
        kind="template",
        body="Hi {customer_name}, sorry about the double charge. We have refunded it.",
    )
    return guideline_approve(actor=comms, guideline_id=guideline.pk)


@pytest.fixture
def pending(agent, mention, policy):
    """A reply waiting for central comms' approval (the policy asks approval for all)."""
    policy.require_approval_all = True
    policy.save()
    reply = services.reply_draft(actor=agent, mention_id=mention.pk, text="We will refund you.")
    return services.reply_submit(actor=agent, reply_id=reply.pk)
