"""Spike detection: an early warning to central comms when a wave of mentions builds up.

Triage keeps hourly counters (``SpikeCounter``: mentions and negative mentions per scope and
hour posted) with one bulk upsert per batch, then evaluates the scopes the batch touched:

- scopes: everything (``all``), each department (``dept:<id>``), each risk flag
  (``flag:<flag>``), each routing keyword configured in the hub (``kw:<keyword>``) and the
  hashtags people use (``tag:<hashtag>``);
- the current value is a rolling hour: the current hour so far plus the part of the previous
  hour still inside the last 60 minutes; the baseline is the same rolling hour at the same hour
  of the week over the last ``WEEKS`` weeks, or while that history is too short, at the same
  hour of the day over the last ``DAYS`` days, weekdays against weekdays and weekends against
  weekends when there are enough of them (at least ``MIN_SAMPLES`` samples, else no verdict:
  the organisation is too new to tell);
- a spike is ``z = (current - mean) / sqrt(std² + mean) >= Z_THRESHOLD`` (at least 1 in the
  denominator) with at least ``MIN_COUNT`` mentions and ``RATIO`` times the mean: the sample
  spread is the hour-to-hour variation, the mean adds the Poisson noise of the current count,
  which dominates small counts;
- a spike raises one ``SpikeAlert`` to central comms (live ``alert.spike`` on the hub group
  and a notification to each comms user) with its mentions linked: unique authors, total
  reach and how much the busiest authors wrote tell many voices from a loud few. One open
  alert per scope: scopes crossing together share one alert (the most specific scope leads),
  and a scope already covered by an open alert refreshes it instead.

Evaluation costs two queries (upsert, counter read) plus, when an alert is raised or
refreshed, a few more; never a scan of the mentions table.
"""

import math
import statistics
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.audit import audit
from core.bulk import bulk_update_rows, insert_ignoring_conflicts
from core.errors import Conflict, DomainError, NotFound
from core.events import hub_group, publish
from core.notifications import notify
from hub.routing import keyword_bank
from spokes import triage
from spokes.models import (
    Department,
    Mention,
    SpikeAlert,
    SpikeAlertAuthor,
    SpikeAlertMention,
    SpikeCounter,
    SpikeStatus,
)

Z_THRESHOLD = 4.5
MIN_COUNT = 20
RATIO = 2.0
MIN_SAMPLES = 3
WEEKS = 4
DAYS = 7
NEGATIVE = -0.05  # VADER's usual cut-off, as in the queue's sentiment filter
HOUR = timedelta(hours=1)
MAX_LINKED = 2000
EXPIRE_AFTER = timedelta(hours=6)  # an open alert nobody acted on, quiet this long, expires
SPECIFICITY = {"kw": 0, "tag": 1, "flag": 2, "dept": 3, "all": 4}
CHUNK = 400


# --- scopes ---------------------------------------------------------------------------------
def keyword_scopes(router) -> list[str]:
    """The hub's configured keywords: department routing keywords and routing rules'."""
    from hub.models import RoutingRule

    words = set()
    for department in router.departments:
        words.update(str(w).strip().lower() for w in department.routing_keywords or ())
    for keywords in RoutingRule.objects.filter(is_active=True).values_list("keywords", flat=True):
        words.update(str(w).strip().lower() for w in keywords or ())
    return sorted(w[:100] for w in words if w.strip("* "))


def scopes_of(mention, keywords: list[str]) -> list[str]:
    scopes = ["all"]
    if mention.department_id:
        scopes.append(f"dept:{mention.department_id}")
    scopes += [f"flag:{f}" for f in mention.flags or () if f in triage.RISK_KEYWORDS]
    if keywords:  # one look at the text's words for all of them (in the keywords' order)
        found = keyword_bank(tuple(keywords)).found(mention.text)
        scopes += [f"kw:{keywords[n]}" for n in sorted(found)]
    scopes += [f"tag:{t[:100]}" for t in triage.hashtags(mention.text)]
    return scopes


def in_scope(scope: str, *, department_id, flags, text) -> bool:
    kind, _, value = scope.partition(":")
    if kind == "all":
        return True
    if kind == "dept":
        return str(department_id) == value
    if kind == "flag":
        return value in (flags or ())
    if kind == "kw":
        return bool(triage.pattern(value).search(text))
    if kind == "tag":
        return value in triage.hashtags(text)
    return False


def scope_label(scope: str, departments: dict | None = None) -> str:
    kind, _, value = scope.partition(":")
    if kind == "all":
        return "All mentions"
    if kind == "dept":
        department = (departments or {}).get(int(value))
        if department is None:
            department = Department.objects.filter(pk=value).first()
        return f"Department {department.name if department else value}"
    if kind == "flag":
        return f"Risk: {value}"
    if kind == "kw":
        return f"Keyword “{value.rstrip('*')}”"
    return f"#{value}"


def posted_moment(mention) -> datetime:
    """When it was posted, never later than its arrival (clocks of sources drift)."""
    return min(mention.posted_at, mention.received_at).astimezone(UTC)


def hour_of(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def is_negative(mention) -> bool:
    return mention.sentiment is not None and mention.sentiment <= NEGATIVE


# --- counters ---------------------------------------------------------------------------------
def _upsert(deltas: dict[tuple[str, datetime], list[int]]) -> None:
    """Add to the counters in one statement per chunk (in key order: no lock-order deadlock)."""
    table = SpikeCounter._meta.db_table
    hour_field = SpikeCounter._meta.get_field("hour")
    rows = sorted(deltas.items())
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            params = []
            for (scope, hour), (count, negative) in chunk:
                params += [scope, hour_field.get_db_prep_save(hour, connection), count, negative]
            values = ", ".join(["(%s, %s, %s, %s)"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} (scope, hour, mentions, negative) VALUES {values} "  # noqa: S608
                f"ON CONFLICT (scope, hour) DO UPDATE SET "
                f"mentions = {table}.mentions + excluded.mentions, "
                f"negative = {table}.negative + excluded.negative",
                params,
            )


def _sample_hours(hour: datetime) -> dict[str, list[datetime]]:
    return {
        "weekly": [hour - timedelta(weeks=w) for w in range(1, WEEKS + 1)],
        "daily": [hour - timedelta(days=d) for d in range(1, DAYS + 1)],
    }


def _rolling(counts: dict, scope: str, hour: datetime, metric: int, fraction: float, *, current):
    here = counts.get((scope, hour), (0, 0))[metric]
    before = counts.get((scope, hour - HOUR), (0, 0))[metric]
    if current:  # the current hour holds only its first ``fraction`` so far
        return here + (1 - fraction) * before
    return fraction * here + (1 - fraction) * before


def evaluate(scopes, *, hour: datetime, fraction: float) -> list[dict]:
    """Scopes (of ``scopes``) spiking at ``hour``; one counter query."""
    samples = _sample_hours(hour)
    wanted = {hour, hour - HOUR}
    for hours in samples.values():
        for h in hours:
            wanted.update((h, h - HOUR))
    counts = {
        (scope, h.astimezone(UTC)): (n, neg)
        for scope, h, n, neg in SpikeCounter.objects.filter(
            scope__in_array=set(scopes) | {"all"}, hour__in_array=wanted
        ).values_list("scope", "hour", "mentions", "negative")
    }

    def known(h):  # the organisation was counting then
        return ("all", h) in counts or ("all", h - HOUR) in counts

    base_hours = [h for h in samples["weekly"] if known(h)]
    if len(base_hours) < MIN_SAMPLES:
        days = [h for h in samples["daily"] if known(h)]
        weekend = hour.weekday() >= 5
        same_kind = [h for h in days if (h.weekday() >= 5) == weekend]
        base_hours = same_kind if len(same_kind) >= MIN_SAMPLES else days
    if len(base_hours) < MIN_SAMPLES:
        return []
    crossing = []
    for scope in scopes:
        for metric, name in ((0, "volume"), (1, "negative")):
            current = _rolling(counts, scope, hour, metric, fraction, current=True)
            if current < MIN_COUNT:
                continue
            baseline = [
                _rolling(counts, scope, h, metric, fraction, current=False) for h in base_hours
            ]
            mean = statistics.fmean(baseline)
            std = statistics.stdev(baseline) if len(baseline) > 1 else 0.0
            z = (current - mean) / max(math.sqrt(std * std + mean), 1.0)
            if z >= Z_THRESHOLD and current >= RATIO * mean:
                crossing.append(
                    {
                        "scope": scope,
                        "metric": name,
                        "observed": round(current, 1),
                        "baseline": round(mean, 2),
                        "baseline_std": round(std, 2),
                        "z": round(z, 2),
                    }
                )
    return crossing


def record_and_detect(
    mentions: list[Mention], *, router, now: datetime, keywords: list[str] | None = None
) -> list[SpikeAlert]:
    """Count a freshly triaged batch and raise or refresh spike alerts (inside triage's
    transaction: counters, alerts and the batch commit together). ``keywords``: the
    ``keyword_scopes(router)`` already read."""
    if not mentions:
        return []
    if keywords is None:
        keywords = keyword_scopes(router)
    deltas: dict[tuple[str, datetime], list[int]] = defaultdict(lambda: [0, 0])
    batch_scopes: dict[int, list[str]] = {}
    latest = max(posted_moment(m) for m in mentions)
    hour = hour_of(latest)
    touched = set()
    for mention in mentions:
        moment = posted_moment(mention)
        scopes = scopes_of(mention, keywords)
        batch_scopes[mention.pk] = scopes
        negative = is_negative(mention)
        mention_hour = hour_of(moment)
        recent = mention_hour >= hour - HOUR
        for scope in scopes:
            row = deltas[(scope, mention_hour)]
            row[0] += 1
            row[1] += int(negative)
            if recent:
                touched.add(scope)
    _upsert(deltas)
    fraction = max((latest - hour) / HOUR, 1 / 60)
    crossing = evaluate(sorted(touched), hour=hour, fraction=fraction)
    if not crossing:
        return []
    departments = {d.pk: d for d in router.departments}
    return _raise(crossing, mentions, batch_scopes, latest=latest, departments=departments,
                  now=now)  # fmt: skip


# --- alerts -------------------------------------------------------------------------------
def _raise(crossing, mentions, batch_scopes, *, latest, departments, now) -> list[SpikeAlert]:
    best: dict[str, dict] = {}
    for spike in crossing:  # per scope, the metric that crossed furthest
        if spike["scope"] not in best or spike["z"] > best[spike["scope"]]["z"]:
            best[spike["scope"]] = spike
    open_alerts = list(SpikeAlert.objects.filter(status=SpikeStatus.OPEN))
    covering = {}
    for alert in open_alerts:
        for scope in [alert.scope, *alert.related_scopes]:
            covering.setdefault(scope, alert)
    refreshed = {covering[s].pk for s in best if s in covering}
    fresh = [spike for s, spike in best.items() if s not in covering]
    trigger = max(m.received_at for m in mentions)
    alerts = []
    # Locked, in one order (two workers' batches then queue instead of deadlocking), and read
    # again: the figures grow from their latest values, and an alert closed a moment ago by
    # comms stays closed.
    locked = SpikeAlert.objects.select_for_update().filter(
        pk__in=refreshed, status=SpikeStatus.OPEN
    )
    for alert in locked.order_by("pk"):
        spike = best.get(alert.scope) or max(
            (best[s] for s in alert.related_scopes if s in best), key=lambda s: s["z"]
        )
        alert.observed = max(alert.observed, spike["observed"])
        alert.z_score = max(alert.z_score, spike["z"])
        alert.window_end = max(alert.window_end, latest)
        alert.updated_at = now
        _add_links(
            alert,
            [(m.pk, m.author_id, m.reach) for m in mentions if _matches(alert, m, batch_scopes)],
        )
        alert.save(update_fields=["observed", "z_score", "window_end", "updated_at", *FIGURES])
        publish("alert.spike_updated", _payload(alert), groups=[hub_group()])
        alerts.append(alert)
    if fresh:
        fresh.sort(key=lambda s: (SPECIFICITY[s["scope"].partition(":")[0]], -s["z"]))
        lead = fresh[0]
        alert = _create(lead, fresh[1:], latest=latest, trigger=trigger,
                        departments=departments, now=now)  # fmt: skip
        if alert is not None:
            alerts.append(alert)
    return alerts


def _matches(alert: SpikeAlert, mention, batch_scopes) -> bool:
    if alert.scope not in batch_scopes.get(mention.pk, ()):
        return False
    return alert.metric != "negative" or is_negative(mention)


def _department_of(scope: str, related: list[str]) -> int | None:
    for s in [scope, *related]:
        kind, _, value = s.partition(":")
        if kind == "dept":
            return int(value)
    return None


def _create(lead, others, *, latest, trigger, departments, now) -> SpikeAlert | None:
    related = [s["scope"] for s in others]
    label = scope_label(lead["scope"], departments)
    if lead["metric"] == "negative":
        label = f"Negative mentions · {label}"
    window_start = latest - HOUR
    try:
        with transaction.atomic():  # a concurrent worker may have opened it a moment ago
            alert = SpikeAlert.objects.create(
                scope=lead["scope"],
                label=label[:200],
                metric=lead["metric"],
                related_scopes=related,
                department_id=_department_of(lead["scope"], related),
                window_start=window_start,
                window_end=latest,
                observed=lead["observed"],
                baseline=lead["baseline"],
                baseline_std=lead["baseline_std"],
                z_score=lead["z"],
                trigger_received_at=trigger,
                created_at=now,
                updated_at=now,
            )
    except IntegrityError:
        return None
    window = (
        Mention.objects.filter(
            received_at__gte=window_start,
            posted_at__gte=window_start,
            posted_at__lte=latest + timedelta(minutes=1),
            department__isnull=False,
            triaged_at__isnull=False,
        )
        .order_by("-id")
        .values_list("id", "department_id", "flags", "text", "sentiment", "author_id", "reach")[
            : MAX_LINKED * 5
        ]
    )
    links = []
    for pk, department_id, flags, text, sentiment, author_id, reach in window:
        if not in_scope(lead["scope"], department_id=department_id, flags=flags, text=text):
            continue
        if lead["metric"] == "negative" and (sentiment is None or sentiment > NEGATIVE):
            continue
        links.append((pk, author_id, reach))
        if len(links) == MAX_LINKED:
            break
    _add_links(alert, links)
    alert.save(update_fields=FIGURES)
    payload = _payload(alert)
    publish("alert.spike", payload, groups=[hub_group()])
    text = (
        f"Spike: {alert.label}: {alert.mention_count} mentions from "
        f"{alert.unique_authors} authors (usually {alert.baseline:.0f}/h)"
    )
    for user in get_user_model().objects.filter(is_active=True, org_role__in=("comms", "admin")):
        notify(user=user, kind="alert.spike", text=text, url=payload["url"])
    return alert


FIGURES = ["mention_count", "unique_authors", "total_reach", "top_author_share", "author_counts"]


def _add_links(alert: SpikeAlert, links: list[tuple[int, int, int]]) -> None:
    """Link mentions, given as (id, author id, reach), to ``alert`` (locked by the caller, or
    created in this transaction) and bring its figures up to date from the links actually
    added: unique authors, total reach (each author counted once, at their widest reach) and
    the share of its mentions written by the busiest tenth of authors.

    The cost is the new links' only, whatever the alert holds: an author's part is kept in a
    ``SpikeAlertAuthor`` row and how many authors wrote each number of mentions in
    ``author_counts``. (Reading every link again on each batch cost 0.5 s a batch at 200,000
    links: an alert open through a crisis slowed the triage of everything else.) The caller
    saves ``FIGURES``."""
    reach_of = {pk: (author_id, reach) for pk, author_id, reach in links}
    added = insert_ignoring_conflicts(
        SpikeAlertMention,
        [
            {"alert_id": alert.pk, "mention_id": pk, "reach": reach}
            for pk, (_, reach) in sorted(reach_of.items())
        ],
        ["mention_id"],
    )
    if not added:
        return
    per_author: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for (pk,) in added:
        author_id, reach = reach_of[pk]
        entry = per_author[author_id]
        entry[0] += 1
        entry[1] = max(entry[1], reach)
    known = {
        row.author_id: row
        for row in SpikeAlertAuthor.objects.filter(
            alert=alert, author_id__in_array=list(per_author)
        )
    }
    counts = Counter({int(written): n for written, n in alert.author_counts.items()})
    new_rows, changed = [], []
    for author_id in sorted(per_author):
        written, reach = per_author[author_id]
        row = known.get(author_id)
        if row is None:
            new_rows.append(
                {"alert_id": alert.pk, "author_id": author_id, "mentions": written, "reach": reach}
            )
            alert.unique_authors += 1
            alert.total_reach += reach
            counts[written] += 1
            continue
        counts[row.mentions] -= 1
        row.mentions += written
        counts[row.mentions] += 1
        if reach > row.reach:
            alert.total_reach += reach - row.reach
            row.reach = reach
        changed.append(row)
    insert_ignoring_conflicts(SpikeAlertAuthor, new_rows, ["id"])  # none: the alert is locked
    bulk_update_rows(changed, ["mentions", "reach"])
    alert.mention_count += len(added)
    alert.author_counts = {str(k): n for k, n in sorted(counts.items()) if n}
    alert.top_author_share = busiest_share(counts, alert.unique_authors, alert.mention_count)


def busiest_share(author_counts: Counter, authors: int, mentions: int) -> float:
    """The share of ``mentions`` written by the busiest tenth of ``authors`` (at least one),
    from how many authors wrote each number of mentions."""
    left, top = max(1, math.ceil(authors / 10)), 0
    for written in sorted(author_counts, reverse=True):
        taken = min(left, author_counts[written])
        top += taken * written
        left -= taken
        if not left:
            break
    return round(top / mentions, 3) if mentions else 0.0


def _widest(alert: SpikeAlert, limit: int) -> list[int]:
    """Ids of the alert's ``limit`` widest-reaching mentions, then the newest (by index)."""
    return list(
        alert.links.order_by("-reach", "-mention_id").values_list("mention_id", flat=True)[:limit]
    )


def samples(alert: SpikeAlert, limit: int = 5) -> list[Mention]:
    """The alert's mentions with the widest reach, then the newest."""
    ids = _widest(alert, limit)
    found = {
        m.pk: m for m in Mention.objects.filter(pk__in=ids).select_related("author", "department")
    }
    return [found[pk] for pk in ids if pk in found]


def _payload(alert: SpikeAlert) -> dict:
    return {
        "id": alert.pk,
        "scope": alert.scope,
        "label": alert.label,
        "metric": alert.metric,
        "observed": alert.observed,
        "baseline": alert.baseline,
        "z": alert.z_score,
        "mention_count": alert.mention_count,
        "unique_authors": alert.unique_authors,
        "total_reach": alert.total_reach,
        "top_author_share": alert.top_author_share,
        "trigger_received_at": alert.trigger_received_at.isoformat()
        if alert.trigger_received_at
        else None,
        "samples": [
            {"id": m.pk, "author": m.author.handle, "reach": m.reach, "text": m.text[:200]}
            for m in samples(alert, 3)
        ],
        "url": reverse("spokes:alert", args=[alert.pk]),
    }


@transaction.atomic
def alerts_expire(*, now: datetime | None = None) -> int:
    """Close open alerts nobody acted on once their wave has been quiet for a while; each is
    audited and the alerts page told, as when a person closes one."""
    now = now or timezone.now()
    stale = list(
        SpikeAlert.objects.select_for_update(skip_locked=True).filter(
            status=SpikeStatus.OPEN, updated_at__lt=now - EXPIRE_AFTER
        )
    )
    for alert in stale:
        _close(alert, actor=None, status=SpikeStatus.EXPIRED, action="alert.expired",
               data={"quiet_since": alert.updated_at.isoformat()}, now=now)  # fmt: skip
    return len(stale)


# --- reads and actions for central comms ------------------------------------------------------
def _require_comms(user) -> None:
    if not (user.is_authenticated and user.is_central_comms):
        raise NotFound("No such alert.")


def alerts_visible(user):
    if not (user.is_authenticated and user.is_central_comms):
        return SpikeAlert.objects.none()
    return SpikeAlert.objects.select_related("department")


def alert_get(*, user, alert_id) -> SpikeAlert:
    try:
        alert_id = int(alert_id)
    except (TypeError, ValueError):
        raise NotFound("No such alert.") from None
    alert = alerts_visible(user).filter(pk=alert_id).first()
    if alert is None:
        raise NotFound("No such alert.")
    return alert


def proposed_holding_statement(*, user, alert: SpikeAlert):
    """The approved holding statement that fits the alert best: its department's, then the
    organisation's; a topic matching the alert's keyword, hashtag or flag scores higher."""
    from hub.models import GuidelineKind, GuidelineStatus
    from hub.selectors import guidelines_visible

    candidates = guidelines_visible(user).filter(
        kind=GuidelineKind.HOLDING_STATEMENT,
        status=GuidelineStatus.APPROVED,
        current_version__isnull=False,
    )
    if alert.department_id:
        candidates = candidates.filter(department__isnull=True) | candidates.filter(
            department_id=alert.department_id
        )
    else:
        candidates = candidates.filter(department__isnull=True)
    words = {
        s.partition(":")[2].rstrip("*").lower()
        for s in [alert.scope, *alert.related_scopes]
        if ":" in s
    }

    def score(guideline):
        topics = {str(t).strip().lower() for t in guideline.topics or ()}
        return (
            len(topics & words),
            guideline.department_id is not None,
            guideline.updated_at,
        )

    ranked = sorted(candidates, key=score, reverse=True)
    return ranked[0].current_version if ranked else None


def _lock_open(actor, alert_id) -> SpikeAlert:
    _require_comms(actor)
    alert = alert_get(user=actor, alert_id=alert_id)
    alert = SpikeAlert.objects.select_for_update().get(pk=alert.pk)
    if not alert.is_open:
        raise Conflict("The alert is closed already.", field="status")
    return alert


def _close(alert: SpikeAlert, *, actor, status: str, action: str, data: dict, now=None) -> None:
    alert.status = status
    alert.closed_by = actor
    alert.closed_at = now or timezone.now()
    alert.save(update_fields=["status", "closed_by", "closed_at", "incident_id"])
    audit(actor=actor, action=action, target=alert, data=data)
    publish(
        "alert.spike_closed",
        {"id": alert.pk, "status": status, "incident_id": alert.incident_id},
        groups=[hub_group()],
    )


@transaction.atomic
def spike_alert_dismiss(*, actor, alert_id, reason: str = "") -> SpikeAlert:
    alert = _lock_open(actor, alert_id)
    _close(alert, actor=actor, status=SpikeStatus.DISMISSED, action="alert.dismissed",
           data={"reason": reason.strip()[:300]})  # fmt: skip
    return alert


LINK_ON_DECLARE = 200  # the widest-reaching mentions; the rest can be linked by filter


@transaction.atomic
def spike_alert_declare(
    *,
    actor,
    alert_id,
    title: str,
    severity: str = "major",
    holding_statement: str = "",
    guideline_version_id: int | None = None,
):
    """Declare an incident from the alert: its departments and keyword, its mentions linked
    (widest reach first) and, if given, the proposed holding statement set."""
    from incidents import services as incidents

    alert = _lock_open(actor, alert_id)
    if not (title or "").strip():
        raise DomainError("The title cannot be empty.", field="title")
    ids = _widest(alert, LINK_ON_DECLARE)
    department_of = dict(Mention.objects.filter(pk__in=ids).values_list("pk", "department_id"))
    linked = [(pk, department_of[pk]) for pk in ids if pk in department_of]
    department_ids = {d for _, d in linked if d} | (
        {alert.department_id} if alert.department_id else set()
    )
    keywords = [
        s.partition(":")[2].rstrip("*")
        for s in [alert.scope, *alert.related_scopes]
        if s.split(":")[0] in ("kw", "tag", "flag")
    ]
    incident = incidents.incident_declare(
        actor=actor,
        title=title,
        severity=severity,
        departments=Department.objects.filter(pk__in=department_ids),
        keywords=keywords,
        summary=(
            f"Raised by the spike alert “{alert.label}”: {alert.mention_count} mentions from "
            f"{alert.unique_authors} authors, total reach {alert.total_reach:,} "
            f"(usual {alert.baseline:.0f} per hour, z {alert.z_score:.1f})."
        ),
    )
    for mention_id, _ in linked:
        incidents.incident_link_mention(actor=actor, incident_id=incident.pk, mention_id=mention_id)
    if holding_statement.strip():
        incidents.incident_set_holding_statement(
            actor=actor,
            incident_id=incident.pk,
            text=holding_statement,
            guideline_version_id=guideline_version_id,
        )
    alert.incident_id = incident.pk
    _close(alert, actor=actor, status=SpikeStatus.DECLARED, action="alert.incident_declared",
           data={"incident_id": incident.pk, "linked": len(linked)})  # fmt: skip
    return incident
