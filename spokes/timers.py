"""SLA timers and escalation: what Celery beat runs every 30 seconds, and what triage applies.

- The SLA warning (``WARNING_MINUTES`` before the first response is due) and the breach (at
  the due time) fire once per mention: ``sla_warned_at`` / ``sla_breached_at`` record it.
  Each tick reads only the window of due times on the ``sla_due_at`` index (looking back
  ``CATCH_UP`` so a tick missed while beat was down is made up), never every mention.
- Escalation rules (``hub.escalation``) with an SLA condition are evaluated for the mentions
  whose condition began to hold within ``RULE_WINDOW`` of now (one small window per distinct
  offset); rules without an SLA condition are applied by triage on arrival. Each rule acts on
  a mention once (``EscalationFiring``).
- The people a rule names (its users, the department's leads, central comms) get one live
  notification and one email per rule and tick, summarising the mentions, not one per mention.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core.events import department_group, incident_group, mention_group, publish, publish_live
from core.isolation import TRANSIENT, exc_info, one_at_a_time
from core.mail import Email, emails_queue
from core.notifications import notify
from hub.escalation import facts_of, matching_rules
from hub.selectors import escalation_rules_by_department
from spokes.models import (
    OPEN_STATUSES,
    Activity,
    EscalationFiring,
    Membership,
    MembershipRole,
    Mention,
)

WARNING_MINUTES = 15
CATCH_UP = timedelta(hours=24)  # how far back a late tick still fires missed SLA events
RULE_WINDOW = timedelta(minutes=10)  # a rule's condition began to hold this recently
APPROVAL_FLAG = "approval_required"

log = logging.getLogger("firebreak.sla")


# --- who gets told ---------------------------------------------------------------------------
@dataclass
class _Message:
    rule_name: str
    event: str  # "sla_warning", "sla_breached", "escalated"
    department_names: set = field(default_factory=set)
    mention_ids: list = field(default_factory=list)


class Outbox:
    """Collects who should hear about which mentions, then sends one notice per person/rule."""

    def __init__(self):
        self._by_user: dict[int, dict[tuple, _Message]] = defaultdict(dict)
        self._users: dict[int, object] = {}
        self._leads: dict[int, list] | None = None
        self._comms: list | None = None

    def recipients(self, rule, department_ids: set[int]) -> list:
        people = {u.pk: u for u in rule.notify_users.all() if u.is_active}
        if rule.notify_lead:
            for department_id in department_ids:
                people.update({u.pk: u for u in self._department_leads(department_id)})
        if rule.notify_comms:
            people.update({u.pk: u for u in self._central_comms()})
        return list(people.values())

    def _department_leads(self, department_id: int) -> list:
        if self._leads is None:
            self._leads = defaultdict(list)
            for membership in Membership.objects.filter(
                role=MembershipRole.LEAD, user__is_active=True
            ).select_related("user"):
                self._leads[membership.department_id].append(membership.user)
        return self._leads.get(department_id, [])

    def _central_comms(self) -> list:
        if self._comms is None:
            self._comms = list(
                get_user_model().objects.filter(is_active=True, org_role__in=("comms", "admin"))
            )
        return self._comms

    def add(self, user, *, rule_name: str, event: str, mention: Mention, department_name: str):
        self._users[user.pk] = user
        message = self._by_user[user.pk].setdefault(
            (rule_name, event), _Message(rule_name=rule_name, event=event)
        )
        message.mention_ids.append(mention.pk)
        if department_name:
            message.department_names.add(department_name)

    def send(self) -> int:
        """Live notifications now (published on commit); emails through the outbox, sent by
        Celery once the transaction commits."""
        emails = []
        for user_id, messages in self._by_user.items():
            user = self._users[user_id]
            for message in messages.values():
                context = _context(message)
                notify(
                    user=user,
                    kind=f"mention.{message.event}",
                    text=context["summary"],
                    url=context["path"],
                )
                if user.email:
                    emails.append(
                        Email(
                            to=user.email,
                            subject=render_to_string(
                                "spokes/email/escalation_subject.txt", context
                            ),
                            body=render_to_string("spokes/email/escalation_body.txt", context),
                            kind=f"mention.{message.event}",
                        )
                    )
        if emails:
            emails_queue(emails)
        return len(emails)


_SUBJECT = "spokes/email/escalation_subject.txt"
_BODY = "spokes/email/escalation_body.txt"

EVENT_WORDS = {
    "sla_warning": "SLA about to breach",
    "sla_breached": "SLA breached",
    "escalated": "Escalated",
}


def _context(message: _Message) -> dict:
    count = len(message.mention_ids)
    where = ", ".join(sorted(message.department_names)) or "no department"
    noun = "mention" if count == 1 else "mentions"
    summary = f"{EVENT_WORDS[message.event]}: {count} {noun} in {where} (rule: {message.rule_name})"
    first = message.mention_ids[0]
    return {
        "summary": summary,
        "event": EVENT_WORDS[message.event],
        "rule_name": message.rule_name,
        "count": count,
        "departments": where,
        "mention_ids": message.mention_ids[:20],
        "more": max(0, count - 20),
        "path": reverse("spokes:mention", args=[first]),
        "link": settings.SITE_URL + reverse("spokes:mention", args=[first]),
    }


# --- applying a rule's actions ---------------------------------------------------------------
def _apply(rule, mention: Mention, *, event: str, outbox: Outbox, departments: dict, now) -> list:
    """Carry out ``rule``'s actions on ``mention`` (in memory); returns changed field names."""
    changed = []
    original_department_id = mention.department_id
    if rule.raise_priority_to and rule.raise_priority_to > mention.priority:
        mention.priority = rule.raise_priority_to
        changed.append("priority")
    if rule.move_to_department_id and rule.move_to_department_id != mention.department_id:
        mention.department_id = rule.move_to_department_id
        # as a transfer does: nobody in the new department owns it yet, and an assignee left
        # from the old one could not work it there
        mention.assignee_id = None
        changed.append("department")
    if rule.require_approval and APPROVAL_FLAG not in (mention.flags or []):
        mention.flags = [*(mention.flags or []), APPROVAL_FLAG]
        changed.append("flags")
    department = departments.get(mention.department_id)
    # a moved mention concerns the leads of both departments
    for user in outbox.recipients(rule, {original_department_id, mention.department_id} - {None}):
        outbox.add(
            user,
            rule_name=rule.name,
            event=event,
            mention=mention,
            department_name=department.name if department else "",
        )
    return changed


def _link_to_open_incidents(pairs: list[tuple[int, int]], now) -> None:
    """Link mentions to the newest open incident of their department (rule action)."""
    if not pairs:
        return
    from incidents.models import OPEN_INCIDENT_STATUSES, Incident, IncidentMention

    department_ids = {d for _, d in pairs}
    newest = {}
    for incident in Incident.objects.filter(
        status__in=OPEN_INCIDENT_STATUSES, departments__in=department_ids
    ).prefetch_related("departments"):
        for department in incident.departments.all():
            current = newest.get(department.pk)
            if current is None or incident.declared_at > current.declared_at:
                newest[department.pk] = incident
    links = defaultdict(list)
    for mention_id, department_id in pairs:
        if department_id in newest:
            links[newest[department_id].pk].append(mention_id)
    from incidents.services import incident_share_linked

    by_id = {incident.pk: incident for incident in newest.values()}
    for incident_id, mention_ids in links.items():
        IncidentMention.objects.bulk_create(
            [
                IncidentMention(incident_id=incident_id, mention_id=m, linked_at=now)
                for m in mention_ids
            ],
            ignore_conflicts=True,
        )
        # as when a person links them: the team sees them, from any department
        incident_share_linked(by_id[incident_id], mention_ids=mention_ids)
        publish(
            "incident.mentions_linked",
            {"id": incident_id, "panels": ["mentions"], "count": len(mention_ids)},
            groups=[incident_group(incident_id)],
        )


def _fire(rules_by_mention, *, event, departments, now) -> dict[int, list[str]]:
    """Record each (rule, mention) once and apply the new ones; returns rule names per id."""
    pairs = [(rule, m) for m, rules in rules_by_mention for rule in rules]
    if not pairs:
        return {}
    mention_ids = {m.pk for _, m in pairs}
    already = set(
        EscalationFiring.objects.filter(
            mention_id__in=mention_ids, rule_id__in={r.pk for r, _ in pairs}
        ).values_list("rule_id", "mention_id")
    )
    new = [(rule, m) for rule, m in pairs if (rule.pk, m.pk) not in already]
    EscalationFiring.objects.bulk_create(
        [EscalationFiring(rule_id=r.pk, mention=m, fired_at=now) for r, m in new],
        ignore_conflicts=True,
    )
    outbox = Outbox()
    fired: dict[int, list[str]] = defaultdict(list)
    to_link = []
    for rule, mention in new:
        _apply(rule, mention, event=event, outbox=outbox, departments=departments, now=now)
        fired[mention.pk].append(rule.name)
        if rule.link_to_incident and mention.department_id:
            to_link.append((mention.pk, mention.department_id))
    _link_to_open_incidents(to_link, now)
    outbox.send()
    return dict(fired)


def escalate_on_arrival(
    mentions: list[Mention], *, departments: dict, now, rules_for: dict | None = None
) -> dict:
    """Apply the escalation rules without SLA condition to freshly triaged mentions (in
    memory: triage saves them). Returns {mention id: [rule names]}. ``rules_for``: those
    rules already read (``escalation_rules_by_department``), for every department used."""
    if rules_for is None:
        used = {m.department_id for m in mentions} - {None}
        rules_for = escalation_rules_by_department(
            [departments[pk] for pk in used if pk in departments], sla_condition=""
        )
    matched = []
    for mention in mentions:
        rules = rules_for.get(mention.department_id, rules_for[None])
        rules = matching_rules(rules, facts_of(mention), now=now)
        if rules:
            matched.append((mention, rules))
    return _fire(matched, event="escalated", departments=departments, now=now)


# --- the beat task ---------------------------------------------------------------------------
def _unanswered():
    return Mention.objects.filter(
        first_response_at__isnull=True, status__in=OPEN_STATUSES, department__isnull=False
    )


def _mark(mentions: list[Mention], *, field_name: str, verb: str, event: str, now) -> None:
    if not mentions:
        return
    ids = [m.pk for m in mentions]
    Mention.objects.filter(pk__in=ids).update(**{field_name: now})
    Activity.objects.bulk_create(
        [
            Activity(mention=m, verb=verb, data={"sla_due_at": m.sla_due_at.isoformat()})
            for m in mentions
        ]
    )
    by_department = defaultdict(list)
    for mention in mentions:
        by_department[mention.department_id].append(mention.pk)
    for department_id, mention_ids in sorted(by_department.items()):
        publish(
            event,
            {"department_id": department_id, "ids": mention_ids},
            groups=[department_group(department_id)],
        )
    assignees = defaultdict(list)
    for mention in mentions:
        if mention.assignee_id:
            assignees[mention.assignee].append(mention)
    for user, theirs in assignees.items():
        many = len(theirs) > 1
        if verb == "sla_warning":
            text = (
                f"{len(theirs)} of your mentions are about to breach their SLA"
                if many
                else f"A mention assigned to you is due in {WARNING_MINUTES} minutes or less"
            )
        else:
            text = (
                f"{len(theirs)} of your mentions breached their SLA"
                if many
                else "A mention assigned to you breached its SLA"
            )
        notify(
            user=user,
            kind=event,
            text=text,
            url=reverse("spokes:mention", args=[theirs[0].pk]),
        )


@dataclass
class TickResult:
    warned: int = 0
    breached: int = 0
    escalated: int = 0


def _rule_windows(rules, now) -> Q | None:
    """Due-time windows in which some SLA rule's condition began to hold recently."""
    query = None
    offsets = {(r.sla_condition, r.sla_minutes) for r in rules}
    for condition, minutes in offsets:
        offset = timedelta(minutes=minutes)
        if condition == "warning":
            start, end = now + offset - RULE_WINDOW, now + offset
            window = Q(sla_due_at__gt=max(start, now), sla_due_at__lte=end)
        else:
            start, end = now - offset - RULE_WINDOW, now - offset
            window = Q(sla_due_at__gt=start, sla_due_at__lte=end)
        query = window if query is None else query | window
    return query


def sla_tick(*, now: datetime | None = None) -> TickResult:
    """Fire due SLA warnings and breaches once each and apply SLA escalation rules.

    If the tick fails (not for a transient database reason), each due mention is handled in
    a transaction of its own: one mention that makes the tick fail (a bug meeting data nobody
    foresaw) must not stop every SLA warning, breach and escalation, tick after tick, in the
    middle of a crisis. The one that fails alone is logged and tried again by the next ticks
    until its due time leaves their windows. When none succeeds (configuration, a bug on
    every path), the error is raised."""
    now = now or timezone.now()
    try:
        return _tick(now=now)
    except TRANSIENT:
        raise
    except Exception:
        log.exception("the SLA tick failed; handling its mentions one at a time")
    result = TickResult()

    def tick_alone(mention_id: int) -> bool:
        alone = _tick(now=now, only=mention_id)
        result.warned += alone.warned
        result.breached += alone.breached
        result.escalated += alone.escalated
        return True

    for mention_id, exc in one_at_a_time(_due_ids(now), tick_alone):
        log.error(
            "the SLA tick failed for mention %s; the others were handled",
            mention_id,
            exc_info=exc_info(exc),
        )
    return result


def _warning_due(now):
    return _unanswered().filter(
        sla_due_at__gt=now,
        sla_due_at__lte=now + timedelta(minutes=WARNING_MINUTES),
        sla_warned_at__isnull=True,
    )


def _breach_due(now):
    return _unanswered().filter(
        sla_due_at__gt=now - CATCH_UP, sla_due_at__lte=now, sla_breached_at__isnull=True
    )


def _sla_rules():
    from hub.models import EscalationRule

    return list(
        EscalationRule.objects.filter(is_active=True)
        .exclude(sla_condition="")
        .select_related("department", "move_to_department")
        .prefetch_related("notify_users")
    )


def _due_ids(now) -> list[int]:
    """The mentions a tick at ``now`` has something to do for, oldest first (unlocked)."""
    windows = _rule_windows(_sla_rules(), now)
    queries = [_warning_due(now), _breach_due(now)]
    if windows is not None:
        queries.append(_unanswered().filter(windows))
    return sorted({pk for query in queries for pk in query.values_list("id", flat=True)})


@transaction.atomic
def _tick(*, now: datetime, only: int | None = None) -> TickResult:
    """One tick in one transaction; ``only``: for that mention alone."""

    def due(query):
        return query if only is None else query.filter(pk=only)

    result = TickResult()
    warning_due = list(
        due(_warning_due(now))
        .select_related("assignee")
        .select_for_update(of=("self",), skip_locked=True)
    )
    breach_due = list(
        due(_breach_due(now))
        .select_related("assignee")
        .select_for_update(of=("self",), skip_locked=True)
    )
    _mark(warning_due, field_name="sla_warned_at", verb="sla_warning", event="mention.sla_warning",
          now=now)  # fmt: skip
    _mark(breach_due, field_name="sla_breached_at", verb="sla_breached",
          event="mention.sla_breached", now=now)  # fmt: skip
    result.warned, result.breached = len(warning_due), len(breach_due)

    rules = _sla_rules()
    windows = _rule_windows(rules, now)
    if windows is None:
        return result
    candidates = list(
        due(_unanswered().filter(windows)).select_for_update(of=("self",), skip_locked=True)
    )
    if not candidates:
        return result
    from spokes.models import Department

    departments = {
        d.pk: d for d in Department.objects.filter(pk__in={m.department_id for m in candidates})
    }
    for event, condition in (("sla_warning", "warning"), ("sla_breached", "breach")):
        matched = []
        for mention in candidates:
            applicable = [
                r
                for r in rules
                if r.sla_condition == condition and r.department_id in (None, mention.department_id)
            ]
            hits = matching_rules(applicable, facts_of(mention), now=now)
            if hits:
                matched.append((mention, hits))
        before = {
            m.pk: (m.priority, m.department_id, list(m.flags or []), m.assignee_id)
            for m, _ in matched
        }
        fired = _fire(matched, event=event, departments=departments, now=now)
        result.escalated += sum(len(v) for v in fired.values())
        changed = [
            m
            for m, _ in matched
            if before[m.pk] != (m.priority, m.department_id, m.flags or [], m.assignee_id)
        ]
        for mention in changed:
            mention.updated_at = now
        if changed:
            Mention.objects.bulk_update(
                changed, ["priority", "department", "flags", "assignee", "updated_at"]
            )
        if fired:
            Activity.objects.bulk_create(
                [
                    Activity(mention_id=pk, verb="escalated", data={"rules": names})
                    for pk, names in fired.items()
                ]
            )
            # a moved mention leaves one queue and joins another: both are told
            concerned = defaultdict(list)
            for mention, _ in matched:
                for department_id in {mention.department_id, before[mention.pk][1]}:
                    concerned[department_id].append(mention.pk)
            for department_id in sorted(concerned):
                publish(
                    "mention.escalated",
                    {"department_id": department_id, "ids": concerned[department_id]},
                    groups=[department_group(department_id)],
                )
            # an open mention page hears its own mention (it follows no queue): moved,
            # reprioritised or unassigned, it reloads instead of offering stale actions
            for mention in changed:
                publish_live(
                    "mention.escalated",
                    {"department_id": mention.department_id, "id": mention.pk},
                    groups=[mention_group(mention.pk)],
                )
    return result
