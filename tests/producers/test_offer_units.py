"""An offer sells a product as it is bought, in the unit it is counted in (issue 11).

A producer's "Betterave rouge" serves a need for raw beetroot; milk is sold by the litre,
yogurts and eggs by the piece. An offer for a cooked food, or in another unit, would enter
the allocation and never serve a need, so it is refused with a clear message.
"""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from cantine.labels import Unit
from nutrition.models import Food
from producers.models import Offer
from producers.offers import OfferImportError, import_offers

HEADER = "ciqual_code;product;unit;pack_size;unit_price;weekly_capacity;labels;valid_from;valid_to"


@pytest.fixture
def foods(db):
    return {
        "raw_beet": Food.objects.create(code="20091", name="Betterave rouge, crue"),
        "cooked_beet": Food.objects.create(
            code="20003", name="Betterave rouge, cuite", purchasable=False
        ),
        "milk": Food.objects.create(
            code="19042",
            name="Lait demi-écrémé, pasteurisé",
            purchase_unit=Unit.LITRE,
            density_kg_per_l=Decimal("1.03"),
        ),
        "egg": Food.objects.create(
            code="22000", name="Oeuf cru", purchase_unit=Unit.PIECE, piece_grams=Decimal(50)
        ),
    }


def rows(*lines):
    return "\n".join([HEADER, *lines]).encode()


def test_a_price_list_sells_raw_beetroot_milk_by_the_litre_and_eggs_by_the_piece(world, foods):
    result = import_offers(
        producer=world.producer,
        content=rows(
            "20091;Betterave rouge;kg;10;1,80;;;;",
            "19042;Lait demi-écrémé;L;10;1,10;;;;",
            "22000;Œufs plein air;pièce;30;0,25;600;;;",
        ),
        filename="tarifs.csv",
    )
    assert result.created == 3
    units = {o.food.code: (o.unit, o.pack_size) for o in Offer.objects.select_related("food")}
    assert units == {
        "20091": (Unit.KG, Decimal(10)),
        "19042": (Unit.LITRE, Decimal(10)),
        "22000": (Unit.PIECE, Decimal(30)),
    }


def test_a_cooked_food_or_the_wrong_unit_is_refused_row_by_row(world, foods):
    with pytest.raises(OfferImportError) as refused:
        import_offers(
            producer=world.producer,
            content=rows(
                "20003;Betterave rouge;kg;10;1,80;;;;",
                "19042;Lait;kg;10;1,10;;;;",
                "22000;Œufs;kg;5;4,50;;;;",
            ),
            filename="tarifs.csv",
        )
    errors = {(e.line, e.column): e.message for e in refused.value.errors}
    assert "Betterave rouge, cuite" in errors[(2, "ciqual_code")]
    assert "litre" in errors[(3, "unit")]
    assert (4, "unit") in errors
    assert not Offer.objects.exists()  # all or nothing


def test_the_model_refuses_what_the_import_refuses(world, foods):
    offer = Offer(
        producer=world.producer,
        food=foods["egg"],
        product_label="Œufs",
        unit=Unit.KG,
        pack_size=Decimal(5),
        unit_price=Decimal("4.5"),
        valid_from="2027-01-01",
    )
    with pytest.raises(ValidationError) as refused:
        offer.full_clean()
    assert "unit" in refused.value.message_dict
    offer.unit = Unit.PIECE
    offer.full_clean()


def test_the_api_refuses_an_offer_of_a_cooked_food(client, world, foods):
    client.force_login(world.users["producer"])
    answer = client.post(
        "/api/offers/",
        {
            "food": foods["cooked_beet"].pk,
            "product_label": "Betterave",
            "unit": Unit.KG,
            "pack_size": "10",
            "unit_price": "1.8",
            "valid_from": "2027-01-01",
        },
        content_type="application/json",
    )
    assert answer.status_code == 400
    assert "food" in answer.json()
