"""Honest money and dates: asked, confirmed and delivered amounts apart; receipts dated the day
they arrived (never a day to come, never before sending) and the ledger counts them then;
order lines keep the terms they were sent with."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from orders import lifecycle
from orders.models import PurchaseOrder
from purchases.models import Purchase
from purchases.selectors import LedgerFilter, ledger, shares
from tests.orders.test_lifecycle import make_order
from tests.orders.test_support import food, offer
from tests.pdf import pdf_text

pytest_plugins = ["tests.orders.test_support"]

DECEMBER_23 = date(2026, 12, 23)


@pytest.fixture
def carrots(world):
    return offer(world.producer, food("HM1", "Carotte"), price="1.50", pack=10, labels=["BIO"])


@pytest.fixture
def partly_confirmed(world, carrots):
    """3 packs of 10 kg asked (45 €, + 5 € delivery), 1 confirmed (15 €)."""
    order = make_order(world, carrots, packs=3)
    order.goods_total, order.delivery_cost = Decimal("45.00"), Decimal("5.00")
    order.save()
    lifecycle.send_order(order=order, actor=world.users["cook"])
    lifecycle.answer_line(
        line=order.lines.get(), packs=1, actor=world.users["producer"], reason="grêle"
    )
    order.refresh_from_db()
    return order


def test_a_partly_confirmed_order_is_due_for_what_was_confirmed(client, world, partly_confirmed):
    amounts = partly_confirmed.amounts
    assert (amounts.asked, amounts.confirmed, amounts.delivered, amounts.due) == (
        Decimal("50.00"),
        Decimal("20.00"),
        None,
        Decimal("20.00"),
    )
    client.force_login(world.users["manager"])
    page = client.get(reverse("orders_po", args=[partly_confirmed.pk])).content.decode()
    assert re.search(r'data-amount="asked">50[,.]00', page)
    assert re.search(r'data-amount="confirmed">20[,.]00', page)
    assert re.search(r'data-amount="due"><strong>20[,.]00', page)
    listing = client.get(reverse("orders_purchase_orders", args=[world.kitchen.pk]))
    text = listing.content.decode()
    assert re.search(r'data-amount="asked">50[,.]00', text)
    assert re.search(r'data-amount="confirmed">20[,.]00', text)

    csv = client.get(reverse("orders_po_csv", args=[partly_confirmed.pk])).content.decode()
    header, row = (line.split(";") for line in csv.lstrip("\ufeff").strip().splitlines())
    values = dict(zip(header, row, strict=True))
    assert values["total_ht"] == "45,00" and values["total_confirme_ht"] == "15,00"
    assert values["colis_confirmes"] == "1" and values["quantite_livree"] == ""

    pdf = pdf_text(client.get(reverse("orders_po_pdf", args=[partly_confirmed.pk])).content)
    assert "20,00" in pdf and "50,00" in pdf

    api = client.get(f"/api/purchase-orders/{partly_confirmed.pk}/").json()
    assert api["amounts"] == {
        "asked_goods": "45.00",
        "delivery_cost": "5.00",
        "asked": "50.00",
        "confirmed": "20.00",
        "delivered": None,
        "due": "20.00",
    }
    assert api["lines"][0]["confirmed_total"] == "15.00"


def test_delivered_amount_is_what_arrived(world, partly_confirmed, clock):
    clock(date(2027, 1, 5))
    line = partly_confirmed.lines.get()
    lifecycle.record_delivery(
        order=partly_confirmed, received={line.pk: (Decimal("8"), "")}, actor=world.users["cook"]
    )
    partly_confirmed.refresh_from_db()
    assert partly_confirmed.received_on == date(2027, 1, 5)
    amounts = partly_confirmed.amounts
    assert (amounts.delivered, amounts.due) == (Decimal("17.00"), Decimal("17.00"))


@pytest.fixture
def december_order(world, carrots, clock):
    """Planned for 23 December 2026, sent and confirmed on 1 December."""
    clock(date(2026, 12, 1))
    order = make_order(world, carrots, packs=2, day=DECEMBER_23)
    lifecycle.send_order(order=order, actor=world.users["cook"])
    lifecycle.confirm_all(order=order, actor=world.users["producer"])
    order.refresh_from_db()
    return order


def december(world):
    return shares(ledger([world.kitchen.pk], LedgerFilter(year=2026, month=12)), year=2026)


def test_a_delivery_to_come_is_not_in_the_december_figures(client, world, december_order):
    """On 1 December, the 23 December delivery cannot be recorded, neither by default nor
    dated the 23rd; December's ledger and shares ignore it."""
    line = december_order.lines.get()
    client.force_login(world.users["cook"])
    url = reverse("orders_po_receive", args=[december_order.pk])
    for posted in ({}, {"received_on": "2026-12-23"}):
        response = client.post(url, {f"received_{line.pk}": "19,5", **posted})
        assert response.status_code == 400
        text = response.content.decode()
        assert "23/12/2026" in text and 'value="19,5"' in text  # why, and nothing lost
    with pytest.raises(lifecycle.ReceiptDateError):
        lifecycle.record_delivery(
            order=december_order, received={line.pk: (Decimal("20"), "")}, actor=None
        )
    december_order.refresh_from_db()
    assert december_order.status == "confirmed" and december_order.received_on is None
    assert not Purchase.objects.exists()
    assert december(world).total == 0 and december(world).lines == 0


def test_a_late_delivery_counts_on_the_day_it_arrived(world, december_order, clock):
    clock(date(2027, 1, 4))
    line = december_order.lines.get()
    lifecycle.record_delivery(
        order=december_order,
        received={line.pk: (Decimal("20"), "")},
        actor=world.users["cook"],
        received_on=date(2027, 1, 4),
    )
    [purchase] = Purchase.objects.all()
    assert purchase.date == date(2027, 1, 4)
    assert december(world).total == 0
    january = shares(ledger([world.kitchen.pk], LedgerFilter(year=2027, month=1)), year=2027)
    assert january.total == Decimal("30.00") and january.bio == Decimal("30.00")


def test_a_receipt_cannot_be_dated_before_the_order_was_sent(client, world, december_order, clock):
    clock(date(2026, 12, 24))
    line = december_order.lines.get()
    client.force_login(world.users["cook"])
    response = client.post(
        reverse("orders_po_receive", args=[december_order.pk]),
        {"received_on": "2026-11-30", f"received_{line.pk}": "20", f"remark_{line.pk}": "ok"},
    )
    assert response.status_code == 400
    assert "01/12/2026" in response.content.decode()
    assert 'value="ok"' in response.content.decode()
    assert not Purchase.objects.exists()
    # the planned day has come: it is what the form proposes, and what a receipt defaults to
    page = client.get(reverse("orders_po", args=[december_order.pk])).content.decode()
    assert 'name="received_on" value="2026-12-23"' in page
    lifecycle.record_delivery(
        order=december_order, received={line.pk: (Decimal("20"), "")}, actor=None
    )
    assert Purchase.objects.get().date == DECEMBER_23


def test_the_api_refuses_a_receipt_dated_in_the_future(client, world, december_order):
    line = december_order.lines.get()
    client.force_login(world.users["cook"])
    url = f"/api/purchase-orders/{december_order.pk}/receive/"
    body = {"received_on": "2026-12-23", "lines": [{"line": line.pk, "quantity": "20"}]}
    response = client.post(url, body, "application/json")
    assert response.status_code == 400 and "received_on" in response.json()
    assert not Purchase.objects.exists()
    body["received_on"] = "2026-12-01"  # it came early, and the cook says so
    response = client.post(url, body, "application/json")
    assert response.status_code == 200 and response.json()["received_on"] == "2026-12-01"
    assert response.json()["amounts"]["delivered"] == "30.00"
    client.force_login(world.users["manager"])
    assert client.post(url, body, "application/json").status_code == 403


def test_a_sent_order_keeps_its_terms_when_the_producer_edits_the_offer(client, world, carrots):
    order = make_order(world, carrots, packs=3)
    lifecycle.send_order(order=order, actor=world.users["cook"])
    carrots.pack_size, carrots.unit_price, carrots.labels = Decimal("25"), Decimal("3"), []
    carrots.product_label = "Carottes en vrac"
    carrots.save()

    lifecycle.confirm_all(order=order, actor=world.users["producer"])
    line = order.lines.get()
    assert (line.size, line.unit_price, line.labels, line.product) == (
        Decimal("10"),
        Decimal("1.50"),
        ["BIO"],
        "Carotte",
    )
    assert line.confirmed_quantity == Decimal("30")
    assert lifecycle.committed_quantity(carrots, order.delivery_date) == Decimal("30")
    client.force_login(world.users["cook"])
    page = client.get(reverse("orders_po", args=[order.pk])).content.decode()
    assert "3 × 10\u00a0kg" in page and "Carottes en vrac" not in page
    csv = client.get(reverse("orders_po_csv", args=[order.pk])).content.decode()
    assert ";10;" in csv and "BIO" in csv
    lifecycle.record_delivery(
        order=order,
        received={line.pk: (Decimal("30"), "")},
        actor=None,
        received_on=timezone.localdate(order.sent_at),
    )
    purchase = Purchase.objects.get()
    assert purchase.labels == ["BIO"] and purchase.price_ht == Decimal("45.00")


def test_sending_takes_the_offers_terms_of_that_day(world, carrots):
    """A draft is only a proposal: the price and pack size sent are the offer's at sending,
    the packs following a new pack size so the quantity asked stays covered."""
    order = make_order(world, carrots, packs=3)  # 30 kg in 10 kg packs
    carrots.pack_size, carrots.unit_price = Decimal("4"), Decimal("1.60")
    carrots.save()
    lifecycle.send_order(order=order, actor=world.users["cook"])
    line = order.lines.get()
    assert (line.packs, line.size, line.unit_price, line.total) == (
        8,
        Decimal("4"),
        Decimal("1.60"),
        Decimal("51.20"),
    )
    order.refresh_from_db()
    assert order.goods_total == Decimal("51.20")
    event = PurchaseOrder.objects.get().events.get(action="terms")
    assert "10" in event.describe() and "1.60" in event.describe()
