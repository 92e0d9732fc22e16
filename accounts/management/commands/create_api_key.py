from django.core.management.base import BaseCommand, CommandError

from api.services import integration_key_create
from core.errors import DomainError
from spokes.models import Department


class Command(BaseCommand):
    help = "Create an integration API key scoped to departments; the key is printed once."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument(
            "--departments", required=True, help="Comma-separated department slugs, or 'all'."
        )
        parser.add_argument("--scopes", default="read", help="Comma-separated: read,write,approve.")

    def handle(self, *args, name, departments, scopes, **options):
        slugs = [s.strip() for s in departments.split(",") if s.strip()]
        if slugs == ["all"]:
            targets = list(Department.objects.all())
        else:
            targets = list(Department.objects.filter(slug__in=slugs))
            missing = sorted(set(slugs) - {d.slug for d in targets})
            if missing:
                raise CommandError(f"departments: unknown slug(s) {', '.join(missing)}.")
        try:
            key, plain = integration_key_create(
                actor=None,
                name=name,
                departments=targets,
                scopes=[s.strip() for s in scopes.split(",") if s.strip()],
            )
        except DomainError as exc:
            raise CommandError(f"{exc.field}: {exc.message}") from exc
        self.stdout.write(f"API key '{name}' (prefix {key.prefix}). Shown once, store it now:")
        self.stdout.write(plain)
