from decimal import Decimal

import pytest

from hub.models import CompensationPolicy, DepartmentPolicy, DiscretionLimit
from hub.services.guidelines import guideline_approve, guideline_create


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
