from django.core.management.base import BaseCommand

from cantine.models import Canteen
from orders.prices import refresh_food_prices


class Command(BaseCommand):
    help = "Recompute each kitchen's reference food prices from the producers' current offers."

    def handle(self, *args, **options):
        for kitchen in Canteen.objects.exclude(kind=Canteen.Kind.SATELLITE):
            count = refresh_food_prices(kitchen=kitchen)
            self.stdout.write(f"{kitchen}: {count} foods priced")
