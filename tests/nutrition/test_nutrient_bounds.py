"""Per-meal nutrient bounds by age group, annex II portions, and the check on served meals."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from menus import services as menu_services
from menus.models import Meal
from menus.selectors import nutrient_check
from nutrition.models import Dish, DishIngredient, Food, NutrientBound, RuleSetChange
from nutrition.services import copy_rule_set, load_rule_presets, set_nutrient_bounds

MONDAY = date(2027, 1, 4)


@pytest.fixture
def presets(db):
    return load_rule_presets()


def test_school_preset_carries_the_annex_ii_portions(presets):
    school = next(rs for rs in presets if rs.rules.count() == 15)
    steak = school.portion_sizes.filter(product__startswith="Steak haché de bœuf")
    assert {(p.age_group, p.min) for p in steak} >= {
        ("maternelle", Decimal("50")),
        ("elementaire", Decimal("70")),
        ("college_lycee", Decimal("100")),
    }
    count = school.portion_sizes.count()
    load_rule_presets()
    assert school.portion_sizes.count() == count


def test_bounds_are_copied_and_changes_recorded(world, presets):
    school = presets[0]
    copy = copy_rule_set(source=school, name="EHPAD", actor=None, owner=world.kitchen)
    set_nutrient_bounds(
        rule_set=copy,
        grid={("adult", "calcium"): (Decimal("300"), None)},
        actor=world.users["dietitian"],
    )
    assert copy.portion_sizes.count() == school.portion_sizes.count()
    assert NutrientBound.objects.get(rule_set=copy).min == 300
    change = RuleSetChange.objects.get(rule_set=copy, action="nutrients")
    assert change.after == {"min_max": ["300", None]}
    set_nutrient_bounds(
        rule_set=copy, grid={("adult", "calcium"): (Decimal("300.00"), None)}, actor=None
    )
    assert RuleSetChange.objects.filter(rule_set=copy, action="nutrients").count() == 1
    again = copy_rule_set(source=copy, name="EHPAD bis", actor=None, owner=world.kitchen)
    assert again.nutrient_bounds.get().min == 300


def test_meal_intake_is_checked_against_the_bounds(world, presets):
    rule_set = copy_rule_set(source=presets[0], name="Mine", actor=None, owner=world.kitchen)
    cheese = Food.objects.create(code="X1", name="Fromage test", calcium=Decimal("800"))
    mystery = Food.objects.create(code="X2", name="Inconnu", calcium=None)
    rich = Dish.objects.create(kitchen=world.kitchen, name="Fromage", component="dairy")
    DishIngredient.objects.create(dish=rich, food=cheese, grams_elementaire=Decimal("30"))
    unknown = Dish.objects.create(kitchen=world.kitchen, name="Mystère", component="dairy")
    DishIngredient.objects.create(dish=unknown, food=mystery, grams_elementaire=Decimal("30"))
    menu_services.ensure_meals(canteen=world.kitchen, start=MONDAY, end=MONDAY + timedelta(days=4))
    days = list(Meal.objects.filter(canteen=world.kitchen).order_by("date"))
    menu_services.set_course(meal=days[0], component="dairy", dish=rich)  # 240 mg
    menu_services.set_course(meal=days[1], component="dairy", dish=unknown)
    set_nutrient_bounds(
        rule_set=rule_set,
        grid={("elementaire", "calcium"): (Decimal("250"), None)},
        actor=None,
    )
    [result] = nutrient_check(world.kitchen, MONDAY, MONDAY + timedelta(days=4), rule_set)
    assert result.meals == 2
    assert result.failing == [(MONDAY, Decimal("240.0"))]
    assert result.unknown == [MONDAY + timedelta(days=1)]


def test_dietitian_edits_bounds_and_a_cook_only_reads(client, world, presets):
    rule_set = copy_rule_set(source=presets[0], name="Mine", actor=None, owner=world.kitchen)
    url = reverse("rule_set_nutrients", kwargs={"pk": rule_set.pk})
    client.force_login(world.users["cook"])
    assert client.get(url).status_code == 200
    assert client.post(url, {"elementaire__calcium__min": "250"}).status_code == 403
    client.force_login(world.users["dietitian"])
    bad = client.post(url, {"elementaire__calcium__min": "300", "elementaire__calcium__max": "100"})
    assert bad.status_code == 400 and not NutrientBound.objects.exists()
    assert 'value="300"' in bad.content.decode()
    assert client.post(url, {"elementaire__calcium__min": "250"}).status_code == 302
    assert NutrientBound.objects.get().min == 250
    client.force_login(world.users["producer"])
    assert client.get(url).status_code == 403
    client.force_login(world.users["outsider_cook"])
    assert client.get(url).status_code == 404


def test_a_preset_is_read_only(client, world, presets):
    client.force_login(world.users["dietitian"])
    url = reverse("rule_set_nutrients", kwargs={"pk": presets[0].pk})
    assert client.get(url).status_code == 200
    assert client.post(url, {"elementaire__calcium__min": "250"}).status_code == 403
