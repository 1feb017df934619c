"""The demo's nutrition and menus: a school catalogue built from real CIQUAL foods, the
kitchen's rule set, and the four weeks just served, planned by the optimiser."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache

from django.db import transaction

from cantine.models import Canteen, User
from demo import datafiles

# An ingredient: (CIQUAL code of the food as served, grams on the plate) where grams is the
# primary-school portion (scaled to 0.7x nursery and 1.4x secondary/adults) or (nursery,
# primary, secondary) from annex II of the arrêté du 30 septembre 2011 where it gives one (a
# product bought by the piece is one piece for everyone); flags go third. A cooked food is
# bought as its raw product (nutrition/data/cooking_yields.csv): the seed turns the served
# grams into gross grams bought with the pair's yield.
CATALOGUE: list[tuple[str, str, tuple, str]] = datafiles.catalogue()
# Dishes whose composite CIQUAL food does not say it holds no meat: the dietitian declares it.
DECLARED_VEGETARIAN = set(datafiles.read("catalogue.json")["declared_vegetarian"])
PORK = set(datafiles.read("catalogue.json")["pork"])
DEMO_RULE_SET = "Cuisine centrale d'Angers — scolaire"


def _grams(spec) -> dict[str, Decimal]:
    if isinstance(spec, tuple):
        nursery, primary, secondary = (Decimal(value) for value in spec)
    else:
        primary = Decimal(spec)
        nursery, secondary = (primary * Decimal("0.7")).quantize(1), (primary * Decimal("1.4"))
        secondary = secondary.quantize(1)
    return {
        "maternelle": nursery,
        "elementaire": primary,
        "college_lycee": secondary,
        "adult": secondary,
    }


@lru_cache(maxsize=1)
def bought_codes() -> dict[str, str]:
    """CIQUAL code of the product bought for each cooked food (``cooking_yields.csv``)."""
    from nutrition.products import read_yields

    pairs: dict[str, str] = {}
    for row in read_yields():
        pairs.setdefault(row.served_code, row.bought_code)
    return pairs


def _ingredient(foods, yields, code: str, grams, flags):
    """A recipe line served as ``code``: bought as itself, or as its raw product (gross grams)."""
    from nutrition.services import IngredientData

    served = foods[code]
    portion = _grams(grams)
    if served.purchasable:
        return IngredientData(food=served, grams=portion, flags=frozenset(flags))
    bought = foods[bought_codes()[code]]
    ratio = yields[(bought.code, code)]
    gross = {age: (value / ratio).quantize(Decimal("0.1")) for age, value in portion.items()}
    return IngredientData(
        food=bought,
        grams=gross,
        flags=frozenset(flags),
        served_food=served,
        yield_factor=ratio,
    )


@transaction.atomic
def seed_nutrition(kitchen: Canteen) -> dict[str, int]:
    """Foods (if not loaded yet), the rule presets, a dish catalogue and the kitchen's rule set.

    Dishes are looked up by name in the kitchen: one the dietitian already changed is kept.
    """
    from nutrition.models import CanteenRuleSet, CookingYield, Dish, Food, RuleSet
    from nutrition.services import (
        assign_rule_set,
        copy_rule_set,
        import_foods,
        load_cooking_yields,
        load_rule_presets,
        save_dish,
    )

    if not Food.objects.exists():
        import_foods()
    load_cooking_yields()
    foods = {food.code: food for food in Food.objects.all()}
    yields = {(y.food.code, y.served_food.code): y.ratio for y in CookingYield.objects.all()}
    school, vegetarian = load_rule_presets()
    existing = set(Dish.objects.filter(kitchen=kitchen).values_list("name", flat=True))
    for name, component, parts, allergens in CATALOGUE:
        if name in existing:
            continue
        ingredients = [
            _ingredient(foods, yields, code, grams, extra[0] if extra else ())
            for code, grams, *extra in parts
        ]
        fields = {
            "name": name,
            "component": component,
            "allergens": [a for a in allergens.split(",") if a],
            "contains_pork": name in PORK,
            "vegetarian_declared": True if name in DECLARED_VEGETARIAN else None,
            "status": Dish.Status.VALIDATED,
        }
        save_dish(kitchen=kitchen, fields=fields, ingredients=ingredients)
    rule_set = RuleSet.objects.filter(name=DEMO_RULE_SET).first()
    if rule_set is None:
        rule_set = copy_rule_set(
            source=school, name=DEMO_RULE_SET, owner=kitchen, actor=None, also_from=[vegetarian]
        )
    if not CanteenRuleSet.objects.filter(canteen=kitchen).exists():
        assign_rule_set(canteen=kitchen, rule_set=rule_set, actor=None)
    return {
        "foods": len(foods),
        "dishes": Dish.objects.filter(kitchen=kitchen).count(),
        "rules": rule_set.rules.count(),
    }


# --- menus: the four weeks just served, planned by the optimiser ---------------------------------


# The demo's four weeks of history, planned in 8 s rather than the planner's 20 (every browser
# test seeds the demo again). Measured on its catalogue (lowest carbon, 20 meals) on a quiet
# machine: 2 s ends 10 % above the bound, 3 s 0.9 %, 10 s proves it within 0.5 %, 20 s 0.6 %
# (the menus differ by 0.15 % of CO2e); 8 s keeps a margin for a machine 2 to 3 times loaded.
DEMO_PLAN_SECONDS = 8.0


def _twenty_school_days_before(kitchen: Canteen, end: date) -> date:
    """The first of the 20 service days up to ``end``, holidays skipped: one full GEMRCN
    window, so that the cook's next plan continues it (a shorter history meets the minimums
    scaled down, 3 fish in 19 meals, and leaves the 20th meal owing fish and red meat)."""
    from menus.closures import days_off
    from menus.services import service_weekdays

    weekdays = set(service_weekdays(kitchen))
    off = days_off(kitchen, end - timedelta(weeks=12), end)
    day, found = end, 0
    while True:
        if day.weekday() in weekdays and day not in off:
            found += 1
            if found == 20:
                return day
        day -= timedelta(days=1)


def seed_menus(kitchen: Canteen, today: date | None = None) -> int:
    """Plan the 20 school days before this week, so compliance windows and reports have a
    history.

    Skipped when those weeks already hold dishes (the cook's own menus are never replaced).
    """
    from django.utils import timezone

    from menus.models import MealDish, MenuPolicy
    from menus.policies import add_default_variety_rules, set_season_policy
    from menus.services import plan_now
    from nutrition.selectors import rule_set_for

    monday = (today or timezone.localdate()) - timedelta(
        days=(today or timezone.localdate()).weekday()
    )
    end = monday - timedelta(days=1)
    start = _twenty_school_days_before(kitchen, end)
    served = MealDish.objects.filter(meal__canteen=kitchen, meal__date__range=(start, end))
    rule_set = rule_set_for(kitchen)
    # The dietitian's menu rules beside GEMRCN: variety (main protein not two days running, a
    # starch at most twice a week, no week half a copy of another); in-season produce preferred
    # (only in season leaves winter with too few cooked vegetables for rule 3 in this catalogue).
    add_default_variety_rules(rule_set=rule_set)
    if not MenuPolicy.objects.filter(rule_set=rule_set).exists():
        set_season_policy(rule_set=rule_set, season=MenuPolicy.Season.PREFER)
    if not served.exists():
        plan_now(
            canteen=kitchen,
            start=start,
            end=end,
            preset="lowest_carbon",
            rule_set=rule_set,
            actor=User.objects.filter(username="cuisinier").first(),
            time_limit_s=DEMO_PLAN_SECONDS,
        )
    return served.values("meal").distinct().count()
