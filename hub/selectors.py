"""Reads of the hub, scoped by the caller.

Central comms and administrators see everything; department staff read the approved
guidelines, FAQ and policies for their departments and the whole organisation; anyone else
sees nothing. A guideline reserved to another department is a 404 like any foreign object.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from core.errors import NotFound
from hub import rendering
from hub.models import (
    COUNTED_STATUSES,
    CompensationOffer,
    CompensationPolicy,
    CompensationTier,
    DepartmentPolicy,
    DiscretionLimit,
    EscalationRule,
    Guideline,
    GuidelineKind,
    GuidelineStatus,
    GuidelineVersion,
    LimitRole,
    OfferStatus,
    Tone,
)
from hub.routing import _cached_pattern
from spokes.models import Author, Department, Membership, Mention
from spokes.selectors import departments_for, mentions_visible

SENDABLE_KINDS = (GuidelineKind.TEMPLATE, GuidelineKind.HOLDING_STATEMENT, GuidelineKind.OFFLINE)


# --- who may do what -----------------------------------------------------------------------
def can_edit_hub(user) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_central_comms or user.is_administrator)
    )


def can_read_hub(user) -> bool:
    return can_edit_hub(user) or departments_for(user).exists()


def _require_visible(user, mention: Mention) -> None:
    if not mentions_visible(user).filter(pk=mention.pk).exists():
        raise NotFound("No such mention.")


# --- guidelines ----------------------------------------------------------------------------
def guidelines_visible(user) -> QuerySet[Guideline]:
    base = Guideline.objects.select_related("current_version", "department")
    if can_edit_hub(user):
        return base
    if not can_read_hub(user):  # no department anywhere: nothing, not even shared wording
        return base.none()
    return base.filter(
        Q(department__isnull=True) | Q(department__in=departments_for(user).values("pk")),
        status=GuidelineStatus.APPROVED,
        current_version__isnull=False,
    )


def guideline_get(*, user, guideline_id) -> Guideline:
    try:
        guideline_id = int(guideline_id)
    except (TypeError, ValueError):
        raise NotFound("No such guideline.") from None
    guideline = guidelines_visible(user).filter(pk=guideline_id).first()
    if guideline is None:
        raise NotFound("No such guideline.")
    return guideline


def guideline_versions(*, user, guideline: Guideline) -> QuerySet[GuidelineVersion]:
    """Every version for the hub; only approved ones for department staff."""
    versions = guideline.versions.select_related("created_by", "approved_by")
    if not can_edit_hub(user):
        versions = versions.filter(approved_at__isnull=False)
    return versions


def guideline_version_get(*, user, version_id) -> GuidelineVersion:
    """A version by id (as pinned on a reply), if the caller may read its guideline."""
    try:
        version_id = int(version_id)
    except (TypeError, ValueError):
        raise NotFound("No such guideline version.") from None
    version = (
        GuidelineVersion.objects.select_related("guideline", "guideline__department")
        .filter(pk=version_id)
        .first()
    )
    if version is None or not (
        can_edit_hub(user)
        or (
            version.approved_at is not None
            and guidelines_visible(user).filter(pk=version.guideline_id).exists()
        )
    ):
        raise NotFound("No such guideline version.")
    return version


@dataclass
class Suggestion:
    guideline: Guideline
    version: GuidelineVersion
    score: int
    reasons: list[str] = field(default_factory=list)
    length_limit: int | None = None


def _matching(mention: Mention, kinds) -> QuerySet[Guideline]:
    return (
        Guideline.objects.filter(
            Q(department__isnull=True) | Q(department_id=mention.department_id),
            Q(source="") | Q(source=mention.source),
            Q(contact_point="") | Q(contact_point=mention.contact_point),
            status=GuidelineStatus.APPROVED,
            current_version__isnull=False,
            kind__in=kinds,
        )
        .select_related("current_version", "department")
        .order_by("id")
    )


def _score(guideline: Guideline, mention: Mention, tag_names: set[str]) -> Suggestion:
    score, reasons = 0, []
    if guideline.department_id:
        score += 4
        reasons.append(f"for {guideline.department.name}")
    if guideline.contact_point:
        score += 3
        reasons.append(f"contact point: {guideline.get_contact_point_display().lower()}")
    if guideline.source:
        score += 2
        reasons.append(f"for {guideline.get_source_display()}")
    for topic in guideline.topics or ():
        topic = str(topic).strip()
        if not topic:
            continue
        if topic.lower() in tag_names or _cached_pattern(topic).search(mention.text):
            score += 2
            reasons.append(f"topic: {topic}")
    sentiment = mention.sentiment
    if sentiment is not None:
        if sentiment < -0.05 and guideline.tone in (Tone.APOLOGETIC, Tone.EMPATHETIC):
            score += 1
            reasons.append(f"{guideline.get_tone_display().lower()} tone for a negative post")
        elif sentiment > 0.3 and guideline.tone == Tone.CELEBRATORY:
            score += 1
            reasons.append("celebratory tone for a positive post")
        elif sentiment > 0.3 and guideline.tone in (Tone.APOLOGETIC, Tone.EMPATHETIC):
            score -= 1
    if "outage" in (mention.flags or ()) and guideline.kind == GuidelineKind.HOLDING_STATEMENT:
        score += 2
        reasons.append("outage reported")
    return Suggestion(
        guideline=guideline,
        version=guideline.current_version,
        score=score,
        reasons=reasons,
        length_limit=rendering.length_limit(mention.source),
    )


def _ranked(user, mention: Mention, kinds, limit: int | None) -> list[Suggestion]:
    _require_visible(user, mention)
    if mention.department_id is None:
        return []
    tag_names = {t.name.lower() for t in mention.tags.all()}
    suggestions = [_score(g, mention, tag_names) for g in _matching(mention, kinds)]
    suggestions.sort(key=lambda s: (-s.score, s.guideline.title, s.guideline.pk))
    return suggestions[:limit] if limit else suggestions


def guidelines_for_mention(*, user, mention: Mention, kinds=SENDABLE_KINDS, limit=None):
    """Approved current versions that fit ``mention``, best first (a list of Suggestion).

    A guideline fits when its department (or every department), channel and contact point
    allow the mention; department, contact point, channel, topics, tone and an outage flag
    raise its score. Raises NotFound if ``user`` may not see the mention.
    """
    return _ranked(user, mention, kinds, limit)


def faq_for_mention(*, user, mention: Mention, limit: int = 5) -> list[Suggestion]:
    """The internal FAQ entries most relevant to ``mention``."""
    return _ranked(user, mention, (GuidelineKind.FAQ,), limit)


def department_policy(department: Department) -> DepartmentPolicy:
    """The department's approval policy and contact details (defaults if never set; unsaved)."""
    policy = DepartmentPolicy.objects.filter(department=department).first()
    return policy or DepartmentPolicy(department=department)


# --- compensation --------------------------------------------------------------------------
def compensation_policies(*, user, active_only: bool = False) -> QuerySet[CompensationPolicy]:
    if not can_read_hub(user):
        return CompensationPolicy.objects.none()
    policies = CompensationPolicy.objects.prefetch_related(
        Prefetch("tiers", queryset=CompensationTier.objects.order_by("min_amount"))
    )
    return policies.filter(is_active=True) if active_only else policies


def limit_role(user, department: Department | None) -> str | None:
    """The role whose discretion limit applies to ``user`` in ``department``."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_central_comms or user.is_administrator:
        return LimitRole.COMMS
    if department is None:
        return None
    role = (
        Membership.objects.filter(user=user, department=department)
        .values_list("role", flat=True)
        .first()
    )
    return role  # "agent" / "lead" are also limit roles


def discretion_limit(
    *, user, department: Department | None, policy: CompensationPolicy | None = None
) -> Decimal:
    """Up to how much (base currency) ``user`` may grant without approval.

    The most specific limit for the user's role wins: department and policy, department,
    policy, then the general rule. No role or no rule: 0 (everything needs approval).
    """
    role = limit_role(user, department)
    if role is None:
        return Decimal("0")
    candidates = DiscretionLimit.objects.filter(
        Q(department=department) | Q(department__isnull=True),
        Q(policy=policy) | Q(policy__isnull=True),
        role=role,
    )
    best = max(
        candidates,
        key=lambda limit: (limit.department_id is not None, limit.policy_id is not None),
        default=None,
    )
    return best.amount if best else Decimal("0")


def tier_range(policy: CompensationPolicy, severity: str) -> tuple[Decimal, Decimal] | None:
    tier = next((t for t in policy.tiers.all() if t.severity == severity), None)
    return (tier.min_amount, tier.max_amount) if tier else None


@dataclass
class Ledger:
    """What one customer has been offered, across their mentions, channels and departments."""

    offers: list
    visible_mention_ids: set[int]
    total_given: Decimal  # offered, accepted or fulfilled, in the base currency
    total_pending: Decimal  # awaiting approval
    count: int


def customer_ledger(*, user, mention: Mention) -> Ledger:
    """Every offer to the mention's author: the same author, or the same handle elsewhere.

    Offers on mentions the caller cannot open still show (department, what, how much) so
    nobody compensates the same customer twice; ``visible_mention_ids`` says which to link.
    """
    _require_visible(user, mention)
    handle = mention.author.handle
    authors = Author.objects.filter(Q(pk=mention.author_id) | Q(handle__iexact=handle))
    offers = list(
        CompensationOffer.objects.filter(author__in=authors.values("pk")).select_related(
            "policy", "department", "offered_by", "author"
        )
    )
    visible = set(
        mentions_visible(user)
        .filter(pk__in={o.mention_id for o in offers})
        .values_list("pk", flat=True)
    )
    given = sum((o.value for o in offers if o.status in COUNTED_STATUSES), Decimal("0"))
    pending = sum((o.value for o in offers if o.status == OfferStatus.PROPOSED), Decimal("0"))
    return Ledger(offers, visible, given, pending, len(offers))


SPEND_GROUPS = {
    "department": ("department_id", "department__name"),
    "incident": ("incident_id",),
    "policy": ("policy_id", "policy__name"),
    "author": ("author_id", "author__handle", "author__source"),
}


def compensation_spend(
    *, user, by: str = "department", department=None, since=None, until=None
) -> list[dict]:
    """Spend (offered, accepted, fulfilled; base currency) grouped by department, incident,
    policy or author, over the departments ``user`` can see. Rows: the group keys, ``total``,
    ``count``; biggest first."""
    if by not in SPEND_GROUPS:
        raise ValueError(f"group by one of {', '.join(SPEND_GROUPS)}")
    offers = CompensationOffer.objects.filter(
        department__in=departments_for(user).values("pk"), status__in=COUNTED_STATUSES
    )
    if department is not None:
        offers = offers.filter(department=department)
    if since is not None:
        offers = offers.filter(created_at__gte=since)
    if until is not None:
        offers = offers.filter(created_at__lt=until)
    return list(
        offers.order_by()
        .values(*SPEND_GROUPS[by])
        .annotate(total=Sum("value"), count=Count("id"))
        .order_by("-total")
    )


def offers_awaiting_approval(*, user) -> QuerySet[CompensationOffer]:
    return CompensationOffer.objects.filter(
        department__in=departments_for(user).values("pk"), status=OfferStatus.PROPOSED
    ).select_related("policy", "department", "offered_by", "mention", "author")


# --- escalation ----------------------------------------------------------------------------
def escalation_rules_for(*, department: Department | None, sla_condition: str | None = None):
    """Active escalation rules that apply to ``department`` (its own and the organisation's),
    in order, with the people to notify prefetched. ``sla_condition`` ("warning", "breach",
    "" for rules without SLA condition) narrows them."""
    departments = [department] if department is not None else []
    by_department = escalation_rules_by_department(departments, sla_condition=sla_condition)
    return by_department[department.pk if department is not None else None]


def escalation_rules_by_department(
    departments, *, sla_condition: str | None = None, recipients: bool = True
) -> dict:
    """``escalation_rules_for`` for several departments in one read: {department id, and None
    for mentions without one: rules in order}. ``recipients=False`` leaves the people to
    notify to be read when a rule fires (for rules kept longer than a task)."""
    ids = [d.pk for d in departments]
    rules = EscalationRule.objects.filter(is_active=True).filter(
        Q(department__isnull=True) | Q(department_id__in=ids)
    )
    if sla_condition is not None:
        rules = rules.filter(sla_condition=sla_condition)
    rules = rules.select_related("department", "move_to_department")
    rules = list(rules.prefetch_related("notify_users") if recipients else rules)
    by_department = {pk: [r for r in rules if r.department_id in (None, pk)] for pk in ids}
    by_department[None] = [r for r in rules if r.department_id is None]
    return by_department


def availability_statement(department: Department) -> str:
    """The public availability statement: the department's own words, else from its hours."""
    if department.availability:
        return department.availability
    hours = list(department.business_hours.all())
    if not hours:
        return "We answer every day around the clock."
    parts = [f"{h.get_weekday_display()} {h.opens:%H:%M}–{h.closes:%H:%M}" for h in hours]
    return f"We answer {', '.join(parts)} ({department.timezone} time)."
