"""Receipt: what arrived enters the purchases ledger; invoice and payment dates follow."""

from datetime import date
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from orders import lifecycle
from purchases.models import Purchase
from tests.orders.test_lifecycle import make_order
from tests.orders.test_support import food, offer

pytest_plugins = ["tests.orders.test_support"]


def early():
    """Today: the orders of these tests are planned for 2027, so they arrive early."""
    return timezone.localdate()


def confirmed_order(world, labels=("BIO",)):
    from nutrition.models import Food

    carrot = Food.objects.filter(code="T1").first() or food("T1", "Carotte")
    carrots = offer(world.producer, carrot, price="1.50", pack=10, labels=labels)
    order = make_order(world, carrots, packs=2)
    lifecycle.send_order(order=order, actor=world.users["cook"])
    lifecycle.confirm_all(order=order, actor=world.users["producer"])
    order.refresh_from_db()
    return order


def test_received_lines_become_purchases_counted_by_the_shares(client, world):
    order = confirmed_order(world)
    line = order.lines.get()
    client.force_login(world.users["cook"])
    response = client.post(
        reverse("orders_po_receive", args=[order.pk]),
        {
            f"received_{line.pk}": "18,5",
            f"remark_{line.pk}": "un cageot abîmé",
            "received_on": early().isoformat(),
        },
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == "delivered"
    purchase = Purchase.objects.get()
    assert purchase.price_ht == Decimal("27.75")  # 18.5 kg x 1.50 €
    assert purchase.labels == ["BIO"] and purchase.family == "FRUITS_ET_LEGUMES"
    assert purchase.is_local and purchase.local_definition == "DEPARTEMENT"
    assert purchase.is_short_chain and purchase.producer == world.producer
    assert purchase.source == "order" and purchase.food.name == "Carotte"
    line.refresh_from_db()
    assert line.quality_remark == "un cageot abîmé"


def test_only_the_kitchens_cook_records_a_delivery(client, world):
    order = confirmed_order(world)
    line = order.lines.get()
    for role, status in [("manager", 403), ("producer", 403), ("outsider_cook", 404)]:
        client.force_login(world.users[role])
        url = reverse("orders_po_receive", args=[order.pk])
        assert client.post(url, {f"received_{line.pk}": "20"}).status_code == status, role
    assert not Purchase.objects.exists()


def test_manager_records_invoice_and_payment_and_the_delay_is_known(client, world, clock):
    order = confirmed_order(world)
    line = order.lines.get()
    lifecycle.record_delivery(
        order=order,
        received={line.pk: (Decimal("20"), "")},
        actor=world.users["cook"],
        received_on=early(),
    )
    clock(date(2027, 3, 1))  # both dates have come
    client.force_login(world.users["manager"])
    url = reverse("orders_po_pay", args=[order.pk])
    client.post(url, {"date": "2027-01-06"})
    client.post(url, {"date": "2027-02-19"})
    order.refresh_from_db()
    assert (order.invoiced_on, order.paid_on) == (date(2027, 1, 6), date(2027, 2, 19))
    assert order.payment_delay == 44
    page = client.get(reverse("orders_po", args=[order.pk])).content.decode()
    assert "44" in page


def test_a_manager_elsewhere_cannot_record_the_payment_of_a_kitchen_they_cook_for(client, world):
    """Managing one canteen and cooking in another does not let you pay the latter's orders."""
    from cantine.models import Role
    from tests.factories import MembershipFactory

    order = confirmed_order(world)
    lifecycle.record_delivery(
        order=order,
        received={order.lines.get().pk: (Decimal("20"), "")},
        actor=world.users["cook"],
        received_on=early(),
    )
    MembershipFactory(user=world.users["cook"], canteen=world.other_canteen, role=Role.MANAGER)
    client.force_login(world.users["cook"])
    response = client.post(reverse("orders_po_pay", args=[order.pk]), {"date": "2027-01-06"})
    assert response.status_code == 404
    order.refresh_from_db()
    assert order.invoiced_on is None


def test_payment_delays_per_producer_against_the_legal_limit(client, world, clock):
    from orders.selectors import payment_delays

    today = early()
    for paid_on in (date(2027, 1, 20), date(2027, 3, 1)):
        clock(today)
        order = confirmed_order(world)
        lifecycle.record_delivery(
            order=order,
            received={order.lines.get().pk: (Decimal("20"), "")},
            actor=world.users["cook"],
            received_on=early(),
        )
        clock(paid_on)
        lifecycle.record_invoice(
            order=order, invoiced_on=date(2027, 1, 6), actor=world.users["manager"]
        )
        lifecycle.record_payment(order=order, paid_on=paid_on, actor=world.users["manager"])
    [row] = payment_delays(world.kitchen)
    assert row["orders"] == 2 and row["late"] == 1 and row["average_days"] == (14 + 54) / 2


def test_orders_not_yet_received_count_in_the_year_end_projection(world):
    from purchases.models import Purchase
    from purchases.report import year_report

    Purchase.objects.create(
        canteen=world.kitchen,
        date=date(2027, 1, 10),
        description="Pommes de terre",
        family="FRUITS_ET_LEGUMES",
        price_ht=Decimal("100"),
        source="manual",
    )
    before = year_report(world.kitchen, 2027, today=date(2027, 1, 31)).projection
    order = confirmed_order(world, labels=("BIO",))  # 2 x 10 kg x 1.50 € = 30 € of organic
    order.delivery_date = date(2027, 2, 10)
    order.save()
    after = year_report(world.kitchen, 2027, today=date(2027, 1, 31)).projection
    assert before.planned.total == 0
    assert after.planned.total == Decimal("30.00") and after.planned.bio == Decimal("30.00")
    assert after.year_end.bio > before.year_end.bio


def test_insertion_hours_and_payment_delays_reach_the_managers_report(client, world, clock):
    from purchases.report import year_report
    from tests.pdf import pdf_text

    world.producer.status = "siae"
    world.producer.save()
    clock(date(2027, 1, 4))
    order = confirmed_order(world)
    line = order.lines.get()
    clock(date(2027, 1, 5))  # delivered on the planned day
    client.force_login(world.users["cook"])
    client.post(
        reverse("orders_po_receive", args=[order.pk]),
        {f"received_{line.pk}": "20", "insertion_hours": "12,5"},
    )
    clock(date(2027, 2, 20))
    lifecycle.record_invoice(
        order=order, invoiced_on=date(2027, 1, 6), actor=world.users["manager"]
    )
    lifecycle.record_payment(order=order, paid_on=date(2027, 2, 20), actor=world.users["manager"])
    report = year_report(world.kitchen, 2027, today=date(2027, 3, 1))
    assert report.insertion_hours == [("Les Jardins d'Angers", Decimal("12.5"))]
    [delay] = report.payment_delays
    assert (delay["producer"], delay["average_days"], delay["late"]) == (
        "Les Jardins d'Angers",
        45,
        1,
    )
    client.force_login(world.users["manager"])
    pdf = client.get(
        reverse("purchase_report_pdf"), {"canteen": world.kitchen.pk, "year": 2027}
    ).content
    text = pdf_text(pdf)
    assert "12.5" in text or "12,5" in text
    assert "45" in text


def test_draft_orders_count_as_planned_purchases(world):
    from orders.selectors import planned_purchases

    carrots = offer(world.producer, food("T9", "Navet"), price="2", pack=5, labels=["HVE"])
    draft = make_order(world, carrots, packs=3)  # 30 € planned, not sent yet
    [planned] = planned_purchases([world.kitchen], date(2027, 1, 1), date(2027, 12, 31))
    assert planned.amount == Decimal("30.00") and planned.labels == ("HVE",)
    draft.status = "cancelled"
    draft.save()
    assert planned_purchases([world.kitchen], date(2027, 1, 1), date(2027, 12, 31)) == []


def test_the_ledger_counts_the_cents_the_order_shows(world):
    """Found by the demo probe: 29.5 kg x 3.23 € showed 95,29 € delivered on the order and
    95,28 € in the ledger (one rounded half up, the other half to even)."""
    beets = offer(world.producer, food("T9", "Betterave"), price="3.23", pack=10)
    order = make_order(world, beets, packs=3)
    lifecycle.send_order(order=order, actor=world.users["cook"])
    lifecycle.confirm_all(order=order, actor=world.users["producer"])
    line = order.lines.get()
    lifecycle.record_delivery(
        order=order,
        received={line.pk: (Decimal("29.5"), "")},
        actor=world.users["cook"],
        received_on=early(),
    )
    line.refresh_from_db()
    assert line.delivered_total == Decimal("95.29")
    assert Purchase.objects.get(canteen=world.kitchen).price_ht == Decimal("95.29")
