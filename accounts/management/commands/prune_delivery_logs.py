"""Data retention: delete the logs of finished deliveries older than a cut-off.

Webhook deliveries that succeeded or were given up, and outgoing emails sent or given up, go
once they are older than DAYS; pending ones are work in progress and stay whatever their age.
Reply delivery attempts belong to their reply and go with it (``prune_mentions``). Nothing is
deleted without ``--yes``: the default run only reports what would go. The prune is audited.

    manage.py prune_delivery_logs --older-than 90          # dry run: counts only
    manage.py prune_delivery_logs --older-than 90 --yes    # delete
"""

from django.db import transaction

from accounts.audit import audit
from accounts.management.retention import RetentionCommand
from api.models import DeliveryStatus, WebhookDelivery
from core.models import EmailStatus, OutgoingEmail

BATCH = 1000


def finished(cutoff) -> dict:
    """The finished rows of each log created before ``cutoff``, by name."""
    return {
        "webhook deliveries": WebhookDelivery.objects.filter(
            created_at__lt=cutoff, status__in=[DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED]
        ),
        "emails": OutgoingEmail.objects.filter(
            created_at__lt=cutoff, status__in=[EmailStatus.SENT, EmailStatus.FAILED]
        ),
    }


class Command(RetentionCommand):
    help = "Delete finished webhook deliveries and emails older than DAYS (dry run without --yes)."

    def handle(self, *args, older_than: int, yes: bool, **options):
        cutoff = self.cutoff(older_than)
        logs = finished(cutoff)
        if not yes:
            counts = ", ".join(f"{query.count()} {name}" for name, query in logs.items())
            self.stdout.write(
                f"{counts} finished before {cutoff:%Y-%m-%d} would be deleted. "
                "Run again with --yes to delete them."
            )
            return
        deleted = {}
        for name, query in logs.items():
            deleted[name] = 0
            while ids := list(query.order_by("pk").values_list("pk", flat=True)[:BATCH]):
                with transaction.atomic():
                    deleted[name] += query.filter(pk__in=ids).delete()[0]
        audit(
            actor=None,
            action="retention.delivery_logs_pruned",
            data={
                "older_than_days": older_than,
                "cutoff": cutoff.isoformat(),
                **{name.replace(" ", "_"): count for name, count in deleted.items()},
            },
        )
        counts = ", ".join(f"{count} {name}" for name, count in deleted.items())
        self.stdout.write(f"Deleted {counts} finished before {cutoff:%Y-%m-%d}.")
