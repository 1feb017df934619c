"""Foods (CIQUAL), dishes with their recipe and GEMRCN tags, and rule sets as editable data.

The arithmetic lives in the pure modules (``nutrition.ciqual``, ``nutrition.classification``,
``nutrition.presets``); these models store their inputs and results so pages and the planner can
query them. Writes go through ``nutrition.services`` which keeps the stored tags in step.

One module per aggregate: ``choices`` (components, allergens, GEMRCN tag labels and the field
validators), ``foods`` (CIQUAL foods, cooking yields, a kitchen's food prices), ``dishes`` (a
dish, its recipe and its tags), ``rule_sets`` (rule sets, their rules and history, nutrient
bounds and portion sizes). Every public name is importable from ``nutrition.models``; the
migrations name the validators there.
"""

from nutrition.models.choices import (
    NUTRIENT_KEYS,
    TAG_CHOICES,
    TAG_LABELS,
    Allergen,
    Component,
    validate_allergens,
    validate_components,
    validate_months,
)
from nutrition.models.dishes import Dish, DishIngredient, DishTag, TagOverride
from nutrition.models.foods import MAX_YIELD, MIN_YIELD, CookingYield, Food, FoodPrice
from nutrition.models.rule_sets import (
    CanteenRuleSet,
    FrequencyRule,
    NutrientBound,
    PortionSize,
    RuleSet,
    RuleSetChange,
)
from nutrition.portions import REFERENCE_AGE_ORDER, served_grams

__all__ = [
    "Allergen",
    "Component",
    "NUTRIENT_KEYS",
    "TAG_CHOICES",
    "TAG_LABELS",
    "validate_allergens",
    "validate_components",
    "validate_months",
    "CookingYield",
    "Food",
    "FoodPrice",
    "MAX_YIELD",
    "MIN_YIELD",
    "Dish",
    "DishIngredient",
    "DishTag",
    "TagOverride",
    "CanteenRuleSet",
    "FrequencyRule",
    "NutrientBound",
    "PortionSize",
    "RuleSet",
    "RuleSetChange",
    "REFERENCE_AGE_ORDER",
    "served_grams",
]
