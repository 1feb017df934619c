"""Upgrading a kitchen's data: recipes and offers of cooked foods become products bought.

Migrations nutrition 0006 and producers 0004 run on data written before purchasable
products existed: the served portion stays what it was, and an offer's terms are converted.
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("nutrition", "0005_purchasable_products"), ("producers", "0003_producer_holidays")]
AFTER = [
    ("nutrition", "0007_remove_dish_loss_factor"),
    ("producers", "0004_offers_sell_products_bought"),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    # Models as the database now stands: the targets' apps rolled back, other apps' later
    # migrations (a new canteen column, say) still applied.
    executor.loader.build_graph()
    applied = [
        key for key in executor.loader.applied_migrations if key in executor.loader.graph.nodes
    ]
    return executor.loader.project_state(applied).apps


@pytest.fixture
def back_to_latest():
    """Leave the test database fully migrated, whatever the test rolled back."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_cooked_recipes_and_offers_become_products_bought(back_to_latest):
    apps = migrate(BEFORE)
    Food = apps.get_model("nutrition", "Food")
    Food.objects.create(code="26043", name="Cabillaud, cru", water=Decimal("79.8"))
    cod_cooked = Food.objects.create(
        code="26023", name="Cabillaud, rôti/cuit au four", water=Decimal("76")
    )
    yogurt = Food.objects.create(
        code="19593", name="Yaourt ou lait fermenté, nature", water=Decimal("88.4")
    )
    Region = apps.get_model("cantine", "Region")
    Department = apps.get_model("cantine", "Department")
    Commune = apps.get_model("cantine", "Commune")
    region = Region.objects.create(code="52", name="Pays de la Loire")
    department = Department.objects.create(code="49", name="Maine-et-Loire", region=region)
    commune = Commune.objects.create(code="49007", name="Angers", department=department)
    Canteen = apps.get_model("cantine", "Canteen")
    kitchen = Canteen.objects.create(
        name="Cuisine", siret="12345678901234", kind="central_kitchen", commune=commune
    )
    Dish = apps.get_model("nutrition", "Dish")
    dish = Dish.objects.create(kitchen=kitchen, name="Cabillaud", component="main")
    apps.get_model("nutrition", "DishIngredient").objects.create(
        dish=dish, food=cod_cooked, grams_elementaire=Decimal("84")
    )
    Producer = apps.get_model("producers", "Producer")
    farm = Producer.objects.create(name="Ferme", siret="98765432109876", commune=commune)
    Offer = apps.get_model("producers", "Offer")
    kilo = {"producer": farm, "unit": "kg", "valid_from": "2026-01-01"}
    Offer.objects.create(
        **kilo, food=cod_cooked, product_label="Cabillaud", pack_size=5, unit_price=14
    )
    Offer.objects.create(
        **kilo,
        food=yogurt,
        product_label="Yaourts",
        pack_size=Decimal(3),
        unit_price=Decimal(4),
        weekly_capacity=Decimal(30),
    )

    apps = migrate(AFTER)

    ingredient = apps.get_model("nutrition", "DishIngredient").objects.get()
    assert ingredient.food.code == "26043" and ingredient.served_food.code == "26023"
    assert ingredient.yield_factor == Decimal("0.842")  # (100 - 79.8) / (100 - 76)
    served = ingredient.grams_elementaire * ingredient.yield_factor
    assert abs(served - 84) < Decimal("0.1")  # the plate is what it was
    offers = {o.product_label: o for o in apps.get_model("producers", "Offer").objects.all()}
    assert offers["Cabillaud"].food.code == "26043"
    pots = offers["Yaourts"]
    assert pots.unit == "piece" and pots.active
    assert (pots.pack_size, pots.unit_price, pots.weekly_capacity) == (24, Decimal("0.5"), 240)
