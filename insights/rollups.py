"""Refresh the volume roll-ups from the mentions (one GROUP BY each, no rows through Python
beyond the aggregated ones)."""

from datetime import UTC, datetime, time, timedelta

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate, TruncHour
from django.utils import timezone

from insights.models import DailyVolume, HourlyVolume, RollupRun
from spokes.filters import SENTIMENT_RANGES
from spokes.models import Mention

KEEP_DAYS = 400  # roll-up rows older than this are dropped


@transaction.atomic
def rollups_refresh(*, days: int = 2, now: datetime | None = None) -> RollupRun:
    """Recompute the roll-ups for the last ``days`` UTC days (today included).

    Safe to run twice: the days it covers are deleted and rebuilt in one transaction.
    """
    now = now or timezone.now()
    since = datetime.combine(now.date() - timedelta(days=max(days, 1) - 1), time.min, tzinfo=UTC)
    mentions = Mention.objects.filter(received_at__gte=since, department__isnull=False).order_by()

    daily = (
        mentions.annotate(day=TruncDate("received_at", tzinfo=UTC))
        .values("day", "department_id", "source")
        .annotate(
            n=Count("id"),
            negative=Count("id", filter=SENTIMENT_RANGES["negative"]),
            neutral=Count("id", filter=SENTIMENT_RANGES["neutral"]),
            positive=Count("id", filter=SENTIMENT_RANGES["positive"]),
            sentiment_sum=Sum("sentiment"),
            sentiment_count=Count("sentiment"),
            reach=Sum("reach"),
        )
    )
    hourly = (
        mentions.annotate(hour=TruncHour("received_at", tzinfo=UTC))
        .values("hour", "department_id")
        .annotate(n=Count("id"))
    )
    DailyVolume.objects.filter(
        Q(day__gte=since.date()) | Q(day__lt=since.date() - timedelta(days=KEEP_DAYS))
    ).delete()
    HourlyVolume.objects.filter(
        Q(hour__gte=since) | Q(hour__lt=since - timedelta(days=KEEP_DAYS))
    ).delete()
    daily_rows = [
        DailyVolume(
            day=row["day"],
            department_id=row["department_id"],
            source=row["source"],
            mentions=row["n"],
            negative=row["negative"],
            neutral=row["neutral"],
            positive=row["positive"],
            sentiment_sum=row["sentiment_sum"] or 0.0,
            sentiment_count=row["sentiment_count"],
            reach=row["reach"] or 0,
        )
        for row in daily
    ]
    hourly_rows = [
        HourlyVolume(hour=row["hour"], department_id=row["department_id"], mentions=row["n"])
        for row in hourly
    ]
    DailyVolume.objects.bulk_create(daily_rows, batch_size=2000)
    HourlyVolume.objects.bulk_create(hourly_rows, batch_size=2000)
    return RollupRun.objects.create(
        finished_at=timezone.now(), since=since, rows=len(daily_rows) + len(hourly_rows)
    )
