"""What the people pages read: a fixed number of queries whatever the page's size."""

from django.db.models import Prefetch, Q, QuerySet

from accounts.models import OrgRole, User
from core.errors import NotFound

STATES = {"active": True, "inactive": False}


def people(*, q: str = "", org_role: str = "", department: str = "", state: str = "") -> QuerySet:
    """People matching the filters (unknown values filter nothing), with their departments."""
    from spokes.models import Membership

    rows = User.objects.prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.select_related("department").order_by("department__name"),
        )
    )
    if q:
        rows = rows.filter(
            Q(username__icontains=q)
            | Q(first_name__icontains=q)
            | Q(last_name__icontains=q)
            | Q(email__icontains=q)
        )
    if org_role in OrgRole.values:
        rows = rows.filter(org_role=org_role)
    if department:
        rows = rows.filter(memberships__department__slug=department)
    if state in STATES:
        rows = rows.filter(is_active=STATES[state])
    return rows


def person_get(*, user_id) -> User:
    person = people().filter(pk=user_id).first() if str(user_id).isdigit() else None
    if person is None:
        raise NotFound("No such person.")
    return person
