"""Messaging guidelines: create, edit, version, approve, retire; render for a mention."""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from core.errors import Conflict, DomainError, NotFound
from hub import rendering
from hub.models import (
    Guideline,
    GuidelineKind,
    GuidelineStatus,
    GuidelineVersion,
    Tone,
)
from hub.selectors import department_policy
from hub.services._common import announce, record, require_editor
from spokes.models import ContactPoint, Department, Source
from spokes.selectors import mention_get

MAX_BODY = 5000
EDITABLE = ("title", "kind", "department", "contact_point", "source", "tone", "topics")


def _clean_attrs(attrs: dict) -> dict:
    cleaned = {}
    if "title" in attrs:
        title = (attrs["title"] or "").strip()
        if not title:
            raise DomainError("A guideline needs a title.", field="title")
        if len(title) > 200:
            raise DomainError("A title is at most 200 characters.", field="title")
        cleaned["title"] = title
    choices = {
        "kind": GuidelineKind.values,
        "contact_point": ["", *ContactPoint.values],
        "source": ["", *Source.values],
        "tone": Tone.values,
    }
    for name, allowed in choices.items():
        if name in attrs:
            value = attrs[name] or ""
            if value not in allowed:
                raise DomainError(f"Unknown {name.replace('_', ' ')} '{value}'.", field=name)
            cleaned[name] = value
    if "department" in attrs:
        department = attrs["department"]
        if department is not None and not isinstance(department, Department):
            raise DomainError("Choose a department or none.", field="department")
        cleaned["department"] = department
    if "topics" in attrs:
        topics = attrs["topics"] or []
        if isinstance(topics, str):
            topics = topics.split(",")
        cleaned["topics"] = sorted({str(t).strip().lower() for t in topics if str(t).strip()})
    return cleaned


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise DomainError("The wording cannot be empty.", field="body")
    if len(body) > MAX_BODY:
        raise DomainError(f"The wording is at most {MAX_BODY} characters.", field="body")
    rendering.placeholders_in(body)
    return body


def _lock(guideline_id) -> Guideline:
    try:
        return Guideline.objects.select_for_update().get(pk=int(guideline_id))
    except (Guideline.DoesNotExist, TypeError, ValueError):
        raise NotFound("No such guideline.") from None


def _payload(guideline: Guideline, **extra) -> dict:
    return {
        "id": guideline.pk,
        "title": guideline.title,
        "kind": guideline.kind,
        "status": guideline.status,
        "department_id": guideline.department_id,
        "version_id": guideline.current_version_id,
        **extra,
    }


@transaction.atomic
def guideline_create(
    *, actor, title: str, kind: str, body: str, change_note: str = "", **attrs
) -> Guideline:
    """A new draft guideline with its first version. ``attrs``: department, contact_point,
    source, tone, topics."""
    require_editor(actor)
    unknown = set(attrs) - set(EDITABLE)
    if unknown:
        raise DomainError(f"Unknown field {sorted(unknown)[0]}.", field=sorted(unknown)[0])
    cleaned = _clean_attrs({"title": title, "kind": kind, **attrs})
    body = _clean_body(body)
    guideline = Guideline.objects.create(created_by=actor, **cleaned)
    version = GuidelineVersion.objects.create(
        guideline=guideline,
        number=1,
        body=body,
        change_note=(change_note or "First version").strip()[:300],
        created_by=actor,
    )
    record(
        actor=actor,
        action="guideline.created",
        target=guideline,
        data={"title": guideline.title, "kind": guideline.kind, "version_id": version.pk},
    )
    announce("guideline.created", _payload(guideline))
    return guideline


@transaction.atomic
def guideline_update(*, actor, guideline_id, **attrs) -> Guideline:
    """Change what a guideline is for (title, kind, department, contact point, source, tone,
    topics). The wording changes only through a new version."""
    require_editor(actor)
    unknown = set(attrs) - set(EDITABLE)
    if unknown:
        raise DomainError(f"Unknown field {sorted(unknown)[0]}.", field=sorted(unknown)[0])
    guideline = _lock(guideline_id)
    cleaned = _clean_attrs(attrs)
    changed = {}
    for name, value in cleaned.items():
        before = getattr(guideline, name)
        if before != value:
            changed[name] = [str(getattr(before, "pk", before)), str(getattr(value, "pk", value))]
            setattr(guideline, name, value)
    if not changed:
        return guideline
    guideline.save(update_fields=[*cleaned, "updated_at"])
    record(actor=actor, action="guideline.updated", target=guideline, data={"changed": changed})
    payload = _payload(guideline, changed=sorted(changed))
    if guideline.status == GuidelineStatus.APPROVED:
        # a moved guideline concerns every department that may have been using it
        moved = "department" in changed
        announce(
            "guideline.updated", payload, department_id=None if moved else guideline.department_id
        )
    else:
        announce("guideline.updated", payload)
    return guideline


@transaction.atomic
def guideline_version_create(
    *, actor, guideline_id, body: str, change_note: str = ""
) -> GuidelineVersion:
    """Add a new (unapproved) version; the approved one stays in use until this is approved."""
    require_editor(actor)
    guideline = _lock(guideline_id)
    if guideline.status == GuidelineStatus.RETIRED:
        raise Conflict("A retired guideline gets no new versions.", field="status")
    body = _clean_body(body)
    latest = guideline.versions.order_by("-number").first()
    if latest is not None and latest.body == body:
        raise DomainError(f"The wording is the same as version {latest.number}.", field="body")
    number = (guideline.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = GuidelineVersion.objects.create(
        guideline=guideline,
        number=number,
        body=body,
        change_note=(change_note or "").strip()[:300],
        created_by=actor,
    )
    guideline.save(update_fields=["updated_at"])
    record(
        actor=actor,
        action="guideline.version_created",
        target=guideline,
        data={"version_id": version.pk, "number": number},
    )
    announce("guideline.version_created", _payload(guideline, new_version_id=version.pk))
    return version


@transaction.atomic
def guideline_approve(*, actor, guideline_id, version_id=None) -> GuidelineVersion:
    """Make ``version_id`` (default: the newest) the version departments use."""
    require_editor(actor)
    guideline = _lock(guideline_id)
    versions = guideline.versions.all()
    version = (
        versions.filter(pk=version_id).first()
        if version_id not in (None, "")
        else versions.order_by("-number").first()
    )
    if version is None:
        raise DomainError("No such version of this guideline.", field="version")
    current = guideline.current_version
    if current is not None and guideline.status == GuidelineStatus.APPROVED:
        if version.pk == current.pk:
            raise Conflict(f"Version {version.number} is already approved.", field="version")
        if version.number < current.number:
            raise Conflict(
                f"Version {version.number} is older than the approved version {current.number}; "
                "create a new version with that wording instead.",
                field="version",
            )
    rendering.placeholders_in(version.body)
    if guideline.source and guideline.kind != GuidelineKind.FAQ:
        # the fixed words alone must fit the channel; placeholders only add to them
        fixed = rendering.fill(
            version.body, dict.fromkeys(rendering.PLACEHOLDERS, "x"), field="body"
        )
        rendering.check_length(fixed, guideline.source, field="body")
    if version.approved_at is None:
        version.approved_by = actor
        version.approved_at = timezone.now()
        version.save(update_fields=["approved_by", "approved_at"])
    before = guideline.status
    guideline.current_version = version
    guideline.status = GuidelineStatus.APPROVED
    guideline.save(update_fields=["current_version", "status", "updated_at"])
    record(
        actor=actor,
        action="guideline.approved",
        target=guideline,
        data={"version_id": version.pk, "number": version.number, "from_status": before},
    )
    announce("guideline.approved", _payload(guideline), department_id=guideline.department_id)
    return version


@transaction.atomic
def guideline_retire(*, actor, guideline_id, reason: str = "") -> Guideline:
    """Stop offering a guideline; replies that used it keep their pinned version."""
    require_editor(actor)
    guideline = _lock(guideline_id)
    if guideline.status == GuidelineStatus.RETIRED:
        raise Conflict("The guideline is already retired.", field="status")
    before = guideline.status
    guideline.status = GuidelineStatus.RETIRED
    guideline.save(update_fields=["status", "updated_at"])
    record(
        actor=actor,
        action="guideline.retired",
        target=guideline,
        data={"from_status": before, "reason": (reason or "").strip()[:300]},
    )
    announce("guideline.retired", _payload(guideline), department_id=guideline.department_id)
    return guideline


# --- rendering -------------------------------------------------------------------------------
def placeholder_values(*, mention, actor, extra: dict | None = None) -> dict[str, str]:
    """What each placeholder becomes for ``mention`` answered by ``actor``."""
    author = mention.author
    department = mention.department
    policy = department_policy(department) if department is not None else None
    values = {
        "customer_name": author.display_name or f"@{author.handle}",
        "customer_handle": f"@{author.handle}",
        "agent_initials": actor.display_initials,
        "agent_name": actor.first_name or actor.username,
        "agent_signature": rendering.signature_for(actor),
        "department_name": department.name if department else "",
        "availability": department.availability if department else "",
        "incident_title": "",
        "phone": (policy.contact_phone if policy else "") or actor.phone,
        "email": policy.contact_email if policy else "",
        "dm_link": policy.dm_link if policy else "",
    }
    for name, value in (extra or {}).items():
        if name not in rendering.PLACEHOLDERS:
            raise DomainError(f"Unknown placeholder {{{name}}}.", field="extra")
        values[name] = str(value)
    return values


def guideline_render(
    *, version: GuidelineVersion, mention, actor, extra: dict | None = None, sign: bool = True
) -> str:
    """The text of ``version`` filled in for ``mention`` by ``actor``, signed where the
    department signs replies, within the channel's length limit.

    Raises NotFound when ``actor`` cannot see the mention, DomainError(field="guideline")
    for an unusable version, DomainError(field="text") for a missing placeholder value or
    a text over the channel's limit. ``extra`` supplies placeholder values
    (e.g. ``{"incident_title": ...}``) and overrides the defaults.
    """
    mention = mention_get(user=actor, mention_id=mention.pk)
    guideline = version.guideline
    if version.approved_at is None or guideline.status != GuidelineStatus.APPROVED:
        raise DomainError("Only approved guidelines can be used in replies.", field="guideline")
    if guideline.kind == GuidelineKind.FAQ:
        raise DomainError("FAQ entries are internal and never sent.", field="guideline")
    if guideline.department_id and guideline.department_id != mention.department_id:
        raise DomainError("This guideline is for another department.", field="guideline")
    text = rendering.fill(
        version.body, placeholder_values(mention=mention, actor=actor, extra=extra)
    )
    if sign and mention.department is not None:
        text = rendering.sign(text, user=actor, sign_replies=mention.department.sign_replies)
    rendering.check_length(text, mention.source, field="text")
    return text


SAMPLE_VALUES = {
    "customer_name": "Jamie Rivera",
    "customer_handle": "@jamie_r",
    "agent_initials": "AL",
    "agent_name": "Ava",
    "agent_signature": "^AL",
    "department_name": "Billing & Refunds",
    "availability": "We answer every day 08:00–20:00.",
    "incident_title": "Baggage system outage at Amsterdam",
    "phone": "+31 20 000 0000",
    "email": "care@example.com",
    "dm_link": "https://social.example/messages/compose",
}


def guideline_preview(*, body: str, actor, source: str = "") -> dict:
    """Sample rendering of unsaved or saved wording for the hub's editors (no side effects).

    Returns ``{"text", "length", "limit", "over"}``; raises DomainError(field="body") for
    malformed or unknown placeholders.
    """
    values = dict(SAMPLE_VALUES)
    values.update(
        agent_initials=actor.display_initials,
        agent_name=actor.first_name or actor.username,
        agent_signature=rendering.signature_for(actor),
    )
    text = rendering.fill(_clean_body(body), values, field="body")
    limit = rendering.length_limit(source) if source else None
    return {
        "text": text,
        "length": len(text),
        "limit": limit,
        "over": bool(limit and len(text) > limit),
    }
