"""The audit log's one writer.

Who, what, when, and from where: a row written while a request is served (a page, an API call)
records the address the request came from, whichever service writes it
(``core.middleware.RequestOriginMiddleware`` keeps it for the request's duration). Work done by
the Celery workers, commands and the shell has no address (``None``)."""

from contextvars import ContextVar

from accounts.models import AuditEvent

request_ip: ContextVar[str | None] = ContextVar("request_ip", default=None)


def audit(*, actor, action: str, target=None, data: dict | None = None, ip: str | None = None):
    """Write one append-only audit row; call it inside the service's transaction."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        ip_address=ip or request_ip.get(),
        data=data or {},
    )
