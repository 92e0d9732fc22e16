"""Integration keys and webhook subscriptions: every change goes through these functions."""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction
from guardian.shortcuts import assign_perm

from accounts.audit import audit
from api.models import SCOPES, WEBHOOK_EVENTS, IntegrationKey, WebhookSubscription
from core.errors import DomainError, PermissionDenied

User = get_user_model()

DECIDE_REPLY = "decide_reply"  # replies.Reply Meta permission

# What a key's service account may do in each of its departments, by scope.
SCOPE_PERMISSIONS = {
    "read": ("view_queue",),
    "write": ("view_queue", "work_queue", "lead_queue"),
    "approve": ("view_queue",),
}


def _require_admin(actor, message: str) -> None:
    if actor is not None and not actor.is_administrator:
        raise PermissionDenied(message)


def _provision_service_account(key: IntegrationKey) -> User:
    """The user a key's requests act as: no password, object permissions on its departments."""
    user = User(
        username=f"api-key-{key.prefix}",
        first_name=key.name[:100],
        last_name="(API key)",
        is_active=not key.revoked,
    )
    user.set_unusable_password()
    user.save()
    codenames = sorted({c for scope in key.scopes for c in SCOPE_PERMISSIONS.get(scope, ())})
    for department in key.departments.all():
        for codename in codenames:
            assign_perm(f"spokes.{codename}", user, department)
    _sync_decide_permission(key, user)
    key.user = user
    key.save(update_fields=["user"])
    return user


def _sync_decide_permission(key: IntegrationKey, user: User) -> None:
    """An active key with the approve scope may decide on replies: a global capability.

    Which replies stays scoped by the key's departments (selectors); the permission only says
    the account may approve or reject what it can see. Revoked keys lose it.
    """
    permission = Permission.objects.get(content_type__app_label="replies", codename=DECIDE_REPLY)
    if key.has_scope("approve") and not key.revoked:
        user.user_permissions.add(permission)
    else:
        user.user_permissions.remove(permission)


def integration_key_service_account(key: IntegrationKey) -> User:
    """The key's service account, created on first use for keys made before accounts existed."""
    if key.user_id is None:
        with transaction.atomic():
            locked = IntegrationKey.objects.select_for_update().get(pk=key.pk)
            if locked.user_id is None:
                _provision_service_account(locked)
            key.user = locked.user
    return key.user


@transaction.atomic
def integration_key_create(*, actor, name: str, departments, scopes) -> tuple[IntegrationKey, str]:
    """Create a key; the plain key is returned once and never stored."""
    _require_admin(actor, "Only administrators create API keys.")
    name = (name or "").strip()
    if not name:
        raise DomainError("An API key needs a name.", field="name")
    if len(name) > 50:
        raise DomainError("A key name is at most 50 characters.", field="name")
    scopes = sorted(set(scopes))
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown or not scopes:
        raise DomainError(
            f"Scopes must be some of: {', '.join(SCOPES)} (got {', '.join(unknown) or 'none'}).",
            field="scopes",
        )
    departments = list(departments)
    if not departments:
        raise DomainError("Scope the key to at least one department.", field="departments")
    key, plain = IntegrationKey.objects.create_key(name=name, scopes=scopes, created_by=actor)
    key.departments.set(departments)
    _provision_service_account(key)
    audit(
        actor=actor,
        action="api_key.created",
        target=None,  # a key's primary key (prefix + hash) is longer than an audit target id
        data={
            "name": name,
            "prefix": key.prefix,
            "scopes": scopes,
            "departments": [d.slug for d in departments],
        },
    )
    return key, plain


@transaction.atomic
def integration_key_revoke(*, actor, key: IntegrationKey) -> None:
    _require_admin(actor, "Only administrators revoke API keys.")
    key = IntegrationKey.objects.select_for_update().get(pk=key.pk)
    if key.revoked:
        raise DomainError("This key is already revoked.", field="key")
    key.revoked = True
    key.save(update_fields=["revoked"])
    if key.user_id:
        User.objects.filter(pk=key.user_id).update(is_active=False)
        _sync_decide_permission(key, key.user)
    audit(actor=actor, action="api_key.revoked", target=None, data={"prefix": key.prefix})


# --- webhooks ------------------------------------------------------------------------------
@transaction.atomic
def webhook_subscription_create(
    *, actor, url: str, events, department=None, description: str = ""
) -> tuple[WebhookSubscription, str]:
    """Subscribe ``url`` to ``events`` of ``department`` (None: the hub, every department).

    Returns the subscription and its signing secret, which is shown to the administrator once.
    """
    from core.outbound import UnsafeURL, check_url

    _require_admin(actor, "Only administrators manage webhooks.")
    url = (url or "").strip()
    try:
        check_url(url)
    except UnsafeURL as exc:
        raise DomainError(str(exc), field="url") from None
    events = sorted(set(events))
    unknown = [e for e in events if e not in WEBHOOK_EVENTS]
    if unknown or not events:
        raise DomainError(
            f"Events must be some of: {', '.join(WEBHOOK_EVENTS)} "
            f"(got {', '.join(unknown) or 'none'}).",
            field="events",
        )
    secret = f"whsec_{secrets.token_urlsafe(32)}"
    subscription = WebhookSubscription.objects.create(
        url=url,
        events=events,
        department=department,
        secret=secret,
        description=(description or "").strip()[:100],
        created_by=actor,
    )
    audit(
        actor=actor,
        action="webhook.created",
        target=subscription,
        data={
            "url": url,
            "events": events,
            "department": department.slug if department else None,
        },
    )
    return subscription, secret


@transaction.atomic
def webhook_subscription_set_active(
    *, actor, subscription: WebhookSubscription, active: bool
) -> WebhookSubscription:
    _require_admin(actor, "Only administrators manage webhooks.")
    subscription.active = bool(active)
    subscription.save(update_fields=["active"])
    audit(
        actor=actor,
        action="webhook.activated" if active else "webhook.deactivated",
        target=subscription,
        data={"url": subscription.url},
    )
    return subscription
