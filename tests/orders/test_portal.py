"""The producer portal: own orders only, answers from the page, the cook sends and reads."""

import pytest
from django.urls import reverse

from orders import lifecycle
from orders.models import PurchaseOrder
from tests.factories import ProducerMemberFactory, UserFactory
from tests.orders.test_lifecycle import make_order
from tests.orders.test_support import food, offer


@pytest.fixture
def sent_orders(world):
    mine = offer(world.producer, food("Q1", "Poireau"), price="2", pack=5, capacity=50)
    theirs = offer(world.other_producer, food("Q2", "Pomme"), price="2", pack=5)
    own = make_order(world, mine, packs=2)
    other = make_order(world, theirs, packs=2)
    for order in (own, other):
        lifecycle.send_order(order=order, actor=world.users["cook"])
    return own, other


def test_producer_sees_only_its_own_orders(client, world, sent_orders):
    own, other = sent_orders
    client.force_login(world.users["producer"])
    response = client.get(reverse("orders_portal"))
    assert [o.pk for o in response.context["to_answer"]] == [own.pk]


def test_guessed_ids_of_another_producers_order_are_not_found(client, world, sent_orders):
    _own, other = sent_orders
    client.force_login(world.users["producer"])
    line = other.lines.get()
    assert (
        client.post(reverse("orders_portal_answer", args=[line.pk]), {"packs": 0}).status_code
        == 404
    )
    assert client.post(reverse("orders_portal_confirm", args=[other.pk])).status_code == 404
    line.refresh_from_db()
    assert line.confirmed_packs is None


def test_producer_confirms_one_line_and_refuses_another(client, world, sent_orders):
    own, _other = sent_orders
    second = own.lines.create(
        offer=own.lines.get().offer, packs=1, quantity=5, unit_price=2, total=10
    )
    first = own.lines.exclude(pk=second.pk).get()
    client.force_login(world.users["producer"])
    client.post(reverse("orders_portal_answer", args=[first.pk]), {"packs": 2})
    client.post(reverse("orders_portal_answer", args=[second.pk]), {"packs": 0, "reason": "gel"})
    own.refresh_from_db()
    assert own.status == "partial"
    client.force_login(world.users["cook"])
    page = client.get(reverse("orders_po", args=[own.pk])).content.decode()
    assert "gel" in page


def test_a_refusal_without_reason_is_refused_and_nothing_changes(client, world, sent_orders):
    own, _other = sent_orders
    line = own.lines.get()
    client.force_login(world.users["producer"])
    response = client.post(
        reverse("orders_portal_answer", args=[line.pk]), {"packs": 1, "reason": ""}
    )
    assert response.status_code == 400
    page = response.content.decode()
    # the refusal sits in the line's own form, which keeps the packs typed
    form = page[page.index(reverse("orders_portal_answer", args=[line.pk])) :]
    form = form[: form.index("</form>")]
    assert 'role="alert"' in form and 'name="packs" min="0" max="2" value="1"' in form
    line.refresh_from_db()
    assert line.confirmed_packs is None


def test_packs_that_are_not_a_number_are_refused_in_place(client, world, sent_orders):
    own, _other = sent_orders
    line = own.lines.get()
    client.force_login(world.users["producer"])
    response = client.post(reverse("orders_portal_answer", args=[line.pk]), {"packs": "deux"})
    assert response.status_code == 400
    assert 'value="deux"' in response.content.decode()
    line.refresh_from_db()
    assert line.confirmed_packs is None


@pytest.mark.parametrize("role", ["cook", "dietitian", "manager", "nobody", "outsider_cook"])
def test_only_producers_open_the_portal(client, world, sent_orders, role):
    own, _other = sent_orders
    client.force_login(world.users[role])
    assert client.get(reverse("orders_portal")).status_code == 403
    line = own.lines.get()
    assert (
        client.post(reverse("orders_portal_answer", args=[line.pk]), {"packs": 2}).status_code
        == 403
    )


def test_anonymous_users_are_sent_to_login(client, sent_orders):
    assert client.get(reverse("orders_portal")).status_code == 302


def test_cook_sends_a_draft_and_others_cannot(client, world):
    carrots = offer(world.producer, food("Q3", "Carotte"), price="1", pack=10)
    order = make_order(world, carrots)
    url = reverse("orders_po_send", args=[order.pk])
    for role, status in [("manager", 403), ("producer", 403), ("outsider_cook", 404)]:
        client.force_login(world.users[role])
        assert client.post(url).status_code == status, role
    client.force_login(world.users["cook"])
    assert client.post(url).status_code == 302
    order.refresh_from_db()
    assert order.status == PurchaseOrder.Status.SENT


def test_a_second_member_of_the_same_farm_may_answer(client, world, sent_orders):
    own, _other = sent_orders
    partner = ProducerMemberFactory(user=UserFactory(username="partner"), producer=world.producer)
    client.force_login(partner.user)
    client.post(reverse("orders_portal_confirm", args=[own.pk]))
    own.refresh_from_db()
    assert own.status == "confirmed"
