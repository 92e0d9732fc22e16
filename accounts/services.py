"""People: accounts created, their organisation role changed, switched off and on again.

Administrators only; every change is audited. A changed role or a deactivated account closes
the person's open websockets on commit (``accounts.signals``, which also covers the shell and
Django's admin); their department roles are ``spokes.services.membership_set`` and
``membership_revoke``.

Everyone keeps their own account: their name, initials, reply signature, phone and time zone
(``account_update``) and their password (``account_password_change``), audited like the rest.
"""

import hashlib
import logging

from django.contrib.auth import password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from accounts.audit import audit
from accounts.models import OrgRole, User, validate_time_zone
from core.errors import DomainError, NotFound, PermissionDenied, TooManyAttempts

log = logging.getLogger(__name__)


def _require_admin(actor) -> None:
    if actor is None or not actor.is_administrator:
        raise PermissionDenied("Only administrators manage people.")


def _validate_password(password: str, user, *, field: str) -> None:
    """The password validators' first refusal, as a DomainError naming ``field``."""
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise DomainError(_first_message(exc), field=field) from None


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
    _validate_password(password, user, field="password")
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


# --- one's own account ---------------------------------------------------------------------
# the profile fields a person edits themselves, with their length limits (the model's)
PROFILE_FIELDS = {
    "first_name": 150,
    "last_name": 150,
    "initials": 8,
    "signature": 120,
    "phone": 40,
    "time_zone": 64,
}
PROFILE_LABELS = {
    "first_name": "A first name",
    "last_name": "A last name",
    "initials": "Initials",
    "signature": "A signature",
    "phone": "A phone number",
    "time_zone": "A time zone",
}


def _require_signed_in(actor) -> None:
    if actor is None or not actor.is_authenticated or not actor.is_active:
        raise PermissionDenied("Sign in to change your account.")


def _lock_self(actor) -> User:
    user = User.objects.select_for_update().filter(pk=actor.pk).first()
    if user is None:
        raise NotFound("No such person.")
    return user


@transaction.atomic
def account_update(
    *,
    actor,
    first_name: str | None = None,
    last_name: str | None = None,
    initials: str | None = None,
    signature: str | None = None,
    phone: str | None = None,
    time_zone: str | None = None,
) -> User:
    """The actor's own name, initials, reply signature, phone and time zone (blank: the
    organisation's). A field left as None is unchanged. Nobody else is told live: replies
    take the signature when they are drafted, pages the zone at their next load."""
    _require_signed_in(actor)
    given = {
        "first_name": first_name,
        "last_name": last_name,
        "initials": initials,
        "signature": signature,
        "phone": phone,
        "time_zone": time_zone,
    }
    values = {}
    for field, value in given.items():
        if value is None:
            continue
        value = value.strip()
        if len(value) > PROFILE_FIELDS[field]:
            raise DomainError(
                f"{PROFILE_LABELS[field]} is at most {PROFILE_FIELDS[field]} characters.",
                field=field,
            )
        values[field] = value
    if "time_zone" in values:
        try:
            validate_time_zone(values["time_zone"])
        except ValidationError as exc:
            raise DomainError(_first_message(exc), field="time_zone") from None
    user = _lock_self(actor)
    changed = {f: v for f, v in values.items() if getattr(user, f) != v}
    if not changed:
        return user
    for field, value in changed.items():
        setattr(user, field, value)
    user.save(update_fields=list(changed))
    for field, value in changed.items():  # the request's user object shows them at once
        setattr(actor, field, value)
    audit(
        actor=actor,
        action="user.profile_changed",
        target=user,
        data={"username": user.username, **changed},
    )
    return user


# A stolen session must not try passwords at leisure: after this many wrong current
# passwords in the window, the change is refused (429) until the window ends. Counted in the
# shared cache (Redis in production), so the limit holds across processes.
PASSWORD_ATTEMPTS = 5
PASSWORD_ATTEMPTS_SECONDS = 15 * 60


def _wrong_passwords(user: User, *, add: int = 0, forget: bool = False) -> int:
    """The wrong current passwords counted for a user in the window (after adding ``add``),
    against their password as it stands (set anew, by them or an administrator, the count
    starts again). While the cache is down nothing is counted (a wrong one is still refused)."""
    stands = hashlib.sha256(user.password.encode()).hexdigest()[:16]
    key = f"password-attempts:{user.pk}:{stands}"
    try:
        if forget:
            cache.delete(key)
            return 0
        if add:
            cache.add(key, 0, PASSWORD_ATTEMPTS_SECONDS)
            return cache.incr(key, add)
        return cache.get(key, 0)
    except ValueError:  # the entry expired between add and incr
        return 0
    except Exception:
        log.warning("password attempts not counted: cache unavailable")
        return 0


@transaction.atomic
def account_password_change(*, actor, old: str, new: str) -> User:
    """A new password for the actor, who proves the old one; checked by the password
    validators. Their other sessions end and every open page of theirs reconnects
    (``accounts.signals``); the caller keeps its own session (``update_session_auth_hash``)."""
    _require_signed_in(actor)
    user = _lock_self(actor)
    if _wrong_passwords(user) >= PASSWORD_ATTEMPTS:
        raise TooManyAttempts(
            "Too many wrong passwords: try again in 15 minutes.", field="old_password"
        )
    if not old or not user.check_password(old):
        _wrong_passwords(user, add=1)
        raise DomainError("That is not your current password.", field="old_password")
    _wrong_passwords(user, forget=True)
    if not new:
        raise DomainError("Type a new password.", field="new_password")
    if new == old:
        raise DomainError("The new password is your current one.", field="new_password")
    _validate_password(new, user, field="new_password")
    user.set_password(new)
    user.save(update_fields=["password"])
    actor.password = user.password  # the caller's session is re-hashed from this object
    audit(
        actor=actor,
        action="user.password_changed",
        target=user,
        data={"username": user.username},
    )
    return user
