"""Reads, scoped by object permissions. Pages, API and websocket all go through these."""

from django.db.models import Count, Q, QuerySet
from guardian.shortcuts import get_objects_for_user

from core.errors import NotFound
from spokes.models import Department, Mention, MentionUserObjectPermission


def departments_for(user, perm: str = "view_queue") -> QuerySet[Department]:
    """Departments on which ``user`` holds ``perm`` (view_queue, work_queue, lead_queue).

    Administrators hold every permission; central comms sees every queue read-only. Global
    permissions are ignored on purpose: only object grants on departments count.
    """
    if not user.is_authenticated or not user.is_active:
        return Department.objects.none()
    if user.is_administrator:
        return Department.objects.all()
    if perm == "view_queue" and user.is_central_comms:
        return Department.objects.all()
    return get_objects_for_user(
        user,
        f"spokes.{perm}",
        klass=Department,
        accept_global_perms=False,
        with_superuser=False,
    )


def department_get(*, user, slug: str, perm: str = "view_queue") -> Department:
    department = departments_for(user, perm).filter(slug=slug).first()
    if department is None:
        raise NotFound("No such department.")
    return department


def user_can(user, perm: str, department_id: int) -> bool:
    return departments_for(user, perm).filter(pk=department_id).exists()


def _shared_mention_ids(user):
    return MentionUserObjectPermission.objects.filter(
        user=user, permission__codename="view_mention"
    ).values("content_object_id")


def mentions_visible(user) -> QuerySet[Mention]:
    """Every mention ``user`` may see: their departments' queues plus mentions shared with them."""
    if not user.is_authenticated or not user.is_active:
        return Mention.objects.none()
    if user.is_administrator or user.is_central_comms:
        return Mention.objects.all()
    return Mention.objects.filter(
        Q(department__in=departments_for(user).values("pk")) | Q(pk__in=_shared_mention_ids(user))
    )


def mention_get(*, user, mention_id) -> Mention:
    """One mention, or NotFound when it is missing or not the caller's to see."""
    try:
        mention_id = int(mention_id)
    except (TypeError, ValueError):
        raise NotFound("No such mention.") from None
    mention = (
        mentions_visible(user)
        .select_related("author", "department", "assignee", "parent", "thread_root")
        .filter(pk=mention_id)
        .first()
    )
    if mention is None:
        raise NotFound("No such mention.")
    return mention


def queue_base(department: Department) -> QuerySet[Mention]:
    return (
        Mention.objects.filter(department=department)
        .select_related("author", "assignee")
        .prefetch_related("tags")
    )


def mentions_mine(user) -> QuerySet[Mention]:
    return (
        mentions_visible(user)
        .filter(assignee=user)
        .select_related("author", "assignee", "department")
        .prefetch_related("tags")
    )


def status_counts(queryset: QuerySet[Mention]) -> dict[str, int]:
    rows = queryset.order_by().values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


def thread_of(mention: Mention, user) -> QuerySet[Mention]:
    root_id = mention.thread_root_id or mention.pk
    return (
        mentions_visible(user)
        .filter(Q(pk=root_id) | Q(thread_root_id=root_id))
        .select_related("author")
        .order_by("posted_at", "id")
    )


def author_history(mention: Mention, user, limit: int = 10) -> QuerySet[Mention]:
    return (
        mentions_visible(user)
        .filter(author_id=mention.author_id)
        .exclude(pk=mention.pk)
        .select_related("department")
        .order_by("-posted_at")[:limit]
    )
