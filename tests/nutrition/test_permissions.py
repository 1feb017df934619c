"""Who may open the nutrition pages and endpoints: every page and endpoint, every role.

Cooks and dietitians read dishes and rule sets; only dietitians write, and only their own
kitchen's. An object of another kitchen gives 404 (ids cannot be probed).
"""

import pytest
from django.urls import reverse

from nutrition.models import Dish, RuleSet
from nutrition.services import copy_rule_set

ROLES = ["cook", "dietitian", "manager", "producer", "nobody", "outsider_cook", "other_dietitian"]
READERS = {"cook", "dietitian"}
OUTSIDERS = {"outsider_cook", "other_dietitian"}


@pytest.fixture
def setup(world, other_dietitian, make_dish, school):
    world.users["other_dietitian"] = other_dietitian
    dish = make_dish("dairy", ("12115", 30), name="Emmental")
    copy = copy_rule_set(source=school, name="Cuisine centrale", owner=world.kitchen, actor=None)
    return {"dish": dish, "preset": school, "copy": copy}


def dish(s):
    return {"pk": s["dish"].pk}


def preset(s):
    return {"pk": s["preset"].pk}


def copy(s):
    return {"pk": s["copy"].pk}


# (url name, kwargs builder, roles allowed, roles that get 404)
PAGES = [
    ("dish_list", None, READERS | OUTSIDERS, set()),
    ("dish_detail", dish, READERS, OUTSIDERS),
    ("dish_create", None, {"dietitian", "other_dietitian"}, set()),
    ("dish_edit", dish, {"dietitian"}, {"other_dietitian"}),
    ("dish_override", dish, {"dietitian"}, {"other_dietitian"}),
    ("food_search", None, {"dietitian", "other_dietitian"}, set()),
    ("rule_set_list", None, READERS | OUTSIDERS, set()),
    ("rule_set_detail", preset, READERS | OUTSIDERS, set()),
    ("rule_set_detail", copy, READERS, OUTSIDERS),
    ("rule_set_edit", copy, {"dietitian"}, {"other_dietitian"}),
    ("rule_set_edit", preset, set(), set()),  # presets are never edited, only copied
    ("rule_set_copy", preset, {"dietitian", "other_dietitian"}, set()),
    ("rule_set_copy", copy, {"dietitian"}, {"other_dietitian"}),
    ("rule_set_history", copy, READERS, OUTSIDERS),
    ("rule_set_history", preset, READERS | OUTSIDERS, set()),
]


def page_id(page):
    return page[0] + ("" if page[1] is None else f"+{page[1].__name__}")


@pytest.mark.parametrize("page", PAGES, ids=[page_id(p) for p in PAGES])
@pytest.mark.parametrize("role", ROLES)
def test_page_access(client, setup, world, page, role):
    name, kwargs, allowed, hidden = page
    url = reverse(name, kwargs=kwargs(setup) if kwargs else None)
    client.force_login(world.users[role])
    response = client.get(url)
    if role in allowed:
        assert response.status_code == 200
    elif role in hidden:
        assert response.status_code == 404
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("page", PAGES, ids=[page_id(p) for p in PAGES])
def test_anonymous_is_sent_to_login(client, setup, page):
    name, kwargs, _allowed, _hidden = page
    response = client.get(reverse(name, kwargs=kwargs(setup) if kwargs else None))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


POSTS = [
    ("dish_preview", None, {"dietitian", "other_dietitian"}, set()),
    ("dish_edit", dish, {"dietitian"}, {"other_dietitian"}),
    ("dish_override", dish, {"dietitian"}, {"other_dietitian"}),
    ("rule_set_edit", copy, {"dietitian"}, {"other_dietitian"}),
    ("rule_set_assign", preset, {"dietitian", "other_dietitian"}, set()),
    ("rule_set_copy", preset, {"dietitian", "other_dietitian"}, set()),
]


@pytest.mark.parametrize("page", POSTS, ids=[page_id(p) for p in POSTS])
@pytest.mark.parametrize("role", ROLES)
def test_post_is_guarded_like_get(client, setup, world, page, role):
    """An empty post: refused (403/404) without the role, a form error (400) or a redirect with."""
    name, kwargs, allowed, hidden = page
    client.force_login(world.users[role])
    response = client.post(reverse(name, kwargs=kwargs(setup) if kwargs else None), {})
    if role in allowed:
        assert response.status_code in (200, 302, 400)
    elif role in hidden:
        assert response.status_code == 404
    else:
        assert response.status_code == 403


def test_preview_is_post_only(client, setup, world):
    client.force_login(world.users["dietitian"])
    assert client.get(reverse("dish_preview")).status_code == 405


def test_cook_cannot_change_a_dish_by_posting(client, setup, world):
    client.force_login(world.users["cook"])
    url = reverse("dish_edit", kwargs=dish(setup))
    response = client.post(url, {"name": "Piraté", "component": "dairy"})
    assert response.status_code == 403
    assert Dish.objects.get(pk=setup["dish"].pk).name == "Emmental"


API = [
    ("food-list", None, READERS | OUTSIDERS | {"manager"}, set()),
    ("dish-list", None, READERS | OUTSIDERS, set()),
    ("dish-detail", dish, READERS, OUTSIDERS),
    ("ruleset-list", None, READERS | OUTSIDERS, set()),
    ("ruleset-detail", preset, READERS | OUTSIDERS, set()),
    ("ruleset-detail", copy, READERS, OUTSIDERS),
]


@pytest.mark.parametrize("endpoint", API, ids=[page_id(e) for e in API])
@pytest.mark.parametrize("role", ROLES)
def test_api_access(client, setup, world, endpoint, role):
    name, kwargs, allowed, hidden = endpoint
    client.force_login(world.users[role])
    response = client.get(reverse(name, kwargs=kwargs(setup) if kwargs else None))
    if role in allowed:
        assert response.status_code == 200
    elif role in hidden:
        assert response.status_code == 404
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("endpoint", API, ids=[page_id(e) for e in API])
def test_api_refuses_anonymous(client, setup, endpoint):
    name, kwargs, _allowed, _hidden = endpoint
    url = reverse(name, kwargs=kwargs(setup) if kwargs else None)
    assert client.get(url).status_code in (401, 403)


@pytest.mark.parametrize("role", ["cook", "manager", "producer", "nobody", "outsider_cook"])
def test_api_writes_are_for_dietitians(client, setup, world, role):
    client.force_login(world.users[role])
    dish_url = reverse("dish-detail", kwargs=dish(setup))
    rules_url = reverse("ruleset-detail", kwargs=copy(setup))
    patch = {"content_type": "application/json"}
    assert client.patch(dish_url, {"name": "x"}, **patch).status_code == 403
    assert client.delete(dish_url).status_code == 403
    assert client.patch(rules_url, {"meals_per_week": 4}, **patch).status_code == 403
    assert client.post(reverse("dish-list"), {}, **patch).status_code == 403
    assert Dish.objects.get(pk=setup["dish"].pk).name == "Emmental"
    assert RuleSet.objects.get(pk=setup["copy"].pk).meals_per_week == 5


def test_api_other_kitchens_dietitian_cannot_write(client, setup, world):
    client.force_login(world.users["other_dietitian"])
    dish_url = reverse("dish-detail", kwargs=dish(setup))
    response = client.patch(dish_url, {"name": "x"}, content_type="application/json")
    assert response.status_code == 404
    rules_url = reverse("ruleset-detail", kwargs=copy(setup))
    response = client.patch(rules_url, {"meals_per_week": 4}, content_type="application/json")
    assert response.status_code == 404


def test_api_preset_is_read_only_even_for_a_dietitian(client, setup, world):
    client.force_login(world.users["dietitian"])
    url = reverse("ruleset-detail", kwargs=preset(setup))
    response = client.patch(url, {"meals_per_week": 4}, content_type="application/json")
    assert response.status_code == 403
    assert RuleSet.objects.get(pk=setup["preset"].pk).meals_per_week == 5
