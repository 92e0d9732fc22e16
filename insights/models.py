"""Roll-ups of mention volume, refreshed by Celery beat (``insights.tasks.refresh_rollups``).

Volume and sentiment over time are additive, so the dashboard reads them from these small
tables instead of scanning a period's mentions on every view. Response times, SLA compliance
and unique authors are not additive: they are computed live from the mentions.
"""

from django.db import models

from spokes.models import Department, Source


class DailyVolume(models.Model):
    """Mentions received on one UTC day by one department from one source."""

    day = models.DateField()
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=16, choices=Source.choices)
    mentions = models.PositiveIntegerField(default=0)
    negative = models.PositiveIntegerField(default=0)
    neutral = models.PositiveIntegerField(default=0)
    positive = models.PositiveIntegerField(default=0)
    sentiment_sum = models.FloatField(default=0.0)
    sentiment_count = models.PositiveIntegerField(default=0)
    reach = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["department", "day", "source"], name="insights_daily_unique"
            )
        ]
        indexes = [models.Index(fields=["day"], name="insights_daily_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.department_id} {self.source}: {self.mentions}"


class HourlyVolume(models.Model):
    """Mentions received in one UTC hour by one department."""

    hour = models.DateTimeField()
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+")
    mentions = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["department", "hour"], name="insights_hourly_unique")
        ]
        indexes = [models.Index(fields=["hour"], name="insights_hourly_hour")]

    def __str__(self) -> str:
        return f"{self.hour:%Y-%m-%d %H}h {self.department_id}: {self.mentions}"


class RollupRun(models.Model):
    """When the roll-ups were last refreshed, and from which instant."""

    finished_at = models.DateTimeField()
    since = models.DateTimeField()
    rows = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-finished_at", "-id"]
        indexes = [models.Index(fields=["-finished_at"], name="insights_rollup_recent")]

    def __str__(self) -> str:
        return f"rollup at {self.finished_at:%Y-%m-%d %H:%M} since {self.since:%Y-%m-%d}"


class Snapshot(models.Model):
    """The dashboard's tables for one scope and preset period, computed by Celery beat
    (``insights.tasks.refresh_snapshots``): over a million mentions the exact percentiles and
    distinct-author counts take seconds, too slow to compute on every view."""

    scope_key = models.CharField(max_length=20, help_text='"all" or "d<department id>".')
    days = models.PositiveSmallIntegerField()
    computed_at = models.DateTimeField()
    took_ms = models.PositiveIntegerField(default=0)
    tables = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope_key", "days"], name="insights_snapshot_unique")
        ]

    def __str__(self) -> str:
        return f"{self.scope_key} {self.days}d at {self.computed_at:%Y-%m-%d %H:%M}"
