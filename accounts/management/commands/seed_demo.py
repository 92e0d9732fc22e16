from django.core.management.base import BaseCommand

from spokes.demo import seed_demo


class Command(BaseCommand):
    help = "Load the demo organisation (idempotent: safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument("--password", help="Password for new demo users.")
        parser.add_argument("--quiet", action="store_true", help="Print nothing on success.")

    def handle(self, *args, password=None, quiet=False, **options):
        result = seed_demo(password=password)
        if quiet:
            return
        self.stdout.write(
            f"Demo organisation: {result['departments']} departments, {result['users']} users, "
            f"{result['mentions_created']} new mentions."
        )
        self.stdout.write(f"Demo logins (password: {result['password']}):")
        for username, role in result["logins"]:
            self.stdout.write(f"  {username:<22} {role}")
