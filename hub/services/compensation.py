"""Compensation: policies and limits (hub editors) and offers on mentions (department staff)."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from core.errors import Conflict, DomainError, NotFound, PermissionDenied
from core.events import department_group, hub_group, mention_group, publish
from hub.models import (
    OFFER_TRANSITIONS,
    CompensationKind,
    CompensationOffer,
    CompensationPolicy,
    CompensationTier,
    CompensationUnit,
    DiscretionLimit,
    LimitRole,
    OfferStatus,
    Severity,
)
from hub.selectors import discretion_limit, tier_range
from hub.services._common import announce, record, require_editor
from spokes.models import Activity, Department, Mention
from spokes.selectors import mention_get, user_can

MAX_AMOUNT = Decimal("99999999.99")


def _decimal(value, *, field: str, allow_none: bool = False) -> Decimal | None:
    if value in (None, "") and allow_none:
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise DomainError("Enter a number.", field=field) from None
    if not number.is_finite() or number < 0 or number > MAX_AMOUNT:
        raise DomainError("Enter an amount between 0 and 99,999,999.99.", field=field)
    return number.quantize(Decimal("0.01"))


# --- policies and limits (hub editors) ---------------------------------------------------------
@transaction.atomic
def compensation_policy_save(
    *,
    actor,
    policy_id=None,
    name: str,
    kind: str,
    unit: str = CompensationUnit.MONEY,
    unit_value=None,
    description: str = "",
    is_active: bool = True,
    tiers: dict | None = None,
) -> CompensationPolicy:
    """Create (no ``policy_id``) or change a policy; ``tiers`` maps severity -> (min, max)
    in the policy's unit and replaces the existing tiers."""
    require_editor(actor)
    name = (name or "").strip()
    if not name:
        raise DomainError("A policy needs a name.", field="name")
    if kind not in CompensationKind.values:
        raise DomainError(f"Unknown kind '{kind}'.", field="kind")
    if unit not in CompensationUnit.values:
        raise DomainError(f"Unknown unit '{unit}'.", field="unit")
    unit_value = _decimal(unit_value, field="unit_value", allow_none=True)
    if unit == CompensationUnit.MONEY:
        unit_value = None
    clean_tiers = {}
    for severity, bounds in (tiers or {}).items():
        if severity not in Severity.values:
            raise DomainError(f"Unknown severity '{severity}'.", field="tiers")
        if bounds is None or all(b in (None, "") for b in bounds):
            continue
        low = _decimal(bounds[0], field=f"tier_{severity}")
        high = _decimal(bounds[1], field=f"tier_{severity}")
        if low > high:
            raise DomainError(
                f"The {severity} range starts above its end.", field=f"tier_{severity}"
            )
        clean_tiers[severity] = (low, high)
    clash = CompensationPolicy.objects.filter(name__iexact=name)
    if policy_id is not None:
        try:
            policy = CompensationPolicy.objects.select_for_update().get(pk=int(policy_id))
        except (CompensationPolicy.DoesNotExist, TypeError, ValueError):
            raise NotFound("No such compensation policy.") from None
        clash = clash.exclude(pk=policy.pk)
        created = False
    else:
        policy = CompensationPolicy()
        created = True
    if clash.exists():
        raise DomainError(f"A policy named '{name}' already exists.", field="name")
    policy.name, policy.kind, policy.unit = name, kind, unit
    policy.unit_value, policy.description, policy.is_active = unit_value, description, is_active
    policy.save()
    if tiers is not None:
        policy.tiers.all().delete()
        CompensationTier.objects.bulk_create(
            CompensationTier(policy=policy, severity=s, min_amount=low, max_amount=high)
            for s, (low, high) in clean_tiers.items()
        )
    record(
        actor=actor,
        action="compensation.policy_created" if created else "compensation.policy_changed",
        target=policy,
        data={
            "name": name,
            "kind": kind,
            "unit": unit,
            "active": is_active,
            "tiers": {s: [str(lo), str(hi)] for s, (lo, hi) in clean_tiers.items()},
        },
    )
    announce("compensation.policy_changed", {"id": policy.pk, "name": name}, department_id=None)
    return policy


@transaction.atomic
def discretion_limit_set(
    *,
    actor,
    role: str,
    amount,
    department: Department | None = None,
    policy: CompensationPolicy | None = None,
) -> DiscretionLimit:
    """Set the limit for ``role``, organisation-wide or for one department and/or policy."""
    require_editor(actor)
    if role not in LimitRole.values:
        raise DomainError(f"Unknown role '{role}'.", field="role")
    amount = _decimal(amount, field="amount")
    # SQL treats empty scopes as distinct, so uniqueness of the general rows is kept here
    limit = (
        DiscretionLimit.objects.select_for_update()
        .filter(role=role, department=department, policy=policy)
        .first()
    )
    before = str(limit.amount) if limit else None
    if limit is None:
        limit = DiscretionLimit(role=role, department=department, policy=policy)
    limit.amount = amount
    limit.save()
    record(
        actor=actor,
        action="compensation.limit_set",
        target=limit,
        data={
            "role": role,
            "department": department.slug if department else None,
            "policy": policy.name if policy else None,
            "from": before,
            "to": str(amount),
        },
    )
    announce(
        "compensation.limit_changed",
        {"role": role, "amount": str(amount)},
        department_id=department.pk if department else None,
    )
    return limit


@transaction.atomic
def discretion_limit_delete(*, actor, limit_id) -> None:
    require_editor(actor)
    limit = DiscretionLimit.objects.select_for_update().filter(pk=limit_id).first()
    if limit is None:
        raise NotFound("No such limit.")
    department_id = limit.department_id
    record(
        actor=actor,
        action="compensation.limit_deleted",
        target=limit,
        data={"role": limit.role, "amount": str(limit.amount)},
    )
    limit.delete()
    announce(
        "compensation.limit_changed",
        {"role": limit.role, "amount": None},
        department_id=department_id,
    )


# --- offers (department staff) -------------------------------------------------------------------
@dataclass
class OfferDecision:
    offer: CompensationOffer
    needs_approval: bool
    limit: Decimal
    suggested_range: tuple[Decimal, Decimal] | None
    outside_range: bool


def _offer_event(offer: CompensationOffer, verb: str, *, actor, data: dict) -> None:
    Activity.objects.create(mention_id=offer.mention_id, actor=actor, verb=verb, data=data)
    groups = [department_group(offer.department_id), mention_group(offer.mention_id)]
    if offer.status == OfferStatus.PROPOSED:
        groups.append(hub_group())
    publish(
        f"mention.{verb}",
        {
            "id": offer.mention_id,
            "department_id": offer.department_id,
            "offer_id": offer.pk,
            "status": offer.status,
            "needs_approval": offer.needs_approval,
        },
        groups=groups,
    )


def _may_offer(actor, department_id) -> bool:
    return (
        user_can(actor, "work_queue", department_id)
        or actor.is_central_comms
        or actor.has_perm("replies.decide_reply")  # an approver (e.g. an approve-scoped key)
    )


@transaction.atomic
def compensation_offer_create(
    *,
    actor,
    mention_id,
    policy_id,
    amount,
    severity: str = "",
    value=None,
    note: str = "",
    incident_id: int | None = None,
) -> OfferDecision:
    """Record compensation offered on a mention and decide whether it needs approval.

    ``amount`` is in the policy's unit; its worth in the base currency comes from the policy
    (money, or ``unit_value`` per unit) or from ``value`` (e.g. a replacement item's price).
    Over the actor's discretion limit the offer waits as ``proposed`` for approval
    (:func:`compensation_offer_approve`); otherwise it is ``offered`` at once.
    """
    mention_get(user=actor, mention_id=mention_id)  # 404 for a mention the actor cannot see
    mention = (
        Mention.objects.select_for_update(of=("self",))
        .select_related("department")
        .get(pk=mention_id)
    )
    if mention.department_id is None:
        raise DomainError("The mention is not in a department yet.", field="mention")
    if not _may_offer(actor, mention.department_id):
        raise PermissionDenied("You cannot work this department's mentions.")
    policy = CompensationPolicy.objects.prefetch_related("tiers").filter(pk=policy_id).first()
    if policy is None or not policy.is_active:
        raise DomainError("Choose an active compensation policy.", field="policy")
    amount = _decimal(amount, field="amount")
    if amount <= 0:
        raise DomainError("The amount must be above zero.", field="amount")
    if severity and severity not in Severity.values:
        raise DomainError(f"Unknown severity '{severity}'.", field="severity")
    worth = policy.value_of(amount)
    if value not in (None, ""):
        worth = _decimal(value, field="value")
    if worth is None:
        raise DomainError(
            f"Say what the {policy.unit_label} is worth in the base currency.", field="value"
        )
    if incident_id not in (None, ""):
        try:
            incident_id = int(incident_id)
        except (TypeError, ValueError):
            raise DomainError("Not an incident.", field="incident_id") from None
    else:
        incident_id = None
    limit = discretion_limit(user=actor, department=mention.department, policy=policy)
    needs_approval = worth > limit
    offer = CompensationOffer.objects.create(
        mention=mention,
        author_id=mention.author_id,
        department_id=mention.department_id,
        policy=policy,
        severity=severity,
        amount=amount,
        unit=policy.unit,
        value=worth,
        note=(note or "").strip()[:500],
        status=OfferStatus.PROPOSED if needs_approval else OfferStatus.OFFERED,
        needs_approval=needs_approval,
        limit_at_offer=limit,
        incident_id=incident_id,
        offered_by=actor,
    )
    suggested = tier_range(policy, severity) if severity else None
    outside = bool(suggested and not suggested[0] <= amount <= suggested[1])
    record(
        actor=actor,
        action="compensation.offered",
        target=offer,
        data={
            "mention_id": mention.pk,
            "policy": policy.name,
            "amount": str(amount),
            "value": str(worth),
            "limit": str(limit),
            "needs_approval": needs_approval,
        },
    )
    _offer_event(
        offer,
        "compensation_offered",
        actor=actor,
        data={
            "offer_id": offer.pk,
            "policy": policy.name,
            "amount": str(amount),
            "unit": policy.unit_label,
            "needs_approval": needs_approval,
        },
    )
    return OfferDecision(offer, needs_approval, limit, suggested, outside)


def _lock_offer(actor, offer_id) -> CompensationOffer:
    offer = (
        CompensationOffer.objects.select_for_update(of=("self",))
        .select_related("policy", "department")
        .filter(pk=offer_id)
        .first()
    )
    if offer is None:
        raise NotFound("No such offer.")
    mention_get(user=actor, mention_id=offer.mention_id)  # foreign department: 404
    return offer


@transaction.atomic
def compensation_offer_approve(*, actor, offer_id) -> CompensationOffer:
    """Approve an offer above its offerer's limit: central comms, or a colleague of the
    department whose own limit covers it; never the person who made the offer."""
    offer = _lock_offer(actor, offer_id)
    if offer.status != OfferStatus.PROPOSED:
        raise Conflict("Only an offer awaiting approval can be approved.", field="status")
    if offer.offered_by_id == actor.pk:
        raise PermissionDenied("Someone else must approve your own offer.")
    own_limit = discretion_limit(user=actor, department=offer.department, policy=offer.policy)
    is_approver = actor.is_central_comms or actor.is_administrator
    if not (is_approver or actor.has_perm("replies.decide_reply")) and (
        not user_can(actor, "lead_queue", offer.department_id) or own_limit < offer.value
    ):
        raise PermissionDenied("Your discretion limit does not cover this offer.")
    offer.status = OfferStatus.OFFERED
    offer.approved_by = actor
    offer.approved_at = timezone.now()
    offer.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    record(
        actor=actor,
        action="compensation.approved",
        target=offer,
        data={"mention_id": offer.mention_id, "value": str(offer.value)},
    )
    _offer_event(offer, "compensation_approved", actor=actor, data={"offer_id": offer.pk})
    return offer


@transaction.atomic
def compensation_offer_set_status(*, actor, offer_id, status: str) -> CompensationOffer:
    """The customer accepted or declined, it was fulfilled, or it is withdrawn."""
    offer = _lock_offer(actor, offer_id)
    if not _may_offer(actor, offer.department_id):
        raise PermissionDenied("You cannot work this department's mentions.")
    if status not in OfferStatus.values:
        raise DomainError(f"Unknown status '{status}'.", field="status")
    if status not in OFFER_TRANSITIONS[OfferStatus(offer.status)]:
        raise Conflict(
            f"An offer that is {offer.get_status_display().lower()} cannot become {status}.",
            field="status",
        )
    before = offer.status
    offer.status = status
    offer.save(update_fields=["status", "updated_at"])
    record(
        actor=actor,
        action="compensation.status_changed",
        target=offer,
        data={"from": before, "to": status, "mention_id": offer.mention_id},
    )
    _offer_event(
        offer,
        "compensation_changed",
        actor=actor,
        data={"offer_id": offer.pk, "from": before, "to": status},
    )
    return offer
