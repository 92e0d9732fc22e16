from django.db import transaction

from accounts.audit import audit
from api.models import SCOPES, IntegrationKey
from core.errors import DomainError, PermissionDenied


@transaction.atomic
def integration_key_create(*, actor, name: str, departments, scopes) -> tuple[IntegrationKey, str]:
    """Create a key; the plain key is returned once and never stored."""
    if actor is not None and not actor.is_administrator:
        raise PermissionDenied("Only administrators create API keys.")
    name = (name or "").strip()
    if not name:
        raise DomainError("An API key needs a name.", field="name")
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
    audit(
        actor=actor,
        action="api_key.created",
        target=key,
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
    if actor is not None and not actor.is_administrator:
        raise PermissionDenied("Only administrators revoke API keys.")
    key.revoked = True
    key.save(update_fields=["revoked"])
    audit(actor=actor, action="api_key.revoked", target=key, data={"prefix": key.prefix})
