"""Precomputed dashboards for the preset periods (7/30/90 days), per department and for all
departments. Custom dates and topic/incident filters are computed live."""

import time
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.safestring import mark_safe

from insights import metrics
from insights.models import Snapshot
from insights.periods import PRESETS, Period, period_from
from insights.selectors import Scope
from spokes.models import Department

MAX_AGE = timedelta(hours=2)  # older snapshots are ignored: the page computes live


def scope_key(scope: Scope) -> str | None:
    if scope.department is not None:
        return f"d{scope.department.pk}"
    if scope.is_central:
        return "all"
    if len(scope.departments) == 1:
        return f"d{scope.departments[0].pk}"
    return None


def _plain(value):
    return float(value) if isinstance(value, Decimal) else value


def _dump(tables: dict[str, metrics.Table]) -> list[dict]:
    return [
        {
            "key": t.key,
            "title": t.title,
            "columns": t.columns,
            "rows": [[_plain(v) for v in row] for row in t.rows],
            "chart": str(t.chart or ""),
            "note": t.note,
        }
        for t in tables.values()
    ]


def _load(data: list[dict]) -> dict[str, metrics.Table]:
    tables = {}
    for item in data:
        # The chart is our own SVG, built from escaped text when the snapshot was computed.
        chart = mark_safe(item["chart"]) if item["chart"] else None  # noqa: S308
        tables[item["key"]] = metrics.Table(
            key=item["key"],
            title=item["title"],
            columns=item["columns"],
            rows=item["rows"],
            chart=chart,
            note=item["note"],
        )
    return tables


def snapshot_for(ctx: metrics.Context) -> Snapshot | None:
    if not ctx.period.days or ctx.tag or ctx.keyword or ctx.incident is not None:
        return None
    key = scope_key(ctx.scope)
    if key is None:
        return None
    return Snapshot.objects.filter(
        scope_key=key, days=ctx.period.days, computed_at__gte=ctx.now - MAX_AGE
    ).first()


def dashboard_tables(ctx: metrics.Context) -> tuple[dict[str, metrics.Table], Snapshot | None]:
    """The page's tables: from a fresh snapshot when there is one, else computed now."""
    snapshot = snapshot_for(ctx)
    if snapshot is not None:
        return _load(snapshot.tables), snapshot
    return metrics.dashboard(ctx), None


def table_for(ctx: metrics.Context, key: str) -> metrics.Table | None:
    snapshot = snapshot_for(ctx)
    if snapshot is not None:
        return _load(snapshot.tables).get(key)
    return metrics.table_get(ctx, key)


def snapshots_refresh(*, presets=PRESETS) -> int:
    """Recompute every department's and the all-department snapshots; returns how many."""
    departments = tuple(Department.objects.order_by("name"))
    scopes = [Scope(departments=departments, department=None, is_central=True)]
    scopes += [Scope(departments=departments, department=d, is_central=True) for d in departments]
    count = 0
    for days in presets:
        for scope in scopes:
            now = timezone.now()
            period: Period = period_from({"days": str(days)}, now=now)
            started = time.monotonic()
            tables = metrics.dashboard(metrics.Context(scope=scope, period=period, now=now))
            with transaction.atomic():
                Snapshot.objects.update_or_create(
                    scope_key=scope_key(scope),
                    days=days,
                    defaults={
                        "computed_at": now,
                        "took_ms": int((time.monotonic() - started) * 1000),
                        "tables": _dump(tables),
                    },
                )
            count += 1
    return count
