"""Orders API: needs (cook adjusts), allocation runs (cook creates, buyers poll), purchase
orders (buyers read); other kitchens' objects are not found."""

from datetime import date

import pytest
from django.urls import reverse

from orders.models import AllocationRun, Need
from orders.needs import compute_needs
from orders.services import accept_allocation, execute_allocation_run
from tests.factories import ProducerFactory
from tests.orders.test_support import MONDAY, offer

pytest_plugins = ["tests.orders.test_support"]

SUNDAY = date(2027, 1, 10)
ROLES = ["cook", "dietitian", "manager", "producer", "nobody", "outsider_cook"]
READERS = {"cook", "manager"}


@pytest.fixture
def ordered(world, planned, foods):
    world.producer.delivery_weekdays = [0, 4]
    world.producer.save()
    offer(world.producer, foods["carrot"], price="1.20", pack="5", labels=["BIO"])
    offer(ProducerFactory(delivery_weekdays=[0]), foods["rice"], price="2.00", pack="5")
    compute_needs(kitchen=planned, start=MONDAY, end=SUNDAY)
    run = AllocationRun.objects.create(canteen=planned, start=MONDAY, end=SUNDAY)
    execute_allocation_run(run_id=run.pk)
    run.refresh_from_db()
    orders = accept_allocation(run=run)
    return {"run": run, "order": orders[0], "need": Need.objects.first()}


ENDPOINTS = [
    ("need-list", lambda o: None),
    ("need-detail", lambda o: {"pk": o["need"].pk}),
    ("allocationrun-list", lambda o: None),
    ("allocationrun-detail", lambda o: {"pk": o["run"].pk}),
    ("purchaseorder-list", lambda o: None),
    ("purchaseorder-detail", lambda o: {"pk": o["order"].pk}),
]


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_read_access(client, world, ordered, endpoint, role):
    name, kwargs = endpoint
    if role != "anonymous":
        client.force_login(world.users[role])
    response = client.get(reverse(name, kwargs=kwargs(ordered)))
    if role == "anonymous":
        assert response.status_code in (401, 403)
    elif role in READERS:
        assert response.status_code == 200
    elif role == "outsider_cook":
        # Lists are empty, objects not found.
        if kwargs(ordered) is None:
            assert response.json()["count"] == 0
        else:
            assert response.status_code == 404
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_only_the_cook_adjusts_a_need(client, world, ordered, role):
    client.force_login(world.users[role])
    url = reverse("need-detail", kwargs={"pk": ordered["need"].pk})
    response = client.patch(url, {"manual_quantity": "9.5"}, content_type="application/json")
    need = Need.objects.get(pk=ordered["need"].pk)
    if role == "cook":
        assert response.status_code == 200
        assert str(need.quantity) == "9.5"
    else:
        assert response.status_code in (403, 404)
        assert need.manual_quantity is None


def test_a_negative_need_is_refused(client, world, ordered):
    client.force_login(world.users["cook"])
    url = reverse("need-detail", kwargs={"pk": ordered["need"].pk})
    response = client.patch(url, {"manual_quantity": "-1"}, content_type="application/json")
    assert response.status_code == 400
    assert "manual_quantity" in response.json()


@pytest.mark.parametrize("role", ROLES)
def test_only_the_cook_requests_a_run(
    client, world, ordered, role, django_capture_on_commit_callbacks
):
    client.force_login(world.users[role])
    payload = {
        "canteen": world.satellite.pk,  # a satellite's cook buys through the kitchen
        "start": "2027-01-04",
        "end": "2027-01-10",
        "targets": {"bio_min_share": 0.2},
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("allocationrun-list"), payload, content_type="application/json"
        )
    if role == "cook":
        assert response.status_code == 202
        assert response.json()["canteen"] == world.kitchen.pk
        polled = client.get(reverse("allocationrun-detail", kwargs={"pk": response.json()["id"]}))
        assert polled.json()["status"] == "optimal" and polled.json()["lines"]
    else:
        assert response.status_code in (403, 404)
        assert AllocationRun.objects.count() == 1


def test_a_bad_period_is_refused(client, world, ordered):
    client.force_login(world.users["cook"])
    payload = {"canteen": world.kitchen.pk, "start": "2027-01-10", "end": "2027-01-04"}
    response = client.post(reverse("allocationrun-list"), payload, content_type="application/json")
    assert response.status_code == 400


def test_purchase_orders_list_their_lines(client, world, ordered):
    client.force_login(world.users["manager"])
    body = client.get(reverse("purchaseorder-list")).json()
    assert body["count"] == 2
    assert {line["product"] for o in body["results"] for line in o["lines"]} == {
        "Carotte, crue",
        "Riz blanc, cuit",
    }


def test_most_local_run_needs_a_budget(client, world, ordered):
    client.force_login(world.users["cook"])
    payload = {"canteen": world.kitchen.pk, "start": "2027-01-04", "end": "2027-01-10"}
    refused = client.post(
        reverse("allocationrun-list"),
        {**payload, "goal": "max_local"},
        content_type="application/json",
    )
    assert refused.status_code == 400 and "budget" in refused.json()
    accepted = client.post(
        reverse("allocationrun-list"),
        {**payload, "goal": "max_local", "budget": "300.00"},
        content_type="application/json",
    )
    assert accepted.status_code == 202
    assert (accepted.json()["goal"], accepted.json()["budget"]) == ("max_local", "300.00")
