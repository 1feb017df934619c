"""What a kitchen buys versus what it serves: purchasable foods, yields and purchase units."""

import csv
from decimal import Decimal

import pytest

from cantine.vocabulary import Unit
from nutrition import products
from nutrition.ciqual import CIQUAL_PATH


@pytest.fixture(scope="module")
def ciqual():
    with open(CIQUAL_PATH, encoding="utf-8") as handle:
        return {row["alim_code"]: row for row in csv.DictReader(handle)}


def cooked(row) -> bool:
    return products.is_cooked_preparation(
        row["alim_nom_fr"], row["alim_ssgrp_nom_fr"], row["alim_ssssgrp_nom_fr"]
    )


@pytest.mark.parametrize(
    "code",
    [
        "26023",  # Cabillaud, rôti/cuit au four
        "4048",  # Pomme de terre, cuite
        "20502",  # Haricot blanc, bouilli/cuit à l'eau
        "20003",  # Betterave rouge, cuite
        "6101",  # Boeuf braisé
        "22010",  # Oeuf dur
        "22500",  # Omelette nature, faite maison
        "9811",  # Pâtes sèches, standard, cuites
    ],
)
def test_cooked_foods_are_served_not_bought(ciqual, code):
    assert cooked(ciqual[code]), ciqual[code]["alim_nom_fr"]


@pytest.mark.parametrize(
    "code",
    [
        "26043",  # Cabillaud, cru
        "20091",  # Betterave rouge, crue
        "9810",  # Pâtes sèches, standard, crues
        "28300",  # Porc, rôti cru: "rôti" is the cut
        "9610",  # Semoule de blé dur, crue
        "12755",  # Saint-Paulin (fromage à pâte pressée non cuite)
        "25081",  # Lasagnes ... préemballés: bought as sold
        "4046",  # Frites surgelées, préfrites: bought as sold
        "19593",  # Yaourt nature
        "22000",  # Oeuf cru
    ],
)
def test_raw_and_ready_products_are_bought(ciqual, code):
    assert not cooked(ciqual[code]), ciqual[code]["alim_nom_fr"]


def test_dry_matter_balance_gives_the_yield_of_dry_pasta_and_of_cod():
    # Pâtes sèches crues 9.9 g water -> cuites 58.9 g: (100 - 9.9) / (100 - 58.9) = 2.192
    assert products.yield_from_water(Decimal("9.9"), Decimal("58.9")) == Decimal("2.192")
    # Cabillaud cru 79.8 -> rôti 76: 20.2 / 24 = 0.842 (it loses water)
    assert products.yield_from_water(Decimal("79.8"), Decimal("76")) == Decimal("0.842")


def test_watery_pairs_and_unknown_water_give_no_computed_yield():
    assert products.yield_from_water(Decimal("90"), Decimal("92.8")) is None
    assert products.yield_from_water(None, Decimal("60")) is None
    row = products.YieldRow("1", "2", None, "")
    ratio, source = products.resolve_yield(row, Decimal("90"), Decimal("92.8"))
    assert ratio == 1 and "à ajuster" in source
    ratio, source = products.resolve_yield(row, Decimal("9.9"), Decimal("58.9"))
    assert ratio == Decimal("2.192") and "CIQUAL 2025" in source


def test_every_yield_pair_buys_a_product_and_serves_a_cooked_food(ciqual):
    for row in products.read_yields():
        bought, served = ciqual[row.bought_code], ciqual[row.served_code]
        assert not cooked(bought), bought["alim_nom_fr"]
        assert cooked(served) or row.served_code in {"4018"}, served["alim_nom_fr"]


def test_purchase_units_name_a_density_or_a_piece_weight_with_a_source(ciqual):
    rows = products.read_purchase_units()
    assert {row.code for row in rows} <= set(ciqual)
    for row in rows:
        assert row.source
        if row.unit is Unit.LITRE:
            assert row.density_kg_per_l and Decimal("0.5") < row.density_kg_per_l < 2
        if row.unit is Unit.PIECE:
            assert row.piece_grams and row.piece_grams > 0
    units = {row.code: row for row in rows}
    assert units["19042"].unit is Unit.LITRE  # milk
    assert units["22000"].unit is Unit.PIECE  # eggs
    assert units["19593"].unit is Unit.PIECE  # yogurt
    assert units["4018"].purchasable is False  # a home-made purée is prepared, not bought
