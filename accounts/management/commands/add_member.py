from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from spokes.models import Department, MembershipRole
from spokes.services import membership_set

User = get_user_model()


class Command(BaseCommand):
    help = "Add a user to a department with a role (agent or lead); creates the user if asked."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("department", help="Department slug.")
        parser.add_argument("role", help=f"One of: {', '.join(MembershipRole.values)}.")
        parser.add_argument("--create", action="store_true", help="Create the user if missing.")
        parser.add_argument("--email", default="")

    def handle(self, *args, username, department, role, create, email, **options):
        target = Department.objects.filter(slug=department).first()
        if target is None:
            raise CommandError(f"department: no department with slug '{department}'.")
        user = User.objects.filter(username=username).first()
        if user is None:
            if not create:
                raise CommandError(f"username: no user '{username}' (use --create).")
            user = User.objects.create_user(username=username, email=email)
            self.stdout.write(
                f"Created user '{username}' without a password: set one with changepassword."
            )
        try:
            membership_set(actor=None, user=user, department=target, role=role)
        except DomainError as exc:
            raise CommandError(f"{exc.field}: {exc.message}") from exc
        self.stdout.write(f"{username} is now {role} in {target.slug}.")
