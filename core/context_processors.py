from functools import cache

from django.db import connection


@cache
def _navigation_sql(vendor: str, departments: int) -> tuple[str, str]:
    """The header's two reads as plain statements: as ORM queries they cost 0.5-0.6 ms each to
    build and compile on every page, ten times what they take to run (``vendor`` keys the
    quoting, ``departments`` the number of placeholders)."""
    from core.models import Notification
    from spokes.models import Department

    quote = connection.ops.quote_name
    placeholders = ", ".join(["%s"] * departments)
    return (
        f"SELECT slug, name FROM {quote(Department._meta.db_table)} "  # noqa: S608 - names
        f"WHERE id IN ({placeholders}) ORDER BY name",
        f"SELECT count(*) FROM {quote(Notification._meta.db_table)} "  # noqa: S608 - names
        "WHERE user_id = %s AND read_at IS NULL",
    )


class NavDepartment:
    """A department as the header links to it."""

    __slots__ = ("name", "slug")

    def __init__(self, slug: str, name: str):
        self.slug, self.name = slug, name


def navigation(request):
    """Departments and unread notifications for the header; from the request's permission memo."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from spokes.selectors import department_ids_for

    ids = sorted(department_ids_for(user))
    departments_sql, unread_sql = _navigation_sql(connection.vendor, len(ids))
    with connection.cursor() as cursor:
        departments = []
        if ids:
            cursor.execute(departments_sql, ids)
            departments = [NavDepartment(slug, name) for slug, name in cursor.fetchall()]
        cursor.execute(unread_sql, [user.pk])
        (unread,) = cursor.fetchone()
    return {
        "nav_departments": departments,
        "unread_notifications": unread,
        # leads see Insights (administrators lead everywhere: they are central comms too)
        "nav_is_lead": bool(department_ids_for(user, "lead_queue")),
    }
