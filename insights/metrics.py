"""The dashboard's figures. Each section returns ``Table`` objects: the numbers a chart draws,
the HTML table shows and the CSV export writes are the same rows.

Aggregations run in the database (GROUP BY; ``percentile_cont`` on PostgreSQL). Volume over
time reads the roll-ups (``insights.models``); the rest reads the period's mentions through
``(department_id, received_at)`` index ranges.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import Count, F, Max, Q, QuerySet, Sum
from django.utils.safestring import SafeString

from insights import charts
from insights.charts import Series
from insights.models import DailyVolume, HourlyVolume, RollupRun
from insights.periods import Period
from insights.selectors import Scope
from insights.stats import (
    PYTHON_PERCENTILE_CAP,
    EpochSeconds,
    PercentileCont,
    on_postgres,
    percentiles,
)
from insights.words import words as text_words
from spokes.filters import text_search
from spokes.models import Mention, Priority, Source, Tag

DEFAULT_CUSTOMER_BASE = 2_000_000
SAMPLE_SIZE = 5_000  # newest mentions read for keywords and flags
TOP_SERIES = 6  # lines per chart; the rest are summed into "Other"


# --- plumbing -------------------------------------------------------------------------------
@cache
def app_ready(label: str) -> bool:
    """An app's tables exist once it has migrations (checked on disk, no query)."""
    spec = find_spec(label)
    if spec is None or not spec.submodule_search_locations:
        return False
    migrations = Path(next(iter(spec.submodule_search_locations))) / "migrations"
    return any(migrations.glob("0001_*.py"))


def customer_base() -> int:
    return int(getattr(settings, "INSIGHTS_CUSTOMER_BASE", DEFAULT_CUSTOMER_BASE))


def cell(value) -> str:
    """One value as the table and the CSV show it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    chart: SafeString | None = None
    note: str = ""

    @property
    def cells(self) -> list[list[str]]:
        return [[cell(v) for v in row] for row in self.rows]


@dataclass
class Context:
    scope: Scope
    period: Period
    now: datetime
    tag: str = ""
    keyword: str = ""
    incident: object | None = None  # incidents.models.Incident, already permission-checked

    @property
    def department_ids(self) -> list[int]:
        return self.scope.department_ids

    def mentions(self) -> QuerySet[Mention]:
        """The period's mentions in scope: a range on ``(department_id, received_at)``."""
        return Mention.objects.filter(
            department_id__in=self.department_ids,
            received_at__gte=self.period.start,
            received_at__lt=self.period.end,
        ).order_by()

    @property
    def display_zone(self) -> ZoneInfo:
        if self.scope.department is not None:
            try:
                return ZoneInfo(self.scope.department.timezone)
            except (KeyError, ValueError):
                pass
        return ZoneInfo("UTC")


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


# --- response times and SLA -----------------------------------------------------------------
GROUPINGS = ("department_id", "source", "priority")


def _response_rows_postgres(ctx: Context) -> list[dict]:
    """One scan, four groupings (department, source, priority, all), both percentiles."""
    sql = f"""
        SELECT GROUPING(department_id) AS g_department, GROUPING(source) AS g_source,
               GROUPING(priority) AS g_priority, department_id, source, priority,
               count(*) AS mentions,
               count(first_response_at) AS responded,
               percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (
                   ORDER BY EXTRACT(EPOCH FROM first_response_at - received_at)) AS first,
               count(resolved_at) AS resolved,
               percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (
                   ORDER BY EXTRACT(EPOCH FROM resolved_at - received_at)) AS resolution,
               count(*) FILTER (WHERE first_response_at <= sla_due_at) AS met,
               count(*) FILTER (WHERE first_response_at > sla_due_at
                                 OR (first_response_at IS NULL AND sla_due_at < %s)) AS breached
        FROM {Mention._meta.db_table}
        WHERE department_id = ANY(%s) AND received_at >= %s AND received_at < %s
        GROUP BY GROUPING SETS ((department_id), (source), (priority), ())
    """  # noqa: S608 - the table name is ours; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [ctx.now, ctx.department_ids, ctx.period.start, ctx.period.end])
        names = [c.name for c in cursor.description]
        rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
    out = []
    for row in rows:
        if not row["g_department"]:
            grouping, key = "department_id", row["department_id"]
        elif not row["g_source"]:
            grouping, key = "source", row["source"]
        elif not row["g_priority"]:
            grouping, key = "priority", row["priority"]
        else:
            grouping, key = "all", None
        first, resolution = row["first"] or [None, None], row["resolution"] or [None, None]
        out.append(
            {
                "grouping": grouping,
                "key": key,
                "mentions": row["mentions"],
                "responded": row["responded"],
                "first_p50": first[0],
                "first_p90": first[1],
                "resolved": row["resolved"],
                "resolution_p50": resolution[0],
                "resolution_p90": resolution[1],
                "met": row["met"],
                "breached": row["breached"],
            }
        )
    return out


def _response_rows_portable(ctx: Context) -> list[dict]:
    """Counts by GROUP BY; percentiles in Python over the newest values (bounded)."""
    counts = dict(  # noqa: C408 - keyword names read as the columns
        mentions=Count("id"),
        responded=Count("first_response_at"),
        resolved=Count("resolved_at"),
        met=Count("id", filter=Q(first_response_at__lte=F("sla_due_at"))),
        breached=Count(
            "id",
            filter=Q(first_response_at__gt=F("sla_due_at"))
            | Q(first_response_at__isnull=True, sla_due_at__lt=ctx.now),
        ),
    )
    base = ctx.mentions()
    rows = []
    for grouping in GROUPINGS:
        for row in base.values(grouping).annotate(**counts):
            rows.append({"grouping": grouping, "key": row.pop(grouping), **row})
    total = base.aggregate(**counts)
    if total["mentions"]:
        rows.append({"grouping": "all", "key": None, **total})
    values = base.filter(Q(first_response_at__isnull=False) | Q(resolved_at__isnull=False))
    values = values.order_by("-received_at").values_list(
        "department_id", "source", "priority", "received_at", "first_response_at", "resolved_at"
    )[:PYTHON_PERCENTILE_CAP]
    first, resolution = defaultdict(list), defaultdict(list)
    for department_id, source, priority, received, responded, resolved in values:
        keys = [("department_id", department_id), ("source", source), ("priority", priority)]
        keys.append(("all", None))
        for key in keys:
            if responded is not None:
                first[key].append((responded - received).total_seconds())
            if resolved is not None:
                resolution[key].append((resolved - received).total_seconds())
    for row in rows:
        key = (row["grouping"], row["key"])
        row["first_p50"], row["first_p90"] = percentiles(first.get(key, []))
        row["resolution_p50"], row["resolution_p90"] = percentiles(resolution.get(key, []))
    return rows


def _sla_targets(ctx: Context) -> dict[int, tuple[int, int]]:
    """Priority -> (first response, resolution) target minutes for the scope."""
    from hub.sla import DEFAULT_FIRST_RESPONSE, DEFAULT_RESOLUTION

    targets = {p: (DEFAULT_FIRST_RESPONSE[p], DEFAULT_RESOLUTION[p]) for p in Priority.values}
    if not app_ready("hub"):
        return targets
    from hub.models import SlaPolicy

    department = ctx.scope.department
    policies = SlaPolicy.objects.filter(
        Q(department__isnull=True) | Q(department=department)
        if department
        else Q(department__isnull=True)
    )
    for policy in sorted(policies, key=lambda p: p.department_id is not None):
        targets[policy.priority] = (policy.first_response_minutes, policy.resolution_minutes)
    return targets


def response_times(ctx: Context) -> list[Table]:
    rows = _response_rows_postgres(ctx) if on_postgres() else _response_rows_portable(ctx)
    by = defaultdict(dict)
    for row in rows:
        by[row["grouping"]][row["key"]] = row
    targets = _sla_targets(ctx)
    names = {d.pk: d.name for d in ctx.scope.departments}
    columns = [
        "Mentions", "Answered", "First response median (min)", "First response p90 (min)",
        "Resolved", "Resolution median (min)", "Resolution p90 (min)",
    ]  # fmt: skip

    def figures(row):
        return [
            row["mentions"], row["responded"], _minutes(row["first_p50"]),
            _minutes(row["first_p90"]), row["resolved"], _minutes(row["resolution_p50"]),
            _minutes(row["resolution_p90"]),
        ]  # fmt: skip

    tables = []
    department_rows = sorted(
        by["department_id"].values(), key=lambda r: names.get(r["key"], "").lower()
    )
    source_labels = dict(Source.choices)
    source_rows = sorted(by["source"].values(), key=lambda r: -r["mentions"])
    priority_rows = sorted(by["priority"].values(), key=lambda r: -r["key"])
    specs = [
        ("response_department", "Department", department_rows, lambda k: names.get(k, "?"), False),
        ("response_source", "Source", source_rows, lambda k: source_labels.get(k, k), False),
        ("response_priority", "Priority", priority_rows, lambda k: Priority(k).label, True),
    ]
    for key, label, group_rows, name_of, with_targets in specs:
        extra = ["First response target (min)", "Resolution target (min)"] if with_targets else []
        table = Table(
            key=key,
            title=f"Response times by {label.lower()}",
            columns=[label, *columns, *extra],
        )
        for row in group_rows:
            target = list(targets.get(row["key"], (None, None))) if with_targets else []
            table.rows.append([name_of(row["key"]), *figures(row), *target])
        labels = [r[0] for r in table.rows]
        table.chart = charts.hbar_chart(
            f"chart-{key}",
            f"First response time by {label.lower()} (minutes)",
            labels,
            [
                Series("Median", [r[3] for r in table.rows]),
                Series("p90", [r[4] for r in table.rows]),
            ],
            unit=" min",
            markers=[r[8] for r in table.rows] if with_targets else None,
            marker_name="SLA target",
        )
        tables.append(table)

    sla = Table(
        key="sla",
        title="SLA compliance (first response by the due time)",
        columns=["Department", "With an SLA", "Met", "Breached", "Compliance %"],
        note="Due times count the department's business hours (hub SLA policies). "
        "Unanswered mentions count as breached once overdue; not yet due ones are left out.",
    )
    for row in department_rows:
        decided = row["met"] + row["breached"]
        sla.rows.append(
            [names.get(row["key"], "?"), decided, row["met"], row["breached"],
             _rate(row["met"], decided)]
        )  # fmt: skip
    total = by["all"].get(None)
    if total and len(department_rows) > 1:
        decided = total["met"] + total["breached"]
        sla.rows.append(
            ["All", decided, total["met"], total["breached"], _rate(total["met"], decided)]
        )
    sla.chart = charts.hbar_chart(
        "chart-sla",
        "SLA compliance by department (%)",
        [r[0] for r in sla.rows],
        [Series("Compliance", [r[4] for r in sla.rows])],
        unit="%",
    )
    tables.append(sla)
    return tables


def headline(tables: dict[str, Table], ctx: Context) -> dict:
    """The few numbers shown large at the top, from the tables already computed."""
    sla = tables["sla"].rows
    total = sla[-1] if sla else None
    priority = tables["response_priority"].rows
    mentions = sum(r[1] for r in priority)
    answered = sum(r[2] for r in priority)
    return {
        "mentions": mentions,
        "answered": answered,
        "compliance": total[4] if total else None,
        "breaches": total[3] if total else 0,
    }


# --- volume and sentiment over time (roll-ups) ----------------------------------------------
def _top_and_other(totals: Counter, limit: int = TOP_SERIES) -> tuple[list, set]:
    top = [k for k, _ in totals.most_common(limit)]
    return top, set(totals) - set(top)


def _day_series(ctx: Context, rows, key: str, names) -> tuple[list[str], list[list]]:
    days = ctx.period.day_list
    index = {d: i for i, d in enumerate(days)}
    grid = defaultdict(lambda: [0] * len(days))
    totals = Counter()
    for row in rows:
        if row["day"] in index:
            grid[row[key]][index[row["day"]]] += row["n"]
            totals[row[key]] += row["n"]
    top, rest = _top_and_other(totals)
    columns = [names(k) for k in top]
    series = [grid[k] for k in top]
    if rest:
        columns.append("Other")
        series.append([sum(grid[k][i] for k in rest) for i in range(len(days))])
    rows_out = [[d.isoformat(), *(s[i] for s in series)] for i, d in enumerate(days)]
    return columns, rows_out


def volume(ctx: Context) -> list[Table]:
    rollups = DailyVolume.objects.filter(
        department_id__in=ctx.department_ids,
        day__gte=ctx.period.first_day,
        day__lte=ctx.period.last_day,
    ).order_by()
    run = RollupRun.objects.order_by("-finished_at").first()
    note = (
        f"Daily roll-up, refreshed {run.finished_at:%Y-%m-%d %H:%M} UTC."
        if run
        else "The daily roll-up has not run yet."
    )
    labels = {d.pk: d.name for d in ctx.scope.departments}
    sources = dict(Source.choices)
    tables = []
    for key, group, name_of, title in (
        ("volume_source", "source", lambda k: sources.get(k, k), "Volume by source"),
        (
            "volume_department",
            "department_id",
            lambda k: labels.get(k, "?"),
            "Volume by department",
        ),
    ):
        rows = rollups.values("day", group).annotate(n=Sum("mentions"))
        columns, body = _day_series(ctx, rows, group, name_of)
        table = Table(key=key, title=title, columns=["Day", *columns], rows=body, note=note)
        table.chart = charts.line_chart(
            f"chart-{key}",
            f"{title}, mentions per day",
            [r[0][5:] for r in body],
            [Series(c, [r[i + 1] for r in body]) for i, c in enumerate(columns)],
        )
        tables.append(table)

    days = ctx.period.day_list
    by_day = {
        row["day"]: row
        for row in rollups.values("day").annotate(
            n=Sum("mentions"),
            negative=Sum("negative"),
            neutral=Sum("neutral"),
            positive=Sum("positive"),
            total=Sum("sentiment_sum"),
            scored=Sum("sentiment_count"),
        )
    }
    sentiment = Table(
        key="sentiment",
        title="Sentiment over time",
        columns=["Day", "Negative", "Neutral", "Positive", "Negative %", "Average score"],
        note=note,
    )
    for day in days:
        row = by_day.get(day)
        if row is None:
            sentiment.rows.append([day.isoformat(), 0, 0, 0, None, None])
            continue
        scored = row["negative"] + row["neutral"] + row["positive"]
        average = round(row["total"] / row["scored"], 2) if row["scored"] else None
        sentiment.rows.append(
            [day.isoformat(), row["negative"], row["neutral"], row["positive"],
             _rate(row["negative"], scored), average]
        )  # fmt: skip
    sentiment.chart = charts.line_chart(
        "chart-sentiment",
        "Sentiment over time, mentions per day",
        [r[0][5:] for r in sentiment.rows],
        [Series(name, [r[i] for r in sentiment.rows]) for i, name in
         ((1, "Negative"), (2, "Neutral"), (3, "Positive"))],
    )  # fmt: skip
    tables.append(sentiment)
    return tables


# --- busiest hours vs staffed hours ---------------------------------------------------------
def _staffed_share(ctx: Context) -> list[float] | None:
    """For each hour of the day (display time zone): the share of the week's days, over the
    departments in scope, that the hour is inside business hours."""
    if not app_ready("hub"):
        return None
    from hub.models import BusinessHours
    from hub.sla import Interval, Schedule, is_open

    intervals = defaultdict(list)
    for h in BusinessHours.objects.filter(department_id__in=ctx.department_ids).order_by():
        intervals[h.department_id].append(Interval(h.weekday, h.opens, h.closes))
    zone = ctx.display_zone
    monday = (ctx.period.end.astimezone(zone) - timedelta(days=7)).date()
    monday -= timedelta(days=monday.weekday())
    departments = ctx.scope.chosen
    open_count = [0] * 24
    for department in departments:
        schedule = Schedule(department.timezone, tuple(intervals.get(department.pk, ())))
        for day in range(7):
            for hour in range(24):
                at = datetime(monday.year, monday.month, monday.day, hour, 30, tzinfo=zone)
                if is_open(at + timedelta(days=day), schedule):
                    open_count[hour] += 1
    return [round(n / (7 * len(departments)), 3) for n in open_count]


def busiest_hours(ctx: Context) -> list[Table]:
    zone = ctx.display_zone
    rows = (
        HourlyVolume.objects.filter(
            department_id__in=ctx.department_ids,
            hour__gte=ctx.period.start,
            hour__lt=ctx.period.end,
        )
        .order_by()
        .values("hour")
        .annotate(n=Sum("mentions"))
    )
    per_hour = [0] * 24
    for row in rows:
        per_hour[row["hour"].astimezone(zone).hour] += row["n"]
    days = len(ctx.period.day_list)
    staffed = _staffed_share(ctx)
    table = Table(
        key="hours",
        title=f"Busiest hours ({zone.key})",
        columns=["Hour", "Mentions", "Per day", "Staffed %"],
        note="Staffed: share of the week's days the hour is inside business hours "
        "(departments without business hours are open around the clock).",
    )
    for hour in range(24):
        table.rows.append(
            [f"{hour:02d}", per_hour[hour], round(per_hour[hour] / days, 1),
             round(100 * staffed[hour], 1) if staffed else None]
        )  # fmt: skip
    table.chart = charts.column_chart(
        "chart-hours",
        f"Mentions by hour of day ({zone.key}) against staffed hours",
        [r[0] for r in table.rows],
        [r[1] for r in table.rows],
        name="Mentions",
        shade=staffed,
        shade_name="Staffed",
    )
    return [table]


# --- topics ---------------------------------------------------------------------------------
def topics(ctx: Context) -> list[Table]:
    """Tags, flags and words, from the newest mentions of the period (a bounded sample)."""
    newest = "-received_at" if len(ctx.department_ids) == 1 else "-id"
    sample = ctx.mentions().order_by(newest)[:SAMPLE_SIZE]
    texts = list(sample.values_list("text", "flags"))
    note = f"From the newest {len(texts):,} mentions of the period."
    tags = (
        Tag.objects.filter(mentions__in=sample.values("id"))
        .values("name")
        .annotate(n=Count("mentions"))
        .order_by("-n", "name")[:15]
    )
    tag_table = Table(
        key="topics_tags",
        title="Top tags",
        columns=["Tag", "Mentions"],
        rows=[[row["name"], row["n"]] for row in tags],
        note=note,
    )
    flags, words = Counter(), Counter()
    for text, mention_flags in texts:
        flags.update(set(mention_flags or []))
        words.update(text_words(text))
    flag_table = Table(
        key="topics_flags",
        title="Flags",
        columns=["Flag", "Mentions"],
        rows=[[k, n] for k, n in sorted(flags.items(), key=lambda kv: (-kv[1], kv[0]))[:15]],
        note=note,
    )
    term_table = Table(
        key="topics_terms",
        title="Top words",
        columns=["Word", "Mentions"],
        rows=[[k, n] for k, n in sorted(words.items(), key=lambda kv: (-kv[1], kv[0]))[:20]],
        note=note,
    )
    for table in (tag_table, flag_table, term_table):
        table.chart = charts.hbar_chart(
            f"chart-{table.key}",
            f"{table.title}: mentions",
            [r[0] for r in table.rows],
            [Series("Mentions", [r[1] for r in table.rows])],
        )
    return [tag_table, flag_table, term_table]


# --- representativeness ---------------------------------------------------------------------
def _subject(ctx: Context) -> tuple[QuerySet[Mention], str]:
    mentions, parts = ctx.mentions(), []
    if ctx.tag:
        mentions = mentions.filter(tags__name=ctx.tag)
        parts.append(f"tag “{ctx.tag}”")
    if ctx.keyword:
        mentions = text_search(mentions, ctx.keyword)
        parts.append(f"keyword “{ctx.keyword}”")
    if ctx.incident is not None:
        mentions = mentions.filter(incident_links__incident=ctx.incident)
        parts.append(f"incident “{ctx.incident}”")
    return mentions, (", ".join(parts) or "all mentions") + f", {ctx.period.label}"


def representativeness(ctx: Context) -> list[Table]:
    """Mentions vs unique authors vs reach, and how much the loudest authors account for."""
    mentions, subject = _subject(ctx)
    per_author = mentions.values("author_id").annotate(n=Count("id"), reach=Max("reach"))
    inner, params = per_author.query.sql_with_params()
    # Top 1%: the first ceil(authors / 100) authors by mentions, i.e. (rank - 1) * 100 < authors.
    sql = f"""
        WITH per_author AS ({inner}),
        ranked AS (
            SELECT n, reach, row_number() OVER (ORDER BY n DESC, author_id) AS rank,
                   count(*) OVER () AS authors
            FROM per_author
        )
        SELECT count(*), coalesce(sum(n), 0), coalesce(sum(reach), 0),
               coalesce(sum(CASE WHEN rank <= 10 THEN n ELSE 0 END), 0),
               coalesce(sum(CASE WHEN (rank - 1) * 100 < authors THEN n ELSE 0 END), 0),
               coalesce(max(CASE WHEN (rank - 1) * 100 < authors THEN rank ELSE 0 END), 0)
        FROM ranked
    """  # noqa: S608 - the inner query is Django's, its values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        # sum() of counts is numeric on PostgreSQL: back to int
        authors, total, reach, top10, top1pct, top1pct_authors = map(int, cursor.fetchone())
    base = customer_base()
    share_base = round(100 * authors / base, 4) if base else None
    top1_share, top10_share = _rate(top1pct, total), _rate(top10, total)
    table = Table(
        key="representativeness",
        title="Representativeness",
        columns=["Measure", "Value"],
        rows=[
            ["Mentions", total],
            ["Unique authors", authors],
            ["Mentions per author", round(total / authors, 2) if authors else None],
            ["Reach (followers of the unique authors)", reach],
            [f"Share of mentions from the top 1% of authors ({top1pct_authors})", top1_share],
            ["Share of mentions from the top 10 authors", top10_share],
            [f"Share of the customer base ({base:,} customers) %", share_base],
        ],
        note=f"Subject: {subject}.",
    )
    table.chart = charts.hbar_chart(
        "chart-representativeness",
        "Vocal minority: shares of mentions and of customers (%)",
        ["Top 1% of authors", "Top 10 authors", "Customer base"],
        [Series("Share", [top1_share, top10_share, share_base])],
        unit="%",
    )
    return [table]


def verdict(table: Table) -> str:
    """One sentence answering "is it a vocal minority?" from the representativeness rows."""
    values = [row[1] for row in table.rows]
    total, authors, top1, top10, share = values[0], values[1], values[4], values[5], values[6]
    if not total:
        return "No mentions match."
    if authors <= 20:
        return (
            f"Few voices: {authors:,} people wrote the {total:,} mentions ({share}% of "
            f"customers); the most active wrote {top1}% of them."
        )
    if (top10 or 0) >= 50 or (authors >= 100 and (top1 or 0) >= 50):
        return (
            f"A loud few: {top10}% of the {total:,} mentions come from 10 authors and {top1}% "
            f"from the top 1%; {authors:,} people in all ({share}% of customers)."
        )
    return (
        f"Broad: {authors:,} different people wrote the {total:,} mentions "
        f"({share}% of customers); the top 10 authors wrote {top10}%."
    )


# --- compensation -----------------------------------------------------------------------------
def compensation(ctx: Context) -> list[Table]:
    if not app_ready("hub"):
        return [
            Table(
                key="spend_kind",
                title="Compensation by type",
                columns=["Type", "Offers", "Spend (EUR)"],
                note="Compensation tracking is not installed yet.",
            )
        ]
    from hub.models import COUNTED_STATUSES, CompensationKind, CompensationOffer, OfferStatus

    offers = CompensationOffer.objects.filter(
        department_id__in=ctx.department_ids,
        created_at__gte=ctx.period.start,
        created_at__lt=ctx.period.end,
    ).order_by()
    counted = Q(status__in=COUNTED_STATUSES)
    figures = dict(  # noqa: C408 - keyword names read as the columns
        offers=Count("id", filter=counted),
        spend=Sum("value", filter=counted),
        over_limit=Count("id", filter=counted & Q(value__gt=F("limit_at_offer"))),
        approved=Count("id", filter=counted & Q(needs_approval=True)),
        waiting=Count("id", filter=Q(status=OfferStatus.PROPOSED)),
        waiting_value=Sum("value", filter=Q(status=OfferStatus.PROPOSED)),
    )
    columns = [
        "Offers", "Spend (EUR)", "Above discretion limit", "Approved by comms",
        "Awaiting approval", "Awaiting (EUR)",
    ]  # fmt: skip

    def numbers(row):
        return [
            row["offers"], float(row["spend"] or 0), row["over_limit"], row["approved"],
            row["waiting"], float(row["waiting_value"] or 0),
        ]  # fmt: skip

    note = (
        "Counted: offered, accepted and fulfilled offers, valued in EUR. "
        "Above the limit: worth more than the offerer's discretion limit at the time."
    )
    kinds = dict(CompensationKind.choices)
    by_kind = Table("spend_kind", "Compensation by type", ["Type", *columns], note=note)
    for row in offers.values("policy__kind").annotate(**figures).order_by("policy__kind"):
        by_kind.rows.append([kinds.get(row["policy__kind"], row["policy__kind"]), *numbers(row)])
    names = {d.pk: d.name for d in ctx.scope.departments}
    by_department = Table(
        "spend_department", "Compensation by department", ["Department", *columns], note=note
    )
    for row in offers.values("department_id").annotate(**figures):
        by_department.rows.append([names.get(row["department_id"], "?"), *numbers(row)])
    by_department.rows.sort(key=lambda r: r[0].lower())
    by_incident = Table(
        "spend_incident", "Compensation by incident", ["Incident", *columns], note=note
    )
    incident_rows = list(
        offers.filter(incident_id__isnull=False).values("incident_id").annotate(**figures)
    )
    titles = {}
    if incident_rows and app_ready("incidents"):
        from incidents.models import Incident

        titles = dict(
            Incident.objects.filter(pk__in=[r["incident_id"] for r in incident_rows]).values_list(
                "pk", "title"
            )
        )
    for row in sorted(incident_rows, key=lambda r: -(r["spend"] or 0)):
        title = titles.get(row["incident_id"], f"Incident #{row['incident_id']}")
        by_incident.rows.append([title, *numbers(row)])
    for table in (by_kind, by_department, by_incident):
        table.chart = charts.hbar_chart(
            f"chart-{table.key}",
            f"{table.title}: spend (EUR)",
            [r[0] for r in table.rows],
            [Series("Spend", [r[2] for r in table.rows]),
             Series("Awaiting approval", [r[6] for r in table.rows])],
            unit=" €",
        )  # fmt: skip
    return [by_kind, by_department, by_incident]


# --- agents ---------------------------------------------------------------------------------
def agents(ctx: Context) -> list[Table]:
    table = Table(
        key="agents",
        title="Agents",
        columns=[
            "Agent",
            "Replies sent",
            "First responses",
            "Median first response (min)",
            "Approvals requested",
            "Changes asked or rejected",
        ],  # fmt: skip
        note="First responses: public replies that answered a mention first; the time runs "
        "from the mention's arrival. Approvals: replies that had to wait for central comms.",
    )
    if not app_ready("replies"):
        table.note = "Replies are not installed yet."
        return [table]
    from django.contrib.auth import get_user_model

    from accounts.models import AuditEvent
    from replies.models import Reply, ReplyKind, ReplyState

    replies = Reply.objects.filter(
        mention__department_id__in=ctx.department_ids,
        created_at__gte=ctx.period.start,
        created_at__lt=ctx.period.end,
    ).order_by()
    is_first = Q(
        kind=ReplyKind.PUBLIC, state=ReplyState.SENT, sent_at=F("mention__first_response_at")
    )
    rows = {
        row["author_id"]: row
        for row in replies.values("author_id").annotate(
            sent=Count("id", filter=Q(state=ReplyState.SENT)),
            first=Count("id", filter=is_first),
            approvals=Count("id", filter=Q(submitted_at__isnull=False) & ~Q(approval_reasons=[])),
        )
    }
    medians = {}
    if on_postgres():
        elapsed = EpochSeconds(F("sent_at") - F("mention__received_at"))
        for row in (
            replies.filter(is_first)
            .values("author_id")
            .annotate(median=PercentileCont(elapsed, 0.5))
        ):
            medians[row["author_id"]] = row["median"]
    else:
        values = defaultdict(list)
        for author_id, sent, received in replies.filter(is_first).values_list(
            "author_id", "sent_at", "mention__received_at"
        )[:PYTHON_PERCENTILE_CAP]:
            values[author_id].append((sent - received).total_seconds())
        medians = {k: percentiles(v, (0.5,))[0] for k, v in values.items()}
    decided = AuditEvent.objects.filter(
        action__in=("reply.changes_requested", "reply.rejected"),
        target_type="replies.reply",
        created_at__gte=ctx.period.start,
        created_at__lt=ctx.period.end,
    ).values_list("target_id", flat=True)[:PYTHON_PERCENTILE_CAP]
    reply_ids = [int(t) for t in decided if t.isdigit()]
    asked = Counter()
    if reply_ids:
        decisions = Counter(reply_ids)
        for reply_id, author_id in Reply.objects.filter(
            pk__in=set(reply_ids), mention__department_id__in=ctx.department_ids
        ).values_list("pk", "author_id"):
            asked[author_id] += decisions[reply_id]
    people = {
        u.pk: u.get_full_name() or u.username
        for u in get_user_model().objects.filter(pk__in=set(rows) | set(asked))
    }
    for author_id in sorted(set(rows) | set(asked), key=lambda pk: people.get(pk, "").lower()):
        row = rows.get(author_id, {"sent": 0, "first": 0, "approvals": 0})
        table.rows.append(
            [people.get(author_id, "?"), row["sent"], row["first"],
             _minutes(medians.get(author_id)), row["approvals"], asked[author_id]]
        )  # fmt: skip
    table.chart = charts.hbar_chart(
        "chart-agents",
        "Replies sent per agent",
        [r[0] for r in table.rows],
        [Series("Replies sent", [r[1] for r in table.rows]),
         Series("Approvals requested", [r[4] for r in table.rows])],
    )  # fmt: skip
    return [table]


# --- the dashboard --------------------------------------------------------------------------
SECTIONS = {
    "response": response_times,
    "volume": volume,
    "hours": busiest_hours,
    "topics": topics,
    "representativeness": representativeness,
    "compensation": compensation,
    "agents": agents,
}
TABLE_SECTION = {
    "response_department": "response",
    "response_source": "response",
    "response_priority": "response",
    "sla": "response",
    "volume_source": "volume",
    "volume_department": "volume",
    "sentiment": "volume",
    "hours": "hours",
    "topics_tags": "topics",
    "topics_flags": "topics",
    "topics_terms": "topics",
    "representativeness": "representativeness",
    "spend_kind": "compensation",
    "spend_department": "compensation",
    "spend_incident": "compensation",
    "agents": "agents",
}


def dashboard(ctx: Context) -> dict[str, Table]:
    tables = {}
    for section in SECTIONS.values():
        for table in section(ctx):
            tables[table.key] = table
    return tables


def table_get(ctx: Context, key: str) -> Table | None:
    section = TABLE_SECTION.get(key)
    if section is None:
        return None
    return next((t for t in SECTIONS[section](ctx) if t.key == key), None)
