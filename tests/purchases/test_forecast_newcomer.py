"""The forecast's second what-if: a new local producer sells one product of the planned menus.

The world is ``test_forecast``'s (read its docstring): three meals, each needing 6 kg of rice
delivered on the Monday of its week (7 and 14 June, 4 October 2027), priced today at the
kitchen's reference 1.20 €/kg (7.20 € a meal), not local, no label; the year is 1,854.60 €,
of which 1,000 organic, 1,288 EGalim, 1,333 local. Every figure is worked out by hand.
"""

from decimal import Decimal

from purchases.forecast import Newcomer, forecast, with_newcomer
from tests.purchases import test_forecast
from tests.purchases.test_forecast import AS_OF, URL

# test_forecast's world and clock, as fixtures of this module too
year = test_forecast.year
on_the_15th_of_march = test_forecast.on_the_15th_of_march


def test_a_local_organic_rice_farm_moves_cost_and_shares_by_what_it_sells(world, year):
    before = forecast(world.kitchen, 2027, AS_OF)
    farm = Newcomer(food=year["rice"].pk, unit_price=Decimal("1.50"), organic=True)
    whatif = with_newcomer(before, world.kitchen, farm)

    after = whatif.after
    # All 3 x 6 kg from the farm: 9.00 € a meal instead of 7.20, +5.40 € in the year.
    assert after.switched == 3
    assert after.total.total == Decimal("1860.00") and whatif.cost_change == Decimal("5.40")
    # Organic 1,000 + 27 = 1,027 / 1,860 = 55.22 %; EGalim 1,315 / 1,860 = 70.70 %;
    # local 1,333 + 27 = 1,360 / 1,860 = 73.12 %.
    assert after.total.bio_pct == Decimal("55.22")
    assert after.total.egalim_pct == Decimal("70.70")
    assert after.total.local_pct == Decimal("73.12")
    # The rice now travels 20 km (the default distance): more CO2e than before, food the same.
    assert after.co2e > before.co2e


def test_a_farm_that_delivers_4_kg_a_week_serves_4_of_the_6_and_the_rest_stays(world, year):
    before = forecast(world.kitchen, 2027, AS_OF)
    farm = Newcomer(
        food=year["rice"].pk,
        unit_price=Decimal("1.50"),
        organic=True,
        weekly_capacity=Decimal("4"),
        km=Decimal("10"),
    )
    after = with_newcomer(before, world.kitchen, farm).after

    # Each week: 4 kg x 1.50 = 6.00 from the farm, 2 kg x 1.20 = 2.40 as before: 8.40 a meal,
    # +1.20 a meal, 1,858.20 € in the year.
    assert after.total.total == Decimal("1858.20")
    # Organic 1,000 + 18 = 1,018 / 1,858.20 = 54.78 %; EGalim 1,306 / 1,858.20 = 70.28 %;
    # local 1,351 / 1,858.20 = 72.70 %.
    assert after.total.bio_pct == Decimal("54.78")
    assert after.total.egalim_pct == Decimal("70.28")
    assert after.total.local_pct == Decimal("72.70")


def test_a_product_the_menus_do_not_need_has_no_what_if(world, year):
    before = forecast(world.kitchen, 2027, AS_OF)
    assert with_newcomer(before, world.kitchen, Newcomer(food=999_999, unit_price=1)) is None


def test_the_manager_asks_from_the_page_and_a_bad_price_is_answered_next_to_the_form(
    client, world, year, on_the_15th_of_march
):
    client.force_login(world.users["manager"])
    page = client.get(URL).content.decode()
    assert 'id="newcomer-form"' in page
    assert "Et si un producteur local vendait l'un de ces produits" in page
    asked = {"product": year["rice"].pk, "price": "1,50", "km": "20", "organic": "on"}
    fragment = client.get(URL, asked, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    text = fragment.content.decode()
    assert 'id="newcomer-result"' in text and 'data-after-total="1860.00"' in text
    assert "<html" not in text  # the fragment alone, where the result goes
    assert "Avec ce producteur" in text and "achetées au nouveau producteur local" in text
    bad = client.get(URL, {**asked, "price": "gratuit"}, headers={"HX-Request": "true"})
    assert bad.status_code == 400
    assert 'id="newcomer-errors"' in bad.content.decode()
    whole = client.get(URL, {**asked, "price": "-3"})
    assert whole.status_code == 400 and 'id="newcomer-form"' in whole.content.decode()
