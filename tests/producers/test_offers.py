"""Offers: price-list import (all or nothing, row-level errors), the producer's page, and the
API (buyers read all offers, a producer reads and writes only its own)."""

import io
from datetime import date
from decimal import Decimal

import pandas as pd
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from nutrition.models import Food
from producers.models import Offer
from producers.offers import OfferImportError, import_offers

HEADER = "ciqual_code;product;unit;pack_size;unit_price;weekly_capacity;labels;valid_from;valid_to"
GOOD = "\n".join(
    [
        HEADER,
        "20009;Carottes lavées;kg;10;1,20;300;BIO, HVE;2027-01-01;2027-06-30",
        "13039;Pommes Gala;kg;5;1.8;;;01/01/2027;",
    ]
)


@pytest.fixture
def foods(db):
    return [
        Food.objects.create(code="20009", name="Carotte, crue", search_name="carotte"),
        Food.objects.create(code="13039", name="Pomme, pulpe", search_name="pomme"),
    ]


def test_a_good_price_list_creates_offers(world, foods):
    result = import_offers(producer=world.producer, content=GOOD.encode(), filename="tarifs.csv")

    assert (result.created, result.updated) == (2, 0)
    carrots = Offer.objects.get(food__code="20009")
    assert carrots.unit_price == Decimal("1.20") and carrots.pack_size == Decimal("10")
    assert carrots.labels == ["BIO", "HVE"] and carrots.weekly_capacity == Decimal("300")
    assert carrots.valid_to == date(2027, 6, 30)
    apples = Offer.objects.get(food__code="13039")
    assert apples.weekly_capacity is None and apples.valid_from == date(2027, 1, 1)


def test_importing_again_updates_the_same_offers(world, foods):
    import_offers(producer=world.producer, content=GOOD.encode(), filename="tarifs.csv")
    result = import_offers(
        producer=world.producer,
        content=GOOD.replace("1,20", "1,35").encode(),
        filename="tarifs.csv",
    )
    assert (result.created, result.updated) == (0, 2)
    assert Offer.objects.get(food__code="20009").unit_price == Decimal("1.35")


def test_bad_rows_are_all_reported_and_nothing_is_imported(world, foods):
    bad = "\n".join(
        [
            HEADER,
            "20009;Carottes;kg;10;1,20;;;;",
            "99999;Inconnu;kg;10;1;;;;",
            "13039;Pommes;caisse;0;-2;;BIO,MAGIC;2027-02-01;2027-01-01",
        ]
    )
    with pytest.raises(OfferImportError) as raised:
        import_offers(producer=world.producer, content=bad.encode(), filename="tarifs.csv")

    found = {(e.line, e.column) for e in raised.value.errors}
    assert found == {
        (3, "ciqual_code"),
        (4, "unit"),
        (4, "pack_size"),
        (4, "unit_price"),
        (4, "labels"),
        (4, "valid_to"),
    }
    assert not Offer.objects.exists()


def test_a_missing_column_is_named(world, foods):
    with pytest.raises(OfferImportError) as raised:
        import_offers(
            producer=world.producer,
            content=b"ciqual_code;product\n20009;Carottes",
            filename="tarifs.csv",
        )
    assert "unit" in str(raised.value) and "pack_size" in str(raised.value)


def test_an_xlsx_price_list_is_read_too(world, foods):
    frame = pd.DataFrame(
        [
            {
                "CIQUAL code": "20009",
                "Product": "Carottes",
                "Unit": "kg",
                "Pack size": 10,
                "Unit price": 1.2,
            }
        ]
    )
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False)
    result = import_offers(
        producer=world.producer, content=buffer.getvalue(), filename="tarifs.xlsx"
    )
    assert result.created == 1


def test_producer_imports_on_its_page_and_sees_row_errors(client, world, foods):
    client.force_login(world.users["producer"])
    url = reverse("producer_offers")
    bad = SimpleUploadedFile("tarifs.csv", (HEADER + "\n99999;X;kg;1;1;;;;").encode())
    response = client.post(url, {"file": bad})
    assert response.status_code == 400
    assert [e.line for e in response.context["import_errors"]] == [2]

    good = SimpleUploadedFile("tarifs.csv", GOOD.encode())
    assert client.post(url, {"file": good}).status_code == 302
    page = client.get(url)
    assert len(page.context["offers"]) == 2


@pytest.mark.parametrize(
    "role,status",
    [("producer", 200), ("cook", 403), ("manager", 403), ("dietitian", 403), ("nobody", 403)],
)
def test_offers_page_is_for_producers(client, world, role, status):
    client.force_login(world.users[role])
    assert client.get(reverse("producer_offers")).status_code == status


@pytest.fixture
def offers(world, foods):
    mine = Offer.objects.create(
        producer=world.producer,
        food=foods[0],
        product_label="Carottes",
        pack_size=10,
        unit_price=Decimal("1.2"),
        valid_from=date(2027, 1, 1),
    )
    theirs = Offer.objects.create(
        producer=world.other_producer,
        food=foods[1],
        product_label="Pommes",
        pack_size=5,
        unit_price=Decimal("1.8"),
        valid_from=date(2027, 1, 1),
    )
    return mine, theirs


@pytest.mark.parametrize(
    "role,visible",
    [
        ("cook", {"Carottes", "Pommes"}),
        ("manager", {"Carottes", "Pommes"}),
        ("outsider_cook", {"Carottes", "Pommes"}),
        ("producer", {"Carottes"}),
    ],
)
def test_buyers_read_every_offer_a_producer_only_its_own(client, world, offers, role, visible):
    client.force_login(world.users[role])
    body = client.get(reverse("offer-list")).json()
    assert {o["product_label"] for o in body["results"]} == visible


@pytest.mark.parametrize("role", ["dietitian", "nobody"])
def test_others_cannot_read_offers(client, world, offers, role):
    client.force_login(world.users[role])
    assert client.get(reverse("offer-list")).status_code == 403


def test_anonymous_cannot_read_offers(client, world, offers):
    assert client.get(reverse("offer-list")).status_code in (401, 403)


def test_a_producer_creates_and_edits_only_its_own_offers(client, world, offers, foods):
    mine, theirs = offers
    client.force_login(world.users["producer"])
    payload = {
        "producer": world.other_producer.pk,  # ignored: an offer is always the caller's
        "food": foods[1].pk,
        "product_label": "Pommes Gala",
        "unit": "kg",
        "pack_size": "5",
        "unit_price": "1.60",
        "labels": ["HVE"],
        "valid_from": "2027-01-01",
    }
    created = client.post(reverse("offer-list"), payload, content_type="application/json")
    assert created.status_code == 201
    assert Offer.objects.get(pk=created.json()["id"]).producer == world.producer

    edit = {"unit_price": "9.99"}
    own = client.patch(reverse("offer-detail", kwargs={"pk": mine.pk}), edit, "application/json")
    other = client.patch(
        reverse("offer-detail", kwargs={"pk": theirs.pk}), edit, "application/json"
    )
    assert own.status_code == 200 and other.status_code == 404
    theirs.refresh_from_db()
    assert theirs.unit_price == Decimal("1.8")


def test_bad_offers_are_refused_by_the_api(client, world, offers, foods):
    client.force_login(world.users["producer"])
    payload = {
        "food": foods[0].pk,
        "product_label": "X",
        "unit": "crate",
        "pack_size": "5",
        "unit_price": "1",
        "labels": ["MAGIC"],
        "valid_from": "2027-02-01",
        "valid_to": "2027-01-01",
    }
    response = client.post(reverse("offer-list"), payload, content_type="application/json")
    assert response.status_code == 400
    assert {"unit", "labels"} <= set(response.json())


@pytest.mark.parametrize("role", ["cook", "manager"])
def test_buyers_cannot_write_offers(client, world, offers, role):
    client.force_login(world.users[role])
    url = reverse("offer-detail", kwargs={"pk": offers[0].pk})
    assert client.patch(url, {"unit_price": "0"}, "application/json").status_code == 403
