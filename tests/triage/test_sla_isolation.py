"""One mention that makes the SLA tick fail stops no other mention's warning, breach or
escalation; a fault on every path, or the database going away, is raised with nothing half
done; the beat task's spike alert expiry runs even when the tick fails."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import OperationalError

from hub.models import EscalationRule
from spokes import tasks, timers
from spokes.models import Activity, EscalationFiring, Mention, SpikeAlert, SpikeStatus
from tests.factories import MentionFactory, UserFactory

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def _due_in(department, minutes, **extra):
    return MentionFactory(
        department=department, sla_due_at=NOW + timedelta(minutes=minutes), **extra
    )


@pytest.fixture
def poison_notice(monkeypatch):
    """Notifying one person fails (a bug meeting their record)."""
    real = timers.notify

    def notify(*, user, **kwargs):
        if user.username == "poison":
            raise ValueError("notice bug")
        return real(user=user, **kwargs)

    monkeypatch.setattr(timers, "notify", notify)


def test_a_mention_that_breaks_the_tick_holds_back_no_other(
    billing, agent, poison_notice, published, django_capture_on_commit_callbacks, caplog
):
    poison = UserFactory(username="poison")
    good = [_due_in(billing, -5, assignee=agent, status="assigned"), _due_in(billing, -3)]
    bad = _due_in(billing, -4, assignee=poison, status="assigned")
    with django_capture_on_commit_callbacks(execute=True):
        result = timers.sla_tick(now=NOW)
    assert result.breached == 2
    rows = Mention.objects.in_bulk([m.pk for m in [*good, bad]])
    assert [rows[m.pk].sla_breached_at for m in good] == [NOW, NOW]
    assert rows[bad.pk].sla_breached_at is None  # rolled back alone, tried again next tick
    assert set(Activity.objects.values_list("mention_id", "verb")) == {
        (good[0].pk, "sla_breached"),
        (good[1].pk, "sla_breached"),
    }
    told = sorted(i for e, p, _ in published if e == "mention.sla_breached" for i in p["ids"])
    assert told == sorted(m.pk for m in good)
    assert agent.notifications.count() == 1
    assert "notice bug" in caplog.text and f"mention {bad.pk}" in caplog.text

    # The next tick has only the failing one to do: no mention succeeds, so the error is the
    # task's (beat tries again in 30 s); the others fired once and stay done.
    with pytest.raises(ValueError, match="notice bug"):
        timers.sla_tick(now=NOW + timedelta(minutes=1))
    assert Activity.objects.count() == 2


def test_a_rule_that_breaks_on_one_mention_escalates_the_others(billing, lead, monkeypatch):
    real = timers.facts_of

    def facts_of(mention, **kwargs):
        if "POISON" in mention.text:
            raise ValueError("rule bug")
        return real(mention, **kwargs)

    monkeypatch.setattr(timers, "facts_of", facts_of)
    rule = EscalationRule.objects.create(
        name="An hour late", sla_condition="breach", sla_minutes=60, raise_priority_to=4
    )
    good = _due_in(billing, -61, text="still waiting")
    bad = _due_in(billing, -62, text="POISON")
    result = timers.sla_tick(now=NOW)
    assert result.escalated == 1
    assert list(EscalationFiring.objects.values_list("mention_id", "rule_id")) == [
        (good.pk, rule.pk)
    ]
    good.refresh_from_db()
    bad.refresh_from_db()
    assert good.priority == 4 and bad.priority != 4
    assert good.sla_breached_at == NOW
    assert bad.sla_breached_at is None  # its whole tick rolled back with the rule's failure


def test_a_fault_on_every_path_is_raised_and_marks_nothing(billing, monkeypatch):
    def notify(**kwargs):
        raise ValueError("notices down")

    monkeypatch.setattr(timers, "notify", notify)
    agent = UserFactory()
    mentions = [_due_in(billing, -5, assignee=agent, status="assigned") for _ in range(2)]
    with pytest.raises(ValueError, match="notices down"):
        timers.sla_tick(now=NOW)
    assert not Mention.objects.filter(
        pk__in=[m.pk for m in mentions], sla_breached_at__isnull=False
    ).exists()
    assert not Activity.objects.exists()


def test_the_database_going_away_is_raised_whole(billing, monkeypatch):
    calls = []

    def failing(**kwargs):
        calls.append(kwargs)
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(timers, "_tick", failing)
    _due_in(billing, -5)
    _due_in(billing, -6)
    with pytest.raises(OperationalError):
        timers.sla_tick(now=NOW)
    assert len(calls) == 1  # no mention by mention pass: the next tick tries again


def test_spike_alerts_expire_even_when_the_tick_fails(billing, monkeypatch):
    alert = SpikeAlert.objects.create(
        scope="kw:checkout", label="Keyword “checkout”", metric="volume",
        window_start=NOW - timedelta(hours=9), window_end=NOW - timedelta(hours=8), observed=60,
        baseline=2, baseline_std=1, z_score=40,
    )  # fmt: skip
    SpikeAlert.objects.filter(pk=alert.pk).update(updated_at=NOW - timedelta(hours=7))

    def broken(**kwargs):
        raise RuntimeError("tick bug")

    monkeypatch.setattr(timers, "sla_tick", broken)
    with pytest.raises(RuntimeError, match="tick bug"):
        tasks.sla_timers()
    alert.refresh_from_db()
    assert alert.status == SpikeStatus.EXPIRED


def test_a_quiet_alert_expires_audited_and_told_and_a_recent_one_stays(
    billing, published, django_capture_on_commit_callbacks
):
    from accounts.models import AuditEvent
    from spokes import spikes

    def alert(hours_quiet):
        made = SpikeAlert.objects.create(
            scope=f"kw:quiet{hours_quiet}", label="Keyword", metric="volume",
            window_start=NOW - timedelta(hours=9), window_end=NOW - timedelta(hours=8),
            observed=60, baseline=2, baseline_std=1, z_score=40,
        )  # fmt: skip
        SpikeAlert.objects.filter(pk=made.pk).update(updated_at=NOW - timedelta(hours=hours_quiet))
        return made

    quiet, recent = alert(7), alert(1)
    with django_capture_on_commit_callbacks(execute=True):
        assert spikes.alerts_expire(now=NOW) == 1
        assert spikes.alerts_expire(now=NOW) == 0  # once
    quiet.refresh_from_db()
    recent.refresh_from_db()
    assert (quiet.status, quiet.closed_at, quiet.closed_by) == (SpikeStatus.EXPIRED, NOW, None)
    assert recent.status == SpikeStatus.OPEN
    event = AuditEvent.objects.get(action="alert.expired")
    assert event.actor is None and event.target_id == str(quiet.pk)
    closed = [(p, g) for e, p, g in published if e == "alert.spike_closed"]
    assert closed == [({"id": quiet.pk, "status": "expired", "incident_id": None}, ["hub"])]
