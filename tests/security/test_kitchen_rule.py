"""Issue 12's reproductions: staff of a satellite only, naming their satellite's id, must not
act on the central kitchen (``cantine.roles.kitchen_for``: the role is checked at the
kitchen). Each test sends what the issue's probe sent and checks nothing changed."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cantine.models import CoverForecast
from menus import scdl
from menus.models import Meal, MealDish, PlanRun
from nutrition.models import CanteenRuleSet, Dish
from orders.models import AllocationRun, Need
from tests.security.world import MONDAY


def _client(world, role="satellite") -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


def _period():
    return {"start": f"{MONDAY:%Y-%m-%d}", "weeks": 1}


def test_satellite_staff_do_not_compute_the_kitchens_needs(sworld):
    CoverForecast.objects.create(
        canteen=sworld.satellite, weekday=0, age_group="elementaire", covers=100
    )
    Need.objects.all().delete()
    url = reverse("orders_compute_needs", kwargs={"pk": sworld.satellite.pk})
    response = _client(sworld).post(url, _period())
    assert response.status_code == 404
    assert not Need.objects.exists()


def test_satellite_staff_do_not_overwrite_a_kitchen_week(sworld):
    url = reverse("menu_copy_week", kwargs={"pk": sworld.satellite.pk})
    target = MONDAY + timedelta(days=7)
    response = _client(sworld).post(url, {"source": f"{MONDAY}", "target": f"{target}"})
    assert response.status_code == 403
    assert not Meal.objects.filter(canteen=sworld.kitchen, date__gte=target).exists()


def test_satellite_staff_start_no_allocation_nor_plan_for_the_kitchen(sworld):
    CanteenRuleSet.objects.create(canteen=sworld.kitchen, rule_set=sworld.objects["rule_set"])
    AllocationRun.objects.all().delete()
    PlanRun.objects.all().delete()
    client = _client(sworld)
    pk = sworld.satellite.pk
    pages = [
        client.post(reverse("orders_allocate", kwargs={"pk": pk}), _period()),
        client.post(reverse("menu_plan", kwargs={"pk": pk}), {**_period(), "preset": "cheapest"}),
    ]
    period = {"canteen": pk, "start": f"{MONDAY}", "end": f"{MONDAY + timedelta(days=4)}"}
    api = [
        client.post("/api/allocation-runs/", period, content_type="application/json"),
        client.post(
            "/api/plan-runs/", {**period, "preset": "cheapest"}, content_type="application/json"
        ),
    ]
    assert [r.status_code for r in pages + api] == [404, 403, 404, 403]
    assert not AllocationRun.objects.exists()
    assert not PlanRun.objects.exists()


def test_satellite_staff_import_no_scdl_menus_into_the_kitchen(sworld):
    other = sworld.other_canteen
    meal = Meal.objects.create(canteen=other, date=MONDAY)
    MealDish.objects.create(meal=meal, component="main", dish=sworld.others["dish"])
    csv = scdl.export_menus(other, MONDAY, MONDAY + timedelta(days=6))
    upload = SimpleUploadedFile("menus.csv", csv.encode(), content_type="text/csv")
    url = reverse("menu_scdl_import", kwargs={"pk": sworld.satellite.pk})
    response = _client(sworld).post(url, {"file": upload})
    assert response.status_code == 403
    assert not Dish.objects.filter(kitchen=sworld.kitchen, name="Compote").exists()


def test_satellite_staff_read_no_kitchen_purchase_order(sworld):
    client = _client(sworld)
    order = sworld.objects["order"]
    pages = [
        reverse("orders_purchase_orders", kwargs={"pk": sworld.satellite.pk}),
        reverse("orders_po", kwargs={"po_pk": order.pk}),
        reverse("orders_po_pdf", kwargs={"po_pk": order.pk}),
        reverse("orders_po_csv", kwargs={"po_pk": order.pk}),
        f"/api/purchase-orders/{order.pk}/",
    ]
    assert [client.get(url).status_code for url in pages] == [404] * len(pages)
    listed = client.get("/api/purchase-orders/", {"canteen": sworld.satellite.pk}).json()
    assert listed["results"] == []


def test_satellite_staff_read_none_of_the_kitchens_buying_through_the_api(sworld):
    client = _client(sworld)
    for url in ("/api/needs/", "/api/allocation-runs/", "/api/purchase-orders/"):
        assert client.get(url).json()["results"] == [], url


def test_a_satellite_dietitian_does_not_edit_the_kitchens_dishes(sworld):
    dish = sworld.objects["dish"]
    url = f"/api/dishes/{dish.pk}/"
    client = _client(sworld)
    assert client.get(url).status_code == 200  # served at the satellite: readable
    response = client.patch(url, {"name": "Renommé"}, content_type="application/json")
    assert response.status_code in (403, 404)
    dish.refresh_from_db()
    assert dish.name == "Carottes braisées"
    delete = client.delete(url)
    assert delete.status_code in (403, 404)
    assert Dish.objects.filter(pk=dish.pk).exists()


def test_staff_of_another_canteen_and_another_producer_see_none_of_it(sworld):
    order = sworld.objects["order"]
    for role in ("other_canteen", "other_producer"):
        client = _client(sworld, role)
        for url in (
            reverse("orders_po", kwargs={"po_pk": order.pk}),
            f"/api/purchase-orders/{order.pk}/",
            f"/api/my-orders/{order.pk}/",
        ):
            assert client.get(url).status_code in (403, 404), (role, url)
    mine = _client(sworld, "other_producer").get("/api/my-orders/").json()["results"]
    assert [o["id"] for o in mine] == [sworld.others["order"].pk]
