"""Reads about incidents, scoped by who may see them.

Central comms and administrators see every incident; staff see the incidents of their
departments and the ones whose team they are on. Anything else is a 404.
"""

import logging
from datetime import UTC, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncHour
from django.utils import timezone

from core.errors import NotFound
from core.shared import shared
from incidents.models import (
    OPEN_INCIDENT_STATUSES,
    Incident,
    IncidentMember,
    IncidentMention,
    PlannedReply,
    PlannedReplyStatus,
    UpdateStatus,
)
from spokes.filters import SENTIMENT_RANGES
from spokes.models import OPEN_STATUSES, Mention
from spokes.selectors import departments_for, mentions_visible

log = logging.getLogger("firebreak.incidents")


def incidents_visible(user) -> QuerySet[Incident]:
    if not user.is_authenticated or not user.is_active:
        return Incident.objects.none()
    if user.is_central_comms or user.is_administrator:
        return Incident.objects.all()
    department_ids = departments_for(user).values("pk")
    via_department = Incident.departments.through.objects.filter(
        department_id__in=department_ids
    ).values("incident_id")
    via_team = IncidentMember.objects.filter(user=user).values("incident_id")
    return Incident.objects.filter(Q(pk__in=via_department) | Q(pk__in=via_team))


def incident_get(*, user, incident_id) -> Incident:
    try:
        incident_id = int(incident_id)
    except (TypeError, ValueError, OverflowError):  # OverflowError: infinity from JSON
        raise NotFound("No such incident.") from None
    incident = (
        incidents_visible(user)
        .select_related("declared_by", "holding_set_by")
        .filter(pk=incident_id)
    ).first()
    if incident is None:
        raise NotFound("No such incident.")
    return incident


# --- what a person may do on a visible incident ------------------------------------------
def is_team_member(user, incident: Incident) -> bool:
    return IncidentMember.objects.filter(incident=incident, user=user).exists()


def leads_involved_department(user, incident: Incident) -> bool:
    return departments_for(user, "lead_queue").filter(incidents=incident).exists()


def can_manage(user, incident: Incident) -> bool:
    """Change status, team, departments and keywords: comms or a lead of an involved department."""
    return user.is_central_comms or leads_involved_department(user, incident)


def can_contribute(user, incident: Incident) -> bool:
    """Add facts, draft updates, link mentions: managers and the team."""
    return can_manage(user, incident) or is_team_member(user, incident)


def permissions_for(user, incident: Incident) -> dict:
    manage = can_manage(user, incident)
    contribute = manage or is_team_member(user, incident)
    return {
        "manage": manage,
        "contribute": contribute,
        "approve": user.is_central_comms,
        "is_open": incident.is_open,
    }


# --- panels --------------------------------------------------------------------------------
def incidents_list(user) -> QuerySet[Incident]:
    return (
        incidents_visible(user)
        .prefetch_related("departments")
        .annotate(linked=Count("links", distinct=True))
        .order_by("-declared_at", "-id")
    )


def open_incidents_for_mention(user, mention: Mention) -> QuerySet[Incident]:
    """Open incidents the mention could be linked to by ``user``: those they may add to
    (``can_contribute``), not every one they see (an agent was offered buttons that only
    answered "Only the incident team, its leads and central comms can")."""
    rows = (
        incidents_visible(user)
        .filter(status__in=OPEN_INCIDENT_STATUSES)
        .exclude(links__mention=mention)
    )
    if user.is_central_comms:
        return rows
    leads = departments_for(user, "lead_queue").filter(incidents=OuterRef("pk"))
    team = IncidentMember.objects.filter(incident=OuterRef("pk"), user=user)
    return rows.filter(Exists(leads) | Exists(team))


def team(incident: Incident):
    return incident.members.select_related("user").order_by("-on_call", "added_at", "id")


def facts(incident: Incident):
    return incident.facts.select_related("recorded_by").order_by("-created_at", "-id")


def updates(incident: Incident, user):
    rows = incident.updates.select_related("drafted_by", "approved_by").order_by(
        "-created_at", "-id"
    )
    if not (user.is_central_comms or can_contribute(user, incident)):
        rows = rows.filter(status=UpdateStatus.APPROVED)
    return rows


def bulk_responses(incident: Incident, user, limit: int = 10) -> list:
    """The latest bulk responses with how far their hand-over got, and the reasons of their
    first failed replies the user may see (``failures``); for central comms and the
    incident's contributors."""
    if not (user.is_central_comms or can_contribute(user, incident)):
        return []

    def counted(status):
        return Count("planned", filter=Q(planned__status=status))

    rows = list(
        incident.bulk_responses.select_related("approved_by", "update").annotate(
            planned_left=counted(PlannedReplyStatus.PLANNED),
            handed_over=counted(PlannedReplyStatus.HANDED_OVER),
            failed=counted(PlannedReplyStatus.FAILED),
        )[:limit]
    )
    failures = {}
    failed_rows = PlannedReply.objects.filter(
        bulk__in=[r for r in rows if r.failed],
        status=PlannedReplyStatus.FAILED,
        mention__in=mentions_visible(user),  # another department's mention stays unnamed
    ).order_by("bulk_id", "id")
    for planned in failed_rows.only("bulk_id", "mention_id", "error"):
        failures.setdefault(planned.bulk_id, [])
        if len(failures[planned.bulk_id]) < 5:
            failures[planned.bulk_id].append(planned)
    for row in rows:
        row.failures = failures.get(row.pk, [])
    return rows


def messages(incident: Incident, limit: int = 200):
    return list(incident.messages.select_related("author").order_by("-created_at", "-id")[:limit])[
        ::-1
    ]


def linked_mentions(incident: Incident, user) -> QuerySet[Mention]:
    """Linked mentions the caller may open (their departments, shares, or all for comms)."""
    return (
        mentions_visible(user)
        .filter(incident_links__incident=incident)
        .select_related("author", "department")
    )


def latest_linked(incident: Incident, user, limit: int = 50) -> list[Mention]:
    """The caller's ``limit`` most recently received linked mentions. By id, PostgreSQL reads
    the incident's links in their index's order, so the cost is the page's whatever the
    incident holds (sorting every linked mention by posting time took 0.6 s at 100,000)."""
    return list(linked_mentions(incident, user).order_by("-id")[:limit])


def _stats_key(incident_id: int) -> str:
    return f"incident-stats:{incident_id}"


def forget_mention_stats(incident_id: int) -> None:
    """After a person links or unlinks mentions: the next look counts again."""
    try:
        cache.delete(_stats_key(incident_id))
    except Exception:  # the entry is only ever a few seconds ahead of the database
        log.warning("incident %s stats not dropped: cache unavailable", incident_id)


def mention_stats(incident: Incident) -> dict:
    """``count_linked`` shared by everyone looking at the incident (the same for all), counted
    again when it is more than ``INCIDENT_STATS_SECONDS`` old or a person linked or unlinked
    mentions since (``forget_mention_stats``).

    In a crisis, triage links mentions several times a second and every viewer's panel asks
    again each time: counted per request, 20 viewers of an incident with 100,000 linked
    mentions would need tens of seconds of database time every second (0.5 s a count). When
    the figures are stale, one request counts them again while the others show the stale
    ones, marked ``stale`` (the panel then asks again two seconds later): ``core.shared``,
    the figures shown stale for up to an hour."""
    stats, stale = shared(
        _stats_key(incident.pk),
        lambda: count_linked(incident),
        fresh_for=settings.INCIDENT_STATS_SECONDS,
        stale_for=3600,
    )
    return {**stats, "stale": True} if stale else stats


def count_linked(incident: Incident) -> dict:
    """Totals and an hourly series of linked mentions: volume, negative share, reach."""
    linked = Mention.objects.filter(incident_links__incident=incident)
    negative = SENTIMENT_RANGES["negative"]
    totals = linked.aggregate(
        volume=Count("id"),
        negative=Count("id", filter=negative),
        reach=Sum("reach"),
        authors=Count("author", distinct=True),
    )
    rows = (
        linked.annotate(hour=TruncHour("posted_at", tzinfo=UTC))
        .values("hour")
        .annotate(volume=Count("id"), negative=Count("id", filter=negative), reach=Sum("reach"))
        .order_by("hour")
    )
    series = [
        {
            "hour": row["hour"],
            "volume": row["volume"],
            "negative_share": round(100 * row["negative"] / row["volume"]) if row["volume"] else 0,
            "reach": row["reach"] or 0,
        }
        for row in rows
    ][-48:]
    volume = totals["volume"] or 0
    return {
        "volume": volume,
        "negative_share": round(100 * (totals["negative"] or 0) / volume) if volume else 0,
        "reach": totals["reach"] or 0,
        "authors": totals["authors"] or 0,
        "series": series,
        "sparkline": _sparkline([row["volume"] for row in series]),
    }


def _sparkline(values: list[int], width: int = 240, height: int = 40) -> str:
    """SVG polyline points for the volume series (no script, no inline style)."""
    if not values:
        return ""
    top = max(values) or 1
    step = width / max(len(values) - 1, 1)
    return " ".join(
        f"{round(i * step, 1)},{round(height - (v / top) * (height - 2) - 1, 1)}"
        for i, v in enumerate(values)
    )


def outreach(incident: Incident, user, *, days: int = 3, limit: int = 50) -> list[Mention]:
    """Authors of recent unanswered mentions matching the incident's keywords or departments,
    not yet linked: people likely affected, to reach before they complain (again)."""
    since = timezone.now() - timedelta(days=days)
    match = Q(department__in=incident.departments.values("pk"))
    for keyword in incident.keywords[:30]:
        match |= Q(text__icontains=keyword)
    linked = IncidentMention.objects.filter(incident=incident, mention=OuterRef("pk"))
    candidates = (
        mentions_visible(user)
        .filter(match, posted_at__gte=since, first_response_at__isnull=True)
        .filter(status__in=OPEN_STATUSES)
        .exclude(Exists(linked))
        .select_related("author", "department")
        .order_by("-reach", "-posted_at")[: limit * 3]
    )
    seen, people = set(), []
    for mention in candidates:
        if mention.author_id in seen:
            continue
        seen.add(mention.author_id)
        people.append(mention)
        if len(people) >= limit:
            break
    return people
