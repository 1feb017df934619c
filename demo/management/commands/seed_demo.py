from django.core.management.base import BaseCommand

from demo.seed import DEFAULT_PASSWORD, DEMO_USERS, seed_demo


class Command(BaseCommand):
    help = "Create the demo territory (canteens, producers, one user per role). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default=DEFAULT_PASSWORD,
            help="Password given to demo users when they are first created.",
        )

    def handle(self, *args, password, **options):
        counts = seed_demo(password=password)
        self.stdout.write(
            self.style.SUCCESS(
                "Demo ready: {canteens} canteens, {producers} producers, {communes} communes.".format(
                    **counts
                )
            )
        )
        self.stdout.write("Demo users (created with this password; existing ones keep theirs):")
        for user in DEMO_USERS:
            self.stdout.write(f"  {user.username:<14} {user.role.label:<12} {password}")
        self.stdout.write(f"  {'admin':<14} {'Administrator':<12} {password}")
