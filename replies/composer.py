"""The composer's link to the hub: suggestions, rendering, compensation and the ledger."""

from decimal import Decimal, InvalidOperation

from django.db import transaction

from core.errors import DomainError, NotFound, for_people
from hub import selectors as hub_selectors
from hub.models import CompensationPolicy
from hub.services.guidelines import guideline_render
from replies.models import Reply, ReplyKind
from spokes.selectors import mention_get, thread_around

FORM_FIELDS = ("text", "kind", "guideline_version", "compensation_policy", "compensation_amount")


def _session_key(mention_id) -> str:
    return f"composer-{mention_id}"


def keep_form(request, mention_id, data, error: DomainError) -> None:
    """A refused composer form, kept for the page it is sent back to: what was typed is
    shown again beside the reason (a redirect otherwise loses both below the fold)."""
    kept = {name: str(data.get(name, ""))[:5000] for name in FORM_FIELDS}
    kept["error"] = for_people(error)
    request.session[_session_key(mention_id)] = kept


def kept_form(request, mention_id) -> dict:
    """The form ``keep_form`` kept for this mention, once (then it is gone)."""
    return request.session.pop(_session_key(mention_id), None) or {}


def context(*, user, mention, form: dict | None = None) -> dict:
    """Everything the composer shows beside the text box (a fixed number of queries);
    ``form``: a refused form's values to show again (``kept_form``)."""
    department = mention.department
    policies = []
    for policy in hub_selectors.compensation_policies(user=user, active_only=True):
        limit = hub_selectors.discretion_limit(user=user, department=department, policy=policy)
        policies.append(
            {"id": policy.pk, "name": policy.name, "unit": policy.unit_label, "limit": limit}
        )
    ledger = hub_selectors.customer_ledger(user=user, mention=mention)
    return {
        "suggestions": [
            {
                "version_id": s.version.pk,
                "title": s.guideline.title,
                "kind_label": s.guideline.get_kind_display(),
            }
            for s in hub_selectors.guidelines_for_mention(user=user, mention=mention, limit=8)
        ],
        "faq": [
            {"title": s.guideline.title, "body": s.version.body}
            for s in hub_selectors.faq_for_mention(user=user, mention=mention)
        ],
        "policies": policies,
        "ledger": [
            f"{o.policy.name}: {o.amount} {o.policy.unit_label} ({o.get_status_display()}, "
            f"{o.department.name}, {o.created_at:%d %b})"
            for o in ledger.offers
        ],
        "form": form or {},
    }


def render_guideline(*, actor, mention, version_id) -> str:
    if not version_id:
        return ""
    version = hub_selectors.guideline_version_get(user=actor, version_id=version_id)
    return guideline_render(version=version, mention=mention, actor=actor)


def _compensation(data) -> tuple[CompensationPolicy, Decimal] | None:
    policy_id = (data.get("compensation_policy") or "").strip()
    raw_amount = (data.get("compensation_amount") or "").strip()
    if not policy_id and not raw_amount:
        return None
    if not policy_id:
        raise DomainError("Choose the compensation policy.", field="compensation_policy")
    policy = CompensationPolicy.objects.filter(
        pk=policy_id if policy_id.isdigit() else 0, is_active=True
    ).first()
    if policy is None:
        raise DomainError("No such compensation policy.", field="compensation_policy")
    try:
        amount = Decimal(raw_amount)
    except InvalidOperation:
        raise DomainError("The amount must be a number.", field="compensation_amount") from None
    if not amount.is_finite() or amount <= 0 or amount > Decimal("100000"):
        raise DomainError(
            "The amount must be above 0 and at most 100,000.", field="compensation_amount"
        )
    cents = amount.quantize(Decimal("0.01"))
    if cents != amount:  # never round an offer: 0.004 would become an offer of 0.00
        raise DomainError("The amount has at most two decimals.", field="compensation_amount")
    return policy, cents


def prepare(*, actor, mention_id, data, dry_run: bool = False) -> dict:
    """Turn the composer form into reply_draft's arguments (creating the offer unless dry)."""
    mention = mention_get(user=actor, mention_id=mention_id)
    kind = data.get("kind") or ReplyKind.PUBLIC
    if kind not in ReplyKind.values:
        raise DomainError(f"Unknown kind '{kind}'.", field="kind")
    text = (data.get("text") or "").strip()
    template_text, version_id = "", None
    raw_version = (data.get("guideline_version") or "").strip()
    if raw_version:
        try:
            template_text = render_guideline(actor=actor, mention=mention, version_id=raw_version)
        except NotFound:
            raise DomainError("No such guideline.", field="guideline_version") from None
        version_id = int(raw_version)
    if not text:
        raise DomainError("A reply needs text.", field="text")
    prepared = {
        "text": text,
        "kind": kind,
        "guideline_version_id": version_id,
        "template_text": template_text,
    }
    compensation = _compensation(data)
    if compensation is not None:
        policy, amount = compensation
        if dry_run:
            prepared["pending_compensation"] = (policy, amount)
        else:
            from hub.services.compensation import compensation_offer_create

            decision = compensation_offer_create(
                actor=actor, mention_id=mention.pk, policy_id=policy.pk, amount=amount
            )
            prepared["compensation_offer_id"] = decision.offer.pk
    return prepared


def compose(*, actor, mention_id, data, submit: bool) -> Reply:
    """The composer's one write, all or nothing: the compensation offer (if the form makes
    one), the draft and, unless it is kept as a draft, its submission. A reply refused at any
    step (too long for the channel, an offer over every limit) leaves no offer behind waiting
    for approval with no reply to go with it, and no draft to be sent twice."""
    from replies import services

    with transaction.atomic():
        prepared = prepare(actor=actor, mention_id=mention_id, data=data)
        reply = services.reply_draft(actor=actor, mention_id=mention_id, **prepared)
        if submit:
            reply = services.reply_submit(actor=actor, reply_id=reply.pk)
    return reply


def offer_summary(reply: Reply) -> str:
    if not reply.compensation_offer_id:
        return ""
    from hub.models import CompensationOffer

    offer = (
        CompensationOffer.objects.select_related("policy")
        .filter(pk=reply.compensation_offer_id)
        .first()
    )
    if offer is None:
        return ""
    return (
        f"{offer.policy.name}: {offer.amount} {offer.policy.unit_label} "
        f"(worth {offer.value}; the agent's limit was {offer.limit_at_offer})"
    )


def thread(mention, user):
    return thread_around(mention, user)
