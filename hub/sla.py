"""SLA due times that count only a department's business hours.

:func:`add_business_minutes` is pure arithmetic over a weekly schedule, holidays and a time
zone; :func:`due_at` loads those for a department and applies its SLA policy.

Opening intervals are local wall-clock times, turned into UTC instants day by day, so a
day with a DST change is as long as it really is (an 09:00-17:00 day is always 8 hours; a
00:00-00:00 day is 23 or 25 hours on the switch days).
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# Fallback targets (minutes, calendar time) when no SLA policy exists: the triage defaults.
DEFAULT_FIRST_RESPONSE = {1: 240, 2: 240, 3: 240, 4: 60}
DEFAULT_RESOLUTION = {1: 5 * 24 * 60, 2: 3 * 24 * 60, 3: 24 * 60, 4: 8 * 60}
_SEARCH_DAYS = 400  # give up after this many days without enough open time (all holidays)


@dataclass(frozen=True)
class Interval:
    weekday: int  # 0 = Monday
    opens: time
    closes: time  # at or before ``opens``: runs past midnight


@dataclass(frozen=True)
class Schedule:
    timezone: str
    intervals: tuple[Interval, ...]  # empty: open around the clock
    holidays: frozenset[date] = frozenset()

    @property
    def always_open(self) -> bool:
        return not self.intervals


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, at).replace(tzinfo=zone).astimezone(UTC)


def open_periods(schedule: Schedule, day: date) -> list[tuple[datetime, datetime]]:
    """The UTC periods opening on local ``day`` (none on a holiday)."""
    if day in schedule.holidays:
        return []
    zone = _zone(schedule.timezone)
    periods = []
    for interval in schedule.intervals:
        if interval.weekday != day.weekday():
            continue
        end_day = day if interval.closes > interval.opens else day + timedelta(days=1)
        periods.append(
            (_instant(day, interval.opens, zone), _instant(end_day, interval.closes, zone))
        )
    return sorted(periods)


def add_business_minutes(start: datetime, minutes: int, schedule: Schedule) -> datetime:
    """The instant when ``minutes`` of open time have passed since ``start`` (aware)."""
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    start = start.astimezone(UTC)
    remaining = timedelta(minutes=minutes)
    if schedule.always_open or remaining <= timedelta(0):
        return start + remaining
    zone = _zone(schedule.timezone)
    day = start.astimezone(zone).date() - timedelta(days=1)  # yesterday's late shift may run on
    cursor = start
    for _ in range(_SEARCH_DAYS):
        for opens, closes in open_periods(schedule, day):
            begin = max(opens, cursor)
            if begin >= closes:
                continue
            available = closes - begin
            if available >= remaining:
                return begin + remaining
            remaining -= available
            cursor = closes
        day += timedelta(days=1)
    raise ValueError("The schedule has no open time in the next year.")


def is_open(at: datetime, schedule: Schedule) -> bool:
    if schedule.always_open:
        return True
    at = at.astimezone(UTC)
    local_day = at.astimezone(_zone(schedule.timezone)).date()
    for day in (local_day - timedelta(days=1), local_day):
        if any(opens <= at < closes for opens, closes in open_periods(schedule, day)):
            return True
    return False


# --- the database side -----------------------------------------------------------------------
def schedule_for(department) -> Schedule:
    return schedules_for([department])[department.pk]


def schedules_for(departments) -> dict[int, Schedule]:
    """{department id: Schedule} for several departments in two queries."""
    from django.db.models import Q

    from hub.models import BusinessHours, Holiday

    departments = list(departments)
    ids = [d.pk for d in departments]
    intervals: dict[int, list[Interval]] = {pk: [] for pk in ids}
    for h in BusinessHours.objects.filter(department_id__in=ids):
        intervals[h.department_id].append(
            Interval(weekday=h.weekday, opens=h.opens, closes=h.closes)
        )
    holidays: dict[int | None, set] = {}
    for department_id, day in Holiday.objects.filter(
        Q(department_id__in=ids) | Q(department__isnull=True)
    ).values_list("department_id", "date"):
        holidays.setdefault(department_id, set()).add(day)
    everyone = holidays.get(None, set())
    return {
        d.pk: Schedule(
            timezone=d.timezone,
            intervals=tuple(intervals[d.pk]),
            holidays=frozenset(everyone | holidays.get(d.pk, set())),
        )
        for d in departments
    }


def policy_for(department, priority: int):
    """The department's SLA policy for ``priority``, else the organisation's, else None."""
    from django.db.models import Q

    from hub.models import SlaPolicy

    policies = SlaPolicy.objects.filter(
        Q(department=department) | Q(department__isnull=True), priority=priority
    )
    return _choose(policies)


def _choose(policies):
    return min(policies, key=lambda p: p.department_id is None, default=None)


class PolicyBook:
    """``policy_for`` for many mentions: every policy read in one query, chosen in memory."""

    def __init__(self):
        from hub.models import SlaPolicy

        self._policies = list(SlaPolicy.objects.all())

    def policy_for(self, department, priority: int):
        department_id = department.pk if department is not None else None
        return _choose(
            p
            for p in self._policies
            if p.priority == priority and p.department_id in (department_id, None)
        )


_LOOK_UP = object()


def due_at(
    *,
    department,
    priority: int,
    received_at: datetime,
    target: str = "first_response",
    schedule: Schedule | None = None,
    policy=_LOOK_UP,
) -> datetime:
    """When the first response (or resolution, ``target="resolution"``) is due.

    Business-hours policies count only the department's open time; calendar policies and
    departments without configured hours count every minute. Without any SLA policy the
    triage defaults apply (calendar time). Pass ``schedule`` (and ``policy``, possibly None,
    from a ``PolicyBook``) to reuse them across a batch.
    """
    if target not in ("first_response", "resolution"):
        raise ValueError("target must be 'first_response' or 'resolution'")
    if department is None:
        policy = None
    elif policy is _LOOK_UP:
        policy = policy_for(department, priority)
    if policy is None:
        defaults = DEFAULT_FIRST_RESPONSE if target == "first_response" else DEFAULT_RESOLUTION
        return received_at + timedelta(minutes=defaults.get(int(priority), 240))
    minutes = (
        policy.first_response_minutes if target == "first_response" else policy.resolution_minutes
    )
    if not policy.business_hours_only:
        return received_at + timedelta(minutes=minutes)
    schedule = schedule or schedule_for(department)
    return add_business_minutes(received_at, minutes, schedule)
