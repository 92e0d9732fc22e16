"""When a reply needs central comms' approval. Decided by rules, never by the agent."""

from hub import selectors as hub_selectors
from replies.models import Reply


def is_incident_linked(mention) -> bool:
    from incidents.models import OPEN_INCIDENT_STATUSES, IncidentMention

    return IncidentMention.objects.filter(
        mention_id=mention.pk, incident__status__in=OPEN_INCIDENT_STATUSES
    ).exists()


def _compensation_reason(reply: Reply, actor) -> str | None:
    from hub.models import CompensationOffer

    department = reply.mention.department
    pending = getattr(reply, "pending_compensation", None)
    if pending is not None:
        policy, amount = pending
        value = policy.value_of(amount)
    elif reply.compensation_offer_id:
        offer = CompensationOffer.objects.get(pk=reply.compensation_offer_id)
        if offer.needs_approval and offer.approved_at is None:
            return (
                f"The compensation ({offer.value} EUR) is over your discretion limit "
                f"({offer.limit_at_offer} EUR)."
            )
        return None
    else:
        return None
    limit = hub_selectors.discretion_limit(user=actor, department=department, policy=policy)
    if value is None:
        return f"{policy.name} has no set value: every offer needs approval."
    if value > limit:
        return f"The compensation ({value} EUR) is over your discretion limit ({limit} EUR)."
    return None


def approval_reasons(*, reply: Reply, actor) -> list[str]:
    """Human-readable reasons, in the order the composer shows them; empty = no approval."""
    mention = reply.mention
    department = mention.department
    policy = hub_selectors.department_policy(department)
    reasons = []
    if policy.require_approval_all:
        reasons.append(f"{department.name} requires approval for every reply.")
    if "approval_required" in (mention.flags or []):
        reasons.append("An escalation rule requires approval for this mention.")
    if is_incident_linked(mention):
        reasons.append("The mention is linked to an open incident.")
    threshold = policy.approval_reach_threshold
    if threshold and mention.reach >= threshold:
        reasons.append(f"The author's reach ({mention.reach:,}) is at least {threshold:,}.")
    if reply.guideline_version_id is None:
        if policy.require_template:
            reasons.append(f"{department.name} requires replies to start from a template.")
    elif (
        policy.deviation_threshold is not None
        and reply.similarity is not None
        and reply.similarity < policy.deviation_threshold
    ):
        reasons.append(
            f"The text departs from the template ({reply.similarity:.0%} similar; below "
            f"{policy.deviation_threshold:.0%} needs approval)."
        )
    compensation = _compensation_reason(reply, actor)
    if compensation:
        reasons.append(compensation)
    return reasons
