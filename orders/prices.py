"""Reference food prices for a kitchen, from the producers' current offers.

Dishes get their cost per portion from these prices (``nutrition.FoodPrice``), which the
menu planner weighs and the calendar shows. A food's price is the median unit price of the
current offers sold in the unit the food is bought in (kg, L or piece: ``Food.purchase_unit``);
its local share is the share of those offers from producers local under the kitchen's
definition, its organic share the share of organic offers: what the kitchen can expect to
reach when it orders.

A service module: its writes take keyword arguments only, the acting user as ``actor``.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from statistics import median

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from cantine.labels import Label
from cantine.models import Canteen
from nutrition.models import FoodPrice
from producers.models import Offer

SOURCE = "offres en cours"


@transaction.atomic
def refresh_food_prices(*, kitchen: Canteen, day: date | None = None) -> int:
    """Recompute the kitchen's offer-based food prices; returns how many foods are priced."""
    day = day or timezone.localdate()
    offers = (
        Offer.objects.filter(active=True, unit=F("food__purchase_unit"), valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .select_related("producer__commune__department")
    )
    local = kitchen.local_definition()
    by_food: dict[int, list[Offer]] = defaultdict(list)
    for offer in offers:
        by_food[offer.food_id].append(offer)
    FoodPrice.objects.filter(kitchen=kitchen, source=SOURCE).exclude(food_id__in=by_food).delete()
    current = {p.food_id: p for p in FoodPrice.objects.filter(kitchen=kitchen)}
    for food_id, food_offers in by_food.items():
        count = len(food_offers)
        values = {
            "unit_price": Decimal(median(o.unit_price for o in food_offers)).quantize(
                Decimal("0.001")
            ),
            "local_share": sum(local.is_local(o.producer.place) for o in food_offers) / count,
            "organic_share": sum(Label.BIO in o.labels for o in food_offers) / count,
            "source": SOURCE,
        }
        price = current.get(food_id)
        if price is not None and all(getattr(price, k) == v for k, v in values.items()):
            continue  # unchanged: keep its date
        FoodPrice.objects.update_or_create(kitchen=kitchen, food_id=food_id, defaults=values)
    return len(by_food)
