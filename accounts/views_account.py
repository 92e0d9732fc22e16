"""Your account: everyone edits their own name, initials, reply signature, phone and time zone,
and changes their own password. Thin: parse, call the service, render; a refusal re-renders
the page (400) with the message next to its field and everything typed kept, passwords aside."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts import services
from accounts.models import time_zone_names
from core.errors import DomainError

PROFILE_FIELDS = tuple(services.PROFILE_FIELDS)


def _page(request, *, profile: dict | None = None, errors: dict | None = None, status=400):
    user = request.user
    errors = errors or {}
    profile = profile or {name: getattr(user, name) for name in PROFILE_FIELDS}
    return render(
        request,
        "accounts/account.html",
        {
            "profile": profile,
            "errors": errors,
            "time_zones": time_zone_names(),
            "default_time_zone": settings.TIME_ZONE,
        },
        status=status if errors else 200,
    )


@login_required
def account(request):
    if request.method != "POST":
        return _page(request)
    # a field the form did not send stays as it is
    typed = {name: request.POST[name] for name in PROFILE_FIELDS if name in request.POST}
    try:
        services.account_update(actor=request.user, **typed)
    except DomainError as exc:
        profile = {name: getattr(request.user, name) for name in PROFILE_FIELDS} | typed
        errors = {exc.field or "profile": exc.message}
        return _page(request, profile=profile, errors=errors, status=exc.status_code)
    messages.success(request, "Your account is saved.")
    return redirect("account")


@login_required
@require_POST
def account_password(request):
    new = request.POST.get("new_password", "")
    if new != request.POST.get("new_password_again", ""):
        errors = {"new_password_again": "The two new passwords differ."}
        return _page(request, errors=errors)
    try:
        user = services.account_password_change(
            actor=request.user, old=request.POST.get("old_password", ""), new=new
        )
    except DomainError as exc:
        errors = {exc.field or "password": exc.message}
        return _page(request, errors=errors, status=exc.status_code)
    update_session_auth_hash(request, user)
    messages.success(request, "Your password is changed; your other sessions are signed out.")
    return redirect("account")
