"""Menus: the cook edits, the dietitian and the manager read, nobody else sees anything."""

from datetime import timedelta

import pytest
from django.urls import reverse

from menus import services
from menus.models import Meal, MealDish, PlanRun
from tests.menus.conftest import MONDAY

ROLES = ["cook", "dietitian", "manager", "producer", "nobody", "outsider_cook"]
READERS = {"cook", "dietitian", "manager"}


@pytest.fixture
def monday(kitchen):
    services.ensure_meals(canteen=kitchen, start=MONDAY, end=MONDAY + timedelta(days=4))
    meal = Meal.objects.get(canteen=kitchen, date=MONDAY)
    services.set_course(meal=meal, component="main", dish=kitchen.catalogue["main"][0])
    return meal


def expected(role, allowed, hidden=frozenset({"outsider_cook"})):
    if role in allowed:
        return 200
    return 404 if role in hidden else 403


@pytest.mark.parametrize("role", ROLES)
def test_calendar_is_read_by_canteen_staff_only(client, world, kitchen, role):
    client.force_login(world.users[role])
    response = client.get(reverse("menu_calendar", kwargs={"pk": kitchen.pk}))
    assert response.status_code == expected(role, READERS)


@pytest.mark.parametrize("role", ROLES)
def test_menu_index_sends_staff_to_their_kitchen(client, world, kitchen, role):
    client.force_login(world.users[role])
    response = client.get(reverse("menu_index"))
    if role in READERS | {"outsider_cook"}:
        assert response.status_code == 302
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_only_the_kitchens_cook_opens_the_dish_picker(client, world, monday, role):
    client.force_login(world.users[role])
    url = reverse("menu_course_picker", kwargs={"meal_pk": monday.pk, "component": "main"})
    assert client.get(url).status_code == expected(role, {"cook"})


WRITES = [
    ("menu_set_course", lambda m, k: {"meal_pk": m.pk, "component": "main"}, {"dish": ""}),
    ("menu_toggle_lock", lambda m, k: {"meal_pk": m.pk, "component": "main"}, {}),
    ("menu_toggle_closed", lambda m, k: {"meal_pk": m.pk}, {}),
    (
        "menu_copy_week",
        lambda m, k: {"pk": k.pk},
        {"source": MONDAY, "target": MONDAY + timedelta(days=7)},
    ),
    ("menu_plan", lambda m, k: {"pk": k.pk}, {"preset": "cheapest", "start": MONDAY, "weeks": 1}),
]


@pytest.mark.parametrize("write", WRITES, ids=[w[0] for w in WRITES])
@pytest.mark.parametrize("role", ROLES)
def test_only_the_kitchens_cook_changes_menus(client, world, kitchen, monday, write, role):
    name, kwargs, data = write
    client.force_login(world.users[role])
    response = client.post(reverse(name, kwargs=kwargs(monday, kitchen)), data)
    if role == "cook":
        assert response.status_code == 200
        return
    assert response.status_code == (404 if role == "outsider_cook" else 403)
    monday.refresh_from_db()
    assert not monday.closed
    assert MealDish.objects.filter(meal=monday, component="main", locked=False).exists()
    assert not PlanRun.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_plan_status_is_read_by_canteen_staff_only(client, world, kitchen, role):
    run = PlanRun.objects.create(
        canteen=kitchen,
        start=MONDAY,
        end=MONDAY + timedelta(days=4),
        preset="cheapest",
        rule_set=kitchen.rule_set_assignment.rule_set,
    )
    client.force_login(world.users[role])
    response = client.get(reverse("menu_plan_status", kwargs={"run_pk": run.pk}))
    assert response.status_code == expected(role, READERS)


def test_anonymous_users_see_no_menu(client, kitchen, monday):
    for url in (
        reverse("menu_index"),
        reverse("menu_calendar", kwargs={"pk": kitchen.pk}),
        reverse("menu_course_picker", kwargs={"meal_pk": monday.pk, "component": "main"}),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    response = client.post(reverse("menu_toggle_closed", kwargs={"meal_pk": monday.pk}))
    assert response.status_code == 302
