"""What every hub service shares: the editor check, the audit row and the live event."""

from accounts.audit import audit
from core.errors import PermissionDenied
from core.events import department_group, hub_group, publish
from hub.selectors import can_edit_hub
from spokes.models import Department


def require_editor(actor) -> None:
    if actor is None or not can_edit_hub(actor):
        raise PermissionDenied("Only central communications and administrators edit the hub.")


def announce(event: str, payload: dict, *, department_id: int | None | object = ...) -> None:
    """Publish to the hub and to the departments concerned: one department, every department
    (``department_id=None``: an organisation-wide rule) or none (the default: hub only)."""
    groups = [hub_group()]
    if department_id is None:
        groups += [department_group(pk) for pk in Department.objects.values_list("pk", flat=True)]
    elif department_id is not ...:
        groups.append(department_group(department_id))
    publish(event, payload, groups=groups)


def record(*, actor, action: str, target, data: dict | None = None) -> None:
    audit(actor=actor, action=action, target=target, data=data or {})
