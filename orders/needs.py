"""From planned menus to what the kitchen must buy: dishes x covers x grams x loss factor.

For each open meal of the period, each course's dish and each of its ingredients:

    kg = grams per portion (age group) x covers (age group, that weekday) x loss factor / 1000

Covers are the kitchen's and its satellites' forecasts for the meal's weekday. Grams fall back
when a dish was not written for an age group (no ingredient has grams for it): the nearest
group's portion is used (``FALLBACK``); an ingredient left blank in a group the dish does serve
is not served to that group. Quantities are summed per food and delivery date and rounded
*up* to 0.1 kg, so rounding never leaves a plate short.

Delivery dates are kept simple: fresh families arrive the day before the meal (a weekend day
moves back to Friday); dry goods and drinks arrive on the Monday of the meal's week.

Recomputing a period rewrites ``computed_quantity`` and ``sources`` only: the cook's
``manual_quantity`` stays. A need no longer in the menus is removed, unless the cook adjusted
it: then its computed quantity drops to 0 and the adjustment stays for the cook to decide.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from cantine.models import AgeGroup, Canteen, CoverForecast
from cantine.vocabulary import is_perishable
from menus.models import Meal
from nutrition.models import Dish, DishIngredient
from orders.models import Need

STEP = Decimal("0.1")
FALLBACK = {
    AgeGroup.MATERNELLE: (AgeGroup.ELEMENTAIRE, AgeGroup.COLLEGE_LYCEE, AgeGroup.ADULT),
    AgeGroup.ELEMENTAIRE: (AgeGroup.COLLEGE_LYCEE, AgeGroup.MATERNELLE, AgeGroup.ADULT),
    AgeGroup.COLLEGE_LYCEE: (AgeGroup.ADULT, AgeGroup.ELEMENTAIRE, AgeGroup.MATERNELLE),
    AgeGroup.ADULT: (AgeGroup.COLLEGE_LYCEE, AgeGroup.ELEMENTAIRE, AgeGroup.MATERNELLE),
}


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def delivery_date(meal_date: date, family: str) -> date:
    """When the food must arrive for a meal (see the module docstring)."""
    if not is_perishable(family):
        return week_start(meal_date)
    day = meal_date - timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def round_up(kg: Decimal) -> Decimal:
    return (kg / STEP).to_integral_value(rounding=ROUND_CEILING) * STEP


def served_age_group(ingredients: list[DishIngredient], age_group: str) -> str | None:
    """The age group whose portions feed ``age_group`` in this dish (itself, or a fallback)."""
    for group in (AgeGroup(age_group), *FALLBACK[AgeGroup(age_group)]):
        if any(i.grams(group.value) is not None for i in ingredients):
            return group.value
    return None


def covers_by_weekday(kitchen: Canteen) -> dict[int, dict[str, int]]:
    """Covers of the kitchen and its satellites, per weekday and age group."""
    rows = (
        CoverForecast.objects.filter(Canteen.in_group_of(kitchen))
        .values_list("weekday", "age_group")
        .annotate(total=Sum("covers"))
    )
    covers: dict[int, dict[str, int]] = defaultdict(dict)
    for weekday, age_group, total in rows:
        if total:
            covers[weekday][age_group] = total
    return covers


@dataclass(frozen=True)
class NeedLine:
    """One contribution to a need: a dish on a date, for all age groups."""

    meal_date: date
    dish: Dish
    food_id: int
    kg: Decimal


def dish_lines(meal_date: date, dish: Dish, covers: dict[str, int]) -> list[NeedLine]:
    """Raw kilograms of each food a dish needs on one day (not rounded)."""
    ingredients = list(dish.ingredients.all())
    per_food: dict[int, Decimal] = defaultdict(Decimal)
    for age_group, count in covers.items():
        group = served_age_group(ingredients, age_group)
        if group is None:
            continue
        for ingredient in ingredients:
            grams = ingredient.grams(group)
            if grams:
                per_food[ingredient.food_id] += grams * count * dish.loss_factor / 1000
    return [NeedLine(meal_date, dish, food, kg) for food, kg in per_food.items() if kg > 0]


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
    """{(week, food id, delivery date): {"kg": Decimal, "family", "sources": [...]}}."""
    covers = covers_by_weekday(kitchen)
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
            foods = {i.food_id: i.food for i in course.dish.ingredients.all()}
            for line in dish_lines(meal.date, course.dish, day_covers):
                family = foods[line.food_id].family
                key = (week_start(meal.date), line.food_id, delivery_date(meal.date, family))
                entry = result.setdefault(key, {"kg": Decimal(0), "family": family, "sources": []})
                entry["kg"] += line.kg
                entry["sources"].append(
                    {
                        "date": meal.date.isoformat(),
                        "dish": course.dish.name,
                        "dish_id": course.dish_id,
                        "component": course.component,
                        "kg": round(float(line.kg), 3),
                    }
                )
    return result


@transaction.atomic
def compute_needs(kitchen: Canteen, start: date, end: date) -> NeedsResult:
    """(Re)compute the kitchen's needs for the weeks covering [start, end]."""
    weeks = period_weeks(start, end)
    fresh = computed_needs(kitchen, weeks)
    existing = {
        (n.week, n.food_id, n.delivery_date): n
        for n in Need.objects.select_for_update().filter(canteen=kitchen, week__in=weeks)
    }
    result = NeedsResult()
    for key, entry in fresh.items():
        quantity = round_up(entry["kg"])
        need = existing.pop(key, None)
        if need is None:
            need = Need(canteen=kitchen, week=key[0], food_id=key[1], delivery_date=key[2])
            result.created += 1
        else:
            result.updated += 1
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


def set_manual_quantity(need: Need, quantity: Decimal | None) -> Need:
    """The cook's own figure (None goes back to the computed one)."""
    if quantity is not None and quantity < 0:
        raise ValidationError(_("A quantity cannot be negative."))
    need.manual_quantity = quantity
    need.save(update_fields=["manual_quantity", "updated_at"])
    return need
