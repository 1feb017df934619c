"""The purchase order's life: transitions, answers, capacity, audit trail, and races."""

import contextlib
import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import close_old_connections, connection
from django.db.models import Sum
from django.utils import timezone

from orders import lifecycle
from orders.models import OrderEvent, PurchaseOrder, PurchaseOrderLine
from tests.factories import ProducerMemberFactory, UserFactory
from tests.orders.test_support import food, offer

pytest_plugins = ["tests.orders.test_support"]

DELIVERY = date(2027, 1, 5)


def make_order(world, an_offer, packs=2, day=DELIVERY, canteen=None):
    order = PurchaseOrder.objects.create(
        canteen=canteen or world.kitchen, producer=an_offer.producer, delivery_date=day
    )
    PurchaseOrderLine.objects.create(
        order=order,
        offer=an_offer,
        packs=packs,
        quantity=an_offer.pack_size * packs,
        unit_price=an_offer.unit_price,
        total=an_offer.unit_price * an_offer.pack_size * packs,
    )
    return order


def kitchens(world, count: int):
    """Other kitchens: one open order per kitchen, producer and day."""
    from tests.factories import CanteenFactory

    commune = world.kitchen.commune
    return [CanteenFactory(name=f"Cantine {n}", commune=commune) for n in range(count)]


@pytest.fixture
def carrots(world):
    return offer(world.producer, food("L1", "Carotte"), price="1.50", pack=10, capacity=100)


def test_an_order_goes_from_draft_to_paid_and_every_step_is_recorded(world, carrots, clock):
    cook, farmer = world.users["cook"], world.users["producer"]
    order = make_order(world, carrots)
    lifecycle.send_order(order=order, actor=cook)
    lifecycle.confirm_all(order=order, actor=farmer)
    order.refresh_from_db()
    assert order.status == "confirmed"
    line = order.lines.get()
    lifecycle.record_delivery(
        order=order,
        received={line.pk: (Decimal("19.5"), "un cageot abîmé")},
        actor=cook,
        received_on=timezone.localdate(),  # planned for 2027: it came early
    )
    clock(date(2027, 2, 1))  # the invoice and the payment are recorded once they happened
    lifecycle.record_invoice(order=order, invoiced_on=date(2027, 1, 6), actor=cook)
    lifecycle.record_payment(order=order, paid_on=date(2027, 1, 29), actor=cook)
    order.refresh_from_db()
    assert order.status == "paid" and (order.paid_on - order.invoiced_on).days == 23
    actions = list(OrderEvent.objects.filter(order=order).values_list("action", flat=True))
    assert actions == [
        "status:sent",
        "answer",
        "status:confirmed",
        "received",
        "status:delivered",
        "status:invoiced",
        "status:paid",
    ]
    assert OrderEvent.objects.get(action="answer").actor == farmer


def test_illegal_transitions_are_refused_with_a_clear_message(world, carrots):
    order = make_order(world, carrots)
    with pytest.raises(lifecycle.IllegalTransition):
        lifecycle.record_delivery(order=order, received={}, actor=world.users["cook"])
    lifecycle.send_order(order=order, actor=world.users["cook"])
    with pytest.raises(lifecycle.IllegalTransition):
        lifecycle.send_order(order=order, actor=world.users["cook"])
    order.refresh_from_db()
    assert order.status == "sent"


def test_only_the_orders_producer_answers(world, carrots):
    order = make_order(world, carrots)
    lifecycle.send_order(order=order, actor=world.users["cook"])
    line = order.lines.get()
    stranger = ProducerMemberFactory(user=UserFactory(username="other_farmer")).user
    for actor in (world.users["cook"], stranger):
        with pytest.raises(lifecycle.NotYourOrder):
            lifecycle.answer_line(line=line, packs=2, actor=actor)
    line.refresh_from_db()
    assert line.confirmed_packs is None


def test_a_partial_answer_needs_a_reason_and_settles_the_order(world, carrots):
    farmer = world.users["producer"]
    order = make_order(world, carrots, packs=3)
    lifecycle.send_order(order=order, actor=world.users["cook"])
    line = order.lines.get()
    with pytest.raises(lifecycle.OrderError):
        lifecycle.answer_line(line=line, packs=1, actor=farmer)
    lifecycle.answer_line(line=line, packs=1, actor=farmer, reason="grêle sur la parcelle")
    order.refresh_from_db()
    assert order.status == "partial"
    [(refused_line, quantity)] = lifecycle.refused_quantities(order)
    assert refused_line == line and quantity == Decimal("20")


def test_answering_twice_the_same_way_changes_nothing(world, carrots):
    farmer = world.users["producer"]
    order = make_order(world, carrots)
    second = make_order(world, carrots, day=DELIVERY + timedelta(days=1))
    for o in (order, second):
        lifecycle.send_order(order=o, actor=world.users["cook"])
    line = second.lines.get()
    lifecycle.answer_line(line=line, packs=0, actor=farmer, reason="plus de stock")
    lifecycle.answer_line(line=line, packs=0, actor=farmer, reason="plus de stock")
    assert OrderEvent.objects.filter(action="answer", line=line).count() == 1


def test_confirmations_never_exceed_the_weekly_capacity(world, carrots):
    farmer = world.users["producer"]
    big = make_order(world, carrots, packs=8)  # 80 kg
    small = make_order(world, carrots, packs=3, day=DELIVERY + timedelta(days=2))  # 30 kg
    for o in (big, small):
        lifecycle.send_order(order=o, actor=world.users["cook"])
    lifecycle.confirm_all(order=big, actor=farmer)
    with pytest.raises(lifecycle.CapacityExceeded, match="20"):
        lifecycle.answer_line(line=small.lines.get(), packs=3, actor=farmer)
    lifecycle.answer_line(
        line=small.lines.get(), packs=2, actor=farmer, reason="capacité de la semaine"
    )
    assert lifecycle.committed_quantity(carrots, DELIVERY) == Decimal("100")


def test_the_deadline_closes_answers(world, carrots):
    order = make_order(world, carrots)
    lifecycle.send_order(order=order, actor=world.users["cook"])
    PurchaseOrder.objects.filter(pk=order.pk).update(
        answer_deadline=timezone.now() - timedelta(minutes=1)
    )
    with pytest.raises(lifecycle.OrderError):
        lifecycle.answer_line(line=order.lines.get(), packs=2, actor=world.users["producer"])
    assert order.lines.get().confirmed_packs is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_confirmations_leave_capacity_exact(world, carrots):
    """20 producers' answers at once on one offer of 100 kg a week: exactly 10 orders of 10 kg
    fit; the others are refused for capacity; nothing is over-committed or counted twice."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are only meaningful on PostgreSQL")
    farmer = world.users["producer"]
    orders = [
        make_order(world, carrots, packs=1, canteen=kitchen) for kitchen in kitchens(world, 20)
    ]
    for o in orders:
        lifecycle.send_order(order=o, actor=world.users["cook"])
    lines = [o.lines.get() for o in orders]
    # every line answered twice at once, as a double click would
    work = lines + lines
    barrier = threading.Barrier(len(work))
    outcomes: list[str] = []

    def confirm(line):
        barrier.wait()
        try:
            lifecycle.answer_line(line=line, packs=1, actor=farmer)
            outcomes.append("ok")
        except lifecycle.CapacityExceeded:
            outcomes.append("full")
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=confirm, args=(line,)) for line in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    confirmed = PurchaseOrderLine.objects.filter(confirmed_packs=1).count()
    assert confirmed == 10
    assert lifecycle.committed_quantity(carrots, DELIVERY) == Decimal("100")
    assert OrderEvent.objects.filter(action="answer").count() == 10
    assert len(outcomes) == 40


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_confirmations_racing_a_reallocation_never_over_commit(world, carrots):
    """While 20 answers race on the carrots offer (100 kg a week), the cook re-allocates a
    refusal from another farm onto the same carrots; then that new order is sent and
    confirmed too. Whatever the interleaving, confirmed carrots never exceed 100 kg."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are only meaningful on PostgreSQL")
    from orders.reallocation import reallocate_refusals
    from tests.factories import ProducerFactory

    farmer, cook = world.users["producer"], world.users["cook"]
    other_farm = ProducerFactory(name="Autre ferme", commune=world.producer.commune)
    other_member = ProducerMemberFactory(user=UserFactory(username="other"), producer=other_farm)
    elsewhere = offer(other_farm, carrots.food, price="1.00", pack=10, capacity=100)
    refused = make_order(world, elsewhere, packs=3)
    lifecycle.send_order(order=refused, actor=cook)
    lifecycle.answer_line(
        line=refused.lines.get(), packs=0, actor=other_member.user, reason="grêle"
    )

    orders = [
        make_order(world, carrots, packs=1, canteen=kitchen) for kitchen in kitchens(world, 20)
    ]
    for o in orders:
        lifecycle.send_order(order=o, actor=cook)
    barrier = threading.Barrier(21)
    created = []

    def confirm(line):
        barrier.wait()
        try:
            lifecycle.answer_line(line=line, packs=1, actor=farmer)
        except lifecycle.CapacityExceeded:
            pass
        finally:
            connection.close()

    def reallocate():
        barrier.wait()
        try:
            created.extend(reallocate_refusals(order=refused, actor=cook))
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=(o.lines.get(),)) for o in orders]
    threads.append(threading.Thread(target=reallocate))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for new_order in created:  # the cook sends what the re-allocation drafted
        if new_order.producer_id == world.producer.pk:
            lifecycle.send_order(order=new_order, actor=cook)
            for line in new_order.lines.all():
                with contextlib.suppress(lifecycle.CapacityExceeded):
                    lifecycle.answer_line(line=line, packs=line.packs, actor=farmer)
    assert lifecycle.committed_quantity(carrots, DELIVERY) == Decimal("100")
    assert PurchaseOrderLine.objects.filter(offer=carrots, confirmed_packs__gt=0).aggregate(
        total=Sum("confirmed_packs")
    )["total"] * carrots.pack_size <= Decimal("100")


def test_an_invoice_or_a_payment_to_come_is_refused_with_the_reason(world, carrots, clock):
    """Found by the demo probe: an invoice "received" on 1 March was taken on 2 December, and
    the real payment could then never be recorded (it came "before the invoice")."""
    cook = world.users["cook"]
    order = make_order(world, carrots)
    lifecycle.send_order(order=order, actor=cook)
    lifecycle.confirm_all(order=order, actor=world.users["producer"])
    line = order.lines.get()
    clock(date(2027, 1, 5))
    lifecycle.record_delivery(order=order, received={line.pk: (Decimal("20"), "")}, actor=cook)
    with pytest.raises(lifecycle.OrderError, match="07/01/2027"):
        lifecycle.record_invoice(order=order, invoiced_on=date(2027, 1, 7), actor=cook)
    with pytest.raises(lifecycle.OrderError, match="05/01/2027"):
        lifecycle.record_invoice(
            order=order, invoiced_on=date(2027, 1, 4), actor=cook
        )  # before the delivery
    lifecycle.record_invoice(order=order, invoiced_on=date(2027, 1, 5), actor=cook)
    with pytest.raises(lifecycle.OrderError, match="06/01/2027"):
        lifecycle.record_payment(order=order, paid_on=date(2027, 1, 6), actor=cook)
    order.refresh_from_db()
    assert (order.status, order.invoiced_on, order.paid_on) == ("invoiced", date(2027, 1, 5), None)
