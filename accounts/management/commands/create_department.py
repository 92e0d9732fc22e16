from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from spokes.services import department_create


class Command(BaseCommand):
    help = "Create a department (a spoke with its own queue)."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--slug", default="")
        parser.add_argument("--timezone", default="UTC")
        parser.add_argument("--availability", default="")

    def handle(self, *args, name, slug, timezone, availability, **options):
        try:
            department = department_create(
                actor=None, name=name, slug=slug, timezone_name=timezone, availability=availability
            )
        except DomainError as exc:
            raise CommandError(f"{exc.field}: {exc.message}" if exc.field else exc.message) from exc
        self.stdout.write(f"Created department '{department.slug}' ({department.name}).")
