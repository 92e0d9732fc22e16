"""Every change to departments, memberships and mentions goes through these functions.

Each one runs in a transaction, checks the actor's permission, validates, writes, records
the activity/audit row and publishes the live event on commit.
"""

import re

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django_fsm import TransitionNotAllowed
from guardian.shortcuts import assign_perm, remove_perm

from accounts.audit import audit
from core.errors import Conflict, DomainError, NotFound, PermissionDenied
from core.events import access_changed, department_group, mention_group, publish
from core.notifications import notify
from spokes.models import (
    ROLE_PERMISSIONS,
    Activity,
    Department,
    Membership,
    MembershipRole,
    Mention,
    Note,
    Priority,
    Status,
    Tag,
)
from spokes.rules import STATUS_ACTIONS, may_assign, status_allows
from spokes.selectors import mention_get, user_can

User = get_user_model()


# --- departments and memberships ---------------------------------------------------------
def _require_admin(actor) -> None:
    if actor is not None and not actor.is_administrator:
        raise PermissionDenied("Only administrators manage departments and memberships.")


@transaction.atomic
def department_create(
    *, actor, name: str, slug: str = "", timezone_name: str = "UTC", availability: str = ""
) -> Department:
    """Create a department; ``actor=None`` means the operator's command line."""
    _require_admin(actor)
    name = (name or "").strip()
    if not name:
        raise DomainError("A department needs a name.", field="name")
    slug = slugify(slug or name)
    if not slug:
        raise DomainError("The slug must contain letters or digits.", field="slug")
    if Department.objects.filter(slug=slug).exists():
        raise DomainError(f"A department with slug '{slug}' already exists.", field="slug")
    try:
        import zoneinfo

        zoneinfo.ZoneInfo(timezone_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise DomainError(f"Unknown time zone '{timezone_name}'.", field="timezone") from None
    department = Department.objects.create(
        name=name, slug=slug, timezone=timezone_name, availability=availability
    )
    audit(actor=actor, action="department.created", target=department, data={"slug": slug})
    return department


@transaction.atomic
def membership_set(*, actor, user, department: Department, role: str) -> Membership:
    """Give ``user`` ``role`` in ``department`` and exactly the object permissions it carries."""
    _require_admin(actor)
    if role not in MembershipRole.values:
        raise DomainError(
            f"Unknown role '{role}'; use one of: {', '.join(MembershipRole.values)}.", field="role"
        )
    previous = (
        Membership.objects.filter(user=user, department=department)
        .values_list("role", flat=True)
        .first()
    )
    membership, created = Membership.objects.update_or_create(
        user=user, department=department, defaults={"role": role}
    )
    wanted = set(ROLE_PERMISSIONS[role])
    for codename in ("view_queue", "work_queue", "lead_queue"):
        if codename in wanted:
            assign_perm(f"spokes.{codename}", user, department)
        else:
            remove_perm(f"spokes.{codename}", user, department)
    audit(
        actor=actor,
        action="membership.set",
        target=department,
        data={"user": user.username, "role": role, "created": created},
    )
    if previous != role:
        # open pages subscribe again: a new department's queue reaches the person's "Mine"
        # page at once, and one they now only view stops counting as theirs to work
        access_changed(user.pk)
    publish(
        "membership.changed",
        {"department_id": department.pk, "user_id": user.pk, "role": role},
        groups=[department_group(department.pk)],
    )
    return membership


@transaction.atomic
def membership_revoke(*, actor, user, department: Department) -> None:
    _require_admin(actor)
    deleted, _ = Membership.objects.filter(user=user, department=department).delete()
    if not deleted:
        raise NotFound(f"{user.username} is not a member of {department.slug}.")
    for codename in ("view_queue", "work_queue", "lead_queue"):
        remove_perm(f"spokes.{codename}", user, department)
    audit(actor=actor, action="membership.revoked", target=department, data={"user": user.username})
    access_changed(user.pk)
    publish(
        "membership.revoked",
        {"department_id": department.pk, "user_id": user.pk},
        groups=[department_group(department.pk)],
    )


# --- mentions ----------------------------------------------------------------------------
def _lock(*, actor, mention_id) -> Mention:
    """Check visibility, then lock the row so concurrent changes queue up, never overwrite."""
    mention_get(user=actor, mention_id=mention_id)
    return (
        Mention.objects.select_for_update(of=("self",))
        .select_related("department")
        .get(pk=mention_id)
    )


def _require(actor, perm: str, mention: Mention, message: str) -> None:
    if not user_can(actor, perm, mention.department_id):
        raise PermissionDenied(message)


def _record(mention: Mention, *, actor, verb: str, data: dict | None = None, extra_groups=()):
    Activity.objects.create(mention=mention, actor=actor, verb=verb, data=data or {})
    publish(
        f"mention.{verb}",
        {
            "id": mention.pk,
            "department_id": mention.department_id,
            "status": mention.status,
            "assignee_id": mention.assignee_id,
            "priority": mention.priority,
        },
        groups=[department_group(mention.department_id), mention_group(mention.pk), *extra_groups],
    )


def _transition(mention: Mention, method) -> None:
    if not status_allows(mention, method):
        raise Conflict(
            f"Cannot {method.__name__.replace('_', ' ')} a mention that is "
            f"{mention.get_status_display().lower()}.",
            field="status",
        )
    try:
        method(mention)
    except TransitionNotAllowed as exc:  # a condition changed between check and call
        raise Conflict(str(exc), field="status") from exc


@transaction.atomic
def mention_assign(*, actor, mention_id, assignee=None) -> Mention:
    """Assign to ``assignee`` (``None`` = unassign). Agents may only take unowned mentions."""
    mention = _lock(actor=actor, mention_id=mention_id)
    _require(actor, "work_queue", mention, "You cannot work this department's mentions.")
    if not may_assign(actor, mention, assignee):
        raise PermissionDenied("Only a department lead can assign others or reassign.")
    if assignee is not None and not user_can(assignee, "work_queue", mention.department_id):
        raise DomainError(
            f"{assignee.username} is not a member of {mention.department.name}.", field="assignee"
        )
    previous = mention.assignee_id
    mention.assignee = assignee
    fields = ["assignee", "updated_at"]
    if assignee is not None and mention.status != Status.ASSIGNED:
        _transition(mention, Mention.assign)
        fields.append("status")
    elif assignee is None and mention.status == Status.ASSIGNED:
        _transition(mention, Mention.unassign)
        fields.append("status")
    mention.save(update_fields=fields)
    _record(
        mention,
        actor=actor,
        verb="assigned",
        data={
            "from": previous,
            "to": assignee.pk if assignee else None,
            "to_name": str(assignee) if assignee else "",
        },
    )
    return mention


@transaction.atomic
def mention_change_status(*, actor, mention_id, action: str) -> Mention:
    """watch / resolve / spam / reopen / take_offline."""
    method = STATUS_ACTIONS.get(action)
    if method is None:
        raise DomainError(
            f"Unknown action '{action}'; use one of: {', '.join(STATUS_ACTIONS)}.", field="action"
        )
    mention = _lock(actor=actor, mention_id=mention_id)
    _require(actor, "work_queue", mention, "You cannot work this department's mentions.")
    before = mention.status
    _transition(mention, method)
    fields = ["status", "updated_at"]
    if mention.status == Status.RESOLVED:
        mention.resolved_at = timezone.now()
        fields.append("resolved_at")
    elif before == Status.RESOLVED:
        mention.resolved_at = None
        fields.append("resolved_at")
    mention.save(update_fields=fields)
    _record(
        mention, actor=actor, verb="status_changed", data={"from": before, "to": mention.status}
    )
    return mention


@transaction.atomic
def mention_set_priority(*, actor, mention_id, priority) -> Mention:
    try:
        priority = Priority(int(priority))
    except (TypeError, ValueError):
        raise DomainError("Priority must be 1 (low) to 4 (urgent).", field="priority") from None
    mention = _lock(actor=actor, mention_id=mention_id)
    _require(actor, "work_queue", mention, "You cannot work this department's mentions.")
    before = mention.priority
    mention.priority = priority
    mention.save(update_fields=["priority", "updated_at"])
    _record(mention, actor=actor, verb="priority_changed", data={"from": before, "to": priority})
    return mention


@transaction.atomic
def mention_transfer(*, actor, mention_id, to_department: Department, reason: str) -> Mention:
    """Hand a mention to another department; it leaves the sender's queue at once."""
    mention = _lock(actor=actor, mention_id=mention_id)
    _require(actor, "lead_queue", mention, "Only a department lead can transfer mentions.")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Say why the mention is transferred.", field="reason")
    if to_department.pk == mention.department_id:
        raise DomainError("The mention is already in that department.", field="department")
    source_department = mention.department
    _transition(mention, Mention.transfer)
    mention.department = to_department
    mention.assignee = None
    mention.save(update_fields=["department", "assignee", "status", "updated_at"])
    _record(
        mention,
        actor=actor,
        verb="transferred",
        data={
            "from": source_department.slug,
            "to": to_department.slug,
            "to_name": to_department.name,
            "reason": reason,
        },
        extra_groups=[department_group(source_department.pk)],
    )
    return mention


_AT_MENTION = re.compile(r"(?<![\w@])@([\w.+-]+)")


@transaction.atomic
def mention_add_note(*, actor, mention_id, body: str) -> Note:
    """Internal note; ``@username`` tells that colleague if they can see the mention."""
    from spokes.selectors import mentions_visible

    mention = _lock(actor=actor, mention_id=mention_id)
    body = (body or "").strip()
    if not body:
        raise DomainError("A note cannot be empty.", field="body")
    if len(body) > 5000:
        raise DomainError("A note is at most 5,000 characters.", field="body")
    note = Note.objects.create(mention=mention, author=actor, body=body)
    usernames = {name.rstrip(".") for name in _AT_MENTION.findall(body)}
    if usernames:
        for colleague in User.objects.filter(username__in=usernames, is_active=True):
            if colleague == actor or not mentions_visible(colleague).filter(pk=mention.pk).exists():
                continue
            note.mentioned_users.add(colleague)
            notify(
                user=colleague,
                kind="note_mention",
                text=f"{actor} mentioned you in a note on mention #{mention.pk}",
                url=f"/m/{mention.pk}/",
            )
    _record(mention, actor=actor, verb="note_added", data={"note_id": note.pk})
    return note


@transaction.atomic
def mention_set_tags(*, actor, mention_id, add=(), remove=()) -> Mention:
    mention = _lock(actor=actor, mention_id=mention_id)
    _require(actor, "work_queue", mention, "You cannot work this department's mentions.")
    add_names = sorted({_tag_name(t) for t in add if _tag_name(t)})
    remove_names = sorted({_tag_name(t) for t in remove if _tag_name(t)})
    if not add_names and not remove_names:
        raise DomainError("Give at least one tag.", field="tags")
    for name in add_names:
        tag, _ = Tag.objects.get_or_create(name=name)
        mention.tags.add(tag)
    if remove_names:
        mention.tags.remove(*Tag.objects.filter(name__in=remove_names))
    mention.save(update_fields=["updated_at"])
    _record(mention, actor=actor, verb="tagged", data={"added": add_names, "removed": remove_names})
    return mention


def _tag_name(raw: str) -> str:
    return slugify(str(raw))[:50]


def mentions_bulk(*, actor, mention_ids, action: str, offered=None, **kwargs) -> dict:
    """Apply one action to many mentions, each in its own transaction.

    ``action`` is assign, handback (unassign: an assigned mention is New again), tag, or a
    status action; ``offered``, when given, the ones the caller's form offers: another is
    unknown there (the "Mine" page's form assigns to nobody else). Returns
    ``{"done": [...ids], "failed": {id: message}}`` so a partial failure loses nothing.
    """
    operations = {
        "assign": lambda mid: mention_assign(actor=actor, mention_id=mid, **kwargs),
        "handback": lambda mid: mention_assign(actor=actor, mention_id=mid, assignee=None),
        "tag": lambda mid: mention_set_tags(actor=actor, mention_id=mid, **kwargs),
        **{
            name: (
                lambda mid, name=name: mention_change_status(
                    actor=actor, mention_id=mid, action=name
                )
            )
            for name in STATUS_ACTIONS
        },
    }
    operation = operations.get(action) if offered is None or action in offered else None
    if operation is None:
        raise DomainError(f"Unknown bulk action '{action}'.", field="action")
    if not mention_ids:
        raise DomainError("Select at least one mention.", field="ids")
    if len(mention_ids) > 500:
        raise DomainError("At most 500 mentions at a time.", field="ids")
    done, failed = [], {}
    for mention_id in mention_ids:
        try:
            operation(mention_id)
            done.append(mention_id)
        except DomainError as exc:
            failed[mention_id] = exc.message
    return {"done": done, "failed": failed}


# --- saved views -----------------------------------------------------------------------------
SAVED_VIEW_NAME_MAX = 60
SAVED_VIEWS_MAX = 30  # per person per department


@transaction.atomic
def saved_view_save(*, actor, department_slug: str, name: str, params):
    """Save ``actor``'s queue filters ``params`` (a QueryDict or dict) under ``name`` on a
    department's queue they may see; saving a name they already use replaces its filters
    (a person updates their view). Returns the ``SavedView``.

    Only the queue filter's own fields are kept (``selectors.view_params``: paging, refresh
    and unknown parameters are dropped); a value the queue's filter form refuses is refused
    here too, naming its field. At most ``SAVED_VIEWS_MAX`` views per person per department.

    A saved view is personal (nobody else sees it): no live event is published; the audit log
    records it. A department the actor may not see is NotFound, like a missing one."""
    from django.http import QueryDict

    from spokes.filters import MentionFilter
    from spokes.models import SavedView
    from spokes.selectors import department_get, view_params

    department = department_get(user=actor, slug=department_slug)
    name = (name or "").strip()
    if not name:
        raise DomainError("Give the view a name.", field="name")
    if len(name) > SAVED_VIEW_NAME_MAX:
        raise DomainError(f"At most {SAVED_VIEW_NAME_MAX} characters.", field="name")
    canonical = view_params(params)
    form = MentionFilter(QueryDict(canonical), queryset=Mention.objects.none()).form
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        raise DomainError(" ".join(errors), field=field)
    if len(canonical) > SavedView._meta.get_field("params").max_length:
        raise DomainError("These filters are too long to save.", field="params")
    # one save at a time per person: the limit holds against a double submit
    list(User.objects.select_for_update().filter(pk=actor.pk).values_list("pk", flat=True))
    view = SavedView.objects.filter(user=actor, department=department, name=name).first()
    replaced = view is not None
    if replaced:
        view.params = canonical
        view.save(update_fields=["params"])
    else:
        if SavedView.objects.filter(user=actor, department=department).count() >= SAVED_VIEWS_MAX:
            raise DomainError(
                f"You have {SAVED_VIEWS_MAX} saved views here: delete one, or save over one "
                "by its name."
            )
        view = SavedView.objects.create(
            user=actor, department=department, name=name, params=canonical
        )
    audit(
        actor=actor,
        action="saved_view.saved",
        target=view,
        data={
            "department": department.slug,
            "name": name,
            "params": canonical,
            "replaced": replaced,
        },
    )
    return view


@transaction.atomic
def saved_view_delete(*, actor, view_id, department_slug: str | None = None) -> None:
    """Delete one of ``actor``'s own saved views (on ``department_slug``'s queue, if given).
    Anyone else's view, or a missing one, is NotFound: views are personal.

    No live event is published (nobody else sees the view); the audit log records it."""
    from spokes.models import SavedView

    try:
        view_id = int(view_id)
    except (TypeError, ValueError, OverflowError):
        raise NotFound("No such view.") from None
    views = SavedView.objects.select_for_update(of=("self",)).filter(
        pk=view_id, user_id=getattr(actor, "pk", None)
    )
    if department_slug is not None:
        views = views.filter(department__slug=department_slug)
    view = views.first()
    if view is None:
        raise NotFound("No such view.")
    audit(
        actor=actor,
        action="saved_view.deleted",
        target=view,
        data={"department_id": view.department_id, "name": view.name, "params": view.params},
    )
    view.delete()
