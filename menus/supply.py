"""What the canteen's producers can deliver, as data for the menu planner.

A "most local" plan follows supply: for each week of the period and each dish, the share (by
weight bought) of its ingredients that the kitchen's *local* producers (the kitchen's own
definition of local) offer that week — an active offer, valid on a day of the week the producer
delivers and is not on holiday, in the unit the food is bought in — with a weekly capacity
(summed over those producers) that covers what one meal of the dish needs for the group's
covers that weekday. The planner rewards that share instead of the price table's static one
(``nutrition.mealplan.Meal.local_supply``).

Capacity is checked meal by meal: two dishes of one week drawing on the same offer are each
checked alone (the allocation then buys what the offers cannot deliver elsewhere).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q

from cantine.dates import week_start
from cantine.models import Canteen
from cantine.selectors import covers_by_weekday
from cantine.vocabulary import UnitConversionError
from nutrition.models import Dish
from nutrition.portions import gross_grams_for
from producers.models import Offer


def _delivers_in(offer: Offer, monday: date) -> bool:
    """The offer can be delivered on some school day of the week of ``monday``."""
    return any(offer.delivers_on(monday + timedelta(days=offset)) for offset in range(5))


def local_capacity(kitchen: Canteen, foods, weeks: list[date]) -> dict[date, dict[int, Decimal]]:
    """{week: {food id: weekly capacity of the local offers}}; a missing capacity is infinite
    (``Decimal('Infinity')``). Only foods some local producer delivers that week appear."""
    if not weeks or not foods:
        return {}
    local = kitchen.local_definition()
    offers = (
        Offer.objects.filter(active=True, food__in=foods, valid_from__lte=weeks[-1] + timedelta(6))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=weeks[0]))
        .select_related("producer__commune__department__region", "food")
    )
    local_of: dict[int, bool] = {}
    out: dict[date, dict[int, Decimal]] = {monday: {} for monday in weeks}
    for offer in offers:
        if offer.unit != offer.food.purchase_unit:
            continue
        producer = offer.producer
        if producer.pk not in local_of:
            local_of[producer.pk] = local.is_local(producer.place)
        if not local_of[producer.pk]:
            continue
        capacity = offer.weekly_capacity if offer.weekly_capacity is not None else Decimal("Inf")
        for monday in weeks:
            if _delivers_in(offer, monday):
                row = out[monday]
                row[offer.food_id] = row.get(offer.food_id, Decimal(0)) + capacity
    return out


def local_supply(
    kitchen: Canteen, dishes: list[Dish], days: list[date]
) -> dict[date, dict[int, float]]:
    """{meal date: {dish id: share 0-1 local producers can deliver that week}} (see module).

    ``dishes`` come with their ingredients and foods prefetched; a dish without a recipe is
    left out (the planner keeps its static share)."""
    weeks = sorted({week_start(d) for d in days})
    foods = {i.food_id for dish in dishes for i in dish.ingredients.all()}
    capacity = local_capacity(kitchen, foods, weeks)
    covers = covers_by_weekday(kitchen)
    out: dict[date, dict[int, float]] = {}
    cache: dict[tuple[int, int, date], float] = {}
    for day in days:
        monday, weekday = week_start(day), day.weekday()
        row = out[day] = {}
        for dish in dishes:
            key = (dish.pk, weekday, monday)
            if key not in cache:
                cache[key] = _dish_share(dish, covers.get(weekday, {}), capacity.get(monday, {}))
            if cache[key] is not None:
                row[dish.pk] = cache[key]
    return out


def _dish_share(dish: Dish, covers: dict[str, int], capacity: dict[int, Decimal]) -> float | None:
    lines = gross_grams_for(dish.ingredients.all(), covers or {"elementaire": 1})
    total = sum((grams for _, grams in lines), Decimal(0))
    if not total:
        return None
    local = Decimal(0)
    for ingredient, grams in lines:
        available = capacity.get(ingredient.food_id)
        if available is None:
            continue
        try:
            needed = ingredient.food.quantity_for_grams(grams)
        except UnitConversionError:
            continue
        if needed <= available:
            local += grams
    return round(float(local / total), 4)


def dishes_using(dishes: list[Dish], food_id: int) -> set[int]:
    """The dishes whose recipe holds ``food_id`` (ingredients prefetched)."""
    return {d.pk for d in dishes if any(i.food_id == food_id for i in d.ingredients.all())}
