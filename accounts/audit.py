from accounts.models import AuditEvent


def audit(*, actor, action: str, target=None, data: dict | None = None, ip: str | None = None):
    """Write one append-only audit row; call it inside the service's transaction."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        ip_address=ip,
        data=data or {},
    )
