"""SLA policies, business hours, holidays, availability, escalation and routing rules, and
department approval policies. Hub editors only; every change audited and announced."""

import datetime as dt

from django.db import transaction
from django.db.models import Max

from core.errors import DomainError, NotFound
from hub import escalation, routing, snapshot
from hub.models import (
    BusinessHours,
    DepartmentPolicy,
    EscalationRule,
    Holiday,
    RoutingRule,
    SlaCondition,
    SlaPolicy,
)
from hub.services._common import announce, record, require_editor
from spokes.models import Department, Priority, Source

MAX_MINUTES = 60 * 24 * 365


def _priority(value, field="priority", allow_none=False):
    if value in (None, "") and allow_none:
        return None
    try:
        return Priority(int(value)).value
    except (TypeError, ValueError):
        raise DomainError("Priority must be 1 (low) to 4 (urgent).", field=field) from None


def _minutes(value, field) -> int:
    try:
        minutes = int(value)
    except (TypeError, ValueError):
        raise DomainError("Enter whole minutes.", field=field) from None
    if not 1 <= minutes <= MAX_MINUTES:
        raise DomainError("Between 1 minute and a year.", field=field)
    return minutes


def _words(values, field) -> list[str]:
    if isinstance(values, str):
        values = values.replace("\n", ",").split(",")
    words = []
    for value in values or ():
        value = str(value).strip()
        if value and value not in words:
            if len(value) > 100:
                raise DomainError(f"'{value[:20]}…' is too long.", field=field)
            words.append(value)
    return words


# --- SLA ---------------------------------------------------------------------------------------
@transaction.atomic
def sla_policy_set(
    *,
    actor,
    priority,
    first_response_minutes,
    resolution_minutes,
    business_hours_only: bool = True,
    department: Department | None = None,
) -> SlaPolicy:
    require_editor(actor)
    priority = _priority(priority)
    first = _minutes(first_response_minutes, "first_response_minutes")
    resolution = _minutes(resolution_minutes, "resolution_minutes")
    if resolution < first:
        raise DomainError(
            "Resolution cannot be due before the first response.", field="resolution_minutes"
        )
    policy = (
        SlaPolicy.objects.select_for_update()
        .filter(department=department, priority=priority)
        .first()
    ) or SlaPolicy(department=department, priority=priority)
    policy.first_response_minutes = first
    policy.resolution_minutes = resolution
    policy.business_hours_only = bool(business_hours_only)
    policy.save()
    record(
        actor=actor,
        action="sla.policy_set",
        target=policy,
        data={
            "department": department.slug if department else None,
            "priority": priority,
            "first_response_minutes": first,
            "resolution_minutes": resolution,
            "business_hours_only": policy.business_hours_only,
        },
    )
    announce(
        "sla.policy_changed",
        {"priority": priority, "department_id": department.pk if department else None},
        department_id=department.pk if department else None,
    )
    return policy


@transaction.atomic
def sla_policy_delete(*, actor, policy_id) -> None:
    require_editor(actor)
    policy = SlaPolicy.objects.select_for_update().filter(pk=policy_id).first()
    if policy is None:
        raise NotFound("No such SLA policy.")
    record(
        actor=actor, action="sla.policy_deleted", target=policy, data={"priority": policy.priority}
    )
    department_id = policy.department_id
    policy.delete()
    announce("sla.policy_changed", {"department_id": department_id}, department_id=department_id)


def _time(value, field) -> dt.time:
    if isinstance(value, dt.time):
        return value
    text = str(value or "").strip()
    if text in ("24:00", "24"):
        return dt.time(0, 0)
    try:
        return dt.time.fromisoformat(text)
    except ValueError:
        raise DomainError(f"'{text}' is not a time like 08:30.", field=field) from None


@transaction.atomic
def business_hours_set(*, actor, department: Department, intervals) -> list[BusinessHours]:
    """Replace the department's weekly hours with ``intervals``: (weekday 0-6, opens, closes).

    ``closes`` at or before ``opens`` runs past midnight; no intervals = open 24/7.
    """
    require_editor(actor)
    rows, spans = [], []
    for weekday, opens, closes in intervals:
        try:
            weekday = int(weekday)
        except (TypeError, ValueError):
            raise DomainError("Weekday must be 0 (Monday) to 6 (Sunday).", field="hours") from None
        if not 0 <= weekday <= 6:
            raise DomainError("Weekday must be 0 (Monday) to 6 (Sunday).", field="hours")
        opens, closes = _time(opens, "hours"), _time(closes, "hours")
        start = weekday * 1440 + opens.hour * 60 + opens.minute
        length = (closes.hour * 60 + closes.minute) - (opens.hour * 60 + opens.minute)
        if length <= 0:
            length += 1440
        spans.append((start, start + length))
        rows.append(
            BusinessHours(department=department, weekday=weekday, opens=opens, closes=closes)
        )
    spans.sort()
    week = 7 * 1440
    for (_a_start, a_end), (b_start, _b_end) in zip(spans, spans[1:], strict=False):
        if b_start < a_end:
            raise DomainError("Opening hours overlap.", field="hours")
    if spans and spans[-1][1] > week and spans[-1][1] - week > spans[0][0]:
        raise DomainError("Opening hours overlap.", field="hours")
    BusinessHours.objects.filter(department=department).delete()
    BusinessHours.objects.bulk_create(rows)
    snapshot.changed()  # bulk_create sends no signal
    record(
        actor=actor,
        action="sla.hours_set",
        target=department,
        data={"hours": [f"{r.weekday} {r.opens:%H:%M}-{r.closes:%H:%M}" for r in rows]},
    )
    announce("sla.hours_changed", {"department_id": department.pk}, department_id=department.pk)
    return rows


@transaction.atomic
def holiday_add(*, actor, date, name: str, department: Department | None = None) -> Holiday:
    require_editor(actor)
    if isinstance(date, str):
        try:
            date = dt.date.fromisoformat(date.strip())
        except ValueError:
            raise DomainError("Enter a date like 2026-12-25.", field="date") from None
    if not isinstance(date, dt.date):
        raise DomainError("Enter a date like 2026-12-25.", field="date")
    name = (name or "").strip()
    if not name:
        raise DomainError("Name the holiday.", field="name")
    if Holiday.objects.filter(department=department, date=date).exists():
        raise DomainError("That day is already a holiday.", field="date")
    holiday = Holiday.objects.create(department=department, date=date, name=name[:100])
    record(
        actor=actor,
        action="sla.holiday_added",
        target=holiday,
        data={"date": date.isoformat(), "department": department.slug if department else None},
    )
    announce(
        "sla.hours_changed",
        {"department_id": department.pk if department else None},
        department_id=department.pk if department else None,
    )
    return holiday


@transaction.atomic
def holiday_delete(*, actor, holiday_id) -> None:
    require_editor(actor)
    holiday = Holiday.objects.filter(pk=holiday_id).first()
    if holiday is None:
        raise NotFound("No such holiday.")
    record(
        actor=actor, action="sla.holiday_deleted", target=holiday, data={"date": str(holiday.date)}
    )
    department_id = holiday.department_id
    holiday.delete()
    announce("sla.hours_changed", {"department_id": department_id}, department_id=department_id)


@transaction.atomic
def availability_set(*, actor, department: Department, text: str) -> Department:
    """The department's public availability statement."""
    require_editor(actor)
    text = (text or "").strip()
    if len(text) > 300:
        raise DomainError("At most 300 characters.", field="availability")
    department = Department.objects.select_for_update().get(pk=department.pk)
    before = department.availability
    department.availability = text
    department.save(update_fields=["availability"])
    record(
        actor=actor,
        action="department.availability_set",
        target=department,
        data={"from": before, "to": text},
    )
    announce(
        "department.availability_changed",
        {"department_id": department.pk},
        department_id=department.pk,
    )
    return department


# --- escalation ----------------------------------------------------------------------------------
ESCALATION_FIELDS = (
    "name",
    "department",
    "is_active",
    "min_priority",
    "min_reach",
    "keywords",
    "max_sentiment",
    "flags",
    "incident_linked",
    "sla_condition",
    "sla_minutes",
    "notify_lead",
    "notify_comms",
    "raise_priority_to",
    "move_to_department",
    "require_approval",
    "link_to_incident",
)


def _clean_escalation(data: dict) -> dict:
    clean = {name: data.get(name) for name in ESCALATION_FIELDS}
    clean["name"] = (clean["name"] or "").strip()[:120]
    if not clean["name"]:
        raise DomainError("Name the rule.", field="name")
    clean["is_active"] = bool(data.get("is_active", True))
    clean["min_priority"] = _priority(clean["min_priority"], "min_priority", allow_none=True)
    clean["raise_priority_to"] = _priority(
        clean["raise_priority_to"], "raise_priority_to", allow_none=True
    )
    if clean["min_reach"] in (None, ""):
        clean["min_reach"] = None
    else:
        try:
            clean["min_reach"] = int(clean["min_reach"])
        except (TypeError, ValueError):
            raise DomainError("Enter a number of followers.", field="min_reach") from None
        if clean["min_reach"] < 0:
            raise DomainError("Enter a number of followers.", field="min_reach")
    if clean["max_sentiment"] in (None, ""):
        clean["max_sentiment"] = None
    else:
        try:
            clean["max_sentiment"] = float(clean["max_sentiment"])
        except (TypeError, ValueError):
            raise DomainError("Sentiment is between -1 and 1.", field="max_sentiment") from None
        if not -1 <= clean["max_sentiment"] <= 1:
            raise DomainError("Sentiment is between -1 and 1.", field="max_sentiment")
    clean["keywords"] = _words(clean["keywords"], "keywords")
    for keyword in clean["keywords"]:
        routing.keyword_pattern(keyword)
    clean["flags"] = _words(clean["flags"], "flags")
    clean["sla_condition"] = clean["sla_condition"] or ""
    if clean["sla_condition"] not in SlaCondition.values:
        raise DomainError("Unknown SLA condition.", field="sla_condition")
    try:
        clean["sla_minutes"] = int(clean["sla_minutes"] or 0)
    except (TypeError, ValueError):
        raise DomainError("Enter whole minutes.", field="sla_minutes") from None
    if not 0 <= clean["sla_minutes"] <= MAX_MINUTES:
        raise DomainError("Between 0 minutes and a year.", field="sla_minutes")
    for name in (
        "incident_linked",
        "notify_lead",
        "notify_comms",
        "require_approval",
        "link_to_incident",
    ):
        clean[name] = bool(clean[name])
    for name in ("department", "move_to_department"):
        if clean[name] is not None and not isinstance(clean[name], Department):
            raise DomainError("Choose a department.", field=name)
    if not escalation.has_condition(EscalationRule(**clean)):
        raise DomainError("A rule needs at least one condition.", field="conditions")
    return clean


@transaction.atomic
def escalation_rule_save(*, actor, rule_id=None, notify_users=(), **data) -> EscalationRule:
    """Create (no ``rule_id``) or change an escalation rule. ``data``: the fields of
    :class:`hub.models.EscalationRule`; at least one condition and one action."""
    require_editor(actor)
    clean = _clean_escalation(data)
    notify_users = list(notify_users or ())
    if not any(
        (
            clean["notify_lead"],
            clean["notify_comms"],
            notify_users,
            clean["raise_priority_to"],
            clean["move_to_department"],
            clean["require_approval"],
            clean["link_to_incident"],
        )
    ):
        raise DomainError("A rule needs at least one action.", field="actions")
    if rule_id is None:
        rule = EscalationRule(**clean)
        rule.position = (EscalationRule.objects.aggregate(p=Max("position"))["p"] or 0) + 10
        created = True
    else:
        rule = EscalationRule.objects.select_for_update().filter(pk=rule_id).first()
        if rule is None:
            raise NotFound("No such escalation rule.")
        for name, value in clean.items():
            setattr(rule, name, value)
        created = False
    rule.save()
    rule.notify_users.set(notify_users)
    record(
        actor=actor,
        action="escalation.rule_created" if created else "escalation.rule_changed",
        target=rule,
        data={"name": rule.name, "notify_users": [u.username for u in notify_users]},
    )
    announce(
        "escalation.rule_changed",
        {"id": rule.pk, "name": rule.name},
        department_id=rule.department_id,
    )
    return rule


@transaction.atomic
def escalation_rule_delete(*, actor, rule_id) -> None:
    require_editor(actor)
    rule = EscalationRule.objects.filter(pk=rule_id).first()
    if rule is None:
        raise NotFound("No such escalation rule.")
    record(actor=actor, action="escalation.rule_deleted", target=rule, data={"name": rule.name})
    department_id = rule.department_id
    rule.delete()
    announce(
        "escalation.rule_changed",
        {"id": int(rule_id), "deleted": True},
        department_id=department_id,
    )


# --- routing -------------------------------------------------------------------------------------
def _clean_routing(data: dict) -> dict:
    name = (data.get("name") or "").strip()[:120]
    if not name:
        raise DomainError("Name the rule.", field="name")
    department = data.get("department")
    if not isinstance(department, Department):
        raise DomainError("Choose the department the rule routes to.", field="department")
    sources = _words(data.get("sources"), "sources")
    for source in sources:
        if source not in Source.values:
            raise DomainError(f"Unknown source '{source}'.", field="sources")
    keywords = _words(data.get("keywords"), "keywords")
    for keyword in keywords:
        routing.keyword_pattern(keyword)
    languages = [code.lower() for code in _words(data.get("languages"), "languages")]
    for code in languages:
        if not code.replace("-", "").isalpha() or len(code) > 8:
            raise DomainError(f"'{code}' is not a language code like 'de'.", field="languages")
    handles = [h.lstrip("@") for h in _words(data.get("author_handles"), "author_handles")]
    url_pattern = (data.get("url_pattern") or "").strip()
    routing.compile_url_pattern(url_pattern)
    if not any((sources, keywords, languages, handles, url_pattern)):
        raise DomainError(
            "A rule needs at least one criterion; unmatched mentions go to the default department.",
            field="criteria",
        )
    return {
        "name": name,
        "department": department,
        "sources": sources,
        "keywords": keywords,
        "languages": languages,
        "author_handles": handles,
        "url_pattern": url_pattern,
        "is_active": bool(data.get("is_active", True)),
    }


@transaction.atomic
def routing_rule_save(*, actor, rule_id=None, **data) -> RoutingRule:
    """Create (appended last) or change a routing rule."""
    require_editor(actor)
    clean = _clean_routing(data)
    if rule_id is None:
        rule = RoutingRule(**clean)
        rule.position = (RoutingRule.objects.aggregate(p=Max("position"))["p"] or 0) + 10
        created = True
    else:
        rule = RoutingRule.objects.select_for_update().filter(pk=rule_id).first()
        if rule is None:
            raise NotFound("No such routing rule.")
        for name, value in clean.items():
            setattr(rule, name, value)
        created = False
    rule.save()
    record(
        actor=actor,
        action="routing.rule_created" if created else "routing.rule_changed",
        target=rule,
        data={**clean, "department": clean["department"].slug},
    )
    announce("routing.changed", {"id": rule.pk})
    return rule


@transaction.atomic
def routing_rule_move(*, actor, rule_id, direction: str) -> list[RoutingRule]:
    """Move a rule one place ``up`` or ``down``; positions are renumbered 10, 20, ..."""
    require_editor(actor)
    rules = list(RoutingRule.objects.select_for_update().order_by("position", "id"))
    index = next((i for i, r in enumerate(rules) if str(r.pk) == str(rule_id)), None)
    if index is None:  # first: a missing rule is a 404 whatever else the request says
        raise NotFound("No such routing rule.")
    if direction not in ("up", "down"):
        raise DomainError("Move up or down.", field="direction")
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(rules):
        rules[index], rules[other] = rules[other], rules[index]
    for position, rule in enumerate(rules, start=1):
        rule.position = position * 10
    RoutingRule.objects.bulk_update(rules, ["position"])
    snapshot.changed()  # bulk_update sends no signal
    record(
        actor=actor,
        action="routing.rule_moved",
        target=rules[other if 0 <= other < len(rules) else index],
        data={"direction": direction, "order": [r.pk for r in rules]},
    )
    announce("routing.changed", {"id": int(rule_id)})
    return rules


@transaction.atomic
def routing_rule_delete(*, actor, rule_id) -> None:
    require_editor(actor)
    rule = RoutingRule.objects.filter(pk=rule_id).first()
    if rule is None:
        raise NotFound("No such routing rule.")
    record(actor=actor, action="routing.rule_deleted", target=rule, data={"name": rule.name})
    rule.delete()
    announce("routing.changed", {"id": int(rule_id), "deleted": True})


@transaction.atomic
def routing_default_set(*, actor, department: Department) -> Department:
    """The department that receives mentions no rule or keyword routes."""
    require_editor(actor)
    previous = list(Department.objects.filter(is_default=True).values_list("slug", flat=True))
    Department.objects.exclude(pk=department.pk).filter(is_default=True).update(is_default=False)
    Department.objects.filter(pk=department.pk).update(is_default=True)
    snapshot.changed()  # update() sends no signal
    department.is_default = True
    record(
        actor=actor,
        action="routing.default_set",
        target=department,
        data={"from": previous, "to": department.slug},
    )
    announce("routing.changed", {"default_department_id": department.pk})
    return department


# --- department approval policy ---------------------------------------------------------------
@transaction.atomic
def department_policy_set(
    *,
    actor,
    department: Department,
    require_approval_all: bool = False,
    approval_reach_threshold=None,
    deviation_threshold=None,
    require_template: bool = False,
    contact_phone: str = "",
    contact_email: str = "",
    dm_link: str = "",
) -> DepartmentPolicy:
    """When a department's replies need approval, and the contacts its templates fill in."""
    require_editor(actor)
    if approval_reach_threshold in (None, ""):
        approval_reach_threshold = None
    else:
        try:
            approval_reach_threshold = int(approval_reach_threshold)
        except (TypeError, ValueError):
            raise DomainError(
                "Enter a number of followers.", field="approval_reach_threshold"
            ) from None
        if approval_reach_threshold < 0:
            raise DomainError("Enter a number of followers.", field="approval_reach_threshold")
    if deviation_threshold in (None, ""):
        deviation_threshold = None
    else:
        try:
            deviation_threshold = float(deviation_threshold)
        except (TypeError, ValueError):
            raise DomainError("A ratio between 0 and 1.", field="deviation_threshold") from None
        if not 0 <= deviation_threshold <= 1:
            raise DomainError("A ratio between 0 and 1.", field="deviation_threshold")
    contact_email = (contact_email or "").strip()
    if contact_email and ("@" not in contact_email or " " in contact_email):
        raise DomainError("Enter an email address.", field="contact_email")
    dm_link = (dm_link or "").strip()
    if dm_link and not dm_link.startswith(("https://", "http://")):
        raise DomainError("The DM link must start with https://.", field="dm_link")
    policy, created = DepartmentPolicy.objects.select_for_update().get_or_create(
        department=department
    )
    values = {
        "require_approval_all": bool(require_approval_all),
        "approval_reach_threshold": approval_reach_threshold,
        "deviation_threshold": deviation_threshold,
        "require_template": bool(require_template),
        "contact_phone": (contact_phone or "").strip()[:40],
        "contact_email": contact_email,
        "dm_link": dm_link[:300],
    }
    changed = {
        k: [str(getattr(policy, k)), str(v)] for k, v in values.items() if getattr(policy, k) != v
    }
    for name, value in values.items():
        setattr(policy, name, value)
    policy.save()
    record(
        actor=actor,
        action="department.policy_set",
        target=policy,
        data={"department": department.slug, "changed": changed, "created": created},
    )
    announce(
        "department.policy_changed", {"department_id": department.pk}, department_id=department.pk
    )
    return policy
