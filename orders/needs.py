"""From planned menus to what the kitchen must buy: dishes x covers x gross grams, per product.

For each open meal of the period, each course's dish and each of its ingredients, the
product *bought* (raw or as sold: ``DishIngredient.food``) is needed at

    gross grams per portion (age group) x covers (age group, that weekday)

(``nutrition.portions``: an age group the recipe was not written for eats the nearest group's
portion). Grams become the unit the product is bought in (``Food.purchase_unit``: kg, L with
its density, pieces with the weight of a piece), are summed per product and delivery date and
rounded *up* (0.1 kg or L, a whole piece), so rounding never leaves a plate short.

Delivery dates fall on a day the kitchen is open, so that someone is there to receive them:
fresh families arrive on the last open weekday before the meal (a weekend, a public holiday,
a school holiday or a day the cook closed moves it back), within the five days before it,
else on the morning of the meal itself (the Monday after the holidays); dry goods and drinks
arrive on the first open weekday of the meal's week (the meal's own day at the latest).

Recomputing a period rewrites ``computed_quantity`` and ``sources`` only: the cook's
``manual_quantity`` stays. A need no longer in the menus is removed, unless the cook adjusted
it: then its computed quantity drops to 0 and the adjustment stays for the cook to decide.

A service module: its writes take keyword arguments only, the acting user as ``actor``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cantine.dates import week_start
from cantine.labels import Unit
from cantine.models import Canteen
from cantine.selectors import covers_by_weekday
from cantine.vocabulary import is_perishable
from menus.closures import days_off
from menus.models import Meal
from nutrition.models import Dish, Food
from nutrition.portions import gross_grams_for
from orders.models import Need

STEPS = {Unit.KG: Decimal("0.1"), Unit.LITRE: Decimal("0.1"), Unit.PIECE: Decimal("1")}


FRESH_LEAD_DAYS = 5


def delivery_date(meal_date: date, family: str, closed: frozenset[date] = frozenset()) -> date:
    """When the food must arrive for a meal: an open weekday (see the module docstring).

    ``closed`` holds the kitchen's days off and closed days around the meal
    (``closed_days``); the meal's own day is open, since it serves a meal."""

    def is_open(day: date) -> bool:
        return day.weekday() < 5 and day not in closed

    if not is_perishable(family):
        day = week_start(meal_date)
        while day < meal_date and not is_open(day):
            day += timedelta(days=1)
        return day
    for back in range(1, FRESH_LEAD_DAYS + 1):
        day = meal_date - timedelta(days=back)
        if is_open(day):
            return day
    return meal_date


def closed_days(kitchen: Canteen, start: date, end: date) -> frozenset[date]:
    """The days in [start, end] the kitchen receives nothing: its public and school holidays
    (``menus.closures.days_off``) and the days the cook closed."""
    off = set(days_off(kitchen, start, end))
    off |= set(
        Meal.objects.filter(canteen=kitchen, closed=True, date__range=(start, end)).values_list(
            "date", flat=True
        )
    )
    return frozenset(off)


def round_up(quantity: Decimal, unit: str = Unit.KG) -> Decimal:
    """Up to the step of the unit: 0.1 kg or L, one whole piece."""
    step = STEPS[Unit(unit)]
    return (quantity / step).to_integral_value(rounding=ROUND_CEILING) * step


@dataclass(frozen=True)
class NeedLine:
    """One contribution to a need: a dish on a date, for all age groups, in grams bought."""

    meal_date: date
    dish: Dish
    food: Food
    grams: Decimal


def dish_lines(meal_date: date, dish: Dish, covers: dict[str, int]) -> list[NeedLine]:
    """Gross grams of each product a dish needs on one day (not rounded)."""
    per_food: dict[int, tuple[Food, Decimal]] = {}
    for ingredient, grams in gross_grams_for(dish.ingredients.all(), covers):
        food, total = per_food.get(ingredient.food_id, (ingredient.food, Decimal(0)))
        per_food[ingredient.food_id] = (food, total + grams)
    return [
        NeedLine(meal_date, dish, food, grams) for food, grams in per_food.values() if grams > 0
    ]


@dataclass
class NeedsResult:
    created: int = 0
    updated: int = 0
    removed: int = 0
    kept_adjusted: int = 0


def period_weeks(start: date, end: date) -> list[date]:
    monday, weeks = week_start(start), []
    while monday <= end:
        weeks.append(monday)
        monday += timedelta(days=7)
    return weeks


def computed_needs(kitchen: Canteen, weeks: list[date]) -> dict[tuple, dict]:
    """{(week, food id, delivery date): {"grams", "food", "sources": [...]}} of products bought."""
    covers = covers_by_weekday(kitchen)
    closed = closed_days(
        kitchen, weeks[0] - timedelta(days=FRESH_LEAD_DAYS), weeks[-1] + timedelta(days=6)
    )
    meals = (
        Meal.objects.filter(
            canteen=kitchen,
            closed=False,
            date__range=(weeks[0], weeks[-1] + timedelta(days=6)),
        )
        .prefetch_related("courses__dish__ingredients__food")
        .order_by("date")
    )
    result: dict[tuple, dict] = {}
    for meal in meals:
        day_covers = covers.get(meal.date.weekday(), {})
        for course in meal.courses.all():
            for line in dish_lines(meal.date, course.dish, day_covers):
                family = line.food.family
                key = (
                    week_start(meal.date),
                    line.food.pk,
                    delivery_date(meal.date, family, closed),
                )
                entry = result.setdefault(
                    key, {"grams": Decimal(0), "food": line.food, "sources": []}
                )
                entry["grams"] += line.grams
                entry["sources"].append(
                    {
                        "date": meal.date.isoformat(),
                        "dish": course.dish.name,
                        "dish_id": course.dish_id,
                        "component": course.component,
                        "quantity": round(float(line.food.quantity_for_grams(line.grams)), 3),
                    }
                )
    return result


@transaction.atomic
def compute_needs(*, kitchen: Canteen, start: date, end: date) -> NeedsResult:
    """(Re)compute the kitchen's needs for the weeks covering [start, end]."""
    weeks = period_weeks(start, end)
    fresh = computed_needs(kitchen, weeks)
    existing = {
        (n.week, n.food_id, n.delivery_date): n
        for n in Need.objects.select_for_update().filter(canteen=kitchen, week__in=weeks)
    }
    result = NeedsResult()
    for key, entry in fresh.items():
        food = entry["food"]
        quantity = round_up(food.quantity_for_grams(entry["grams"]), food.purchase_unit)
        need = existing.pop(key, None)
        if need is None:
            need = Need(canteen=kitchen, week=key[0], food_id=key[1], delivery_date=key[2])
            result.created += 1
        else:
            result.updated += 1
        need.unit = food.purchase_unit
        need.computed_quantity = quantity
        need.sources = entry["sources"]
        need.save()
    for need in existing.values():
        if need.adjusted:
            need.computed_quantity, need.sources = Decimal(0), []
            need.save()
            result.kept_adjusted += 1
        else:
            need.delete()
            result.removed += 1
    return result


def set_manual_quantity(*, need: Need, quantity: Decimal | None) -> Need:
    """The cook's own figure (None goes back to the computed one)."""
    if quantity is not None and quantity < 0:
        raise ValidationError(_("A quantity cannot be negative."))
    need.manual_quantity = quantity
    need.save(update_fields=["manual_quantity", "updated_at"])
    return need
