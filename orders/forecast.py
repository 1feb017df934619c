"""The rest of the year's planned menus as priced purchase lines, for the ledger's forecast.

The ledger (``purchases.forecast``) does not read menus or offers; it asks this provider
through ``settings.PURCHASES_FORECAST_PROVIDERS``. For every kitchen that plans its own menus
(a central kitchen for its satellites, or a canteen on its own), the quantities are the ones
the needs are computed with (``orders.needs.computed_needs``: menus x covers x gross grams,
closed days and delivery dates, rounded up per delivery as ``compute_needs`` does), and each
delivery after ``as_of`` within the year is priced as the allocation would most likely buy it:

- the cheapest offer that serves it (the same food in the same unit, ``Offer.delivers_on``
  the delivery date), with its labels, its producer local under the kitchen's definition
  (``Canteen.local_definition``, as ``orders.instances`` says), short chain unless the
  producer is a wholesaler, French origin (as ``orders.selectors.planned_purchases`` counts
  an order line);
- else the kitchen's reference price for the food (``nutrition.FoodPrice``), with no label;
- else it is left unpriced, and the page says how many.

The quantity is priced, not whole packs: the forecast says what the menus cost, not how a
particular order rounds. CO2e is the food's AGRIBALYSE footprint x its weight, plus the
delivery (``purchases.carbon.transport_kg_co2e``) from the offer's producer to the kitchen.

``organic`` (food ids): those products are bought at their cheapest *organic* offer serving
the date, where one exists (the manager's what-if); elsewhere they keep the usual choice.
``newcomer`` (``purchases.forecast.Newcomer``, the other what-if): its product is bought from
that local producer at its price, delivery by delivery in date order, until its weekly
capacity (per ISO week, in the product's unit) is used up; a delivery it can only partly
serve is split, and what it cannot serve keeps the usual choice.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from cantine.labels import Label
from cantine.local import distance_km
from cantine.models import Canteen
from menus.closures import days_off
from menus.models import Meal
from menus.services import service_weekdays
from nutrition.models import FoodPrice
from orders.needs import computed_needs, period_weeks, round_up
from producers.models import Offer, Producer
from purchases.carbon import transport_kg_co2e
from purchases.forecast import ForecastLine, Newcomer, PlannedYear

CENT = Decimal("0.01")
THOUSAND = Decimal(1000)


def _kitchens(canteens) -> list[Canteen]:
    """The canteens that plan menus: satellites are served by their kitchen's plan."""
    ids = [getattr(c, "pk", c) for c in canteens]
    return list(
        Canteen.objects.filter(pk__in=ids)
        .exclude(kind=Canteen.Kind.SATELLITE)
        .select_related("commune__department__region", "local_territory")
        .prefetch_related("local_territory__communes")
        .order_by("pk")
    )


def _coverage(kitchen: Canteen, start: date, end: date) -> tuple[dict, dict]:
    """Meals planned (open, with a dish) and service days still without one, per month."""
    weekdays = set(service_weekdays(kitchen))
    off = days_off(kitchen, start, end)
    meals = Meal.objects.filter(canteen=kitchen, date__range=(start, end))
    closed = set(meals.filter(closed=True).values_list("date", flat=True))
    planned = set(meals.filter(closed=False, courses__isnull=False).values_list("date", flat=True))
    counts, unplanned = defaultdict(int), defaultdict(int)
    for offset in range((end - start).days + 1):
        day = start + timedelta(days=offset)
        if day in planned:
            counts[day.month] += 1
        elif day.weekday() in weekdays and day not in off and day not in closed:
            unplanned[day.month] += 1
    return dict(counts), dict(unplanned)


def _offers(foods: set[int], start: date, end: date) -> dict[int, list[Offer]]:
    offers = (
        Offer.objects.filter(active=True, food__in=foods, valid_from__lte=end)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=start))
        .select_related("producer__commune__department", "food")
        .order_by("unit_price", "pk")
    )
    by_food: dict[int, list[Offer]] = defaultdict(list)
    for offer in offers:
        if offer.unit == offer.food.purchase_unit:
            by_food[offer.food_id].append(offer)
    return by_food


def cheapest(offers: list[Offer], day: date, organic: bool = False) -> Offer | None:
    """The cheapest offer serving ``day`` (``offers`` come sorted by price), organic if asked."""
    for offer in offers:
        if offer.delivers_on(day) and (not organic or Label.BIO in offer.labels):
            return offer
    return None


def planned_year(
    canteens, year: int, as_of: date, organic=frozenset(), newcomer: Newcomer | None = None
) -> PlannedYear:
    """Priced lines of the deliveries after ``as_of`` in ``year`` (see the module docstring)."""
    start, end = max(as_of + timedelta(days=1), date(year, 1, 1)), date(year, 12, 31)
    if start > end:
        return PlannedYear()
    lines, meals, unplanned = [], defaultdict(int), defaultdict(int)
    for kitchen in _kitchens(canteens):
        counts, missing = _coverage(kitchen, start, end)
        for month, count in counts.items():
            meals[month] += count
        for month, count in missing.items():
            unplanned[month] += count
        lines.extend(_kitchen_lines(kitchen, start, end, frozenset(organic), newcomer))
    return PlannedYear(tuple(lines), dict(meals), dict(unplanned))


def _kitchen_lines(
    kitchen: Canteen, start: date, end: date, organic: frozenset, newcomer: Newcomer | None
) -> list:
    needs = computed_needs(kitchen, period_weeks(start, end))
    needs = {key: entry for key, entry in needs.items() if start <= key[2] <= end}
    if not needs:
        return []
    foods = {key[1] for key in needs}
    offers = _offers(foods, start, end)
    references = dict(
        FoodPrice.objects.filter(kitchen=kitchen, food__in=foods).values_list(
            "food_id", "unit_price"
        )
    )
    local = kitchen.local_definition()
    places: dict[int, tuple[bool, float | None]] = {}

    def producer_place(producer: Producer) -> tuple[bool, float | None]:
        if producer.pk not in places:
            place = producer.place
            places[producer.pk] = (local.is_local(place), distance_km(place, kitchen.place))
        return places[producer.pk]

    lines = []
    capacity_left: dict[tuple, Decimal] = {}  # ISO week -> what the newcomer can still sell
    for (_week, food_id, day), entry in sorted(needs.items(), key=lambda kv: (kv[0][2], kv[0][1])):
        food = entry["food"]
        quantity = round_up(food.quantity_for_grams(entry["grams"]), food.purchase_unit)
        kg = entry["grams"] / THOUSAND
        food_co2e = kg * food.co2e_per_kg if food.co2e_per_kg is not None else Decimal(0)
        if newcomer is not None and food_id == newcomer.food:
            taken = quantity
            if newcomer.weekly_capacity is not None:
                week = day.isocalendar()[:2]
                left = capacity_left.setdefault(week, newcomer.weekly_capacity)
                taken = min(quantity, left)
                capacity_left[week] = left - taken
            if taken > 0:
                part = taken / quantity
                served = _delivery(day, food, taken)
                lines.append(_newcomer_line(served, newcomer, kg * part, food_co2e * part))
                quantity, kg, food_co2e = quantity - taken, kg * (1 - part), food_co2e * (1 - part)
                if quantity <= 0:
                    continue
        offer, switched = None, False
        if food_id in organic:
            offer = cheapest(offers.get(food_id, []), day, organic=True)
            switched = offer is not None
        offer = offer or cheapest(offers.get(food_id, []), day)
        common = _delivery(day, food, quantity)
        if offer is not None:
            is_local, km = producer_place(offer.producer)
            transport = transport_kg_co2e(kg, km) if km is not None else Decimal(0)
            lines.append(
                ForecastLine(
                    **common,
                    amount=(quantity * offer.unit_price).quantize(CENT),
                    labels=tuple(offer.labels),
                    is_local=is_local,
                    is_short_chain=offer.producer.status != Producer.Status.WHOLESALER,
                    is_france=True,
                    kg_co2e=food_co2e + transport,
                    priced_by="offer",
                    supplier=offer.producer.name,
                    switched=switched,
                )
            )
        elif food_id in references:
            lines.append(
                ForecastLine(
                    **common,
                    amount=(quantity * references[food_id]).quantize(CENT),
                    kg_co2e=food_co2e,
                    priced_by="reference",
                )
            )
        else:
            lines.append(ForecastLine(**common, amount=None, kg_co2e=food_co2e))
    return lines


def _delivery(day: date, food, quantity: Decimal) -> dict:
    """What every forecast line of a delivery says of it, whoever sells it."""
    return {
        "day": day,
        "food": food.pk,
        "name": food.name,
        "family": food.family,
        "quantity": quantity,
        "unit": food.purchase_unit,
    }


def _newcomer_line(
    common: dict, newcomer: Newcomer, kg: Decimal, food_co2e: Decimal
) -> ForecastLine:
    """A delivery (or its part) bought from the local producer the manager considers."""
    return ForecastLine(
        **common,
        amount=(common["quantity"] * newcomer.unit_price).quantize(CENT),
        labels=(Label.BIO,) if newcomer.organic else (),
        is_local=True,
        is_short_chain=True,
        is_france=True,
        kg_co2e=food_co2e + transport_kg_co2e(kg, float(newcomer.km)),
        priced_by="newcomer",
        supplier=str(_("A new local producer")),
        switched=True,
    )
