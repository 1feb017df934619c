"""Re-accepting an allocation never orders twice: sent and confirmed lines count, drafts are
replaced, a change to a sent order is an amendment of that order, the cook previews it."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from orders import lifecycle
from orders.models import (
    AllocationLine,
    AllocationRun,
    Need,
    Notification,
    OrderEvent,
    PurchaseOrder,
)
from orders.reallocation import reallocate_refusals
from orders.services import AllocationNotAcceptable, accept_allocation, preview_acceptance
from tests.factories import ProducerFactory, ProducerMemberFactory, UserFactory
from tests.orders.test_support import food, offer

MONDAY = date(2027, 1, 4)
SUNDAY = MONDAY + timedelta(days=6)
FRIDAY = date(2027, 1, 1)  # fresh food for Monday's meals arrives the Friday before


def need(kitchen, item, quantity, day=FRIDAY, week=MONDAY) -> Need:
    found, _ = Need.objects.update_or_create(
        canteen=kitchen,
        week=week,
        food=item,
        delivery_date=day,
        defaults={"computed_quantity": Decimal(str(quantity))},
    )
    return found


def solved_run(kitchen, *lines, start=MONDAY, end=SUNDAY) -> AllocationRun:
    """A finished run whose lines are ``(need, offer, packs)``, as the optimiser stores them."""
    run = AllocationRun.objects.create(canteen=kitchen, start=start, end=end, status="optimal")
    for a_need, an_offer, packs in lines:
        AllocationLine.objects.create(
            run=run,
            need=a_need,
            offer=an_offer,
            packs=packs,
            quantity=an_offer.pack_size * packs,
            unit_price=an_offer.unit_price,
            total=an_offer.pack_size * packs * an_offer.unit_price,
        )
    return run


def open_orders(producer, day=FRIDAY):
    return PurchaseOrder.objects.filter(producer=producer, delivery_date=day).exclude(
        status=PurchaseOrder.Status.CANCELLED
    )


@pytest.fixture
def lettuce(world):
    """Lettuce from the Angers farm (5 kg packs) and from a second farm (5 kg packs)."""
    item = food("LA1", "Laitue, crue")
    world.producer.email = "jardins@example.org"
    world.producer.save()
    second = ProducerFactory(
        name="Ferme du Layon", commune=world.producer.commune, delivery_weekdays=[]
    )
    return {
        "food": item,
        "angers": offer(world.producer, item, price="2.00", pack=5),
        "layon": offer(second, item, price="1.90", pack=5),
    }


@pytest.fixture
def sent_45kg(world, lettuce):
    """The issue's case: 45 kg of lettuce accepted and sent to the Angers farm."""
    first = need(world.kitchen, lettuce["food"], 45)
    accept_allocation(run=solved_run(world.kitchen, (first, lettuce["angers"], 9)))
    order = PurchaseOrder.objects.get()
    lifecycle.send_order(order=order, actor=world.users["cook"])
    order.refresh_from_db()
    return order


def test_reaccepting_after_a_menu_change_amends_the_sent_order_instead_of_ordering_twice(
    world, lettuce, sent_45kg
):
    bigger = need(world.kitchen, lettuce["food"], 50)  # the menus changed: 50 kg now
    orders = accept_allocation(
        run=solved_run(world.kitchen, (bigger, lettuce["angers"], 10)), actor=world.users["cook"]
    )

    assert [o.pk for o in orders] == [sent_45kg.pk]
    [order] = open_orders(world.producer)  # one card for that producer and day
    line = order.lines.get()
    assert (line.packs, line.previous_packs, line.quantity) == (10, 9, Decimal("50"))
    assert order.status == "sent" and order.revision == 1
    assert order.goods_total == Decimal("100.00")
    event = OrderEvent.objects.get(order=order, action="amended")
    assert event.after["lines"] == [{"product": "Laitue, crue", "before": 9, "after": 10}]
    mail = Notification.objects.filter(order=order, to="jardins@example.org").latest("pk")
    assert order.number in mail.subject and "9 → 10" in mail.body


def test_only_the_difference_goes_to_the_producer_the_new_run_prefers(world, lettuce, sent_45kg):
    bigger = need(world.kitchen, lettuce["food"], 50)
    accept_allocation(run=solved_run(world.kitchen, (bigger, lettuce["layon"], 10)))

    assert sent_45kg.lines.get().packs == 9  # the sent order is untouched
    sent_45kg.refresh_from_db()
    assert sent_45kg.revision == 0
    [draft] = open_orders(lettuce["layon"].producer)
    assert draft.status == "draft" and draft.lines.get().packs == 1  # 45 + 5 = 50 kg


def test_a_smaller_need_reduces_the_sent_order_and_no_need_cancels_it(world, lettuce, sent_45kg):
    smaller = need(world.kitchen, lettuce["food"], 30)
    accept_allocation(run=solved_run(world.kitchen, (smaller, lettuce["angers"], 6)))
    line = sent_45kg.lines.get()
    assert line.packs == 6 and line.previous_packs == 9
    assert not PurchaseOrder.objects.filter(status="draft").exists()

    smaller.manual_quantity = Decimal("0")  # the cook takes lettuce off the week
    smaller.save()
    accept_allocation(run=solved_run(world.kitchen))
    sent_45kg.refresh_from_db()
    line.refresh_from_db()
    assert line.packs == 0 and sent_45kg.status == "cancelled" and sent_45kg.revision == 2
    assert not PurchaseOrder.objects.exclude(status="cancelled").exists()


def test_drafts_are_replaced_and_keep_one_card_per_producer_and_day(world, lettuce):
    first = need(world.kitchen, lettuce["food"], 45)
    accept_allocation(run=solved_run(world.kitchen, (first, lettuce["angers"], 9)))
    need(world.kitchen, lettuce["food"], 50)
    second = solved_run(world.kitchen, (first, lettuce["angers"], 10))
    accept_allocation(run=second)
    accept_allocation(run=solved_run(world.kitchen, (first, lettuce["angers"], 10)))

    [draft] = PurchaseOrder.objects.all()
    assert draft.status == "draft" and draft.lines.get().packs == 10
    assert draft.goods_total == Decimal("100.00")


def test_an_amended_confirmed_order_waits_for_a_new_answer_on_the_same_card(
    client, world, lettuce, sent_45kg
):
    lifecycle.confirm_all(order=sent_45kg, actor=world.users["producer"])
    bigger = need(world.kitchen, lettuce["food"], 50)
    accept_allocation(run=solved_run(world.kitchen, (bigger, lettuce["angers"], 10)))

    sent_45kg.refresh_from_db()
    line = sent_45kg.lines.get()
    assert sent_45kg.status == "sent" and line.confirmed_packs is None and line.packs == 10
    client.force_login(world.users["producer"])
    page = client.get(reverse("orders_portal"))
    assert [o.pk for o in page.context["to_answer"]] == [sent_45kg.pk]
    text = page.content.decode()
    assert text.count(f'data-order="{sent_45kg.pk}"') == 1
    assert "data-previous" in text and ">10<" in text


def test_a_confirmed_line_reduced_keeps_its_answer(world, lettuce, sent_45kg):
    lifecycle.confirm_all(order=sent_45kg, actor=world.users["producer"])
    smaller = need(world.kitchen, lettuce["food"], 40)
    accept_allocation(run=solved_run(world.kitchen, (smaller, lettuce["angers"], 8)))
    sent_45kg.refresh_from_db()
    line = sent_45kg.lines.get()
    assert (line.packs, line.confirmed_packs, sent_45kg.status) == (8, 8, "confirmed")


def test_refused_packs_are_bought_from_another_producer_not_asked_again(world, lettuce, sent_45kg):
    line = sent_45kg.lines.get()
    lifecycle.answer_line(line=line, packs=5, actor=world.users["producer"], reason="grêle")
    same = need(world.kitchen, lettuce["food"], 45)

    # A run that only knows the farm that refused: the 20 kg are not asked of it again.
    only_angers = solved_run(world.kitchen, (same, lettuce["angers"], 9))
    plan = preview_acceptance(run=only_angers)
    [short] = plan.shortfalls
    assert short.quantity == Decimal("20") and short.refused

    # A run that also knows the Layon farm: the refused 20 kg go there, once.
    run = solved_run(world.kitchen, (same, lettuce["angers"], 5), (same, lettuce["layon"], 4))
    accept_allocation(run=run)
    [draft] = open_orders(lettuce["layon"].producer)
    assert draft.lines.get().packs == 4
    sent_45kg.refresh_from_db()
    assert sent_45kg.status == "partial" and sent_45kg.revision == 0
    assert OrderEvent.objects.filter(order=sent_45kg, action="replanned").exists()
    assert reallocate_refusals(order=sent_45kg) == []  # not bought a second time


def test_reallocation_of_refusals_still_works_after_an_acceptance(world, lettuce, sent_45kg):
    lifecycle.answer_line(
        line=sent_45kg.lines.get(), packs=5, actor=world.users["producer"], reason="grêle"
    )
    sent_45kg.refresh_from_db()
    created = reallocate_refusals(order=sent_45kg, actor=world.users["cook"])
    assert [(o.producer, o.lines.get().packs) for o in created] == [(lettuce["layon"].producer, 4)]
    assert created[0].lines.get().week == MONDAY


def test_new_lines_for_a_producer_with_a_sent_order_that_day_join_it(world, lettuce, sent_45kg):
    radish = food("RA1", "Radis, cru")
    radishes = offer(world.producer, radish, price="3.00", pack=1)
    lettuce_need = need(world.kitchen, lettuce["food"], 45)
    radish_need = need(world.kitchen, radish, 4)
    run = solved_run(
        world.kitchen, (lettuce_need, lettuce["angers"], 9), (radish_need, radishes, 4)
    )
    accept_allocation(run=run)
    [order] = open_orders(world.producer)
    assert order.pk == sent_45kg.pk and order.revision == 1
    assert sorted((ln.product, ln.packs) for ln in order.lines.all()) == [
        ("Laitue, crue", 9),
        ("Radis, cru", 4),
    ]


def test_the_cook_previews_the_difference_then_confirms(client, world, lettuce, sent_45kg):
    radish = food("RA1", "Radis, cru")
    layon = lettuce["layon"].producer
    radishes = offer(layon, radish, price="3.00", pack=1)
    smaller = need(world.kitchen, lettuce["food"], 40)
    radish_need = need(world.kitchen, radish, 4)
    run = solved_run(world.kitchen, (smaller, lettuce["angers"], 8), (radish_need, radishes, 4))
    client.force_login(world.users["cook"])
    url = reverse("orders_accept_run", args=[run.pk])

    page = client.get(url)
    assert page.status_code == 200
    cards = {(c.producer.name, c.kind): c for c in page.context["changes"]}
    amended = cards[("Les Jardins d'Angers", "amendment")]
    assert [(ln.product, ln.before, ln.after, ln.change) for ln in amended.lines] == [
        ("Laitue, crue", 9, 8, "reduced")
    ]
    new = cards[("Ferme du Layon", "new")]
    assert [(ln.product, ln.after, ln.change) for ln in new.lines] == [("Radis, cru", 4, "added")]
    assert sent_45kg.lines.get().packs == 9 and PurchaseOrder.objects.count() == 1  # nothing yet
    assert client.get(reverse("orders_accept_run", args=[run.pk])).status_code == 200
    for role in ("manager", "producer"):
        client.force_login(world.users[role])
        assert client.get(url).status_code == 403
    client.force_login(world.users["cook"])

    # A producer answers between the preview and the confirmation: the cook sees it again.
    digest = page.context["plan"].digest
    lifecycle.answer_line(
        line=sent_45kg.lines.get(), packs=5, actor=world.users["producer"], reason="grêle"
    )
    response = client.post(url, {"digest": digest})
    assert response.status_code == 302 and response.url == url
    assert sent_45kg.lines.get().packs == 9
    run.refresh_from_db()
    assert run.accepted_at is None

    again = client.get(url)
    [short] = again.context["plan"].shortfalls  # 40 kg needed, 25 confirmed, the rest refused
    assert short.quantity == Decimal("15") and short.refused
    assert "grêle" not in again.content.decode() and "Radis" in again.content.decode()
    response = client.post(url, {"digest": again.context["plan"].digest})
    assert response.status_code == 302
    assert sent_45kg.lines.get().packs == 9  # 5 confirmed, 4 refused: nothing to reduce
    assert open_orders(layon).get().lines.get().packs == 4
    with pytest.raises(AllocationNotAcceptable):
        accept_allocation(run=run)


def test_the_api_previews_and_accepts(client, world, lettuce, sent_45kg):
    bigger = need(world.kitchen, lettuce["food"], 50)
    run = solved_run(world.kitchen, (bigger, lettuce["angers"], 10))
    client.force_login(world.users["cook"])
    preview = client.get(f"/api/allocation-runs/{run.pk}/acceptance/").json()
    [card] = preview["changes"]
    assert card["kind"] == "amendment" and card["order"] == sent_45kg.pk
    assert card["lines"][0] | {"pack_size": None} == {
        "product": "Laitue, crue",
        "unit": "kg",
        "pack_size": None,
        "before": 9,
        "after": 10,
        "change": "increased",
    }
    stale = client.post(
        f"/api/allocation-runs/{run.pk}/accept/", {"digest": "0" * 16}, "application/json"
    )
    assert stale.status_code == 409
    done = client.post(
        f"/api/allocation-runs/{run.pk}/accept/", {"digest": preview["digest"]}, "application/json"
    )
    assert done.status_code == 200
    [order] = done.json()
    assert order["id"] == sent_45kg.pk and order["revision"] == 1
    client.force_login(world.users["manager"])
    assert client.post(f"/api/allocation-runs/{run.pk}/accept/").status_code == 403


def test_a_cancelled_line_cannot_be_answered(world, lettuce, sent_45kg):
    need(world.kitchen, lettuce["food"], 0)
    accept_allocation(run=solved_run(world.kitchen))
    with pytest.raises(lifecycle.OrderError):
        lifecycle.answer_line(line=sent_45kg.lines.get(), packs=9, actor=world.users["producer"])


def test_only_the_orders_producer_is_amended(world, lettuce, sent_45kg):
    stranger = ProducerMemberFactory(user=UserFactory(username="other_farmer")).producer
    wrong = offer(stranger, lettuce["food"], price="1", pack=5)
    with pytest.raises(lifecycle.OrderError):
        lifecycle.amend_order(
            order=sent_45kg, actor=None, add=[lifecycle.NewLine(offer=wrong, packs=1)]
        )
