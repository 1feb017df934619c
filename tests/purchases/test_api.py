"""The ledger and shares API: what a manager writes, what anyone allowed reads."""

from datetime import date
from decimal import Decimal as D

from django.urls import reverse

from purchases.models import Purchase, Source
from tests.purchases.factories import PurchaseFactory


def test_manager_creates_a_line_entered_by_hand(client, world):
    client.force_login(world.users["manager"])
    response = client.post(
        reverse("purchase-list"),
        {
            "canteen": world.satellite.pk,
            "date": "2025-04-01",
            "description": "Lentilles",
            "family": "AUTRES",
            "labels": ["HVE", "BIO"],
            "price_ht": "42.50",
            "quantity": "10",
            "unit": "kg",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["egalim_group"] == 4
    line = Purchase.objects.get()
    assert (line.canteen, line.source, line.price_ht) == (world.satellite, Source.MANUAL, D("42.5"))


def test_bad_lines_are_refused_with_reasons(client, world):
    client.force_login(world.users["manager"])
    response = client.post(
        reverse("purchase-list"),
        {
            "canteen": world.kitchen.pk,
            "date": "2025-04-01",
            "description": "X",
            "family": "NOPE",
            "labels": ["BIO", "NOPE"],
            "price_ht": "-1",
            "local_definition_km": "10",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert {"family", "labels"} <= set(response.json())
    assert not Purchase.objects.exists()


def test_negative_price_is_refused(client, world):
    client.force_login(world.users["manager"])
    payload = {"canteen": world.kitchen.pk, "date": "2025-04-01", "description": "X",
               "family": "AUTRES", "price_ht": "-1"}  # fmt: skip
    response = client.post(reverse("purchase-list"), payload, content_type="application/json")
    assert response.status_code == 400
    assert "price_ht" in response.json() or "non_field_errors" in response.json()
    assert not Purchase.objects.exists()


def test_lines_are_filtered_by_canteen_and_year(client, world):
    PurchaseFactory(canteen=world.kitchen, date=date(2025, 1, 1))
    PurchaseFactory(canteen=world.satellite, date=date(2025, 1, 1))
    PurchaseFactory(canteen=world.kitchen, date=date(2024, 1, 1))
    PurchaseFactory(canteen=world.other_canteen, date=date(2025, 1, 1))
    client.force_login(world.users["cook"])
    assert client.get(reverse("purchase-list")).json()["count"] == 3
    query = {"canteen": world.kitchen.pk, "year": 2025}
    assert client.get(reverse("purchase-list"), query).json()["count"] == 1


def test_shares_endpoint(client, world):
    PurchaseFactory(canteen=world.kitchen, date=date(2025, 1, 1), labels=["BIO"], price_ht=D("25"))
    PurchaseFactory(canteen=world.satellite, date=date(2025, 2, 1), price_ht=D("75"))
    client.force_login(world.users["cook"])
    response = client.get(
        reverse("purchase-shares-list"), {"canteen": world.kitchen.pk, "year": 2025}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["totals"]["bio_pct"] == 25.0
    assert body["totals"]["total"] == 100.0
    assert body["target"]["egalim"] == 50.0
    assert body["local_definition"] == world.kitchen.local_definition().label
    assert [m["month"] for m in body["by_month"]] == [1, 2]


def test_shares_endpoint_needs_a_canteen(client, world):
    client.force_login(world.users["cook"])
    assert client.get(reverse("purchase-shares-list")).status_code == 400
