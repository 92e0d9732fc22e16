"""The period a dashboard covers: a preset (last 7/30/90 days) or custom dates (UTC days)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.utils import timezone

from core.errors import DomainError

PRESETS = (7, 30, 90)
DEFAULT_DAYS = 30
MAX_DAYS = 366


@dataclass(frozen=True)
class Period:
    start: datetime  # inclusive, aware (UTC)
    end: datetime  # exclusive, aware (UTC)
    days: int | None  # the preset, or None for custom dates

    @property
    def first_day(self) -> date:
        return self.start.date()

    @property
    def last_day(self) -> date:
        return (self.end - timedelta(microseconds=1)).date()

    @property
    def day_list(self) -> list[date]:
        count = (self.last_day - self.first_day).days + 1
        return [self.first_day + timedelta(days=n) for n in range(count)]

    @property
    def label(self) -> str:
        if self.days:
            return f"last {self.days} days"
        return f"{self.first_day:%d %b %Y} – {self.last_day:%d %b %Y}"

    def as_params(self) -> dict[str, str]:
        if self.days:
            return {"days": str(self.days)}
        return {"start": self.first_day.isoformat(), "end": self.last_day.isoformat()}


def _parse_date(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise DomainError(f"{field}: expected a date like 2026-01-31.", field=field) from None


def period_from(params, *, now: datetime | None = None) -> Period:
    """Parse ``days`` (7, 30, 90) or ``start``/``end`` (dates, end inclusive) from a QueryDict.

    Raises DomainError naming the offending field.
    """
    now = now or timezone.now()
    start_raw, end_raw = params.get("start", ""), params.get("end", "")
    if start_raw or end_raw:
        if not start_raw:
            raise DomainError("start: give a start date with the end date.", field="start")
        if not end_raw:
            raise DomainError("end: give an end date with the start date.", field="end")
        first, last = _parse_date(start_raw, "start"), _parse_date(end_raw, "end")
        if last < first:
            raise DomainError("end: the end date is before the start date.", field="end")
        if (last - first).days + 1 > MAX_DAYS:
            raise DomainError(f"end: a period spans at most {MAX_DAYS} days.", field="end")
        if first > now.date():
            raise DomainError("start: the start date is in the future.", field="start")
        start = datetime.combine(first, time.min, tzinfo=UTC)
        end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=UTC)
        return Period(start=start, end=end, days=None)
    raw = params.get("days", "") or str(DEFAULT_DAYS)
    try:
        days = int(raw)
    except ValueError:
        days = 0
    if days not in PRESETS:
        raise DomainError(f"days: choose one of {', '.join(map(str, PRESETS))}.", field="days")
    # Whole UTC days, today included: the daily roll-ups cover exactly the same days.
    first = now.date() - timedelta(days=days - 1)
    return Period(start=datetime.combine(first, time.min, tzinfo=UTC), end=now, days=days)
