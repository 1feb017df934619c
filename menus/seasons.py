"""Which dishes hold a fruit or vegetable out of season on a given day, in a canteen's region.

A food's months are the dietitian's for the region (``RegionalSeason``), else the national
table's (``Food.season_months``). A food with no months at all (meat, pasta, a banana, a
frozen vegetable) has no season and never puts a dish out of season. A dish is out of
season in a month when one of its products bought is.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from cantine.models import Canteen
from menus.models import RegionalSeason
from nutrition.models import Dish


def months_by_food(region_code: str, dishes: Iterable[Dish]) -> dict[int, frozenset[int]]:
    """{food id: months} for the products of ``dishes`` (prefetched ingredients__food)."""
    foods = {i.food_id: i.food for d in dishes for i in d.ingredients.all()}
    months = {pk: frozenset(f.season_months or ()) for pk, f in foods.items()}
    for row in RegionalSeason.objects.filter(region_id=region_code, food_id__in=foods):
        months[row.food_id] = frozenset(row.months)
    return months


def out_of_season_foods(dish: Dish, month: int, months: dict[int, frozenset[int]]) -> list[str]:
    """Names of the dish's products out of season that month (empty: in season)."""
    return sorted(
        {
            i.food.name
            for i in dish.ingredients.all()
            if months.get(i.food_id) and month not in months[i.food_id]
        }
    )


def region_of(canteen: Canteen) -> str:
    return canteen.commune.department.region_id


def out_of_season_by_day(
    canteen: Canteen, dishes: list[Dish], days: Iterable[date]
) -> dict[date, set[int]]:
    """{day: ids of the dishes out of season that day} (months computed once each)."""
    months = months_by_food(region_of(canteen), dishes)
    per_month: dict[int, set[int]] = {}
    result = {}
    for day in days:
        if day.month not in per_month:
            per_month[day.month] = {
                d.pk for d in dishes if out_of_season_foods(d, day.month, months)
            }
        result[day] = per_month[day.month]
    return result
