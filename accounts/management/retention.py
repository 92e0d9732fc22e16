"""What the retention commands share: ``--older-than DAYS``, ``--yes``, the cut-off."""

from datetime import datetime, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


class RetentionCommand(BaseCommand):
    """A dry run unless ``--yes``; ``cutoff`` turns ``--older-than`` into a moment."""

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, required=True, metavar="DAYS")
        parser.add_argument("--yes", action="store_true", help="really delete")

    @staticmethod
    def cutoff(older_than: int) -> datetime:
        if older_than < 1:
            raise CommandError("--older-than must be at least 1 day.")
        return timezone.now() - timedelta(days=older_than)
