"""SLA warnings and breaches fire once each, with a fixed clock; SLA escalation rules act."""

from datetime import UTC, datetime, timedelta

from core.models import Notification
from hub.models import EscalationRule
from spokes.models import Activity, EscalationFiring, Mention
from spokes.timers import WARNING_MINUTES, sla_tick
from tests.factories import MentionFactory

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def _due_in(department, minutes, **extra):
    return MentionFactory(
        department=department, sla_due_at=NOW + timedelta(minutes=minutes), **extra
    )


def test_the_warning_and_the_breach_fire_once_each(
    billing, agent, published, django_capture_on_commit_callbacks
):
    mention = _due_in(billing, 20, assignee=agent, status="assigned")
    ticks = {}
    for minutes in (0, 5, 6, 19, 20, 21, 40):  # beat every few minutes, fixed clock
        with django_capture_on_commit_callbacks(execute=True):
            ticks[minutes] = sla_tick(now=NOW + timedelta(minutes=minutes))
    assert [ticks[m].warned for m in (0, 5, 6, 19, 20, 21, 40)] == [0, 1, 0, 0, 0, 0, 0]
    assert [ticks[m].breached for m in (0, 5, 6, 19, 20, 21, 40)] == [0, 0, 0, 0, 1, 0, 0]
    mention.refresh_from_db()
    assert mention.sla_warned_at == NOW + timedelta(minutes=5)
    assert mention.sla_breached_at == NOW + timedelta(minutes=20)
    assert list(mention.activities.values_list("verb", flat=True)) == [
        "sla_warning",
        "sla_breached",
    ]
    events = [(e, p, g) for e, p, g in published if e.startswith("mention.sla_")]
    assert events == [
        ("mention.sla_warning", {"department_id": billing.pk, "ids": [mention.pk]},
         [f"dept.{billing.pk}"]),
        ("mention.sla_breached", {"department_id": billing.pk, "ids": [mention.pk]},
         [f"dept.{billing.pk}"]),
    ]  # fmt: skip
    assert agent.notifications.count() == 2


def test_answered_and_closed_mentions_never_fire(billing):
    _due_in(billing, 5, first_response_at=NOW - timedelta(minutes=1))
    _due_in(billing, -5, status="resolved")
    result = sla_tick(now=NOW)
    assert (result.warned, result.breached) == (0, 0)
    assert not Activity.objects.exists()


def test_a_late_tick_still_fires_a_breach_it_missed(billing):
    mention = _due_in(billing, -90)
    assert sla_tick(now=NOW).breached == 1
    mention.refresh_from_db()
    assert mention.sla_breached_at == NOW
    assert mention.sla_warned_at is None  # the warning moment has passed: no late warning


def test_sla_rules_notify_the_people_they_name_live_and_by_email_once(
    billing, lead, comms, other_agent, published, django_capture_on_commit_callbacks, mailoutbox,
    settings,
):  # fmt: skip
    other_agent.email = "named@example.com"
    other_agent.save()
    warning = EscalationRule.objects.create(
        name="Heads-up 30 min", sla_condition="warning", sla_minutes=30, notify_lead=True
    )
    breach = EscalationRule.objects.create(
        name="An hour late", sla_condition="breach", sla_minutes=60, raise_priority_to=4
    )
    breach.notify_users.add(other_agent)
    first = _due_in(billing, 28)
    second = _due_in(billing, 29)
    _due_in(billing, 45)  # not yet within 30 minutes
    for minutes in (0, 1, 2, 20, 30, 60, 89, 90, 100):  # beat ticks within 10 min
        with django_capture_on_commit_callbacks(execute=True):
            sla_tick(now=NOW + timedelta(minutes=minutes))
    fired = sorted(EscalationFiring.objects.values_list("rule_id", "mention_id"))
    assert sorted(fired) == sorted(
        [
            (warning.pk, first.pk),
            (warning.pk, second.pk),
            (warning.pk, Mention.objects.get(sla_due_at=NOW + timedelta(minutes=45)).pk),
            (breach.pk, first.pk),
            (breach.pk, second.pk),
        ]
    )
    # the first tick told the lead about both mentions in one notification
    lead_notes = list(lead.notifications.order_by("id").values_list("text", flat=True))
    assert lead_notes[0].startswith("SLA about to breach: 2 mentions in Billing")
    assert Notification.objects.filter(user=other_agent).count() == 1
    first.refresh_from_db()
    assert first.priority == 4
    assert [m.to for m in mailoutbox] == [["named@example.com"]]
    assert "SLA breached" in mailoutbox[0].subject and "An hour late" in mailoutbox[0].body
    assert f"Open the first one: {settings.SITE_URL}/m/{first.pk}/" in mailoutbox[0].body
    assert any(e == "mention.escalated" for e, *_ in published)


def test_the_warning_lead_time_is_what_the_code_says():
    assert WARNING_MINUTES == 15


def test_an_sla_rule_moving_a_mention_hands_it_over_as_a_transfer_does(
    billing, support, agent, published, django_capture_on_commit_callbacks
):
    """The rule's move left the billing agent assigned to a mention now in support's queue
    (where they cannot work it and nobody there may take it), kept its last-changed time and
    told only support's queue."""
    from core.events import department_group, mention_group

    EscalationRule.objects.create(
        name="Late: to support", sla_condition="breach", sla_minutes=0, move_to_department=support
    )
    mention = _due_in(billing, -5, assignee=agent)
    untouched = _due_in(billing, 120, assignee=agent)
    changed_before = mention.updated_at
    with django_capture_on_commit_callbacks(execute=True):
        sla_tick(now=NOW)
    mention.refresh_from_db()
    assert (mention.department_id, mention.assignee_id) == (support.pk, None)
    assert mention.updated_at == NOW != changed_before
    untouched.refresh_from_db()
    assert (untouched.department_id, untouched.assignee_id) == (billing.pk, agent.pk)
    told = {
        tuple(groups): payload.get("ids", payload.get("id"))
        for event, payload, groups in published
        if event == "mention.escalated"
    }
    assert told == {
        (department_group(billing.pk),): [mention.pk],
        (department_group(support.pk),): [mention.pk],
        # and the mention's own page, open by someone following no queue
        (mention_group(mention.pk),): mention.pk,
    }
