from django.core.management.base import BaseCommand

from orders.reallocation import expire_unanswered, reallocate_refusals


class Command(BaseCommand):
    help = (
        "Lines unanswered after their deadline count as refused; their quantities are then "
        "bought elsewhere (run it from cron, e.g. every hour)."
    )

    def handle(self, *args, **options):
        for order in expire_unanswered():
            created = reallocate_refusals(order=order)
            self.stdout.write(f"{order.number}: {len(created)} new draft orders")
