from decimal import Decimal

import pytest

from hub import services
from hub.models import CompensationPolicy, CompensationUnit, DiscretionLimit


@pytest.fixture
def approved(comms):
    """Create and approve a guideline as central comms; returns the guideline."""

    def make(
        title="Problem: general", body="Hi {customer_name}, sorry! ^{agent_initials}", **attrs
    ):
        attrs.setdefault("kind", "template")
        guideline = services.guideline_create(actor=comms, title=title, body=body, **attrs)
        services.guideline_approve(actor=comms, guideline_id=guideline.pk)
        guideline.refresh_from_db()
        return guideline

    return make


@pytest.fixture
def voucher(db):
    return CompensationPolicy.objects.create(name="Travel voucher", kind="voucher")


@pytest.fixture
def free_days(db):
    return CompensationPolicy.objects.create(
        name="Free days", kind="free_day", unit=CompensationUnit.DAY, unit_value=Decimal("2.50")
    )


@pytest.fixture
def role_limits(db):
    for role, amount in {"agent": 50, "lead": 250, "comms": 2000}.items():
        DiscretionLimit.objects.create(role=role, amount=amount)
