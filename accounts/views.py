"""People: administrators see who works in Firebreak, create accounts, change an account's
organisation role, switch it off or on, and give or take a role in a department. Thin: parse,
call the service, render. Anyone else meets pages that do not exist."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts import selectors, services
from accounts.models import OrgRole
from core.errors import DomainError, NotFound
from core.pagination import Ordering, keyset_page_for
from core.views import administrators_only
from spokes import services as spokes_services
from spokes.models import Department, MembershipRole

PAGE_SIZE = 50
CREATE_FIELDS = ("username", "first_name", "last_name", "email", "org_role")


def _person_or_404(user_id):
    try:
        return selectors.person_get(user_id=user_id)
    except NotFound as exc:
        raise Http404(exc.message) from None


def _back(person) -> str:
    return redirect("accounts:person", person.pk)


def _done(request, person, action):
    """Run ``action``; say what happened (or why not) on the person's page."""
    try:
        message = action()
    except NotFound as exc:
        raise Http404(exc.message) from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, message)
    return _back(person)


@login_required
def people(request):
    administrators_only(request)
    filters = {
        "q": request.GET.get("q", "").strip()[:100],
        "org_role": request.GET.get("org_role", ""),
        "department": request.GET.get("department", ""),
        "state": request.GET.get("state", ""),
    }
    rows, next_cursor = keyset_page_for(
        request,
        selectors.people(**filters),
        Ordering(("username", "id"), descending=False),
        size=PAGE_SIZE,
    )
    return render(
        request,
        "accounts/people.html",
        {
            "rows": rows,
            "next_cursor": next_cursor,
            "filters": filters,
            "roles": OrgRole.choices,
            "departments": Department.objects.order_by("name"),
            "states": selectors.STATES,
        },
    )


@login_required
def person_new(request):
    administrators_only(request)
    form, errors = {"org_role": OrgRole.MEMBER}, {}
    if request.method == "POST":
        form = {name: request.POST.get(name, "") for name in CREATE_FIELDS}
        try:
            person = services.user_create(
                actor=request.user, password=request.POST.get("password", ""), **form
            )
        except DomainError as exc:
            errors = {exc.field: exc.message}
        else:
            messages.success(
                request,
                f"{person.username} can now sign in. Give them a department below; "
                "tell them their first password by another channel.",
            )
            return _back(person)
    return render(
        request,
        "accounts/person_new.html",
        {"form": form, "errors": errors, "roles": OrgRole.choices},
        status=400 if errors else 200,
    )


@login_required
def person(request, user_id):
    administrators_only(request)
    person = _person_or_404(user_id)
    member_of = {m.department_id for m in person.memberships.all()}
    return render(
        request,
        "accounts/person.html",
        {
            "person": person,
            "roles": OrgRole.choices,
            "department_roles": MembershipRole.choices,
            "other_departments": Department.objects.exclude(pk__in=member_of).order_by("name"),
            "is_self": person.pk == request.user.pk,
        },
    )


@login_required
@require_POST
def person_role(request, user_id):
    administrators_only(request)
    person = _person_or_404(user_id)
    role = request.POST.get("org_role", "")

    def change():
        changed = services.user_set_org_role(actor=request.user, user_id=person.pk, org_role=role)
        return f"{changed.username} is now {changed.get_org_role_display().lower()}."

    return _done(request, person, change)


@login_required
@require_POST
def person_active(request, user_id):
    administrators_only(request)
    person = _person_or_404(user_id)
    active = request.POST.get("active") == "1"

    def change():
        changed = services.user_set_active(actor=request.user, user_id=person.pk, active=active)
        if changed.is_active:
            return f"{changed.username} can sign in again."
        return f"{changed.username} is switched off: signed out everywhere, open pages closed."

    return _done(request, person, change)


@login_required
@require_POST
def membership_set(request, user_id):
    administrators_only(request)
    person = _person_or_404(user_id)
    slug, role = request.POST.get("department", ""), request.POST.get("role", "")

    def change():
        department = Department.objects.filter(slug=slug).first()
        if department is None:
            raise DomainError("Choose a department.", field="department")
        spokes_services.membership_set(
            actor=request.user, user=person, department=department, role=role
        )
        return f"{person.username} is {MembershipRole(role).label.lower()} in {department.name}."

    return _done(request, person, change)


@login_required
@require_POST
def membership_revoke(request, user_id, slug):
    administrators_only(request)
    person = _person_or_404(user_id)
    department = Department.objects.filter(slug=slug).first()
    if department is None:
        raise Http404("No such department.")

    def change():
        spokes_services.membership_revoke(actor=request.user, user=person, department=department)
        return f"{person.username} no longer works in {department.name}: their open pages closed."

    return _done(request, person, change)
