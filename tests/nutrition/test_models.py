"""Dishes, their stored tags and overrides, rule sets: through the models and services."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from nutrition.models import (
    Component,
    Dish,
    DishIngredient,
    DishTag,
    FrequencyRule,
    RuleSet,
    RuleSetChange,
    TagOverride,
)
from nutrition.services import (
    IngredientData,
    RuleData,
    copy_rule_set,
    load_rule_presets,
    override_tag,
    save_dish,
    update_rule_set,
)

AGES = ("maternelle", "elementaire", "college_lycee")

D = Decimal


def row(dish, tag) -> DishTag:
    return dish.tag_rows.get(tag=tag)


def test_emmental_portion_is_a_cheese_over_150_mg_calcium(make_dish):
    dish = make_dish("dairy", ("12115", 30), name="Emmental")  # 978 mg Ca / 100 g
    cheese = row(dish, "cheese_ca_150")
    assert cheese.applies is True
    assert cheese.reason == "calcium du fromage 293 mg/portion ≥ 150 mg"
    assert row(dish, "cheese_ca_100_150").applies is False
    assert "cheese_ca_150" in dish.tags
    assert dish.reference_age_group == "elementaire"


def test_smaller_portion_moves_the_cheese_to_the_lower_band(make_dish):
    dish = make_dish("dairy", ("12115", 12), name="Emmental, petite portion")  # 117.4 mg
    assert "cheese_ca_100_150" in dish.tags
    assert "cheese_ca_150" not in dish.tags


def test_unknown_calcium_is_not_a_tag_and_says_why(make_dish):
    dish = make_dish("dairy", ("12099", 30), name="Emmental de Savoie")  # calcium "-"
    cheese = row(dish, "cheese_ca_150")
    assert cheese.applies is None
    assert "Emmental de Savoie" in cheese.reason
    assert "cheese_ca_150" not in dish.tags


def test_nutrients_per_100g_keep_missing_distinct_from_zero(food):
    savoie = food("12099")
    assert savoie.calcium is None
    assert savoie.nutrient("calcium").kind == "missing"
    carrot = food("20009")  # fat "< 0,5": below the quantification limit
    assert carrot.fat == 0
    assert carrot.nutrient("fat").kind == "below_limit"


def test_co2e_per_portion_comes_from_agribalyse(make_dish, food):
    dish = make_dish("entree", ("20009", 80), name="Carottes râpées")
    carrot = food("20009")
    assert carrot.co2e_per_kg is not None
    assert dish.co2e_per_portion == pytest.approx(D(80) * carrot.co2e_per_kg / 1000)
    assert "raw_veg_fruit" in dish.tags


def test_vegetarian_flag_is_computed_and_meat_wins_over_a_declaration(make_dish):
    lentils = make_dish("main", ("20587", 200), name="Lentilles")  # no meat nor fish
    assert lentils.is_vegetarian is True
    assert "vegetarian" in lentils.tags
    chicken = make_dish("main", ("36018", 100), name="Poulet", vegetarian_declared=True)
    assert chicken.is_vegetarian is False
    assert "poulet" in row(chicken, "vegetarian").reason.lower()


def test_override_wins_is_recorded_and_can_be_withdrawn(make_dish, world):
    dish = make_dish("dairy", ("12099", 30), name="Emmental de Savoie")
    dietitian = world.users["dietitian"]
    override_tag(
        dish=dish,
        tag="cheese_ca_150",
        value=True,
        reason="Fiche technique du fournisseur : 1 000 mg/100 g",
        actor=dietitian,
    )
    stored = row(dish, "cheese_ca_150")
    assert (stored.applies, stored.computed, stored.overridden) == (True, None, True)
    assert "Fiche technique" in stored.reason
    assert "cheese_ca_150" in Dish.objects.get(pk=dish.pk).tags
    override_tag(dish=dish, tag="cheese_ca_150", value=None, reason="erreur", actor=dietitian)
    assert row(dish, "cheese_ca_150").applies is None
    assert TagOverride.objects.filter(dish=dish).count() == 2  # history kept


def test_override_survives_a_recipe_edit(make_dish, world, food):
    dish = make_dish("dessert", ("13039", 120), name="Pomme")
    override_tag(
        dish=dish,
        tag="raw_fruit_dessert",
        value=False,
        reason="cuite",
        actor=world.users["dietitian"],
    )
    save_dish(
        kitchen=world.kitchen,
        dish=dish,
        fields={"name": "Pomme", "component": "dessert"},
        ingredients=[IngredientData(food("13039"), {"elementaire": D(100)})],
    )
    assert "raw_fruit_dessert" not in Dish.objects.get(pk=dish.pk).tags


def test_override_needs_a_reason(make_dish, world):
    dish = make_dish("dairy", ("12115", 30))
    with pytest.raises(ValidationError):
        override_tag(
            dish=dish, tag="cheese_ca_150", value=False, reason=" ", actor=world.users["dietitian"]
        )
    assert not TagOverride.objects.exists()


def test_tags_use_the_first_age_group_every_ingredient_has(world, food):
    dish = save_dish(
        kitchen=world.kitchen,
        fields={"name": "Emmental adultes", "component": "dairy"},
        ingredients=[IngredientData(food("12115"), {"adult": D(40), "maternelle": D(10)})],
    )
    assert dish.reference_age_group == "adult"
    assert "cheese_ca_150" in dish.tags


def test_bad_recipe_is_refused_and_nothing_is_saved(world, food):
    with pytest.raises(ValidationError):
        save_dish(
            kitchen=world.kitchen,
            fields={"name": "Carottes", "component": "entree"},
            ingredients=[
                IngredientData(food("20009"), {"elementaire": D(80)}, frozenset({"raw", "cooked"}))
            ],
        )
    assert not Dish.objects.exists()


def test_allergens_must_be_the_eu_list(world, food):
    with pytest.raises(ValidationError) as error:
        save_dish(
            kitchen=world.kitchen,
            fields={"name": "Gâteau", "component": "dessert", "allergens": ["gluten", "kiwi"]},
            ingredients=[IngredientData(food("13039"), {"elementaire": D(100)})],
        )
    assert "kiwi" in str(error.value)


def test_presets_load_once_with_the_legal_thresholds(db):
    load_rule_presets()
    load_rule_presets()
    school = RuleSet.objects.get(name__startswith="GEMRCN")
    assert RuleSet.objects.filter(is_preset=True).count() == 2
    rules = {
        code: (tag, low, high, window) for code, tag, low, high, window in school.rule_tuples()
    }
    assert len(rules) == 15
    assert rules["gemrcn-9"] == ("fish_70", 4, None, 20)
    assert rules["gemrcn-10"] == ("low_protein_prep", None, 3, 20)
    assert rules["gemrcn-3"] == ("cooked_veg", 10, 10, 20)
    assert school.min_meals_between_repeats == 10
    veg = RuleSet.objects.get(name__startswith="Menus végétariens")
    assert veg.vegetarian_per_week == 1
    assert ("cnrc-vegetarian", "vegetarian", 4, None, 20) in veg.rule_tuples()


def test_presets_cannot_be_edited(school, world):
    rule = school.rules.get(code="gemrcn-9")
    with pytest.raises(ValidationError):
        update_rule_set(
            rule_set=school,
            actor=world.users["dietitian"],
            rules=[RuleData("gemrcn-9", "fish_70", 2, None, 20, ["main"], pk=rule.pk)],
        )
    assert school.rules.get(code="gemrcn-9").min == 4


def test_rule_edit_is_recorded_with_before_and_after(school, world):
    copy = copy_rule_set(
        source=school, name="EHPAD", owner=world.kitchen, actor=world.users["dietitian"]
    )
    rule = copy.rules.get(code="gemrcn-9")
    changes = update_rule_set(
        rule_set=copy,
        actor=world.users["dietitian"],
        rules=[RuleData("gemrcn-9", "fish_70", 6, None, 20, ["main"], rule.text, pk=rule.pk)],
    )
    assert len(changes) == 1
    change = RuleSetChange.objects.get(rule_set=copy, action="rule_changed")
    assert change.author == world.users["dietitian"]
    assert change.changed_fields() == [("min", 4, 6)]


def test_unchanged_rules_record_nothing(school, world):
    copy = copy_rule_set(source=school, name="Copie", owner=world.kitchen, actor=None)
    rules = [
        RuleData(r.code, r.tag, r.min, r.max, r.window, r.components, r.text, pk=r.pk)
        for r in copy.rules.all()
    ]
    assert update_rule_set(rule_set=copy, actor=None, rules=rules) == []


def test_copy_is_independent_of_the_original(school, world):
    copy = copy_rule_set(source=school, name="EHPAD", owner=world.kitchen, actor=None)
    assert copy.rule_tuples() == school.rule_tuples()
    assert copy.based_on == school and not copy.is_preset
    first = copy.rules.get(code="gemrcn-1")
    update_rule_set(
        rule_set=copy,
        actor=None,
        rules=[RuleData("gemrcn-1", "raw_veg_fruit", 12, None, 20, ["entree"], pk=first.pk)],
        removed=[copy.rules.get(code="gemrcn-15").pk],
        settings={"meals_per_week": 7},
    )
    school.refresh_from_db()
    assert school.rules.get(code="gemrcn-1").min == 10
    assert school.rules.filter(code="gemrcn-15").exists()
    assert school.meals_per_week == 5
    assert len(copy.rule_tuples()) == 14


def test_a_rule_needs_coherent_bounds(school, world):
    copy = copy_rule_set(source=school, name="Copie", owner=world.kitchen, actor=None)
    with pytest.raises(ValidationError):
        update_rule_set(
            rule_set=copy,
            actor=None,
            rules=[RuleData("new", "fried", 5, 2, 20, ["main"])],
        )
    with pytest.raises(ValidationError):
        update_rule_set(
            rule_set=copy, actor=None, rules=[RuleData("new", "fried", None, 30, 20, ["main"])]
        )
    assert not FrequencyRule.objects.filter(rule_set=copy, code="new").exists()


def test_demo_catalogue_is_realistic_and_seeding_twice_changes_nothing(world):
    from demo.seed import CATALOGUE, DEMO_RULE_SET, seed_nutrition
    from nutrition.selectors import rule_set_for

    counts = seed_nutrition(world.kitchen)
    assert counts["foods"] == 3484
    assert counts["dishes"] == len(CATALOGUE) >= 120
    dishes = Dish.objects.filter(kitchen=world.kitchen)
    per_component = {c: dishes.filter(component=c).count() for c in Component.values}
    assert min(per_component.values()) >= 20
    assert not dishes.filter(reference_age_group="").exists()
    steak = dishes.get(name="Steak haché").ingredients.get()
    assert steak.food.name == "Boeuf, steak haché 10% MG cru"  # bought raw, served cooked
    served = [steak.served_grams(age).quantize(Decimal(1)) for age in AGES]
    assert served == [50, 70, 100]  # annex II, on the plate
    for ingredient in DishIngredient.objects.filter(dish__kitchen=world.kitchen):
        assert ingredient.food.purchasable, ingredient  # every recipe names a product bought
    for tag in ("fish_70", "unground_red_meat", "raw_veg_fruit", "cheese_ca_150", "fried"):
        assert dishes.filter(tag_rows__tag=tag, tag_rows__applies=True).exists(), tag
    assert dishes.filter(component="main", is_vegetarian=True).count() >= 8
    rule_set = rule_set_for(world.satellite)
    assert rule_set.name == DEMO_RULE_SET and rule_set.rules.count() == 20
    assert rule_set.vegetarian_per_week == 1
    before = list(dishes.values_list("pk", "name", "co2e_per_portion"))
    assert seed_nutrition(world.kitchen)["dishes"] == counts["dishes"]
    assert list(dishes.values_list("pk", "name", "co2e_per_portion")) == before
