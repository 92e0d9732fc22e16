"""Reads, scoped by object permissions. Pages, API and websocket all go through these."""

import logging
from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.db.models import Count, Q, QuerySet
from guardian.shortcuts import get_objects_for_user

from core.errors import NotFound
from core.pagination import Ordering
from spokes.models import (
    Department,
    DepartmentGroupObjectPermission,
    DepartmentUserObjectPermission,
    Mention,
    MentionUserObjectPermission,
)

log = logging.getLogger(__name__)


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


_MEMO = "_department_ids_memo"


def memoise_permissions(user) -> None:
    """From now on, remember ``user``'s department ids per permission on this user object
    (``core.middleware.PermissionMemoMiddleware`` calls it for each request's user)."""
    setattr(user, _MEMO, {})


def department_ids_for(user, perm: str = "view_queue") -> frozenset[int]:
    """The ids of ``departments_for(user, perm)``; with a memo (one request), every
    permission of the user is read at once: one query for all the checks of a page."""
    memo = getattr(user, _MEMO, None)
    if memo is None:
        return frozenset(departments_for(user, perm).values_list("pk", flat=True))
    if perm not in memo:
        memo.update(_all_grants(user, perms=("view_queue", "work_queue", "lead_queue", perm)))
    return memo[perm]


@cache
def _grants_sql(vendor: str) -> str:
    """The department grants of a user, to them or to their groups: (department id, codename)
    rows. A plain statement: the ORM's union of the two guardian tables cost 1.4 ms to build
    and compile on every page, against 0.1 ms to run (``vendor`` keys the quoting)."""
    quote = connection.ops.quote_name
    user_grants = quote(DepartmentUserObjectPermission._meta.db_table)
    group_grants = quote(DepartmentGroupObjectPermission._meta.db_table)
    permissions = quote(Permission._meta.db_table)
    user_groups = quote(get_user_model().groups.through._meta.db_table)
    return (
        f"SELECT g.content_object_id, p.codename FROM {user_grants} g "  # noqa: S608 - names
        f"JOIN {permissions} p ON p.id = g.permission_id WHERE g.user_id = %s "
        f"UNION SELECT g.content_object_id, p.codename FROM {group_grants} g "
        f"JOIN {permissions} p ON p.id = g.permission_id "
        f"JOIN {user_groups} m ON m.group_id = g.group_id WHERE m.user_id = %s"
    )


def _all_grants(user, perms) -> dict[str, frozenset[int]]:
    """``{perm: department ids}`` as ``departments_for`` answers it, for several perms at once:
    object grants to the user or their groups (global permissions ignored)."""
    if not user.is_authenticated or not user.is_active:
        return dict.fromkeys(perms, frozenset())
    every = None
    if user.is_administrator or user.is_central_comms:
        every = frozenset(Department.objects.values_list("pk", flat=True))
    if user.is_administrator:
        return dict.fromkeys(perms, every)
    with connection.cursor() as cursor:
        cursor.execute(_grants_sql(connection.vendor), [user.pk, user.pk])
        rows = cursor.fetchall()
    granted: dict[str, set[int]] = {perm: set() for perm in perms}
    for department_id, codename in rows:
        if codename in granted:
            granted[codename].add(department_id)
    answer = {perm: frozenset(ids) for perm, ids in granted.items()}
    if every is not None and "view_queue" in answer:
        answer["view_queue"] = every
    return answer


def department_get(*, user, slug: str, perm: str = "view_queue") -> Department:
    ids = department_ids_for(user, perm)
    department = Department.objects.filter(slug=slug, pk__in=ids).first() if ids else None
    if department is None:
        raise NotFound("No such department.")
    return department


def user_can(user, perm: str, department_id: int) -> bool:
    return department_id in department_ids_for(user, perm)


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
    except (TypeError, ValueError, OverflowError):  # OverflowError: infinity from JSON
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
    """A department's queue; the rows' tags come from ``tag_names_of``."""
    return Mention.objects.filter(department=department).select_related("author", "assignee")


def mentions_mine(user) -> QuerySet[Mention]:
    """The user's own queue; the rows' tags come from ``tag_names_of``."""
    return (
        mentions_visible(user)
        .filter(assignee=user)
        .select_related("author", "assignee", "department")
    )


def tag_names_of(mentions) -> dict[int, list[str]]:
    """{mention id: its tag names, alphabetical} for a page of mentions, in one query.

    ``prefetch_related("tags")`` costs the same query plus a queryset built for every row:
    a fifth of a queue page's CPU."""
    ids = [m.pk for m in mentions]
    names: dict[int, list[str]] = defaultdict(list)
    if ids:
        rows = (
            Mention.tags.through.objects.filter(mention_id__in=ids)
            .order_by("tag__name")
            .values_list("mention_id", "tag__name")
        )
        for mention_id, name in rows:
            names[mention_id].append(name)
    return names


def status_counts(queryset: QuerySet[Mention]) -> dict[str, int]:
    rows = queryset.order_by().values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


def department_status_counts(department: Department) -> dict[str, int]:
    """Mentions per status in one queue, for the queue page's tabs.

    Counting a busy queue reads every row of its (department, status) index: about 15 ms at
    135,000 mentions, on every page view of every agent. The counts are shared through the
    cache for ``QUEUE_COUNTS_SECONDS`` (like a view count in other helpdesks, they may lag
    by that much; the rows themselves never do). 0 turns the cache off.
    """
    from django.conf import settings
    from django.core.cache import cache

    seconds = settings.QUEUE_COUNTS_SECONDS
    if not seconds:
        return status_counts(Mention.objects.filter(department=department))
    key = f"queue-counts:{department.pk}"
    try:
        counts = cache.get(key)
    except Exception:  # the shared cache is down: count, as with the cache turned off
        log.warning("queue counts not shared: cache unavailable")
        return status_counts(Mention.objects.filter(department=department))
    if counts is None:
        counts = status_counts(Mention.objects.filter(department=department))
        try:
            cache.set(key, counts, timeout=seconds)
        except Exception:
            log.warning("queue counts not shared: cache unavailable")
    return counts


THREAD_EACH_SIDE = 20  # replies shown before and after the mention


@dataclass
class Thread:
    """The conversation around a mention: its root (None when the reader may not see it),
    then ``replies``: up to ``THREAD_EACH_SIDE`` visible replies on each side of the mention
    and the mention itself (unless it is the root), oldest first. ``omitted_before`` and
    ``omitted_after`` count the visible replies left out before the first and after the
    last of them."""

    root: Mention | None
    replies: list[Mention]
    omitted_before: int = 0
    omitted_after: int = 0

    @property
    def rows(self) -> list[Mention]:
        return [self.root, *self.replies] if self.root is not None else list(self.replies)


def thread_around(mention: Mention, user, each_side: int = THREAD_EACH_SIDE) -> Thread:
    """A viral post gathers tens of thousands of replies: a page (or an API answer) showing
    every one of them took seconds and megabytes. Each side is read in the order of the
    thread's index (``mention_thread_order``) and cut at ``each_side``; what is left out is
    only counted."""
    root_id = mention.thread_root_id or mention.pk
    visible = mentions_visible(user).select_related("author")
    replies = visible.filter(thread_root_id=root_id)
    moment = Q(posted_at=mention.posted_at)
    earlier = Q(posted_at__lt=mention.posted_at) | (moment & Q(pk__lt=mention.pk))
    later = Q(posted_at__gt=mention.posted_at) | (moment & Q(pk__gt=mention.pk))
    if root_id == mention.pk:
        root, before = mention, []
    else:
        root = visible.filter(pk=root_id).first()
        before = list(replies.filter(earlier).order_by("-posted_at", "-id")[: each_side + 1])
    after = list(replies.filter(later).order_by("posted_at", "id")[: each_side + 1])
    thread = Thread(root=root, replies=[])
    if len(before) > each_side:
        thread.omitted_before = replies.filter(earlier).count() - each_side
        before = before[:each_side]
    if len(after) > each_side:
        thread.omitted_after = replies.filter(later).count() - each_side
        after = after[:each_side]
    own = [] if mention is root else [mention]
    thread.replies = [*reversed(before), *own, *after]
    return thread


def author_history(mention: Mention, user, limit: int = 10) -> QuerySet[Mention]:
    return (
        mentions_visible(user)
        .filter(author_id=mention.author_id)
        .exclude(pk=mention.pk)
        .select_related("department")
        .order_by("-posted_at")[:limit]
    )


# --- saved views -------------------------------------------------------------------------
# A queue's orders, by the name its ``sort`` parameter gives.
ORDERINGS = {
    "newest": Ordering(("received_at", "id"), descending=True),
    "oldest": Ordering(("received_at", "id"), descending=False),
    "priority": Ordering(("priority", "received_at", "id"), descending=True),
}
DEFAULT_SORT = "newest"


def view_params(data) -> str:
    """The canonical query string of a queue's filter parameters in ``data`` (a QueryDict or
    a dict): only the queue filter's own fields, each once (a QueryDict's last value),
    stripped, empty ones dropped, and the order (``sort``) when it is a known one other than
    the default, sorted by name. Paging and refresh (``cursor``, ``partial``) and anything
    unknown are left out: a saved view is the filters in their order, never a page of them.
    Validation is the service's (``saved_view_save``)."""
    from urllib.parse import urlencode

    from spokes.filters import MentionFilter

    pairs = []
    for name in sorted({*MentionFilter.base_filters, "sort"}):
        value = data.get(name)
        value = value.strip() if isinstance(value, str) else ""
        if name == "sort" and (value not in ORDERINGS or value == DEFAULT_SORT):
            continue  # the queue shows an unknown order as the default one
        if value:
            pairs.append((name, value))
    return urlencode(pairs)


def saved_views(user, department: Department) -> QuerySet:
    """``user``'s own saved views on ``department``'s queue, by name (one query, on the
    ``saved_view_name`` constraint's index). Nobody sees another person's views."""
    from spokes.models import SavedView

    if not user.is_authenticated:
        return SavedView.objects.none()
    return SavedView.objects.filter(user=user, department=department).only("id", "name", "params")
