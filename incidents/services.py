"""Every change to an incident goes through these functions.

Each runs in one transaction: it checks the actor's permission on the incident (a 404 for an
incident they may not see), validates, writes, records an audit row and publishes the live
event ``incident.<verb>`` to the incident's group on commit. The event's ``panels`` tell open
incident pages which parts to refetch.
"""

import logging
import re
import statistics
from functools import partial

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection, models, transaction
from django.utils import timezone
from django_fsm import can_proceed

from accounts.audit import audit
from core.errors import Conflict, DomainError, NotFound, PermissionDenied
from core.events import access_changed, department_group, hub_group, incident_group, publish
from core.isolation import TRANSIENT, exc_info, one_at_a_time
from core.notifications import notify
from core.outbox import enqueue_on_commit
from incidents import selectors
from incidents.models import (
    BulkResponse,
    Incident,
    IncidentFact,
    IncidentGrant,
    IncidentMember,
    IncidentMention,
    IncidentMessage,
    IncidentStatus,
    IncidentUpdate,
    PlannedReply,
    PlannedReplyStatus,
    Severity,
    UpdateStatus,
)
from spokes.filters import MentionFilter
from spokes.models import Mention, MentionUserObjectPermission
from spokes.selectors import department_ids_for, departments_for, mention_get, mentions_visible

User = get_user_model()
log = logging.getLogger("firebreak.incidents")

MAX_LINK_AT_ONCE = 2000
HAND_OVER_CHUNK = 100  # planned replies given to the reply pipeline per transaction
HAND_OVER_TASKS = 2  # tasks sharing a large plan
MAX_TEXT = 5000
STATUS_ACTIONS = {
    "identify": Incident.identify,
    "monitor": Incident.monitor,
    "investigate": Incident.investigate,
}


# --- helpers -------------------------------------------------------------------------------
def _lock(*, actor, incident_id) -> Incident:
    """Check visibility (404 otherwise), then lock the row so changes queue up."""
    selectors.incident_get(user=actor, incident_id=incident_id)
    return Incident.objects.select_for_update().get(pk=incident_id)


def _require_manage(actor, incident: Incident) -> None:
    if not selectors.can_manage(actor, incident):
        raise PermissionDenied("Only central comms or a lead of an involved department can.")


def _require_contribute(actor, incident: Incident) -> None:
    if not selectors.can_contribute(actor, incident):
        raise PermissionDenied(
            "Only the incident's team, the leads of its departments and central comms can add "
            "to it."
        )


def _require_comms(actor, message: str) -> None:
    if not actor.is_central_comms:
        raise PermissionDenied(message)


def _require_open(incident: Incident) -> None:
    if not incident.is_open:
        raise Conflict("The incident is resolved.", field="status")


def _text(value, field: str, *, required: bool = True, limit: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(f"The {field.replace('_', ' ')} cannot be empty.", field=field)
    if len(value) > limit:
        raise DomainError(f"At most {limit:,} characters.", field=field)
    return value


def _record(
    incident: Incident,
    *,
    actor,
    verb: str,
    panels: list[str],
    data: dict | None = None,
    extra_groups=(),
) -> None:
    audit(actor=actor, action=f"incident.{verb}", target=incident, data=data or {})
    publish(
        f"incident.{verb}",
        {"id": incident.pk, "status": incident.status, "panels": panels, **(data or {})},
        groups=[incident_group(incident.pk), *extra_groups],
    )


def _keywords(raw) -> list[str]:
    if isinstance(raw, str):
        raw = raw.split(",")
    words = []
    for word in raw or ():
        word = str(word).strip().lower()
        if word and word not in words:
            words.append(word[:50])
    if len(words) > 50:
        raise DomainError("At most 50 keywords.", field="keywords")
    return words


def _severity(value) -> str:
    if value not in Severity.values:
        raise DomainError(
            f"Unknown severity '{value}'; use one of: {', '.join(Severity.values)}.",
            field="severity",
        )
    return value


# --- per-mention grants for team members outside the mention's department -------------------
def _view_mention() -> Permission:
    return Permission.objects.get(content_type__app_label="spokes", codename="view_mention")


def incident_share_linked(incident: Incident, *, mention_ids) -> int:
    """Give the incident's team view rights on mentions linked without a person (an
    escalation rule's "link to incident"): the same grants as a manual link."""
    return _grant(incident, mention_ids=list(mention_ids))


def _grant(incident: Incident, *, users=None, mention_ids=None) -> int:
    """Let team members open linked mentions outside their departments (while it is open).

    Written by the database from the links, a statement per table and member (and per 500
    mentions given): an incident of a crisis links tens of thousands of mentions, and adding
    one person to its team loaded, compared and wrote them as model instances (11.9 s at
    100,000 links, in the request and under the incident's lock)."""
    if not incident.is_open:
        return 0
    if users is None:
        users = [m.user for m in incident.members.select_related("user")]
    members = [u for u in users if u.is_active and not u.is_central_comms]  # comms sees all
    if mention_ids is None:
        chunks = [None]
    else:
        ids = list(mention_ids)
        chunks = [ids[i : i + 500] for i in range(0, len(ids), 500)]
    if not members or not chunks:
        return 0
    permission = _view_mention()
    granted = 0
    with connection.cursor() as cursor:
        for user in members:
            for chunk in chunks:
                outside, params = _outside_sql(incident, user, chunk)
                # The incident's own record of each grant, except where someone shared the
                # mention with this person outside incidents (not ours to record or revoke).
                cursor.execute(
                    f"INSERT INTO {_GRANTS} (incident_id, user_id, mention_id) "  # noqa: S608
                    f"SELECT %s, %s, o.mention_id FROM ({outside}) o WHERE NOT EXISTS ("
                    f"SELECT 1 FROM {_SHARES} p WHERE p.user_id = %s AND p.permission_id = %s "
                    "AND p.content_object_id = o.mention_id AND NOT EXISTS ("
                    f"SELECT 1 FROM {_GRANTS} g WHERE g.user_id = %s "
                    "AND g.mention_id = o.mention_id)) ON CONFLICT DO NOTHING",
                    [incident.pk, user.pk, *params, user.pk, permission.pk, user.pk],
                )
                cursor.execute(
                    f"INSERT INTO {_SHARES} (user_id, permission_id, content_object_id) "  # noqa: S608
                    f"SELECT %s, %s, o.mention_id FROM ({outside}) o WHERE 1 = 1 "
                    "ON CONFLICT DO NOTHING",
                    [user.pk, permission.pk, *params],
                )
                granted += max(cursor.rowcount, 0)
    return granted


_GRANTS = IncidentGrant._meta.db_table
_SHARES = MentionUserObjectPermission._meta.db_table


def _outside_sql(incident: Incident, user, mention_ids: list[int] | None) -> tuple[str, list]:
    """The incident's linked mentions (of ``mention_ids``) outside ``user``'s departments."""
    links, mentions = IncidentMention._meta.db_table, Mention._meta.db_table
    sql = (
        f"SELECT l.mention_id FROM {links} l JOIN {mentions} m ON m.id = l.mention_id "  # noqa: S608
        "WHERE l.incident_id = %s"
    )
    params = [incident.pk]
    own = sorted(department_ids_for(user))
    if own:
        marks = ", ".join(["%s"] * len(own))
        sql += f" AND (m.department_id IS NULL OR m.department_id NOT IN ({marks}))"
        params += own
    if mention_ids is not None:
        sql += f" AND l.mention_id IN ({', '.join(['%s'] * len(mention_ids))})"
        params += mention_ids
    return sql, params


def _revoke(incident: Incident, *, user=None, mention_ids=None) -> int:
    """Withdraw this incident's grants; a grant another open incident still needs stays."""
    rows = IncidentGrant.objects.filter(incident=incident)
    if user is not None:
        rows = rows.filter(user=user)
    if mention_ids is not None:
        rows = rows.filter(mention_id__in=mention_ids)
    pairs = list(rows.values_list("user_id", "mention_id"))
    if not pairs:
        return 0
    rows.delete()
    still_needed = set(
        IncidentGrant.objects.filter(
            user_id__in={u for u, _ in pairs}, mention_id__in={m for _, m in pairs}
        ).values_list("user_id", "mention_id")
    )
    by_user: dict[int, list[int]] = {}
    for user_id, mention_id in pairs:
        if (user_id, mention_id) not in still_needed:
            by_user.setdefault(user_id, []).append(mention_id)
    permission = _view_mention()
    revoked = 0
    for user_id, ids in by_user.items():
        deleted = MentionUserObjectPermission.objects.filter(
            user_id=user_id, permission=permission, content_object_id__in=ids
        ).delete()[0]
        if deleted:
            access_changed(user_id)  # their open sockets on those mentions close
        revoked += deleted
    return revoked


# --- declaring and running an incident -----------------------------------------------------
@transaction.atomic
def incident_declare(
    *,
    actor,
    title: str,
    severity: str = Severity.MAJOR,
    departments=(),
    keywords=(),
    summary: str = "",
    role: str = "Incident lead",
) -> Incident:
    """Central comms, or a lead of one of the departments involved, declares an incident."""
    departments = list(departments)
    if not actor.is_central_comms:
        led = set(departments_for(actor, "lead_queue").values_list("pk", flat=True))
        if not led:
            raise PermissionDenied(
                "Only central comms or a lead of an involved department can declare an incident."
            )
        if not led.intersection(d.pk for d in departments):
            raise DomainError(
                "Include a department you lead (central comms declares for the others).",
                field="departments",
            )
    title = _text(title, "title", limit=200)
    incident = Incident.objects.create(
        title=title,
        severity=_severity(severity),
        summary=_text(summary, "summary", required=False),
        keywords=_keywords(keywords),
        declared_by=actor,
    )
    incident.departments.set(departments)
    IncidentMember.objects.create(
        incident=incident, user=actor, role=role, phone=actor.phone, email=actor.email
    )
    _record(
        incident,
        actor=actor,
        verb="declared",
        panels=["header"],
        data={"title": title, "departments": [d.slug for d in departments]},
        extra_groups=[hub_group(), *(department_group(d.pk) for d in departments)],
    )
    return incident


@transaction.atomic
def incident_edit(
    *, actor, incident_id, title=None, severity=None, keywords=None, departments=None
) -> Incident:
    incident = _lock(actor=actor, incident_id=incident_id)
    _require_manage(actor, incident)
    changed = {}
    fields = ["updated_at"]
    if title is not None:
        incident.title = _text(title, "title", limit=200)
        changed["title"] = incident.title
        fields.append("title")
    if severity is not None:
        incident.severity = _severity(severity)
        changed["severity"] = incident.severity
        fields.append("severity")
    if keywords is not None:
        incident.keywords = _keywords(keywords)
        changed["keywords"] = incident.keywords
        fields.append("keywords")
    if departments is not None:
        departments = list(departments)
        if not actor.is_central_comms:
            led = set(departments_for(actor, "lead_queue").values_list("pk", flat=True))
            if not led.intersection(d.pk for d in departments):
                raise DomainError(
                    "Keep at least one department you lead involved.", field="departments"
                )
        incident.departments.set(departments)
        changed["departments"] = [d.slug for d in departments]
    if not changed:
        raise DomainError("Nothing to change.", field="title")
    incident.save(update_fields=fields)
    _record(incident, actor=actor, verb="edited", panels=["header", "outreach"], data=changed)
    return incident


@transaction.atomic
def incident_change_status(*, actor, incident_id, action: str) -> Incident:
    """identify / monitor / investigate; resolving has its own service (it writes a summary)."""
    method = STATUS_ACTIONS.get(action)
    if method is None:
        raise DomainError(
            f"Unknown action '{action}'; use one of: {', '.join(STATUS_ACTIONS)}.", field="action"
        )
    incident = _lock(actor=actor, incident_id=incident_id)
    _require_manage(actor, incident)
    before = incident.status
    if not can_proceed(method.__get__(incident)):
        raise Conflict(
            f"Cannot {action} an incident that is {incident.get_status_display().lower()}.",
            field="status",
        )
    method(incident)
    incident.save(update_fields=["status", "updated_at"])
    _record(
        incident,
        actor=actor,
        verb="status_changed",
        panels=["header"],
        data={"from": before, "to": incident.status},
    )
    return incident


@transaction.atomic
def incident_resolve(*, actor, incident_id, note: str = "") -> Incident:
    """Resolve, withdraw the team's temporary access, and write the post-incident summary."""
    incident = _lock(actor=actor, incident_id=incident_id)
    _require_manage(actor, incident)
    _require_open(incident)
    before = incident.status
    incident.resolve()
    incident.resolved_at = timezone.now()
    revoked = _revoke(incident)
    incident.post_incident_summary = post_incident_summary(
        incident, note=_text(note, "note", required=False)
    )
    incident.save(update_fields=["status", "resolved_at", "post_incident_summary", "updated_at"])
    _record(
        incident,
        actor=actor,
        verb="status_changed",
        panels=["header", "summary"],
        data={"from": before, "to": incident.status, "grants_revoked": revoked},
        extra_groups=[hub_group()],
    )
    return incident


@transaction.atomic
def incident_reopen(*, actor, incident_id) -> Incident:
    incident = _lock(actor=actor, incident_id=incident_id)
    _require_manage(actor, incident)
    if incident.status != IncidentStatus.RESOLVED:
        raise Conflict("Only a resolved incident can be reopened.", field="status")
    incident.reopen()
    incident.resolved_at = None
    incident.save(update_fields=["status", "resolved_at", "updated_at"])
    _grant(incident)
    _record(
        incident,
        actor=actor,
        verb="status_changed",
        panels=["header", "summary"],
        data={"from": IncidentStatus.RESOLVED, "to": incident.status},
    )
    return incident


# --- the team ------------------------------------------------------------------------------
@transaction.atomic
def incident_add_member(
    *, actor, incident_id, user, role: str, phone: str = "", email: str = "", on_call=False
) -> IncidentMember:
    """Add (or update) a team member; they may open linked mentions outside their departments."""
    incident = _lock(actor=actor, incident_id=incident_id)
    _require_manage(actor, incident)
    _require_open(incident)
    if user is None or not user.is_active:
        raise DomainError("No such active user.", field="user")
    role = _text(role, "role", limit=80)
    phone = _text(phone or user.phone, "phone", required=False, limit=40)
    email = _text(email or user.email, "email", required=False, limit=254)
    if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        raise DomainError("Enter a valid email address.", field="email")
    member, created = IncidentMember.objects.update_or_create(
        incident=incident,
        user=user,
        defaults={"role": role, "phone": phone, "email": email, "on_call": bool(on_call)},
    )
    granted = _grant(incident, users=[user])
    if created and user != actor:
        notify(
            user=user,
            kind="incident_team",
            text=f"{actor} added you to the incident team of “{incident.title}” as {role}",
            url=f"/incidents/{incident.pk}/",
        )
    _record(
        incident,
        actor=actor,
        verb="member_added" if created else "member_changed",
        panels=["team"],
        data={"user_id": user.pk, "username": user.username, "role": role, "granted": granted},
    )
    return member


@transaction.atomic
def incident_remove_member(*, actor, incident_id, user) -> None:
    incident = _lock(actor=actor, incident_id=incident_id)
    _require_manage(actor, incident)
    deleted, _ = IncidentMember.objects.filter(incident=incident, user=user).delete()
    if not deleted:
        raise NotFound(f"{user.username} is not on this incident's team.")
    revoked = _revoke(incident, user=user)
    access_changed(user.pk)  # off the team: an open socket on the incident closes
    _record(
        incident,
        actor=actor,
        verb="member_removed",
        panels=["team"],
        data={"user_id": user.pk, "username": user.username, "revoked": revoked},
    )


# --- facts, holding statement, updates, discussion -----------------------------------------
@transaction.atomic
def incident_add_fact(
    *, actor, incident_id, text: str, source: str = "", confirmed_by: str = ""
) -> IncidentFact:
    incident = _lock(actor=actor, incident_id=incident_id)
    _require_contribute(actor, incident)
    fact = IncidentFact.objects.create(
        incident=incident,
        text=_text(text, "text"),
        source=_text(source, "source", required=False, limit=200),
        confirmed_by=_text(confirmed_by, "confirmed_by", required=False, limit=200),
        recorded_by=actor,
    )
    _record(incident, actor=actor, verb="fact_added", panels=["facts"], data={"fact_id": fact.pk})
    return fact


@transaction.atomic
def incident_set_holding_statement(
    *, actor, incident_id, text: str, guideline_version_id: int | None = None
) -> Incident:
    """Central comms sets the approved statement, typed or taken from an approved hub
    guideline version (its text is snapshotted); drafts built on the previous statement are
    stale, which the event (``holding_version``) tells every open composer."""
    incident = _lock(actor=actor, incident_id=incident_id)
    _require_comms(actor, "Only central comms sets the holding statement.")
    _require_open(incident)
    if guideline_version_id is not None:
        version = _approved_guideline_version(actor, guideline_version_id)
        guideline_version_id = version.pk
        if not (text or "").strip():
            text = version.body.replace("{incident_title}", incident.title)
    incident.holding_statement = _text(text, "holding_statement")
    incident.holding_guideline_version_id = guideline_version_id
    incident.holding_version += 1
    incident.holding_set_by = actor
    incident.holding_set_at = timezone.now()
    incident.save(
        update_fields=[
            "holding_statement",
            "holding_guideline_version_id",
            "holding_version",
            "holding_set_by",
            "holding_set_at",
            "updated_at",
        ]
    )
    told = _tell_drafting_agents(incident, actor)
    _record(
        incident,
        actor=actor,
        verb="holding_statement_changed",
        panels=["holding"],
        data={
            "holding_version": incident.holding_version,
            "guideline_version_id": guideline_version_id,
            "drafters_told": told,
        },
        extra_groups=[hub_group()],
    )
    return incident


def _tell_drafting_agents(incident: Incident, actor) -> int:
    """Agents with unsent drafts on linked mentions hear at once that the statement changed."""
    try:
        from replies.models import EDITABLE, Reply, ReplyState
    except ImportError:
        return 0
    unsent = (*EDITABLE, ReplyState.PENDING_APPROVAL)
    drafts = Reply.objects.filter(
        mention__incident_links__incident=incident, state__in=unsent
    ).exclude(author=actor)
    authors = User.objects.filter(pk__in=drafts.values("author_id"), is_active=True)
    for author in authors:
        notify(
            user=author,
            kind="holding_statement_changed",
            text=f"The holding statement of “{incident.title}” changed: check your draft replies.",
            url=f"/incidents/{incident.pk}/",
        )
    return len(authors)


def _approved_guideline_version(actor, version_id):
    """The hub guideline version a holding statement comes from: it must be approved."""
    from hub.selectors import guideline_version_get

    try:
        version = guideline_version_get(user=actor, version_id=version_id)
    except NotFound:
        raise DomainError("No such guideline version.", field="guideline_version_id") from None
    if version.approved_at is None:
        raise DomainError("That guideline version is not approved.", field="guideline_version_id")
    return version


@transaction.atomic
def incident_draft_update(*, actor, incident_id, body: str) -> IncidentUpdate:
    incident = _lock(actor=actor, incident_id=incident_id)
    _require_contribute(actor, incident)
    update = IncidentUpdate.objects.create(
        incident=incident, body=_text(body, "body"), drafted_by=actor
    )
    _record(
        incident,
        actor=actor,
        verb="update_drafted",
        panels=["updates"],
        data={"update_id": update.pk},
        extra_groups=[hub_group()],  # central comms' approval queue
    )
    return update


@transaction.atomic
def incident_approve_update(*, actor, incident_id, update_id) -> IncidentUpdate:
    incident = _lock(actor=actor, incident_id=incident_id)
    _require_comms(actor, "Only central comms approves public updates.")
    update = (
        IncidentUpdate.objects.select_for_update()
        .filter(incident=incident, pk=_int(update_id, "update_id"))
        .first()
    )
    if update is None:
        raise NotFound("No such update.")
    if update.status != UpdateStatus.DRAFT:
        raise Conflict("This update is already approved.", field="status")
    update.approve()
    update.approved_by = actor
    update.approved_at = timezone.now()
    update.save(update_fields=["status", "approved_by", "approved_at"])
    _record(
        incident,
        actor=actor,
        verb="update_approved",
        panels=["updates"],
        data={"update_id": update.pk},
    )
    return update


@transaction.atomic
def incident_post_message(*, actor, incident_id, body: str) -> IncidentMessage:
    """Internal discussion: anyone who may see the incident takes part."""
    incident = _lock(actor=actor, incident_id=incident_id)
    message = IncidentMessage.objects.create(
        incident=incident, author=actor, body=_text(body, "body")
    )
    _record(
        incident,
        actor=actor,
        verb="message_posted",
        panels=["discussion"],
        data={"message_id": message.pk},
    )
    return message


def _int(value, field: str) -> int:
    """An object's id from a form: a number, or a DomainError naming the field. A number no
    id can be (below 1, or past a 64-bit integer, which the database refuses to compare)
    reads as 0, which no row has: the caller's own "not found" answers it."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise DomainError("Expected a number.", field=field) from None
    return number if 0 < number < 2**63 else 0


# --- linked mentions -----------------------------------------------------------------------
def _link(incident: Incident, actor, mention_ids: list[int]) -> list[int]:
    already = set(
        IncidentMention.objects.filter(incident=incident, mention_id__in=mention_ids).values_list(
            "mention_id", flat=True
        )
    )
    new_ids = [i for i in mention_ids if i not in already]
    IncidentMention.objects.bulk_create(
        [IncidentMention(incident=incident, mention_id=i, linked_by=actor) for i in new_ids],
        ignore_conflicts=True,
    )
    _grant(incident, mention_ids=new_ids)
    if new_ids:
        transaction.on_commit(partial(selectors.forget_mention_stats, incident.pk))
    return new_ids


@transaction.atomic
def incident_link_mention(*, actor, incident_id, mention_id) -> bool:
    """Link one mention the actor can see; returns False if it was linked already."""
    incident = _lock(actor=actor, incident_id=incident_id)
    _require_contribute(actor, incident)
    _require_open(incident)
    mention = mention_get(user=actor, mention_id=mention_id)
    new_ids = _link(incident, actor, [mention.pk])
    if new_ids:
        _record(
            incident,
            actor=actor,
            verb="mentions_linked",
            panels=["mentions", "outreach"],
            data={"mention_ids": new_ids, "count": 1},
        )
    return bool(new_ids)


@transaction.atomic
def incident_link_mentions_by_filter(
    *, actor, incident_id, params, department_slug: str = ""
) -> int:
    """Link every mention the actor sees that matches a queue filter (GET-style params)."""
    incident = _lock(actor=actor, incident_id=incident_id)
    _require_contribute(actor, incident)
    _require_open(incident)
    base = mentions_visible(actor)
    if department_slug:
        department = departments_for(actor).filter(slug=department_slug).first()
        if department is None:
            raise DomainError("No such department.", field="department")
        base = base.filter(department=department)
    mention_filter = MentionFilter(data=params, queryset=base, request=None)
    if not mention_filter.is_valid():
        field, errors = next(iter(mention_filter.errors.items()))
        raise DomainError(" ".join(errors), field=field)
    if not any(str(v).strip() for k, v in params.items() if k in mention_filter.filters):
        raise DomainError(
            "Give at least one filter; linking a whole queue is a mistake.", field="q"
        )
    ids = list(mention_filter.qs.order_by().values_list("pk", flat=True)[: MAX_LINK_AT_ONCE + 1])
    if len(ids) > MAX_LINK_AT_ONCE:
        raise DomainError(
            f"More than {MAX_LINK_AT_ONCE:,} mentions match: narrow the filter.", field="q"
        )
    new_ids = _link(incident, actor, ids)
    _record(
        incident,
        actor=actor,
        verb="mentions_linked",
        panels=["mentions", "outreach"],
        data={"count": len(new_ids), "matched": len(ids), "filter": dict(params.items())},
    )
    return len(new_ids)


@transaction.atomic
def incident_unlink_mention(*, actor, incident_id, mention_id) -> None:
    incident = _lock(actor=actor, incident_id=incident_id)
    _require_contribute(actor, incident)
    mention_id = _int(mention_id, "mention_id")
    deleted, _ = IncidentMention.objects.filter(incident=incident, mention_id=mention_id).delete()
    if not deleted:
        raise NotFound("That mention is not linked to this incident.")
    _revoke(incident, mention_ids=[mention_id])
    transaction.on_commit(partial(selectors.forget_mention_stats, incident.pk))
    _record(
        incident,
        actor=actor,
        verb="mention_unlinked",
        panels=["mentions", "outreach"],
        data={"mention_id": mention_id},
    )


# --- bulk response -------------------------------------------------------------------------
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def personalise(template: str, *, mention: Mention, actor, incident: Incident) -> str:
    """Fill the hub's placeholders; unknown ones stay visible for the reviewer to notice."""
    author = mention.author
    values = {
        "customer_name": author.display_name or f"@{author.handle}",
        "handle": f"@{author.handle}",
        "agent_initials": actor.display_initials,
        "incident_title": incident.title,
    }
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)


@transaction.atomic
def incident_bulk_respond(*, actor, incident_id, update_id=None, params=None) -> BulkResponse:
    """Central comms approves once: the holding statement (``update_id=None``) or an approved
    update becomes a reply to every linked mention (or those matching ``params``), each
    personalised, exactly once per (message, mention) whatever is retried.

    The request writes the plan (a ``PlannedReply`` per mention) and returns; a Celery task
    hands it to the reply pipeline in chunks (``bulk_hand_over``): a crisis links thousands
    of mentions, at several milliseconds each, far too long for one request and one
    transaction. The planned rows are the outbox: the sweeper sends a plan nobody finished."""
    incident = _lock(actor=actor, incident_id=incident_id)
    _require_comms(actor, "Only central comms approves a bulk response.")
    _require_open(incident)
    update = None
    if update_id not in (None, ""):
        update = incident.updates.filter(pk=_int(update_id, "update_id")).first()
        if update is None:
            raise NotFound("No such update.")
        if update.status != UpdateStatus.APPROVED:
            raise Conflict("Approve the update before sending it.", field="update_id")
        template, key_prefix = update.body, f"incident-update:{update.pk}"
    else:
        if not incident.holding_statement:
            raise DomainError("Set a holding statement first.", field="holding_statement")
        template = incident.holding_statement
        key_prefix = f"incident-holding:{incident.pk}:v{incident.holding_version}"
    mentions = Mention.objects.filter(incident_links__incident=incident).select_related("author")
    params = dict(params.items()) if params else {}
    if params:
        mention_filter = MentionFilter(data=params, queryset=mentions, request=None)
        if not mention_filter.is_valid():
            field, errors = next(iter(mention_filter.errors.items()))
            raise DomainError(" ".join(errors), field=field)
        mentions = mention_filter.qs
    mentions = list(mentions.order_by("pk"))
    if not mentions:
        raise DomainError("No linked mention matches.", field="mentions")
    keys = [f"{key_prefix}:mention:{m.pk}" for m in mentions]
    # Those that failed before (say the approver had lost the right) are planned anew.
    PlannedReply.objects.filter(idempotency_key__in=keys, status=PlannedReplyStatus.FAILED).delete()
    done = set(
        PlannedReply.objects.filter(idempotency_key__in=keys).values_list("mention_id", flat=True)
    )
    todo = [m for m in mentions if m.pk not in done]
    bulk = BulkResponse.objects.create(
        incident=incident,
        update=update,
        holding_version=None if update else incident.holding_version,
        template=template,
        filters=params,
        approved_by=actor,
        queued=len(todo),
        skipped=len(mentions) - len(todo),
    )
    PlannedReply.objects.bulk_create(
        [
            PlannedReply(
                bulk=bulk,
                incident=incident,
                mention=m,
                idempotency_key=f"{key_prefix}:mention:{m.pk}",
                body=personalise(template, mention=m, actor=actor, incident=incident),
            )
            for m in todo
        ],
        ignore_conflicts=True,
    )
    _record(
        incident,
        actor=actor,
        verb="bulk_response_queued",
        panels=["updates", "mentions"],
        data={
            "bulk_id": bulk.pk,
            "update_id": update.pk if update else None,
            "queued": bulk.queued,
            "skipped": bulk.skipped,
        },
    )
    if todo:
        from incidents.tasks import hand_over_bulk

        # A plan of several chunks is shared by two worker processes (each takes the chunks the
        # other does not hold); a small one needs one.
        for _ in range(1 if len(todo) <= HAND_OVER_CHUNK else HAND_OVER_TASKS):
            enqueue_on_commit(hand_over_bulk, bulk.pk)
    return bulk


def bulk_hand_over(bulk_id: int) -> int:
    """Give a bulk response's planned replies to the reply pipeline, ``HAND_OVER_CHUNK`` per
    transaction, oldest first; returns how many were handed over. Safe to run twice, or at
    once (rows another run holds are skipped; each reply exists once per key).

    A planned reply the approval cannot cover any more (the approver lost the right, the
    mention is gone) fails alone, recorded on the incident. A chunk that fails otherwise is
    handed over one reply at a time: those that fail alone while others succeed are marked
    failed; when none succeeds (a fault on every path) the error is raised for the task's
    retries, and a database outage is retried whole. Each chunk tells the incident's page."""
    total = 0
    while True:
        try:
            done, more = _hand_over_chunk(bulk_id)
        except TRANSIENT:
            raise
        except Exception:
            log.exception("bulk response %s: a chunk failed; handing over one at a time", bulk_id)
            done, more = _hand_over_each(bulk_id)
        total += done
        if not more:
            return total


def _planned(bulk_id: int):
    return PlannedReply.objects.filter(bulk_id=bulk_id, status=PlannedReplyStatus.PLANNED)


@transaction.atomic
def _hand_over_chunk(bulk_id: int, only: int | None = None) -> tuple[int, bool]:
    """One transaction: the next chunk (or the planned reply ``only``); returns how many were
    handed over and whether a full chunk was taken (more may wait)."""
    from replies.services import reply_create_from_incident

    bulk = BulkResponse.objects.select_related("incident", "approved_by").get(pk=bulk_id)
    rows = _planned(bulk_id).select_for_update(skip_locked=True).order_by("id")
    rows = list(rows.filter(pk=only) if only is not None else rows[:HAND_OVER_CHUNK])
    handed, failed = [], []
    for planned in rows:
        try:
            with transaction.atomic():  # a savepoint: a refusal undoes only this reply
                if bulk.approved_by is None:
                    raise PermissionDenied("The approver's account no longer exists.")
                reply = reply_create_from_incident(
                    approver=bulk.approved_by,
                    mention_id=planned.mention_id,
                    text=planned.body,
                    origin_key=planned.idempotency_key,
                )
        except DomainError as exc:  # the approval cannot cover it any more: final
            failed.append((planned, exc.message))
            continue
        planned.status, planned.reply_id = PlannedReplyStatus.HANDED_OVER, reply.pk
        handed.append(planned)
    for planned, reason in failed:
        planned.status, planned.error = PlannedReplyStatus.FAILED, reason[:500]
    PlannedReply.objects.bulk_update(
        [*handed, *(p for p, _ in failed)], ["status", "reply_id", "error"]
    )
    if handed or failed:
        _record_progress(bulk, handed=len(handed), failed=len(failed))
    return len(handed), only is None and len(rows) == HAND_OVER_CHUNK


def _hand_over_each(bulk_id: int) -> tuple[int, bool]:
    """The next chunk, one planned reply per transaction (after a chunk failed)."""
    ids = list(_planned(bulk_id).order_by("id").values_list("id", flat=True)[:HAND_OVER_CHUNK])
    done = 0

    def hand_over_alone(planned_id: int) -> int:
        nonlocal done
        count, _ = _hand_over_chunk(bulk_id, only=planned_id)
        done += count
        return count

    for planned_id, exc in one_at_a_time(ids, hand_over_alone):
        log.error(
            "bulk response %s: planned reply %s failed", bulk_id, planned_id, exc_info=exc_info(exc)
        )
        _mark_failed(bulk_id, planned_id, f"Not sent: an unexpected error ({type(exc).__name__}).")
    return done, len(ids) == HAND_OVER_CHUNK


@transaction.atomic
def _mark_failed(bulk_id: int, planned_id: int, reason: str) -> None:
    planned = _planned(bulk_id).select_for_update().filter(pk=planned_id).first()
    if planned is None:
        return
    planned.status, planned.error = PlannedReplyStatus.FAILED, reason
    planned.save(update_fields=["status", "error"])
    bulk = BulkResponse.objects.select_related("incident", "approved_by").get(pk=bulk_id)
    _record_progress(bulk, handed=0, failed=1)


def _record_progress(bulk: BulkResponse, *, handed: int, failed: int) -> None:
    counts = dict(bulk.planned.values_list("status").annotate(n=models.Count("id")).order_by())
    _record(
        bulk.incident,
        actor=bulk.approved_by,
        verb="bulk_response_progress",
        panels=["updates"],
        data={
            "bulk_id": bulk.pk,
            "handed_over": handed,
            "failed": failed,  # counts only: the incident's group spans departments
            "planned_left": counts.get(PlannedReplyStatus.PLANNED, 0),
            "handed_over_total": counts.get(PlannedReplyStatus.HANDED_OVER, 0),
            "failed_total": counts.get(PlannedReplyStatus.FAILED, 0),
        },
    )


# --- the post-incident summary -------------------------------------------------------------
def _compensation(incident: Incident, mention_ids: list[int]) -> dict | None:
    """Compensation granted on the incident or its linked mentions (hub's offers)."""
    try:
        from hub.models import COUNTED_STATUSES, CompensationOffer
    except ImportError:
        return None
    from django.db.models import Count, Q, Sum

    totals = CompensationOffer.objects.filter(
        Q(incident_id=incident.pk) | Q(mention_id__in=mention_ids), status__in=COUNTED_STATUSES
    ).aggregate(count=Count("id"), total=Sum("value"))
    return {"count": totals["count"], "total_eur": str(totals["total"] or 0)}


def post_incident_summary(incident: Incident, *, note: str = "") -> dict:
    """Timeline and numbers, frozen at resolution (JSON-safe)."""
    now = incident.resolved_at or timezone.now()
    timeline = [(incident.declared_at, "declared", incident.title)]
    timeline += [(f.created_at, "fact", f.text) for f in incident.facts.all()]
    timeline += [
        (u.approved_at, "update", u.body)
        for u in incident.updates.filter(status=UpdateStatus.APPROVED)
    ]
    from accounts.models import AuditEvent

    for event in AuditEvent.objects.filter(
        target_type="incidents.incident",
        target_id=str(incident.pk),
        action__in=["incident.status_changed", "incident.holding_statement_changed"],
    ):
        if event.action == "incident.status_changed":
            timeline.append((event.created_at, "status", event.data.get("to", "")))
        else:
            timeline.append((event.created_at, "holding_statement", "holding statement changed"))
    timeline.append((now, "status", IncidentStatus.RESOLVED.value))
    timeline.sort(key=lambda row: row[0])

    linked = list(
        Mention.objects.filter(incident_links__incident=incident).values(
            "pk", "author_id", "reach", "received_at", "first_response_at", "sentiment"
        )
    )
    minutes = [
        (m["first_response_at"] - m["received_at"]).total_seconds() / 60
        for m in linked
        if m["first_response_at"] and m["received_at"]
    ]
    ids = [m["pk"] for m in linked]
    compensation = _compensation(incident, ids)
    return {
        "note": note,
        "duration_minutes": round((now - incident.declared_at).total_seconds() / 60),
        "timeline": [
            {"at": at.isoformat(), "kind": kind, "text": text} for at, kind, text in timeline
        ],
        "linked_mentions": len(linked),
        "unique_authors": len({m["author_id"] for m in linked}),
        "reach": sum(m["reach"] for m in linked),
        "negative": sum(
            1 for m in linked if m["sentiment"] is not None and m["sentiment"] <= -0.05
        ),
        "answered": len(minutes),
        "response_minutes_median": round(statistics.median(minutes), 1) if minutes else None,
        "response_minutes_p90": (
            round(sorted(minutes)[max(0, int(len(minutes) * 0.9) - 1)], 1) if minutes else None
        ),
        "bulk_replies": PlannedReply.objects.filter(incident=incident).count(),
        "facts": incident.facts.count(),
        "updates_published": incident.updates.filter(status=UpdateStatus.APPROVED).count(),
        "team": incident.members.count(),
        "compensation": compensation,
    }
