"""Nutrition fixtures: real CIQUAL foods on demand, dishes and rule sets in the world's kitchen."""

from decimal import Decimal
from functools import cache

import pytest

from cantine.models import Role
from nutrition import ciqual, products
from nutrition.models import Food
from nutrition.services import (
    IngredientData,
    _food_row,
    load_rule_presets,
    save_dish,
)
from tests.factories import MembershipFactory, UserFactory


@cache
def _parsed():
    foods = {food.code: food for food in ciqual.read_ciqual()}
    return foods, ciqual.read_agribalyse()


@cache
def _units():
    return {row.code: row for row in products.read_purchase_units()}


@cache
def _bought_for_served() -> dict[str, str]:
    """CIQUAL code of the product bought for each cooked food of ``cooking_yields.csv``."""
    pairs = {}
    for row in products.read_yields():
        pairs.setdefault(row.served_code, row.bought_code)
    return pairs


@pytest.fixture
def food(db):
    """food("12115") -> the real CIQUAL Emmental, saved (with its AGRIBALYSE CO2e)."""

    def make(code: str) -> Food:
        existing = Food.objects.filter(code=code).first()
        if existing:
            return existing
        foods, co2e = _parsed()
        row = _food_row(foods[code], co2e.get(code), [], _units())
        row.save()
        return row

    return make


@pytest.fixture
def make_dish(world, food):
    """make_dish("dairy", ("12115", 30)) -> a saved dish of the world's kitchen."""

    def ingredient(code, grams, *extra):
        """A recipe line served as ``code``; a cooked food is bought as its raw product.

        The grams are the served ones (yield 1), so tags see the portion the test describes.
        """
        served = food(code)
        bought, served_food = served, None
        if not served.purchasable:
            bought, served_food = food(_bought_for_served()[code]), served
        return IngredientData(
            food=bought,
            grams={"elementaire": Decimal(str(grams))},
            flags=frozenset(extra[0]) if extra else frozenset(),
            served_food=served_food,
            yield_factor=Decimal(1) if served_food else None,
        )

    def make(component, *parts, name=None, kitchen=None, **fields):
        ingredients = [ingredient(*part) for part in parts]
        fields = {"name": name or f"{component} {len(parts)}", "component": component, **fields}
        return save_dish(kitchen=kitchen or world.kitchen, fields=fields, ingredients=ingredients)

    return make


@pytest.fixture
def presets(db):
    return {rule_set.rules.count(): rule_set for rule_set in load_rule_presets()}


@pytest.fixture
def school(presets):
    """The GEMRCN school preset (15 rules)."""
    return presets[15]


@pytest.fixture
def other_dietitian(world):
    """A dietitian of the other canteen: must never see the world kitchen's data."""
    return MembershipFactory(
        user=UserFactory(username="other_dietitian"),
        canteen=world.other_canteen,
        role=Role.DIETITIAN,
    ).user
