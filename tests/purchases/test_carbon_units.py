"""Carbon counts litres and pieces by what they weigh (issue 11: units end to end).

Milk is bought by the litre and eggs by the piece; their lines in the ledger weigh what the
food says (density, weight of one piece), so their AGRIBALYSE footprint is counted too.
"""

from decimal import Decimal as D

from cantine.labels import Family, Unit
from nutrition.models import Food
from purchases.carbon import carbon
from purchases.models import Purchase
from tests.purchases.factories import PurchaseFactory


def test_litres_and_pieces_weigh_what_their_food_says(world):
    milk = Food.objects.create(
        code="T3",
        name="Lait",
        co2e_per_kg=D("1.2"),
        purchase_unit=Unit.LITRE,
        density_kg_per_l=D("1.03"),
    )
    egg = Food.objects.create(
        code="T4",
        name="Oeuf",
        co2e_per_kg=D("2.0"),
        purchase_unit=Unit.PIECE,
        piece_grams=D(50),
    )
    mystery = Food.objects.create(code="T5", name="Pot", co2e_per_kg=D("9"))  # no piece weight
    dairy = {"canteen": world.kitchen, "family": Family.PRODUITS_LAITIERS, "price_ht": D(100)}
    PurchaseFactory(**dairy, unit=Unit.LITRE, quantity=D(100), food=milk)
    PurchaseFactory(**dairy, unit=Unit.PIECE, quantity=D(600), food=egg)
    PurchaseFactory(**dairy, unit=Unit.PIECE, quantity=D(10), food=mystery)

    result = carbon(Purchase.objects.all())

    assert result.kg == D("133.0")  # 100 L x 1.03 + 600 x 50 g
    assert result.food_kg_co2e == D("183.6")  # 103 x 1.2 + 30 x 2.0
    assert result.coverage_pct == D("66.7")  # the pots of unknown weight are not counted
