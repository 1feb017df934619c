"""A producer keeps offers and holidays up to date; holidays keep orders away."""

from datetime import date
from decimal import Decimal

from django.urls import reverse

from tests.orders.test_support import food, offer


def test_producer_changes_its_own_offer(client, world):
    carrots = offer(world.producer, food("U1", "Carotte"), price="1.50", pack=10, capacity=100)
    client.force_login(world.users["producer"])
    response = client.post(
        reverse("producer_offer_edit", args=[carrots.pk]),
        {"unit_price": "1.70", "pack_size": "10", "weekly_capacity": "60", "active": "on"},
    )
    assert response.status_code == 302
    carrots.refresh_from_db()
    assert (carrots.unit_price, carrots.weekly_capacity) == (Decimal("1.70"), Decimal("60"))


def test_a_bad_price_is_refused_and_nothing_changes(client, world):
    carrots = offer(world.producer, food("U1", "Carotte"), price="1.50", pack=10)
    client.force_login(world.users["producer"])
    client.post(
        reverse("producer_offer_edit", args=[carrots.pk]),
        {"unit_price": "0", "pack_size": "10", "active": "on"},
    )
    carrots.refresh_from_db()
    assert carrots.unit_price == Decimal("1.50")


def test_nobody_else_edits_an_offer(client, world):
    apples = offer(world.other_producer, food("U2", "Pomme"), price="2", pack=10)
    url = reverse("producer_offer_edit", args=[apples.pk])
    payload = {"unit_price": "9", "pack_size": "10", "active": "on"}
    client.force_login(world.users["producer"])
    assert client.post(url, payload).status_code == 404  # another farm's offer
    for role in ("cook", "manager", "dietitian"):
        client.force_login(world.users[role])
        assert client.post(url, payload).status_code == 403
    apples.refresh_from_db()
    assert apples.unit_price == Decimal("2")


def test_holidays_keep_orders_away(client, world):
    carrots = offer(world.producer, food("U1", "Carotte"), price="1.50", pack=10)
    client.force_login(world.users["producer"])
    response = client.post(
        reverse("producer_profile"),
        {
            "delivery_cost": "0",
            "minimum_order_value": "0",
            "unavailable_from": "2027-08-01",
            "unavailable_until": "2027-08-20",
        },
    )
    assert response.status_code == 302
    carrots.refresh_from_db()
    assert not carrots.delivers_on(date(2027, 8, 10))  # a Tuesday during the holidays
    assert carrots.delivers_on(date(2027, 8, 24))  # the Tuesday after


def test_holidays_that_end_before_they_start_are_refused(client, world):
    client.force_login(world.users["producer"])
    response = client.post(
        reverse("producer_profile"),
        {
            "delivery_cost": "0",
            "minimum_order_value": "0",
            "unavailable_from": "2027-08-20",
            "unavailable_until": "2027-08-01",
        },
    )
    assert response.status_code == 400
    world.producer.refresh_from_db()
    assert world.producer.unavailable_from is None
