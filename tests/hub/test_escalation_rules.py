from datetime import UTC, datetime, timedelta

import pytest

from accounts.models import AuditEvent
from core.errors import DomainError, PermissionDenied
from hub import escalation, selectors, services
from hub.escalation import MentionFacts
from hub.models import EscalationRule

NOW = datetime(2026, 5, 5, 12, 0, tzinfo=UTC)


def facts(**overrides):
    base = {
        "priority": 2,
        "reach": 100,
        "text": "My bag is lost",
        "sentiment": 0.0,
        "flags": (),
        "sla_due_at": NOW + timedelta(hours=2),
        "answered": False,
        "incident_linked": False,
    }
    return MentionFacts(**{**base, **overrides})


def rule(**conditions):
    return EscalationRule(name="r", is_active=True, **conditions)


@pytest.mark.parametrize(
    ("conditions", "matching", "not_matching"),
    [
        ({"min_priority": 3}, {"priority": 3}, {"priority": 2}),
        ({"min_reach": 10_000}, {"reach": 10_001}, {"reach": 10_000}),
        ({"keywords": ["lawyer", "sue"]}, {"text": "I will SUE you"}, {"text": "pursue a refund"}),
        ({"max_sentiment": -0.5}, {"sentiment": -0.8}, {"sentiment": None}),
        ({"flags": ["legal", "safety"]}, {"flags": ("safety",)}, {"flags": ("outage",)}),
        ({"incident_linked": True}, {"incident_linked": True}, {"incident_linked": False}),
    ],
)
def test_each_condition_is_evaluated(conditions, matching, not_matching):
    assert escalation.rule_matches(rule(**conditions), facts(**matching), now=NOW)
    assert not escalation.rule_matches(rule(**conditions), facts(**not_matching), now=NOW)


def test_all_set_conditions_must_hold():
    both = rule(min_priority=3, min_reach=1000)
    assert escalation.rule_matches(both, facts(priority=4, reach=5000), now=NOW)
    assert not escalation.rule_matches(both, facts(priority=4, reach=10), now=NOW)


def test_sla_warning_fires_in_the_minutes_before_due():
    warning = rule(sla_condition="warning", sla_minutes=15)
    assert not escalation.rule_matches(
        warning, facts(sla_due_at=NOW + timedelta(minutes=16)), now=NOW
    )
    assert escalation.rule_matches(warning, facts(sla_due_at=NOW + timedelta(minutes=15)), now=NOW)
    assert not escalation.rule_matches(warning, facts(sla_due_at=NOW), now=NOW)  # that is a breach


def test_sla_breach_fires_minutes_after_due_and_not_once_answered():
    breach = rule(sla_condition="breach", sla_minutes=30)
    assert not escalation.rule_matches(
        breach, facts(sla_due_at=NOW - timedelta(minutes=29)), now=NOW
    )
    assert escalation.rule_matches(breach, facts(sla_due_at=NOW - timedelta(minutes=30)), now=NOW)
    assert not escalation.rule_matches(
        breach, facts(sla_due_at=NOW - timedelta(hours=1), answered=True), now=NOW
    )


def test_an_inactive_or_empty_rule_never_matches():
    assert not escalation.rule_matches(EscalationRule(name="x", is_active=True), facts(), now=NOW)
    off = EscalationRule(name="x", is_active=False, min_priority=1)
    assert not escalation.rule_matches(off, facts(), now=NOW)


def test_facts_are_read_from_a_mention(mention):
    mention.flags = ["legal"]
    assert escalation.facts_of(mention, incident_linked=True).flags == ("legal",)


def test_comms_saves_rules_with_people_to_notify_and_they_apply_per_department(
    comms, lead, billing, support, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        mine = services.escalation_rule_save(
            actor=comms,
            name="Breach",
            department=billing,
            sla_condition="breach",
            notify_lead=True,
            notify_users=[lead],
        )
    services.escalation_rule_save(
        actor=comms, name="Threat", flags="legal, safety", notify_comms=True
    )
    services.escalation_rule_save(
        actor=comms, name="Support only", department=support, min_priority=4, notify_comms=True
    )
    assert list(mine.notify_users.all()) == [lead]
    assert [r.name for r in selectors.escalation_rules_for(department=billing)] == [
        "Breach",
        "Threat",
    ]
    assert [
        r.name for r in selectors.escalation_rules_for(department=billing, sla_condition="breach")
    ] == ["Breach"]
    assert AuditEvent.objects.filter(action="escalation.rule_created").count() == 3
    assert published[0][0] == "escalation.rule_changed"


@pytest.mark.parametrize(
    ("field", "data"),
    [
        ("conditions", {"name": "x", "notify_lead": True}),
        ("actions", {"name": "x", "min_priority": 3}),
        ("name", {"name": " ", "min_priority": 3, "notify_lead": True}),
        ("max_sentiment", {"name": "x", "max_sentiment": 2, "notify_lead": True}),
        ("sla_condition", {"name": "x", "sla_condition": "soon", "notify_lead": True}),
    ],
)
def test_invalid_rules_name_the_field(comms, field, data):
    with pytest.raises(DomainError) as error:
        services.escalation_rule_save(actor=comms, **data)
    assert error.value.field == field
    assert not EscalationRule.objects.exists()


def test_department_staff_cannot_edit_escalation(lead):
    with pytest.raises(PermissionDenied):
        services.escalation_rule_save(actor=lead, name="x", min_priority=3, notify_lead=True)
    assert not EscalationRule.objects.exists()
