"""Shared builders for the orders tests: foods, dishes, a planned Monday, offers.

(Kept in a test module because the orders tests may only add ``test_*.py`` files.)
"""

from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django.utils import timezone

from cantine.models import CoverForecast
from menus.models import Meal, MealDish
from nutrition.models import Dish, DishIngredient, Food
from producers.models import Offer

MONDAY = date(2027, 1, 4)


def food(code, name, group="02", subgroup="légumes") -> Food:
    return Food.objects.create(
        code=code, name=name, search_name=name.lower(), group_code=group, subgroup_name=subgroup
    )


def dish(kitchen, name, component, yield_factor="1", **grams_by_food) -> Dish:
    """grams_by_food: {food_key: (food, {age_group: gross grams bought})}."""
    made = Dish.objects.create(kitchen=kitchen, name=name, component=component)
    for position, (item, grams) in enumerate(grams_by_food.values()):
        DishIngredient.objects.create(
            dish=made,
            food=item,
            position=position,
            yield_factor=Decimal(yield_factor),
            **{f"grams_{age}": Decimal(str(value)) for age, value in grams.items()},
        )
    return made


def serve(kitchen, day, **dishes) -> Meal:
    meal, _ = Meal.objects.get_or_create(canteen=kitchen, date=day)
    for component, served in dishes.items():
        MealDish.objects.update_or_create(meal=meal, component=component, defaults={"dish": served})
    return meal


def offer(producer, item, price, pack, capacity=None, labels=(), unit="kg") -> Offer:
    return Offer.objects.create(
        producer=producer,
        food=item,
        product_label=item.name,
        unit=unit,
        pack_size=Decimal(str(pack)),
        unit_price=Decimal(str(price)),
        weekly_capacity=Decimal(str(capacity)) if capacity is not None else None,
        labels=list(labels),
        valid_from=date(2026, 1, 1),
    )


@pytest.fixture
def clock(monkeypatch):
    """``clock(day)`` makes it noon on ``day`` for everything that asks ``timezone.now()``."""

    def set_day(day: date) -> None:
        moment = timezone.make_aware(datetime.combine(day, time(12)))
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return set_day


@pytest.fixture
def foods(db):
    return {
        "carrot": food("20009", "Carotte, crue"),
        "rice": food("9104", "Riz blanc, cuit", group="03", subgroup="pâtes, riz et céréales"),
    }


@pytest.fixture
def planned(world, foods):
    """Monday 4 January 2027: 100 primary pupils (satellite) and 20 nursery (kitchen).

    Dish A (yield 0.8): carrot 100 g bought primary, 70 g nursery (80 g and 56 g served).
    Dish B (yield 1): carrot 50 g and rice 60 g, primary only (nursery falls back to it).
    """
    kitchen = world.kitchen
    CoverForecast.objects.create(
        canteen=world.satellite, weekday=0, age_group="elementaire", covers=100
    )
    CoverForecast.objects.create(canteen=kitchen, weekday=0, age_group="maternelle", covers=20)
    a = dish(
        kitchen,
        "Carottes braisées",
        "main",
        yield_factor="0.8",
        carrot=(foods["carrot"], {"elementaire": 100, "maternelle": 70}),
    )
    b = dish(
        kitchen,
        "Riz aux carottes",
        "side",
        carrot=(foods["carrot"], {"elementaire": 50}),
        rice=(foods["rice"], {"elementaire": 60}),
    )
    serve(kitchen, MONDAY, main=a, side=b)
    return kitchen


def test_support_builds_a_planned_monday(planned):
    assert Meal.objects.get(canteen=planned, date=MONDAY).courses.count() == 2
