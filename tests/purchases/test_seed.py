"""The demo ledger: a believable year and more, local where the canteen says so, seeded once."""

from datetime import date
from decimal import Decimal as D

from demo.seed import seed_purchases
from nutrition.models import Food
from producers.models import Offer, Producer
from purchases.models import Family, Purchase
from tests.factories import ProducerFactory


def _offer(producer, food, labels=()):
    return Offer.objects.create(
        producer=producer,
        food=food,
        product_label=food.name,
        pack_size=D(1),
        unit_price=D("2.50"),
        labels=list(labels),
        valid_from=date(2025, 1, 1),
    )


def test_seed_purchases_fills_two_years_once_with_local_farms_and_a_distant_wholesaler(world):
    carrot = Food.objects.create(
        code="T1",
        name="Carotte",
        group_code="02",
        group_name="fruits, légumes",
        subgroup_name="légumes",
    )
    beef = Food.objects.create(
        code="T2",
        name="Boeuf",
        group_code="04",
        group_name="viandes, oeufs, poissons",
        subgroup_name="viandes crues",
    )
    farm = world.producer  # Angers: local under the kitchen's department definition
    _offer(farm, carrot, ["HVE"])
    wholesaler = ProducerFactory(
        name="Grossiste", status=Producer.Status.WHOLESALER, commune=world.other_canteen.commune
    )
    _offer(wholesaler, beef)
    canteens = [world.kitchen, world.other_canteen]
    today = date(2026, 3, 15)

    count = seed_purchases(canteens, [farm, wholesaler], today=today)

    lines = Purchase.objects.filter(canteen=world.kitchen)
    assert count == Purchase.objects.count() > 0
    assert lines.filter(date__year=2025).exists() and lines.filter(date__year=2026).exists()
    assert not lines.filter(date__gte=today).exists()
    assert not lines.filter(date__month=8).exists()  # the kitchen is closed in August
    farm_lines = lines.filter(producer=farm)
    assert farm_lines.exists() and not farm_lines.filter(is_local=False).exists()
    assert set(farm_lines.values_list("family", flat=True)) == {Family.FRUITS_ET_LEGUMES}
    assert not lines.filter(producer=wholesaler, is_local=True).exists()
    line = farm_lines.first()
    assert line.price_ht == line.quantity * D("2.50") and line.food == carrot
    assert seed_purchases(canteens, [farm, wholesaler], today=today) == count  # idempotent
