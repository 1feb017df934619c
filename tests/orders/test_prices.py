"""Reference food prices from current offers: median price, local and organic shares."""

from datetime import date
from decimal import Decimal

from nutrition.models import Food, FoodPrice
from orders.prices import refresh_food_prices
from producers.models import Offer
from tests.factories import ProducerFactory


def offer(producer, food, price, labels=(), unit="kg", valid_to=None):
    return Offer.objects.create(
        producer=producer,
        food=food,
        product_label=food.name,
        unit=unit,
        pack_size=Decimal("5"),
        unit_price=Decimal(price),
        labels=list(labels),
        valid_from=date(2026, 1, 1),
        valid_to=valid_to,
    )


def test_price_is_the_median_and_shares_follow_the_kitchens_local_definition(world):
    carrot = Food.objects.create(code="P1", name="Carotte")
    eggs = Food.objects.create(code="P2", name="Oeuf")
    far_away = ProducerFactory(commune=world.other_canteen.commune)
    offer(world.producer, carrot, "1.80", labels=["BIO"])  # Angers: local to the kitchen
    offer(far_away, carrot, "1.20")
    offer(far_away, carrot, "1.50")
    offer(far_away, carrot, "0.90", valid_to=date(2026, 2, 1))  # expired
    offer(world.producer, eggs, "0.30", unit="piece")  # not sold by weight: no price per kg

    assert refresh_food_prices(kitchen=world.kitchen, day=date(2026, 11, 23)) == 1
    price = FoodPrice.objects.get(kitchen=world.kitchen)
    assert price.food == carrot
    assert price.unit_price == Decimal("1.500")
    assert price.local_share == 1 / 3
    assert price.organic_share == 1 / 3


def test_refreshing_twice_changes_nothing_and_drops_foods_no_longer_offered(world):
    carrot = Food.objects.create(code="P1", name="Carotte")
    current = offer(world.producer, carrot, "1.80")
    refresh_food_prices(kitchen=world.kitchen, day=date(2026, 11, 23))
    first = FoodPrice.objects.get().updated_at
    refresh_food_prices(kitchen=world.kitchen, day=date(2026, 11, 23))
    assert FoodPrice.objects.get().updated_at == first
    current.active = False
    current.save()
    refresh_food_prices(kitchen=world.kitchen, day=date(2026, 11, 23))
    assert not FoodPrice.objects.exists()
