"""Any change to what triage reads from the hub's configuration renews its generation
(``hub.snapshot``): processes holding the old reading read it again."""

from django.db.models.signals import post_delete, post_save

from hub.models import BusinessHours, EscalationRule, Holiday, RoutingRule, SlaPolicy
from hub.snapshot import changed
from spokes.models import Department

WATCHED = (RoutingRule, EscalationRule, BusinessHours, Holiday, SlaPolicy, Department)


def _changed(sender, **kwargs):
    changed()


for model in WATCHED:
    post_save.connect(_changed, sender=model, dispatch_uid=f"hub-snapshot-save-{model.__name__}")
    post_delete.connect(
        _changed, sender=model, dispatch_uid=f"hub-snapshot-delete-{model.__name__}"
    )
