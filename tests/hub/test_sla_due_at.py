"""Business-hours SLA arithmetic with fixed clocks (no "now" anywhere)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from hub import sla
from hub.models import BusinessHours, Holiday, SlaPolicy
from hub.sla import Interval, Schedule, add_business_minutes

AMS = ZoneInfo("Europe/Amsterdam")
NYC = ZoneInfo("America/New_York")
WEEKDAYS_9_TO_5 = tuple(Interval(d, time(9), time(17)) for d in range(5))
EVERY_DAY_9_TO_5 = tuple(Interval(d, time(9), time(17)) for d in range(7))


def local(zone, *args):
    return datetime(*args, tzinfo=zone)


def office(**kwargs):
    kwargs.setdefault("timezone", "Europe/Amsterdam")
    kwargs.setdefault("intervals", WEEKDAYS_9_TO_5)
    return Schedule(**kwargs)


def test_it_counts_within_the_same_day():
    start = local(AMS, 2026, 5, 5, 10, 0)  # Tuesday
    assert add_business_minutes(start, 60, office()) == local(AMS, 2026, 5, 5, 11, 0)


def test_it_carries_over_the_night():
    start = local(AMS, 2026, 5, 5, 16, 30)
    assert add_business_minutes(start, 120, office()) == local(AMS, 2026, 5, 6, 10, 30)


def test_it_skips_the_weekend():
    start = local(AMS, 2026, 5, 8, 16, 0)  # Friday
    assert add_business_minutes(start, 120, office()) == local(AMS, 2026, 5, 11, 10, 0)


def test_a_mention_received_before_opening_waits_for_opening():
    start = local(AMS, 2026, 5, 4, 6, 0)  # Monday
    assert add_business_minutes(start, 60, office()) == local(AMS, 2026, 5, 4, 10, 0)


def test_a_mention_received_on_saturday_is_due_on_monday():
    start = local(AMS, 2026, 5, 9, 12, 0)
    assert add_business_minutes(start, 30, office()) == local(AMS, 2026, 5, 11, 9, 30)


def test_it_skips_holidays():
    start = local(AMS, 2026, 12, 24, 16, 0)  # Thursday; Friday 25th is a holiday
    schedule = office(holidays=frozenset({date(2026, 12, 25)}))
    assert add_business_minutes(start, 120, schedule) == local(AMS, 2026, 12, 28, 10, 0)


def test_the_same_instant_is_due_differently_in_another_time_zone():
    received = datetime(2026, 5, 5, 12, 0, tzinfo=UTC)  # 14:00 in Amsterdam, 08:00 in New York
    assert add_business_minutes(received, 60, office()) == datetime(2026, 5, 5, 13, 0, tzinfo=UTC)
    new_york = office(timezone="America/New_York")
    assert add_business_minutes(received, 60, new_york) == datetime(2026, 5, 5, 14, 0, tzinfo=UTC)
    assert add_business_minutes(received, 60, new_york) == local(NYC, 2026, 5, 5, 10, 0)


def test_opening_hours_follow_the_clock_change_in_spring():
    start = local(AMS, 2026, 3, 28, 16, 0)  # Saturday, CET (UTC+1)
    due = add_business_minutes(start, 120, office(intervals=EVERY_DAY_9_TO_5))
    assert due == local(AMS, 2026, 3, 29, 10, 0)  # Sunday, CEST (UTC+2)
    assert due == datetime(2026, 3, 29, 8, 0, tzinfo=UTC)


def test_a_whole_day_is_23_hours_when_clocks_go_forward():
    sundays = office(intervals=(Interval(6, time(0), time(0)),))
    start = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
    due = add_business_minutes(start, 24 * 60, sundays)
    # 23 hours on 29 March, the last hour on the next Sunday
    assert due == local(AMS, 2026, 4, 5, 1, 0)


def test_a_whole_day_is_25_hours_when_clocks_go_back():
    sundays = office(intervals=(Interval(6, time(0), time(0)),))
    start = datetime(2026, 10, 24, 12, 0, tzinfo=UTC)
    assert add_business_minutes(start, 25 * 60, sundays) == datetime(
        2026, 10, 25, 23, 0, tzinfo=UTC
    )


def test_a_shift_past_midnight_keeps_counting_into_the_next_day():
    late = office(intervals=tuple(Interval(d, time(5), time(1)) for d in range(7)))
    start = local(AMS, 2026, 5, 6, 0, 30)  # Wednesday 00:30: Tuesday's shift until 01:00
    assert add_business_minutes(start, 60, late) == local(AMS, 2026, 5, 6, 5, 30)


def test_around_the_clock_is_plain_addition():
    start = datetime(2026, 5, 9, 23, 50, tzinfo=UTC)
    assert add_business_minutes(start, 30, Schedule("Europe/Amsterdam", ())) == start + timedelta(
        minutes=30
    )


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        add_business_minutes(datetime(2026, 5, 5, 10), 10, office())


def test_is_open_knows_hours_and_late_shifts():
    late = office(intervals=(Interval(1, time(22), time(2)),))  # Tuesday 22:00 - Wednesday 02:00
    assert sla.is_open(local(AMS, 2026, 5, 6, 1, 0), late)
    assert not sla.is_open(local(AMS, 2026, 5, 6, 3, 0), late)


# --- due_at with the department's stored policy and hours -----------------------------------
@pytest.fixture
def office_hours(billing):
    billing.timezone = "Europe/Amsterdam"
    billing.save()
    BusinessHours.objects.bulk_create(
        BusinessHours(department=billing, weekday=d, opens=time(9), closes=time(17))
        for d in range(5)
    )
    return billing


def test_due_at_applies_the_organisation_policy_in_business_hours(office_hours):
    SlaPolicy.objects.create(priority=2, first_response_minutes=120, resolution_minutes=960)
    received = local(AMS, 2026, 5, 8, 16, 0)
    assert sla.due_at(department=office_hours, priority=2, received_at=received) == local(
        AMS, 2026, 5, 11, 10, 0
    )
    assert sla.due_at(
        department=office_hours, priority=2, received_at=received, target="resolution"
    ) == local(AMS, 2026, 5, 12, 16, 0)


def test_a_department_policy_overrides_the_organisation(office_hours):
    SlaPolicy.objects.create(priority=3, first_response_minutes=240, resolution_minutes=480)
    SlaPolicy.objects.create(
        department=office_hours, priority=3, first_response_minutes=30, resolution_minutes=480
    )
    received = local(AMS, 2026, 5, 5, 10, 0)
    assert sla.due_at(department=office_hours, priority=3, received_at=received) == local(
        AMS, 2026, 5, 5, 10, 30
    )


def test_calendar_time_policies_ignore_business_hours(office_hours):
    SlaPolicy.objects.create(
        priority=4, first_response_minutes=60, resolution_minutes=240, business_hours_only=False
    )
    received = local(AMS, 2026, 5, 9, 23, 30)  # Saturday night
    assert sla.due_at(
        department=office_hours, priority=4, received_at=received
    ) == received + timedelta(hours=1)


def test_stored_holidays_count_for_every_department_or_one(office_hours, support):
    SlaPolicy.objects.create(priority=2, first_response_minutes=60, resolution_minutes=600)
    Holiday.objects.create(date=date(2026, 5, 5), name="Liberation Day")
    Holiday.objects.create(department=support, date=date(2026, 5, 6), name="Team day")
    received = local(AMS, 2026, 5, 4, 16, 30)  # Monday
    assert sla.due_at(department=office_hours, priority=2, received_at=received) == local(
        AMS, 2026, 5, 6, 9, 30
    )


def test_without_a_policy_the_triage_defaults_apply(billing):
    received = datetime(2026, 5, 9, 23, 0, tzinfo=UTC)
    assert sla.due_at(department=billing, priority=4, received_at=received) == received + timedelta(
        hours=1
    )
    assert sla.due_at(department=billing, priority=2, received_at=received) == received + timedelta(
        hours=4
    )
