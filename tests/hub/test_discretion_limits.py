from decimal import Decimal

import pytest

from accounts.models import AuditEvent
from core.errors import DomainError, PermissionDenied
from hub import selectors, services
from hub.models import DiscretionLimit
from spokes.services import membership_set


@pytest.mark.parametrize(
    ("who", "limit"),
    [("agent", 50), ("lead", 250), ("comms", 2000), ("admin_user", 2000), ("outsider", 0)],
)
def test_each_role_has_its_limit(request, who, limit, role_limits, billing, voucher):
    user = request.getfixturevalue(who)
    assert selectors.discretion_limit(user=user, department=billing, policy=voucher) == Decimal(
        limit
    )


def test_a_member_of_another_department_has_no_limit_here(role_limits, other_agent, billing):
    assert selectors.discretion_limit(user=other_agent, department=billing) == 0


def test_the_most_specific_limit_wins(role_limits, agent, billing, support, voucher, free_days):
    DiscretionLimit.objects.create(role="agent", policy=voucher, amount=75)
    assert selectors.discretion_limit(user=agent, department=billing, policy=voucher) == 75
    assert selectors.discretion_limit(user=agent, department=billing, policy=free_days) == 50
    DiscretionLimit.objects.create(role="agent", department=billing, amount=100)
    assert selectors.discretion_limit(user=agent, department=billing, policy=free_days) == 100
    assert selectors.discretion_limit(user=agent, department=billing, policy=voucher) == 100
    DiscretionLimit.objects.create(role="agent", department=billing, policy=voucher, amount=150)
    assert selectors.discretion_limit(user=agent, department=billing, policy=voucher) == 150
    membership_set(actor=None, user=agent, department=support, role="agent")
    assert selectors.discretion_limit(user=agent, department=support, policy=voucher) == 75


def test_without_any_rule_everything_needs_approval(agent, billing):
    assert selectors.discretion_limit(user=agent, department=billing) == 0


def test_comms_sets_a_department_override_once_and_can_change_it(
    comms, billing, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.discretion_limit_set(actor=comms, role="agent", amount="120", department=billing)
        services.discretion_limit_set(actor=comms, role="agent", amount="130.5", department=billing)
    limit = DiscretionLimit.objects.get()
    assert limit.amount == Decimal("130.50")
    assert AuditEvent.objects.filter(action="compensation.limit_set").count() == 2
    assert published[-1][0] == "compensation.limit_changed"
    assert published[-1][2] == ["hub", f"dept.{billing.pk}"]


def test_general_limits_stay_unique(comms):
    services.discretion_limit_set(actor=comms, role="lead", amount=200)
    services.discretion_limit_set(actor=comms, role="lead", amount=300)
    assert DiscretionLimit.objects.get().amount == 300


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("role", {"role": "boss", "amount": 1}),
        ("amount", {"role": "agent", "amount": "-5"}),
        ("amount", {"role": "agent", "amount": "lots"}),
    ],
)
def test_bad_limits_name_the_field(comms, field, kwargs):
    with pytest.raises(DomainError) as error:
        services.discretion_limit_set(actor=comms, **kwargs)
    assert error.value.field == field
    assert not DiscretionLimit.objects.exists()


def test_leads_cannot_raise_their_own_limit(lead, role_limits):
    with pytest.raises(PermissionDenied):
        services.discretion_limit_set(actor=lead, role="lead", amount=10_000)
    assert DiscretionLimit.objects.get(role="lead").amount == 250


def test_policies_keep_their_tiers_and_validate_ranges(comms):
    policy = services.compensation_policy_save(
        actor=comms, name="Refund", kind="refund", tiers={"minor": ("0", "30"), "major": (150, 600)}
    )
    assert {t.severity: (t.min_amount, t.max_amount) for t in policy.tiers.all()} == {
        "minor": (0, 30),
        "major": (150, 600),
    }
    with pytest.raises(DomainError) as error:
        services.compensation_policy_save(
            actor=comms,
            policy_id=policy.pk,
            name="Refund",
            kind="refund",
            tiers={"crisis": (900, 100)},
        )
    assert error.value.field == "tier_crisis"
    assert policy.tiers.count() == 2
    with pytest.raises(DomainError) as error:
        services.compensation_policy_save(actor=comms, name="refund", kind="refund")
    assert error.value.field == "name"
