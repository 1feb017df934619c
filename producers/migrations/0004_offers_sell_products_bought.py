"""Offers sell what a kitchen buys (nutrition 0006): a cooked food becomes its raw product, and
every offer is counted in its food's purchase unit.

An offer of "Betterave rouge, cuite" becomes one of "Betterave rouge, crue" (the pair of
``nutrition/data/cooking_yields.csv``); an offer of yogurts "by the kg" becomes one by the pot:
pack size, price and weekly capacity are converted with the food's density or piece weight, so
what the producer sells and earns does not change. An offer that cannot be converted is left as
it is and made inactive (it could never serve a need); the producer sees it in "Mes offres".
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db import migrations

from cantine.vocabulary import UnitConversionError, grams_to_unit, unit_to_kg
from nutrition import products

CENT = Decimal("0.001")


def _factor(food, old_unit):
    """How many of the food's purchase units one ``old_unit`` makes (None: unknown)."""
    if old_unit == food.purchase_unit:
        return Decimal(1)
    kg = unit_to_kg(
        Decimal(1),
        old_unit,
        density_kg_per_l=food.density_kg_per_l,
        piece_grams=food.piece_grams,
    )
    if kg is None:
        return None
    try:
        return grams_to_unit(
            kg * 1000,
            food.purchase_unit,
            density_kg_per_l=food.density_kg_per_l,
            piece_grams=food.piece_grams,
        )
    except UnitConversionError:
        return None


def forwards(apps, schema_editor):
    Food = apps.get_model("nutrition", "Food")
    Offer = apps.get_model("producers", "Offer")
    by_code = {food.code: food for food in Food.objects.all()}
    bought_for = {}
    for row in products.read_yields():
        if row.bought_code in by_code and row.served_code in by_code:
            bought_for.setdefault(by_code[row.served_code].pk, by_code[row.bought_code])
    for offer in Offer.objects.select_related("food"):
        food = offer.food
        if not food.purchasable:
            food = bought_for.get(food.pk)
            if food is None:
                offer.active = False
                offer.save(update_fields=["active"])
                continue
        factor = _factor(food, offer.unit)
        if factor is None or factor <= 0:
            offer.active = False
            offer.save(update_fields=["active"])
            continue
        offer.food = food
        offer.unit = food.purchase_unit
        offer.pack_size = (offer.pack_size * factor).quantize(CENT, ROUND_HALF_UP)
        offer.unit_price = (offer.unit_price / factor).quantize(CENT, ROUND_HALF_UP)
        if offer.weekly_capacity is not None:
            offer.weekly_capacity = (offer.weekly_capacity * factor).quantize(CENT, ROUND_HALF_UP)
        offer.save()


class Migration(migrations.Migration):
    dependencies = [
        ("producers", "0003_producer_holidays"),
        ("nutrition", "0006_recipes_buy_products"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
