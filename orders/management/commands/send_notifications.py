from django.core.management.base import BaseCommand

from orders.notifications import flush_pending


class Command(BaseCommand):
    help = "Send the order e-mails still pending (run it from cron as a safety net)."

    def handle(self, *args, **options):
        self.stdout.write(f"{flush_pending()} e-mails sent")
