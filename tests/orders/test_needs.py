"""Needs from menus: the arithmetic on a hand-computed case, rounding, dates, adjustments."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from cantine.models import CoverForecast
from menus.models import Meal
from orders.models import Need
from orders.needs import compute_needs, delivery_date, round_up, set_manual_quantity
from tests.orders.test_support import MONDAY

pytest_plugins = ["tests.orders.test_support"]

SUNDAY = date(2027, 1, 10)


def needs_by_food(kitchen):
    return {n.food.code: n for n in Need.objects.filter(canteen=kitchen).select_related("food")}


def test_needs_sum_dishes_covers_and_gross_grams(planned):
    result = compute_needs(kitchen=planned, start=MONDAY, end=SUNDAY)

    needs = needs_by_food(planned)
    # Carrot: dish A 100 g x 100 + 70 g x 20 = 11.4 kg bought; dish B 50 g x 120 = 6.0 kg.
    assert needs["20009"].quantity == Decimal("17.4")
    # Fresh food comes on the last open day before: Friday 1 January is a public holiday and
    # the days before it school holidays, so it comes on the Monday morning.
    assert needs["20009"].delivery_date == MONDAY
    # Rice: 60 g x (100 primary + 20 nursery falling back to primary portions) = 7.2 kg.
    assert needs["9104"].quantity == Decimal("7.2")
    assert needs["9104"].delivery_date == MONDAY  # dry goods: Monday of the week
    assert result.created == 2
    assert {s["dish"] for s in needs["20009"].sources} == {"Carottes braisées", "Riz aux carottes"}


def test_quantities_are_rounded_up_to_a_tenth_of_a_kilo():
    assert round_up(Decimal("7.201")) == Decimal("7.3")
    assert round_up(Decimal("7.2")) == Decimal("7.2")


def test_fresh_food_for_a_wednesday_arrives_on_tuesday():
    assert delivery_date(date(2027, 1, 6), "FRUITS_ET_LEGUMES") == date(2027, 1, 5)
    assert delivery_date(date(2027, 1, 8), "AUTRES") == MONDAY


def test_deliveries_skip_the_days_the_kitchen_is_closed():
    """Issue 15: nobody receives a delivery on a public holiday, a school holiday or a day
    the cook closed; the meal after the Christmas holidays gets its fresh food that morning."""
    new_year = frozenset(
        {date(2027, 1, 1)} | {date(2026, 12, 21) + timedelta(d) for d in range(12)}
    )
    # Monday 4 January 2027: Friday 1 Jan is a public holiday, the week before is holidays.
    assert delivery_date(date(2027, 1, 4), "FRUITS_ET_LEGUMES", new_year) == date(2027, 1, 4)
    # Whit Monday 17 May 2027 closed: Tuesday's fresh food comes on Friday, dry goods on Tuesday.
    whit = frozenset({date(2027, 5, 17)})
    assert delivery_date(date(2027, 5, 18), "VIANDES_VOLAILLES", whit) == date(2027, 5, 14)
    assert delivery_date(date(2027, 5, 20), "AUTRES", whit) == date(2027, 5, 18)
    # A bridge day the cook closed (Friday 7 May 2027, after Ascension on Thursday 6 May)
    # moves Monday's fresh food to Wednesday.
    ascension_bridge = frozenset({date(2027, 5, 6), date(2027, 5, 7)})
    assert delivery_date(date(2027, 5, 10), "VIANDES_VOLAILLES", ascension_bridge) == date(
        2027, 5, 5
    )


def test_a_manual_adjustment_survives_recomputation(planned):
    compute_needs(kitchen=planned, start=MONDAY, end=SUNDAY)
    carrot = needs_by_food(planned)["20009"]
    set_manual_quantity(need=carrot, quantity=Decimal("20"))

    # The menus change: more pupils on Mondays.
    CoverForecast.objects.filter(age_group="elementaire").update(covers=200)
    compute_needs(kitchen=planned, start=MONDAY, end=SUNDAY)

    carrot.refresh_from_db()
    assert carrot.manual_quantity == Decimal("20")
    assert carrot.quantity == Decimal("20")
    # 100 g x 200 + 70 g x 20 = 21.4 kg, plus 50 g x 220 = 11.0 kg.
    assert carrot.computed_quantity == Decimal("32.4")


def test_a_need_gone_from_the_menus_is_removed_unless_adjusted(planned):
    compute_needs(kitchen=planned, start=MONDAY, end=SUNDAY)
    set_manual_quantity(need=needs_by_food(planned)["20009"], quantity=Decimal("5"))
    Meal.objects.filter(canteen=planned, date=MONDAY).update(closed=True)

    result = compute_needs(kitchen=planned, start=MONDAY, end=SUNDAY)

    needs = needs_by_food(planned)
    assert "9104" not in needs
    assert needs["20009"].computed_quantity == 0 and needs["20009"].quantity == Decimal("5")
    assert (result.removed, result.kept_adjusted) == (1, 1)


def test_a_negative_adjustment_is_refused(planned):
    compute_needs(kitchen=planned, start=MONDAY, end=SUNDAY)
    carrot = needs_by_food(planned)["20009"]
    with pytest.raises(ValidationError):
        set_manual_quantity(need=carrot, quantity=Decimal("-1"))
    carrot.refresh_from_db()
    assert carrot.manual_quantity is None
