"""Who sees which figures: central comms and administrators every department, a department
lead their departments; anyone else nothing (404)."""

from dataclasses import dataclass

from django.db.models import QuerySet

from core.errors import NotFound
from spokes.models import Department
from spokes.selectors import departments_for


def insight_departments(user) -> QuerySet[Department]:
    if not user.is_authenticated or not user.is_active:
        return Department.objects.none()
    if user.is_central_comms or user.is_administrator:
        return Department.objects.all()
    return departments_for(user, "lead_queue")


def can_see_insights(user) -> bool:
    return insight_departments(user).exists()


@dataclass(frozen=True)
class Scope:
    """The departments a dashboard covers; ``department`` set when one is chosen."""

    departments: tuple[Department, ...]  # every department the viewer may choose from
    department: Department | None
    is_central: bool

    @property
    def department_ids(self) -> list[int]:
        if self.department is not None:
            return [self.department.pk]
        return [d.pk for d in self.departments]

    @property
    def chosen(self) -> tuple[Department, ...]:
        return (self.department,) if self.department is not None else self.departments

    @property
    def label(self) -> str:
        if self.department is not None:
            return self.department.name
        return "All departments" if self.is_central else "All my departments"


def scope_get(*, user, department_slug: str = "") -> Scope:
    """The caller's scope; NotFound for people without insights and for foreign departments."""
    departments = tuple(insight_departments(user).order_by("name"))
    if not departments:
        raise NotFound("No such page.")
    department = None
    if department_slug:
        department = next((d for d in departments if d.slug == department_slug), None)
        if department is None:
            raise NotFound("No such department.")
    return Scope(
        departments=departments,
        department=department,
        is_central=user.is_central_comms or user.is_administrator,
    )
