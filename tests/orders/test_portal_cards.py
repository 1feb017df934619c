"""A portal card says where and when to deliver, whom to call, and gives the order's PDF."""

from io import BytesIO

import pytest
from django.urls import reverse
from pypdf import PdfReader

from orders import lifecycle
from orders.pdf import purchase_order_pdf
from tests.factories import ProducerMemberFactory, UserFactory
from tests.orders.test_lifecycle import make_order
from tests.orders.test_support import food, offer


@pytest.fixture
def sent_orders(world):
    kitchen = world.kitchen
    kitchen.address = "12 rue des Tilleuls"
    kitchen.delivery_window = "du lundi au vendredi, 6 h 30 – 9 h"
    kitchen.phone = "02 41 00 00 00"
    kitchen.save()
    cook = world.users["cook"]
    cook.first_name, cook.last_name, cook.email = "Marie", "Durand", "marie@cuisine.fr"
    cook.save()
    mine = offer(world.producer, food("Q1", "Poireau"), price="2", pack=5, capacity=50)
    theirs = offer(world.other_producer, food("Q2", "Pomme"), price="2", pack=5)
    own, other = make_order(world, mine), make_order(world, theirs)
    for order in (own, other):
        lifecycle.send_order(order=order, actor=cook)
    return own, other


def test_a_card_shows_number_address_hours_contact_deadline_and_pdf(client, world, sent_orders):
    own, _other = sent_orders
    client.force_login(world.users["producer"])
    page = client.get(reverse("orders_portal")).content.decode()
    card = page[page.index(f'id="order-{own.pk}"') :]
    card = card[: card.index("</article>")]
    for expected in (
        own.number,
        "12 rue des Tilleuls",
        world.kitchen.commune.name,
        "du lundi au vendredi, 6 h 30 – 9 h",
        "Marie Durand",
        "marie@cuisine.fr",
        "02 41 00 00 00",
        "Répondre avant le",
        reverse("orders_portal_pdf", args=[own.pk]),
    ):
        assert expected in card, expected


def test_the_card_says_when_the_kitchen_gave_no_hours(client, world, sent_orders):
    world.kitchen.delivery_window = ""
    world.kitchen.save()
    client.force_login(world.users["producer"])
    page = client.get(reverse("orders_portal")).content.decode()
    assert "non précisés : demandez à la cuisine" in page


def test_the_producer_downloads_its_own_pdf_only(client, world, sent_orders):
    own, other = sent_orders
    client.force_login(world.users["producer"])
    response = client.get(reverse("orders_portal_pdf", args=[own.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert client.get(reverse("orders_portal_pdf", args=[other.pk])).status_code == 404
    other_member = ProducerMemberFactory(
        user=UserFactory(username="vergers"), producer=world.other_producer
    ).user
    client.force_login(other_member)
    assert client.get(reverse("orders_portal_pdf", args=[own.pk])).status_code == 404


def test_a_draft_is_no_producers_pdf_yet(client, world):
    draft = make_order(world, offer(world.producer, food("Q3", "Chou"), price="1", pack=5))
    client.force_login(world.users["producer"])
    assert client.get(reverse("orders_portal_pdf", args=[draft.pk])).status_code == 404


def test_the_kitchens_hours_are_on_the_order_pdf(world, sent_orders):
    own, _other = sent_orders
    pdf = purchase_order_pdf(own)
    assert pdf.startswith(b"%PDF")
    text = _pdf_text(pdf)
    assert "6 h 30" in text and "02 41 00 00 00" in text


def _pdf_text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)
