"""Issue an API key for a user and print it once (only its SHA-256 is stored)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from cantine import tokens


class Command(BaseCommand):
    help = "Issue an API token for a user; the key is printed once and cannot be shown again."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="What the key is for (shown in admin).")
        parser.add_argument("--days", type=int, help="Lifetime (default: API_TOKEN_DAYS).")

    def handle(self, username, name, days, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user named {username!r}.")
        if days is not None and days < 1:
            raise CommandError("--days must be at least 1.")
        token, key = tokens.issue(user, name=name, days=days)
        self.stdout.write(key)
        self.stderr.write(f"Expires {token.expires_at:%Y-%m-%d %H:%M %Z}; revoke it in the admin.")
