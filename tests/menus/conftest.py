"""A kitchen with a small school catalogue whose tags make the GEMRCN rules satisfiable."""

from datetime import date

import pytest

from cantine.models import CoverForecast
from nutrition.models import CanteenRuleSet, Dish, DishTag, RuleSet
from nutrition.services import load_rule_presets

# component -> [(name prefix, tags, vegetarian, how many)]
CATALOGUE = {
    "entree": [
        ("Carottes râpées", {"raw_veg_fruit"}, False, 7),
        ("Potage", set(), False, 4),
        ("Friand", {"fatty_entree"}, False, 3),
    ],
    "main": [
        ("Dos de colin", {"fish_70"}, False, 4),
        ("Sauté de bœuf", {"unground_red_meat"}, False, 4),
        ("Dahl de lentilles", {"veg_pulses_cereals"}, True, 3),
        ("Omelette", {"veg_egg"}, True, 1),
        ("Poulet rôti", set(), False, 5),
        ("Hachis parmentier", {"low_protein_prep"}, False, 2),
    ],
    "side": [
        ("Haricots verts", {"cooked_veg"}, False, 7),
        ("Riz", {"starch_pulses"}, False, 7),
    ],
    "dairy": [
        ("Emmental", {"cheese_ca_150"}, False, 6),
        ("Camembert", {"cheese_ca_100_150"}, False, 4),
        ("Yaourt nature", {"dairy_ca100_fat5"}, False, 4),
    ],
    "dessert": [
        ("Pomme", {"raw_fruit_dessert"}, False, 8),
        ("Flan", {"dairy_ca100_fat5"}, False, 3),
        ("Gâteau", {"sweet_dessert"}, False, 3),
    ],
}

MONDAY = date(2027, 1, 4)


def make_catalogue(kitchen) -> dict[str, list[Dish]]:
    dishes: dict[str, list[Dish]] = {}
    for component, kinds in CATALOGUE.items():
        for prefix, tags, vegetarian, count in kinds:
            for number in range(1, count + 1):
                dish = Dish.objects.create(
                    kitchen=kitchen,
                    name=f"{prefix} {number}",
                    component=component,
                    is_vegetarian=vegetarian,
                    co2e_per_portion=0.2 + 0.1 * number,
                )
                DishTag.objects.bulk_create(
                    DishTag(dish=dish, tag=tag, computed=True, applies=True, reason="test")
                    for tag in tags
                )
                dishes.setdefault(component, []).append(dish)
    return dishes


@pytest.fixture
def school_rules(db) -> RuleSet:
    return next(rs for rs in load_rule_presets() if rs.rules.count() == 15)


@pytest.fixture
def kitchen(world, school_rules):
    """The world's central kitchen, serving Monday to Friday, with its catalogue and rules."""
    for weekday in range(5):
        CoverForecast.objects.create(
            canteen=world.satellite, weekday=weekday, age_group="elementaire", covers=100
        )
    CanteenRuleSet.objects.create(canteen=world.kitchen, rule_set=school_rules)
    world.kitchen.catalogue = make_catalogue(world.kitchen)
    return world.kitchen
