"""The nutrition API: food search, dishes written through the same service, rule set edits."""

import pytest
from django.urls import reverse

from nutrition.models import Dish, RuleSet, RuleSetChange
from nutrition.services import copy_rule_set

JSON = {"content_type": "application/json"}


@pytest.fixture
def api(client, world):
    client.force_login(world.users["dietitian"])
    return client


def test_food_search_and_unknown_values(api, food):
    food("12115")
    food("12099")
    food("9104")
    results = api.get(reverse("food-list"), {"search": "emmental"}).json()["results"]
    by_code = {row["code"]: row for row in results}
    assert set(by_code) == {"12115", "12099"}
    assert by_code["12115"]["calcium"] == "978.000000"
    assert by_code["12099"]["calcium"] is None  # unknown, not zero


def test_dietitian_creates_a_dish_and_gets_its_tags(api, world, food):
    food("12115")
    payload = {
        "kitchen": world.kitchen.pk,
        "name": "Emmental",
        "component": "dairy",
        "allergens": ["milk"],
        "ingredients": [{"food": "12115", "grams_elementaire": "30", "grams_maternelle": "20"}],
    }
    response = api.post(reverse("dish-list"), payload, **JSON)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert "cheese_ca_150" in body["tags"]
    reasons = {row["tag"]: row["reason"] for row in body["tag_details"]}
    assert reasons["cheese_ca_150"] == "calcium du fromage 293 mg/portion ≥ 150 mg"
    assert body["ingredients"][0]["grams_maternelle"] == "20.0"
    assert Dish.objects.get().kitchen == world.kitchen


def test_dish_write_errors_are_clear_and_save_nothing(api, world, food):
    food("12115")
    payload = {
        "kitchen": world.other_canteen.pk,
        "name": "Ailleurs",
        "component": "dairy",
        "ingredients": [{"food": "99999", "grams_elementaire": "30"}],
    }
    response = api.post(reverse("dish-list"), payload, **JSON)
    assert response.status_code == 400
    errors = response.json()
    assert "kitchen" in errors and "ingredients" in errors
    assert not Dish.objects.exists()


def test_patch_keeps_the_recipe_and_recomputes(api, make_dish):
    dish = make_dish("dairy", ("12115", 30), name="Emmental")
    url = reverse("dish-detail", kwargs={"pk": dish.pk})
    response = api.patch(url, {"component": "entree", "status": "validated"}, **JSON)
    assert response.status_code == 200, response.json()
    dish.refresh_from_db()
    assert (dish.component, dish.status, dish.ingredients.count()) == ("entree", "validated", 1)
    assert "fatty_entree" in dish.tags  # Emmental is 28 % fat, counted now as a starter


def test_cook_reads_the_catalogue(client, world, make_dish):
    make_dish("dairy", ("12115", 30), name="Emmental")
    client.force_login(world.users["cook"])
    results = client.get(reverse("dish-list")).json()["results"]
    assert [row["name"] for row in results] == ["Emmental"]


def test_outsider_sees_no_dish(client, world, make_dish):
    make_dish("dairy", ("12115", 30), name="Emmental")
    client.force_login(world.users["outsider_cook"])
    assert client.get(reverse("dish-list")).json()["count"] == 0


def test_rule_set_patch_is_recorded(api, world, school):
    own = copy_rule_set(source=school, name="Maison", owner=world.kitchen, actor=None)
    url = reverse("ruleset-detail", kwargs={"pk": own.pk})
    rules = api.get(url).json()["rules"]
    for rule in rules:
        if rule["code"] == "gemrcn-9":
            rule["min"] = 5
    rules = [rule for rule in rules if rule["code"] != "gemrcn-15"]
    response = api.patch(url, {"rules": rules, "meals_per_week": 4}, **JSON)
    assert response.status_code == 200, response.json()
    assert ("gemrcn-9", "fish_70", 5, None, 20) in own.rule_tuples()
    assert len(own.rule_tuples()) == 14
    actions = set(RuleSetChange.objects.filter(rule_set=own).values_list("action", "subject"))
    assert {("rule_changed", "gemrcn-9"), ("rule_removed", "gemrcn-15")} <= actions
    assert ("settings", "Maison") in actions


def test_rule_set_bad_rule_is_refused(api, world, school):
    own = copy_rule_set(source=school, name="Maison", owner=world.kitchen, actor=None)
    url = reverse("ruleset-detail", kwargs={"pk": own.pk})
    rules = api.get(url).json()["rules"]
    rules[0]["min"], rules[0]["max"] = 9, 2
    response = api.patch(url, {"rules": rules}, **JSON)
    assert response.status_code == 400
    assert own.rules.get(code=rules[0]["code"]).min == 10


def test_copy_action(api, world, school):
    url = reverse("ruleset-copy", kwargs={"pk": school.pk})
    response = api.post(url, {"name": "EHPAD", "owner": world.kitchen.pk}, **JSON)
    assert response.status_code == 201
    copy = RuleSet.objects.get(name="EHPAD")
    assert copy.based_on == school and copy.rule_tuples() == school.rule_tuples()
    response = api.post(url, {"name": "Ailleurs", "owner": world.other_canteen.pk}, **JSON)
    assert response.status_code == 400


def test_schema_is_valid(api):
    response = api.get(reverse("api_schema"))
    assert response.status_code == 200
    assert b"/api/dishes/" in response.content and b"/api/rule-sets/{id}/copy/" in response.content
