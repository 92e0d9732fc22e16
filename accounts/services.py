"""People: accounts created, their organisation role changed, switched off and on again.

Administrators only; every change is audited. A changed role or a deactivated account closes
the person's open websockets on commit (``accounts.signals``, which also covers the shell and
Django's admin); their department roles are ``spokes.services.membership_set`` and
``membership_revoke``.
"""

from django.contrib.auth import password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from accounts.audit import audit
from accounts.models import OrgRole, User
from core.errors import DomainError, NotFound, PermissionDenied


def _require_admin(actor) -> None:
    if actor is None or not actor.is_administrator:
        raise PermissionDenied("Only administrators manage people.")


def _first_message(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@transaction.atomic
def user_create(
    *,
    actor,
    username: str,
    password: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    org_role: str = OrgRole.MEMBER,
) -> User:
    """A new account that signs in with ``password`` (checked by the password validators)."""
    _require_admin(actor)
    username = (username or "").strip()
    if not username:
        raise DomainError("A username is required.", field="username")
    if len(username) > 150:
        raise DomainError("A username is at most 150 characters.", field="username")
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError as exc:
        raise DomainError(_first_message(exc), field="username") from None
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(f"The username '{username}' is taken.", field="username")
    first_name, last_name = (first_name or "").strip(), (last_name or "").strip()
    for field, value in (("first_name", first_name), ("last_name", last_name)):
        if len(value) > 150:
            raise DomainError("A name is at most 150 characters.", field=field)
    email = (email or "").strip()
    if email:
        if len(email) > 254:
            raise DomainError("An email address is at most 254 characters.", field="email")
        try:
            validate_email(email)
        except ValidationError:
            raise DomainError("Enter a valid email address.", field="email") from None
    if org_role not in OrgRole.values:
        raise DomainError("Choose a role.", field="org_role")
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        org_role=org_role,
    )
    if not password:
        raise DomainError("A first password is required.", field="password")
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise DomainError(_first_message(exc), field="password") from None
    user.set_password(password)
    user.save()
    audit(
        actor=actor,
        action="user.created",
        target=user,
        data={"username": username, "org_role": org_role},
    )
    return user


def _lock_other(actor, user_id) -> User:
    user = User.objects.select_for_update().filter(pk=user_id).first()
    if user is None:
        raise NotFound("No such person.")
    if user.pk == actor.pk:
        raise DomainError(
            "You cannot change your own role or switch off your own account: ask another "
            "administrator.",
            field="user",
        )
    if user.is_superuser and not actor.is_superuser:
        raise PermissionDenied("Only a superuser changes a superuser's account.")
    return user


@transaction.atomic
def user_set_org_role(*, actor, user_id, org_role: str) -> User:
    _require_admin(actor)
    if org_role not in OrgRole.values:
        raise DomainError("Choose a role.", field="org_role")
    user = _lock_other(actor, user_id)
    if user.org_role == org_role:
        return user
    before = user.org_role
    user.org_role = org_role
    user.save(update_fields=["org_role"])
    audit(
        actor=actor,
        action="user.role_changed",
        target=user,
        data={"username": user.username, "from": before, "to": org_role},
    )
    return user


@transaction.atomic
def user_set_active(*, actor, user_id, active: bool) -> User:
    """Switch an account off (it loses access at once, open websockets included) or on."""
    _require_admin(actor)
    user = _lock_other(actor, user_id)
    if user.is_active == active:
        return user
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit(
        actor=actor,
        action="user.reactivated" if active else "user.deactivated",
        target=user,
        data={"username": user.username},
    )
    return user
