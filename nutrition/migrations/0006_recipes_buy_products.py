"""Recipes name what the kitchen buys: cooked foods become the product bought, served as cooked.

For every food: whether it is bought as it is, and its purchase unit (``nutrition.products``).
For every yield pair of ``cooking_yields.csv``: a ``CookingYield``. Then each ingredient that
named a cooked food (grams as served) names the raw product with its gross weight
(served grams / yield, times the dish's old loss factor) and is served as the cooked food; any
other ingredient keeps its food, its grams become gross grams (x loss factor) and its yield
is 1 / loss factor. The served portion, hence the nutrients and tags, does not change.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db import migrations

from nutrition import products

GRAMS = ("grams_maternelle", "grams_elementaire", "grams_college_lycee", "grams_adult")
TENTH = Decimal("0.1")


def forwards(apps, schema_editor):
    Food = apps.get_model("nutrition", "Food")
    CookingYield = apps.get_model("nutrition", "CookingYield")
    DishIngredient = apps.get_model("nutrition", "DishIngredient")
    units = {row.code: row for row in products.read_purchase_units()}
    foods = {}
    for food in Food.objects.all():
        fields = products.purchase_fields(
            food.code, food.name, food.subgroup_name, food.subsubgroup_name, units
        )
        for name, value in fields.items():
            setattr(food, name, value)
        food.save(update_fields=list(fields))
        foods[food.code] = food
    raw_for_served = {}
    for row in products.read_yields():
        bought, served = foods.get(row.bought_code), foods.get(row.served_code)
        if bought is None or served is None:
            continue
        ratio, source = products.resolve_yield(row, bought.water, served.water)
        CookingYield.objects.update_or_create(
            food=bought, served_food=served, defaults={"ratio": ratio, "source": source}
        )
        raw_for_served.setdefault(served.pk, (bought, ratio))
    for ingredient in DishIngredient.objects.select_related("dish", "food"):
        loss = ingredient.dish.loss_factor or Decimal(1)
        if ingredient.food_id in raw_for_served:
            bought, ratio = raw_for_served[ingredient.food_id]
            ingredient.served_food_id = ingredient.food_id
            ingredient.food = bought
        else:
            ratio = Decimal(1)
        factor = loss / ratio
        for name in GRAMS:
            grams = getattr(ingredient, name)
            if grams is not None:
                setattr(ingredient, name, (grams * factor).quantize(TENTH, ROUND_HALF_UP))
        ingredient.yield_factor = (ratio / loss).quantize(Decimal("0.001"), ROUND_HALF_UP)
        ingredient.save()


class Migration(migrations.Migration):
    dependencies = [
        ("nutrition", "0005_purchasable_products"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
