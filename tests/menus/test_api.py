"""Menus API: meals, compliance, and planning runs, with the pages' permissions."""

from datetime import timedelta

import pytest
from django.urls import reverse

from menus import services
from menus.models import Meal, PlanRun
from tests.menus.conftest import MONDAY

ROLES = ["cook", "dietitian", "manager", "producer", "nobody", "outsider_cook"]


@pytest.fixture
def week(kitchen):
    services.ensure_meals(canteen=kitchen, start=MONDAY, end=MONDAY + timedelta(days=4))
    meal = Meal.objects.get(canteen=kitchen, date=MONDAY)
    services.set_course(meal=meal, component="main", dish=kitchen.catalogue["main"][0])
    return kitchen


@pytest.mark.parametrize("role", ROLES)
def test_meals_are_listed_for_the_callers_canteens_only(client, world, week, role):
    client.force_login(world.users[role])
    response = client.get(reverse("meal-list"), {"canteen": week.pk})
    if role in {"cook", "dietitian", "manager"}:
        assert response.status_code == 200
        assert response.json()["count"] == 5
    elif role == "outsider_cook":
        assert response.json()["count"] == 0
    else:
        assert response.status_code == 403


def test_compliance_endpoint_reports_each_rule(client, world, week):
    client.force_login(world.users["dietitian"])
    response = client.get(
        reverse("meal-compliance"),
        {"canteen": week.pk, "start": MONDAY, "end": MONDAY + timedelta(days=4)},
    )
    assert response.status_code == 200
    body = response.json()
    fish = next(rule for rule in body["rules"] if rule["id"] == "gemrcn-9")
    assert fish["meals_counted"] == [MONDAY.isoformat()]
    assert body["meals"] == 1


def test_compliance_endpoint_hides_other_canteens(client, world, week):
    client.force_login(world.users["outsider_cook"])
    response = client.get(
        reverse("meal-compliance"), {"canteen": week.pk, "start": MONDAY, "end": MONDAY}
    )
    assert response.status_code == 404


def test_compliance_endpoint_rejects_a_reversed_period(client, world, week):
    client.force_login(world.users["cook"])
    response = client.get(
        reverse("meal-compliance"),
        {"canteen": week.pk, "start": MONDAY, "end": MONDAY - timedelta(days=1)},
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("cook", 202),
        ("dietitian", 403),
        ("manager", 403),
        ("producer", 403),
        ("nobody", 403),
        ("outsider_cook", 404),
    ],
)
def test_only_a_cook_asks_for_a_plan(client, world, week, role, status):
    client.force_login(world.users[role])
    payload = {
        "canteen": week.pk,
        "start": MONDAY,
        "end": MONDAY + timedelta(days=4),
        "preset": "cheapest",
    }
    response = client.post(reverse("planrun-list"), payload)
    assert response.status_code == status
    assert PlanRun.objects.count() == (1 if status == 202 else 0)


def test_asking_twice_joins_the_first_run(client, world, week):
    client.force_login(world.users["cook"])
    payload = {
        "canteen": week.pk,
        "start": MONDAY,
        "end": MONDAY + timedelta(days=4),
        "preset": "cheapest",
    }
    first = client.post(reverse("planrun-list"), payload)
    second = client.post(reverse("planrun-list"), payload)
    assert first.status_code == 202 and second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    status = client.get(reverse("planrun-detail", kwargs={"pk": first.json()["id"]}))
    assert status.json()["status"] == "queued"


def test_anonymous_callers_get_nothing(client, week):
    assert client.get(reverse("meal-list")).status_code in (401, 403)
    assert client.post(reverse("planrun-list"), {}).status_code in (401, 403)
