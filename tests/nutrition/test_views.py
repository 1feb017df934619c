"""The dietitian's pages: filters, the dish editor and its live panel, overrides, rule sets."""

import pytest
from django.urls import reverse

from nutrition.models import Dish, RuleSet, RuleSetChange, TagOverride
from nutrition.services import copy_rule_set


@pytest.fixture
def dietitian(client, world):
    client.force_login(world.users["dietitian"])
    return client


@pytest.fixture
def catalogue(make_dish):
    return {
        "emmental": make_dish("dairy", ("12115", 30), name="Emmental"),
        "carrots": make_dish("entree", ("20009", 80), name="Carottes râpées"),
        "lentils": make_dish("main", ("20587", 200), name="Dahl de lentilles"),
        "chicken": make_dish("main", ("36018", 100), name="Poulet rôti"),
    }


def listed(response) -> set[str]:
    return {dish.name for dish in response.context["page"]}


@pytest.mark.parametrize(
    "query, expected",
    [
        ({}, {"Emmental", "Carottes râpées", "Dahl de lentilles", "Poulet rôti"}),
        ({"component": "main"}, {"Dahl de lentilles", "Poulet rôti"}),
        ({"tag": "cheese_ca_150"}, {"Emmental"}),
        ({"tag": "raw_veg_fruit"}, {"Carottes râpées"}),
        ({"vegetarian": "no", "component": "main"}, {"Poulet rôti"}),
        ({"vegetarian": "yes", "component": "main"}, {"Dahl de lentilles"}),
        ({"search": "carottes"}, {"Carottes râpées"}),
    ],
)
def test_dish_list_filters(dietitian, catalogue, query, expected):
    response = dietitian.get(reverse("dish_list"), query)
    assert response.status_code == 200
    assert listed(response) == expected


def test_dish_list_shows_tags_with_their_reason_on_hover(dietitian, catalogue):
    html = dietitian.get(reverse("dish_list")).content.decode()
    assert 'data-tag="cheese_ca_150" title="calcium du fromage 293 mg/portion ≥ 150 mg"' in html


def test_htmx_filter_returns_only_the_results(dietitian, catalogue):
    response = dietitian.get(reverse("dish_list"), {"component": "dairy"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results">')
    assert "Emmental" in html and "Poulet" not in html


def test_cook_reads_but_sees_no_edit_link(client, world, catalogue):
    client.force_login(world.users["cook"])
    response = client.get(reverse("dish_detail", kwargs={"pk": catalogue["emmental"].pk}))
    assert response.status_code == 200
    assert response.context["can_edit"] is False
    assert (
        reverse("dish_edit", kwargs={"pk": catalogue["emmental"].pk})
        not in response.content.decode()
    )


def editor_data(world, name="Emmental râpé", component="dairy", rows=(("12115", "30"),)):
    data = {
        "kitchen": world.kitchen.pk,
        "name": name,
        "component": component,
        "loss_factor": "1.00",
        "vegetarian_declared": "unknown",
        "status": "draft",
        "notes": "",
        "ingredients-TOTAL_FORMS": str(len(rows)),
        "ingredients-INITIAL_FORMS": "0",
        "ingredients-MIN_NUM_FORMS": "0",
        "ingredients-MAX_NUM_FORMS": "1000",
    }
    for index, (label, grams) in enumerate(rows):
        data[f"ingredients-{index}-food"] = label
        data[f"ingredients-{index}-grams_elementaire"] = grams
    return data


def test_create_a_dish_computes_its_tags(dietitian, world, food):
    food("12115")
    data = editor_data(world, rows=(("12115 · Emmental ou emmenthal", "30"),))
    data["allergens"] = ["milk"]
    response = dietitian.post(reverse("dish_create"), data)
    dish = Dish.objects.get(name="Emmental râpé")
    assert response.status_code == 302
    assert response.url == reverse("dish_detail", kwargs={"pk": dish.pk})
    assert dish.kitchen == world.kitchen
    assert dish.allergens == ["milk"]
    assert "cheese_ca_150" in dish.tags


def test_invalid_dish_keeps_what_was_typed(dietitian, world, food):
    food("12115")
    data = editor_data(world, name="Mon plat", rows=(("12115", "30"), ("fromage inconnu", "40")))
    data["ingredients-0-grams_maternelle"] = "-5"
    response = dietitian.post(reverse("dish_create"), data)
    assert response.status_code == 400
    assert not Dish.objects.exists()
    html = response.content.decode()
    assert 'value="Mon plat"' in html
    assert 'value="fromage inconnu"' in html
    assert (
        'name="ingredients-0-grams_maternelle" id="id_ingredients-0-grams_maternelle" value="-5"'
        in html
    )
    formset = response.context["formset"]
    assert formset.forms[1].errors["food"]
    assert formset.forms[0].errors["grams_maternelle"]


def test_duplicate_name_in_the_kitchen_is_refused(dietitian, world, catalogue):
    response = dietitian.post(reverse("dish_create"), editor_data(world, name="Emmental"))
    assert response.status_code == 400
    assert Dish.objects.filter(name="Emmental").count() == 1


def test_dish_needs_an_ingredient(dietitian, world):
    response = dietitian.post(reverse("dish_create"), editor_data(world, rows=()))
    assert response.status_code == 400
    assert response.context["formset"].non_form_errors()


def test_more_rows_keeps_the_input_and_saves_nothing(dietitian, world, food):
    food("12115")
    data = editor_data(world, name="Brouillon")
    data["more_rows"] = "1"
    response = dietitian.post(reverse("dish_create"), data)
    assert response.status_code == 200
    assert len(response.context["formset"].forms) == 4
    assert 'value="Brouillon"' in response.content.decode()
    assert not Dish.objects.exists()


def test_live_preview_recomputes_without_saving(dietitian, world, food):
    food("12115")
    response = dietitian.post(reverse("dish_preview"), editor_data(world, rows=(("12115", "12"),)))
    assert response.status_code == 200
    decisions = {d.tag: d.applies for d in response.context["analysis"].decisions}
    assert decisions["cheese_ca_100_150"] is True
    assert decisions["cheese_ca_150"] is False
    html = response.content.decode()
    assert "<html" not in html  # only the panel
    assert 'data-tag="cheese_ca_100_150" data-applies="yes"' in html
    calcium = response.context["analysis"].nutrient_map["calcium"]
    assert float(calcium.amount) == pytest.approx(117.36)
    assert not Dish.objects.exists()


def test_edit_replaces_the_recipe(dietitian, world, catalogue, food):
    dish = catalogue["emmental"]
    page = dietitian.get(reverse("dish_edit", kwargs={"pk": dish.pk}))
    assert page.context["formset"].initial[0]["food"].startswith("12115 · ")
    data = editor_data(world, name="Emmental", rows=(("12115", "12"),))
    response = dietitian.post(reverse("dish_edit", kwargs={"pk": dish.pk}), data)
    assert response.status_code == 302
    dish = Dish.objects.get(pk=dish.pk)
    assert "cheese_ca_100_150" in dish.tags and "cheese_ca_150" not in dish.tags


def test_food_search_is_accent_blind(dietitian, food):
    food("12115")
    food("9104")
    response = dietitian.get(reverse("food_search"), {"ingredients-0-food": "riz blanc cuit"})
    assert [f.code for f in response.context["foods"]] == ["9104"]
    assert 'value="9104 · Riz blanc, cuit, sans sel ajouté"' in response.content.decode()
    response = dietitian.get(reverse("food_search"), {"q": "emmenthal"})
    assert [f.code for f in response.context["foods"]] == ["12115"]


def test_tag_override_needs_a_reason_and_keeps_input(dietitian, catalogue):
    dish = catalogue["chicken"]
    url = reverse("dish_override", kwargs={"pk": dish.pk})
    response = dietitian.post(url, {"tag": "low_pl_ratio", "value": "yes", "reason": ""})
    assert response.status_code == 400
    assert response.context["form"]["tag"].value() == "low_pl_ratio"
    assert not TagOverride.objects.exists()
    response = dietitian.post(url, {"tag": "low_pl_ratio", "value": "yes", "reason": "peau grasse"})
    assert response.status_code == 302
    assert "low_pl_ratio" in Dish.objects.get(pk=dish.pk).tags
    override = TagOverride.objects.get()
    assert (override.author.username, override.reason) == ("dietitian", "peau grasse")


@pytest.fixture
def own_rules(school, world):
    return copy_rule_set(source=school, name="Cuisine centrale", owner=world.kitchen, actor=None)


def rule_form_data(rule_set, edits=None, removed=(), new=None):
    edits = edits or {}
    rules = list(rule_set.rules.order_by("position", "pk"))
    data = {
        "settings-name": rule_set.name,
        "settings-description": rule_set.description,
        "settings-meals_per_week": rule_set.meals_per_week,
        "settings-vegetarian_per_week": rule_set.vegetarian_per_week or "",
        "settings-min_meals_between_repeats": rule_set.min_meals_between_repeats or "",
        "rules-TOTAL_FORMS": len(rules) + 1,
        "rules-INITIAL_FORMS": len(rules),
        "rules-MIN_NUM_FORMS": 0,
        "rules-MAX_NUM_FORMS": 1000,
        f"rules-{len(rules)}-window": 20,
    }
    for index, rule in enumerate(rules):
        values = {
            "id": rule.pk,
            "code": rule.code,
            "tag": rule.tag,
            "min": "" if rule.min is None else rule.min,
            "max": "" if rule.max is None else rule.max,
            "window": rule.window,
            "components": rule.components,
            "text": rule.text,
        }
        values.update(edits.get(rule.code, {}))
        if rule.code in removed:
            values["DELETE"] = "on"
        for key, value in values.items():
            data[f"rules-{index}-{key}"] = value
    for key, value in (new or {}).items():
        data[f"rules-{len(rules)}-{key}"] = value
    return data


def test_rule_edit_is_recorded_in_the_history(dietitian, world, own_rules):
    url = reverse("rule_set_edit", kwargs={"pk": own_rules.pk})
    data = rule_form_data(
        own_rules,
        edits={"gemrcn-9": {"min": 6}},
        removed=("gemrcn-15",),
        new={"code": "house-1", "tag": "fried", "max": 2, "components": ["side"]},
    )
    response = dietitian.post(url, data)
    assert response.status_code == 302
    rules = {code: (low, high) for code, _tag, low, high, _w in own_rules.rule_tuples()}
    assert rules["gemrcn-9"] == (6, None)
    assert "gemrcn-15" not in rules
    assert rules["house-1"] == (None, 2)
    history = dietitian.get(reverse("rule_set_history", kwargs={"pk": own_rules.pk}))
    changes = {(c.action, c.subject) for c in history.context["page"]}
    assert {
        ("rule_changed", "gemrcn-9"),
        ("rule_removed", "gemrcn-15"),
        ("rule_added", "house-1"),
    } <= changes
    change = RuleSetChange.objects.get(action="rule_changed")
    assert change.author == world.users["dietitian"]
    assert (change.before["min"], change.after["min"]) == (4, 6)


def test_invalid_rule_keeps_input_and_changes_nothing(dietitian, own_rules):
    url = reverse("rule_set_edit", kwargs={"pk": own_rules.pk})
    data = rule_form_data(own_rules, edits={"gemrcn-9": {"min": 7, "max": 3}})
    response = dietitian.post(url, data)
    assert response.status_code == 400
    assert own_rules.rules.get(code="gemrcn-9").min == 4
    form = next(f for f in response.context["formset"] if f.instance.code == "gemrcn-9")
    assert form["min"].value() == "7"
    assert form.errors
    assert not RuleSetChange.objects.filter(rule_set=own_rules, action="rule_changed").exists()


def test_copy_from_the_page_is_independent(dietitian, world, school):
    url = reverse("rule_set_copy", kwargs={"pk": school.pk})
    assert dietitian.get(url).context["form"]["name"].value().endswith("(copie)")
    response = dietitian.post(url, {"name": "EHPAD Les Tilleuls", "owner": world.kitchen.pk})
    copy = RuleSet.objects.get(name="EHPAD Les Tilleuls")
    assert response.url == reverse("rule_set_edit", kwargs={"pk": copy.pk})
    data = rule_form_data(copy, edits={"gemrcn-1": {"min": 15}})
    assert dietitian.post(reverse("rule_set_edit", kwargs={"pk": copy.pk}), data).status_code == 302
    assert copy.rules.get(code="gemrcn-1").min == 15
    assert school.rules.get(code="gemrcn-1").min == 10


def test_copy_name_must_be_free(dietitian, world, school):
    url = reverse("rule_set_copy", kwargs={"pk": school.pk})
    response = dietitian.post(url, {"name": school.name, "owner": world.kitchen.pk})
    assert response.status_code == 400
    assert RuleSet.objects.count() == 2


def test_assign_a_rule_set_to_a_canteen(dietitian, world, own_rules):
    url = reverse("rule_set_assign", kwargs={"pk": own_rules.pk})
    response = dietitian.post(url, {"canteen": world.kitchen.pk})
    assert response.status_code == 302
    from nutrition.selectors import rule_set_for

    assert rule_set_for(world.kitchen) == own_rules
    assert rule_set_for(world.satellite) == own_rules  # a satellite follows its kitchen
    assert RuleSetChange.objects.filter(rule_set=own_rules, action="assigned").exists()


def test_the_page_links_keep_the_filters_and_one_page_number(dietitian, world):
    """From page 2, "next" and "previous" name one page, the filters kept (the links used to
    append ``&page=`` to the query each time: ``?page=2&page=1&page=2``)."""
    import re
    from urllib.parse import parse_qs, urlsplit

    Dish.objects.bulk_create(
        Dish(kitchen=world.kitchen, name=f"Plat {n:03}", component="main") for n in range(120)
    )
    response = dietitian.get(reverse("dish_list"), {"component": "main", "page": 2})
    links = re.findall(r'href="([^"]*page=[^"]*)"', response.content.decode())
    assert len(links) == 2
    for link in links:
        query = parse_qs(urlsplit(link.replace("&amp;", "&")).query)
        assert query["component"] == ["main"] and len(query["page"]) == 1
    assert {parse_qs(urlsplit(link.replace("&amp;", "&")).query)["page"][0] for link in links} == {
        "1",
        "3",
    }


def test_the_vegetarian_help_names_a_choice_the_form_offers(dietitian):
    page = dietitian.get(reverse("dish_create")).content.decode()
    assert "Déduire des ingrédients" in page
    assert "« inconnu »" not in page
    assert "« Déduire des ingrédients » le décide d’après la recette." in page
