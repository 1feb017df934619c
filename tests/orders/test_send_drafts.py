"""Send every draft at once: a confirmation first, each through the lifecycle, never twice."""

import pytest
from django.core import mail
from django.urls import reverse

from orders.models import PurchaseOrder
from tests.orders.test_lifecycle import make_order
from tests.orders.test_support import food, offer


@pytest.fixture
def drafts(world):
    world.producer.email = "ferme@example.org"
    world.producer.save()
    world.other_producer.email = "vergers@example.org"
    world.other_producer.save()
    return [
        make_order(world, offer(world.producer, food("D1", "Poireau"), price="2", pack=5)),
        make_order(world, offer(world.other_producer, food("D2", "Pomme"), price="1", pack=5)),
    ]


def _confirm(client, kitchen):
    """The confirmation page and the order ids its form posts."""
    response = client.get(reverse("orders_send_drafts", args=[kitchen.pk]))
    assert response.status_code == 200
    return response, [o.pk for o in response.context["drafts"]]


def test_the_list_offers_to_send_every_draft(client, world, drafts):
    client.force_login(world.users["cook"])
    page = client.get(reverse("orders_purchase_orders", args=[world.kitchen.pk])).content.decode()
    assert "Envoyer les 2 brouillons" in page
    assert reverse("orders_send_drafts", args=[world.kitchen.pk]) in page
    client.force_login(world.users["manager"])  # reads, sends nothing
    page = client.get(reverse("orders_purchase_orders", args=[world.kitchen.pk])).content.decode()
    assert "brouillons" not in page


def test_the_confirmation_lists_the_drafts_then_sends_them_all(
    client, world, drafts, django_capture_on_commit_callbacks
):
    client.force_login(world.users["cook"])
    page, ids = _confirm(client, world.kitchen)
    assert sorted(ids) == sorted(o.pk for o in drafts)
    for order in drafts:
        assert order.number in page.content.decode()
    assert PurchaseOrder.objects.filter(status="sent").count() == 0  # GET changes nothing
    url = reverse("orders_send_drafts", args=[world.kitchen.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"order": ids})
    assert response.status_code == 302
    assert set(PurchaseOrder.objects.values_list("status", flat=True)) == {"sent"}
    assert sorted(m.to[0] for m in mail.outbox) == ["ferme@example.org", "vergers@example.org"]
    assert all(o.answer_deadline for o in PurchaseOrder.objects.all())


def test_a_second_post_sends_nothing_more(
    client, world, drafts, django_capture_on_commit_callbacks
):
    client.force_login(world.users["cook"])
    _page, ids = _confirm(client, world.kitchen)
    url = reverse("orders_send_drafts", args=[world.kitchen.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"order": ids})
        sent_at = {o.pk: o.sent_at for o in PurchaseOrder.objects.all()}
        response = client.post(url, {"order": ids}, follow=True)
    assert len(mail.outbox) == 2
    assert {o.pk: o.sent_at for o in PurchaseOrder.objects.all()} == sent_at
    assert "Plus rien à envoyer" in response.content.decode()


def test_a_refused_order_is_listed_next_to_the_button_and_the_others_go(
    client, world, drafts, django_capture_on_commit_callbacks
):
    day = drafts[0].delivery_date
    drafts[0].delete()  # one open order per producer and day: an empty one takes its place
    empty = PurchaseOrder.objects.create(
        canteen=world.kitchen, producer=world.producer, delivery_date=day
    )
    client.force_login(world.users["cook"])
    _page, ids = _confirm(client, world.kitchen)
    url = reverse("orders_send_drafts", args=[world.kitchen.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"order": ids})
    assert response.status_code == 200
    page = response.content.decode()
    refusals = page[page.index("data-refusals") :]
    assert empty.number in refusals and "sans ligne" in refusals
    empty.refresh_from_db()
    drafts[1].refresh_from_db()
    assert (empty.status, drafts[1].status) == ("draft", "sent")


def test_only_the_kitchens_own_drafts_are_sent(client, world, drafts):
    outsider = make_order(
        world,
        offer(world.producer, food("D3", "Chou"), price="1", pack=5),
        canteen=world.other_canteen,
    )
    client.force_login(world.users["cook"])
    url = reverse("orders_send_drafts", args=[world.kitchen.pk])
    client.post(url, {"order": [outsider.pk]})
    outsider.refresh_from_db()
    assert outsider.status == "draft"


@pytest.mark.parametrize("who", ["producer", "outsider_cook", "manager"])
def test_others_cannot_send_the_kitchens_drafts(client, world, drafts, who):
    client.force_login(world.users[who])
    url = reverse("orders_send_drafts", args=[world.kitchen.pk])
    response = client.post(url, {"order": [o.pk for o in drafts]})
    assert response.status_code in (403, 404)
    assert set(PurchaseOrder.objects.values_list("status", flat=True)) == {"draft"}


def test_a_malformed_id_is_refused_with_its_reason(client, world, drafts):
    client.force_login(world.users["cook"])
    url = reverse("orders_send_drafts", args=[world.kitchen.pk])
    response = client.post(url, {"order": ["1; DROP"]})
    assert response.status_code == 400
    assert "rouvrez la confirmation" in response.content.decode()
    assert set(PurchaseOrder.objects.values_list("status", flat=True)) == {"draft"}
