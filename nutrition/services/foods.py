"""Writes on foods: the CIQUAL/AGRIBALYSE import with seasons and units, cooking yields."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from cantine.models import AgeGroup, Canteen, User
from cantine.search import search_key
from nutrition import ciqual, products
from nutrition.models import (
    NUTRIENT_KEYS,
    CookingYield,
    DishIngredient,
    Food,
)
from nutrition.services.dishes import recompute_dish

# --- foods ------------------------------------------------------------------------------------


_SEASON_GROUPS = ("fruits, légumes, légumineuses et oléagineux",)


def _season_key(name: str) -> str:
    """The head noun of a name: 'Carottes, crues' and 'carotte' both give 'carotte'."""
    head = search_key(name).split(",")[0].strip()
    return " ".join(word.rstrip("sx") for word in head.split())


# Seasons are about fresh produce: canned, frozen, dried or processed foods keep none.
_NOT_FRESH = re.compile(
    r"appertis|surgel|\bsecs?\b|sèches?|séch|déshydrat|confit|préemballé|jus|compote|sirop|"
    r"conserve|lyophilis",
    re.IGNORECASE,
)


def season_months_by_code(foods: Iterable[ciqual.CiqualFood], seasons) -> dict[str, list[int]]:
    """Join the seasons file (by name) to fresh fruit and vegetables.

    A food takes the months of the longest season name its name starts with, word by word:
    "Tomate verte, crue" -> "tomate", "Pomme de terre, ..." -> "pomme de terre" (not "pomme").
    """
    by_key = {_season_key(name): sorted(months) for name, months in seasons.items()}
    result = {}
    for food in foods:
        if food.group_name not in _SEASON_GROUPS or _NOT_FRESH.search(food.name):
            continue
        words = _season_key(food.name).split()
        for length in range(len(words), 0, -1):
            months = by_key.get(" ".join(words[:length]))
            if months:
                result[food.code] = months
                break
    return result


@dataclass
class FoodImportResult:
    report: ciqual.CiqualImportReport
    created: int
    updated: int
    with_co2e: int
    in_season_data: int
    co2e_unmatched: list[str] = field(default_factory=list)


def _food_row(food: ciqual.CiqualFood, co2e, months, units) -> Food:
    kinds = {
        key: value.kind.value
        for key, value in food.nutrients.items()
        if value.kind in (ciqual.NutrientKind.TRACES, ciqual.NutrientKind.BELOW_LIMIT)
    }
    return Food(
        code=food.code,
        name=food.name,
        search_name=search_key(food.name),
        group_code=food.group_code,
        group_name=food.group_name or "",
        subgroup_name=food.subgroup_name or "",
        subsubgroup_name=food.subsubgroup_name or "",
        nutrient_kinds=kinds,
        co2e_per_kg=co2e,
        season_months=months,
        **{key: food.nutrients[key].amount for key in NUTRIENT_KEYS},
        **products.purchase_fields(
            food.code,
            food.name,
            food.subgroup_name or "",
            food.subsubgroup_name or "",
            units,
        ),
    )


def import_foods(
    *,
    ciqual_path: str | Path = ciqual.CIQUAL_PATH,
    agribalyse_path: str | Path | None = ciqual.AGRIBALYSE_PATH,
    seasons_path: str | Path | None = ciqual.SEASONS_PATH,
) -> FoodImportResult:
    """Upsert every food by CIQUAL code, all or nothing.

    Every file is parsed before the database is touched, so a bad row in any of them raises
    ``ciqual.DataFormatError`` (with every bad line) and leaves the table as it was.
    """
    parsed = ciqual.import_ciqual(ciqual_path)
    co2e = ciqual.read_agribalyse(agribalyse_path) if agribalyse_path else {}
    seasons = ciqual.read_seasons(seasons_path) if seasons_path else {}
    months = season_months_by_code(parsed.foods, seasons)
    units = {row.code: row for row in products.read_purchase_units()}
    rows = [_food_row(f, co2e.get(f.code), months.get(f.code, []), units) for f in parsed.foods]
    codes = {row.code for row in rows}
    with transaction.atomic():
        existing = set(Food.objects.filter(code__in=codes).values_list("code", flat=True))
        Food.objects.bulk_create(
            rows,
            batch_size=500,
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=[
                "name",
                "search_name",
                "group_code",
                "group_name",
                "subgroup_name",
                "subsubgroup_name",
                "nutrient_kinds",
                "co2e_per_kg",
                "season_months",
                *NUTRIENT_KEYS,
            ],
        )
        load_cooking_yields()
    return FoodImportResult(
        report=parsed.report,
        created=len(codes - existing),
        updated=len(existing),
        with_co2e=sum(1 for row in rows if row.co2e_per_kg is not None),
        in_season_data=len(months),
        co2e_unmatched=sorted(set(co2e) - codes),
    )


def load_cooking_yields(*, path: Path = products.YIELDS_FILE) -> int:
    """Create or refresh the yields of ``cooking_yields.csv`` whose foods are loaded.

    A yield the dietitian corrected (``updated_by`` set) is kept as they left it.
    """
    rows = products.read_yields(path)
    codes = {code for row in rows for code in (row.bought_code, row.served_code)}
    foods = {food.code: food for food in Food.objects.filter(code__in=codes)}
    current = {
        (y.food.code, y.served_food.code): y
        for y in CookingYield.objects.select_related("food", "served_food")
    }
    count = 0
    for row in rows:
        bought, served = foods.get(row.bought_code), foods.get(row.served_code)
        if bought is None or served is None:
            continue
        ratio, source = products.resolve_yield(row, bought.water, served.water)
        existing = current.get((row.bought_code, row.served_code))
        if existing is None:
            CookingYield.objects.create(food=bought, served_food=served, ratio=ratio, source=source)
        elif existing.updated_by_id is None and (existing.ratio, existing.source) != (
            ratio,
            source,
        ):
            existing.ratio, existing.source = ratio, source
            existing.save(update_fields=["ratio", "source", "updated_at"])
        count += 1
    return count


@transaction.atomic
def set_cooking_yield(
    *,
    cooking_yield: CookingYield,
    ratio: Decimal,
    source: str,
    actor: User,
    kitchens: Iterable[Canteen] = (),
) -> int:
    """The dietitian's own figure for a yield; kept when the data files are loaded again.

    The recipes of ``kitchens`` that used the old figure for this pair are updated so that
    their served portions stay what the dietitian set: the gross grams to buy change, the
    plate does not. Returns how many dishes were updated.
    """
    old = cooking_yield.ratio
    cooking_yield.ratio, cooking_yield.source, cooking_yield.updated_by = ratio, source, actor
    cooking_yield.full_clean()
    cooking_yield.save()
    rows = DishIngredient.objects.filter(
        dish__kitchen__in=list(kitchens),
        food=cooking_yield.food,
        served_food=cooking_yield.served_food,
        yield_factor=old,
    ).select_related("dish")
    dishes = {}
    for row in rows:
        for age in AgeGroup.values:
            gross = row.grams(age)
            if gross is not None:
                served = gross * old
                setattr(row, f"grams_{age}", (served / ratio).quantize(Decimal("0.1")))
        row.yield_factor = ratio
        row.save()
        dishes[row.dish_id] = row.dish
    for dish in dishes.values():
        recompute_dish(dish=dish)
    return len(dishes)
