"""Data retention: delete closed mentions older than a cut-off.

Only resolved and spam mentions go, counted from when they were closed (``resolved_at``, or
the last change for spam); their replies, notes and history go with them. Mentions with a
compensation offer are kept: spend records outlive the conversation. The audit log is
append-only and is never pruned; the prune itself is audited. Nothing is deleted without
``--yes``: the default run only reports what would go.

    manage.py prune_mentions --older-than 365          # dry run: counts only
    manage.py prune_mentions --older-than 365 --yes    # delete
"""

from django.db import transaction
from django.db.models import Q

from accounts.audit import audit
from accounts.management.retention import RetentionCommand
from spokes.models import Mention, Status

BATCH = 1000


def prunable(cutoff):
    closed_before = Q(status=Status.RESOLVED, resolved_at__lt=cutoff) | Q(
        status=Status.SPAM, updated_at__lt=cutoff
    )
    return Mention.objects.filter(closed_before).filter(offers__isnull=True)


class Command(RetentionCommand):
    help = "Delete resolved and spam mentions closed more than DAYS ago (dry run without --yes)."

    def handle(self, *args, older_than: int, yes: bool, **options):
        cutoff = self.cutoff(older_than)
        ids = list(prunable(cutoff).order_by("id").values_list("id", flat=True))
        if not yes:
            self.stdout.write(
                f"{len(ids)} mention(s) closed before {cutoff:%Y-%m-%d} would be deleted. "
                "Run again with --yes to delete them."
            )
            return
        deleted = 0
        for start in range(0, len(ids), BATCH):
            with transaction.atomic():
                chunk = prunable(cutoff).filter(pk__in=ids[start : start + BATCH])
                deleted += chunk.delete()[1].get(Mention._meta.label, 0)
        audit(
            actor=None,
            action="retention.mentions_pruned",
            data={"older_than_days": older_than, "cutoff": cutoff.isoformat(), "count": deleted},
        )
        self.stdout.write(f"Deleted {deleted} mention(s) closed before {cutoff:%Y-%m-%d}.")
