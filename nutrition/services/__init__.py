"""Writes of the nutrition app: food imports, dishes and their tags, rule sets with history.

One module per aggregate: ``foods`` (the CIQUAL/AGRIBALYSE import, seasons, cooking yields),
``dishes`` (recipes, their analysis and tags, the dietitian's overrides), ``rule_sets``
(presets, edits with history, copies, assignment, portions and nutrient bounds). Every public
name is importable from the package itself; patch a name in the module that looks it up
(``nutrition.services.dishes.recompute_dish``), not here.
"""

from nutrition.services.dishes import (
    CO2E_PLACES,
    DISH_FIELDS,
    DishAnalysis,
    IngredientData,
    NutrientTotal,
    analyse,
    known_yield,
    override_tag,
    recompute_dish,
    save_dish,
)
from nutrition.services.foods import (
    FoodImportResult,
    import_foods,
    load_cooking_yields,
    season_months_by_code,
    set_cooking_yield,
)
from nutrition.services.foods import _food_row as _food_row  # tests build rows with it
from nutrition.services.rule_sets import (
    PRESET_NAMES,
    RULE_FIELDS,
    SETTING_FIELDS,
    ReadOnlyRuleSet,
    RuleData,
    assign_rule_set,
    copy_rule_set,
    load_portion_sizes,
    load_rule_presets,
    set_nutrient_bounds,
    unique_copy_name,
    update_rule_set,
)

__all__ = [
    "CO2E_PLACES",
    "DISH_FIELDS",
    "DishAnalysis",
    "FoodImportResult",
    "IngredientData",
    "NutrientTotal",
    "PRESET_NAMES",
    "RULE_FIELDS",
    "ReadOnlyRuleSet",
    "RuleData",
    "SETTING_FIELDS",
    "analyse",
    "assign_rule_set",
    "copy_rule_set",
    "import_foods",
    "known_yield",
    "load_cooking_yields",
    "load_portion_sizes",
    "load_rule_presets",
    "override_tag",
    "recompute_dish",
    "save_dish",
    "season_months_by_code",
    "set_cooking_yield",
    "set_nutrient_bounds",
    "unique_copy_name",
    "update_rule_set",
]
