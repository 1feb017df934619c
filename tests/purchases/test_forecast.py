"""The year's forecast: bought plus planned, month by month, against the targets, and one what-if.

Every expected figure below is worked out by hand from the fixture's numbers (the comments
say how), never by calling the code under test.

The world, on Monday 15 March 2027 (zone B, Angers, Hexagone targets 20 % / 50 % / 60 %):
- the satellite serves 100 primary pupils on Wednesdays, the only service day;
- one meal, planned on Wednesdays 9 and 16 June and 6 October, holds carrots 100 g (fresh),
  pork 120 g (fresh), rice 60 g (dry goods) and apples 50 g (fresh) per pupil: 10 kg carrots,
  12 kg pork, 6 kg rice and 5 kg apples per meal;
- carrots: 1.50 €/kg from the local farm (Angers), 2.00 €/kg organic from Valence (not local);
  pork: 8.00 €/kg Label Rouge from the local farm, no organic offer; rice: no offer, the
  kitchen's reference price 1.20 €/kg; apples: no offer, no price (unpriced);
- the ledger: January 1,000 € organic vegetables from a local farm, February 500 € of meat
  with no label (bought by the satellite).

One meal: carrots 10 x 1.50 = 15.00, pork 12 x 8.00 = 96.00, rice 6 x 1.20 = 7.20, so
118.20 € of which 96.00 EGalim (Label Rouge) and meat, 111.00 local (carrots and pork).
"""

from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from cantine.models import CoverForecast, Role
from nutrition.models import FoodPrice
from purchases.forecast import forecast, switch_to_organic
from purchases.models import Family
from tests.factories import MembershipFactory, UserFactory
from tests.orders.test_support import dish, food, offer, serve
from tests.purchases.factories import PurchaseFactory

AS_OF = date(2027, 3, 15)
MEAL_DAYS = (date(2027, 6, 9), date(2027, 6, 16), date(2027, 10, 6))
URL = "/purchases/shares/forecast/"


@pytest.fixture
def year(world):
    kitchen = world.kitchen
    world.producer.delivery_weekdays = []  # delivers any day
    world.producer.save()
    world.other_producer.delivery_weekdays = []
    world.other_producer.save()
    CoverForecast.objects.create(
        canteen=world.satellite, weekday=2, age_group="elementaire", covers=100
    )
    carrot = food("20009", "Carotte, crue")
    pork = food("6250", "Porc, rôti", group="04", subgroup="viandes cuites")
    rice = food("9104", "Riz blanc, cuit", group="03", subgroup="pâtes, riz et céréales")
    apple = food("13039", "Pomme, crue", group="02", subgroup="fruits")
    for item, co2e in ((carrot, "0.2"), (pork, "5"), (rice, "1"), (apple, "0.3")):
        item.co2e_per_kg = Decimal(co2e)
        item.save()
    main = dish(
        kitchen,
        "Porc aux carottes",
        "main",
        pork=(pork, {"elementaire": 120}),
        carrot=(carrot, {"elementaire": 100}),
    )
    side = dish(kitchen, "Riz", "side", rice=(rice, {"elementaire": 60}))
    dessert = dish(kitchen, "Pomme", "dessert", apple=(apple, {"elementaire": 50}))
    for day in MEAL_DAYS:
        serve(kitchen, day, main=main, side=side, dessert=dessert)
    offers = {
        "carrot_offer": offer(world.producer, carrot, "1.50", 5),
        "organic_carrot_offer": offer(world.other_producer, carrot, "2.00", 5, labels=["BIO"]),
        "pork_offer": offer(world.producer, pork, "8.00", 2, labels=["LABEL_ROUGE"]),
    }
    FoodPrice.objects.create(kitchen=kitchen, food=rice, unit_price=Decimal("1.20"))
    PurchaseFactory(
        canteen=kitchen,
        date=date(2027, 1, 12),
        family=Family.FRUITS_ET_LEGUMES,
        labels=["BIO"],
        is_local=True,
        price_ht=Decimal("1000.00"),
    )
    PurchaseFactory(
        canteen=world.satellite,
        date=date(2027, 2, 9),
        family=Family.VIANDES_VOLAILLES,
        price_ht=Decimal("500.00"),
    )
    return {"carrot": carrot, "pork": pork, "rice": rice, "apple": apple, **offers}


def test_months_past_show_the_ledger_and_months_to_come_the_menus(world, year):
    result = forecast(world.kitchen, 2027, AS_OF)

    months = {m.month: m for m in result.months}
    assert months[1].total.total == Decimal("1000.00") and months[1].total.bio_pct == 100
    assert months[2].total.total == Decimal("500.00") and months[2].total.egalim_pct == 0
    assert months[3].total.total == 0 and months[3].total.bio_pct is None
    # June: two meals, 2 x 118.20; EGalim 2 x 96.00 = 192.00 -> 192 / 236.40 = 81.22 %.
    june = months[6]
    assert june.planned.total == Decimal("236.40") and june.bought.total == 0
    assert june.total.egalim_pct == Decimal("81.22") and june.total.bio_pct == 0
    # Local: 2 x 111.00 = 222.00 / 236.40 = 93.91 %.
    assert june.total.local_pct == Decimal("93.91")
    assert months[10].total.total == Decimal("118.20")
    # Deliveries: carrots, pork and apples the Tuesday before, rice the Monday of the week.
    assert (june.meals, months[10].meals) == (2, 1)
    # Apples are neither offered nor priced: one delivery per meal.
    assert june.unpriced == 2 and result.unpriced == 3
    assert result.unpriced_products == ["Pomme, crue"]
    # CO2e of one meal: 10 x 0.2 + 12 x 5 + 6 x 1 + 5 x 0.3 = 69.5 kg (the farm is in Angers,
    # like the kitchen: no delivery distance); nothing bought has a food.
    assert june.planned_co2e == Decimal("139.0") and result.co2e == Decimal("208.5")


def test_the_year_adds_what_was_bought_and_what_is_planned(world, year):
    result = forecast(world.kitchen, 2027, AS_OF)

    # 1,000 + 500 + 3 x 118.20 = 1,854.60 €.
    assert result.total.total == Decimal("1854.60")
    assert result.bought.total == Decimal("1500.00")
    assert result.planned.total == Decimal("354.60")
    # Organic 1,000 / 1,854.60 = 53.92 %; EGalim (1,000 + 3 x 96) 1,288 / 1,854.60 = 69.45 %.
    assert result.total.bio_pct == Decimal("53.92")
    assert result.total.egalim_pct == Decimal("69.45")
    # Meat and fish: 500 + 3 x 96 = 788, of which 288 EGalim: 36.55 %.
    assert result.total.meat_fish_pct == Decimal("36.55")
    # Local: 1,000 + 3 x 111 = 1,333 / 1,854.60 = 71.88 %.
    assert result.total.local_pct == Decimal("71.88")
    assert (result.target.bio, result.target.egalim) == (20, 50)
    # Wednesdays after 15 March 2027 outside zone B's holidays: 28, three of them planned.
    assert (result.meals, result.unplanned_days) == (3, 25)
    june = next(m for m in result.months if m.month == 6)
    assert june.unplanned_days == 3  # 2, 23 and 30 June


def test_switching_carrots_to_organic_moves_cost_and_shares_by_their_amount(world, year):
    before = forecast(world.kitchen, 2027, AS_OF)
    switch = switch_to_organic(before, world.kitchen, year["carrot"].pk)

    assert switch.possible and switch.after.switched == 3
    # Carrots at 2.00 instead of 1.50: 10 kg x 0.50 x 3 meals = +15.00 €, 1,869.60 € in all.
    assert switch.cost_change == Decimal("15.00")
    assert switch.after.total.total == Decimal("1869.60")
    # Organic: 1,000 + 3 x 20 = 1,060 / 1,869.60 = 56.70 %; EGalim 1,348 / 1,869.60 = 72.10 %.
    assert switch.after.total.bio_pct == Decimal("56.70")
    assert switch.after.total.egalim_pct == Decimal("72.10")
    # The organic carrots come from Valence: local loses them, 1,288 / 1,869.60 = 68.89 %,
    # and their delivery now weighs on the CO2e.
    assert switch.after.total.local_pct == Decimal("68.89")
    assert switch.after.co2e > before.co2e
    # Nothing else moved.
    assert switch.before.total.bio_pct == Decimal("53.92")


def test_a_product_with_no_organic_offer_is_said_so(world, year):
    before = forecast(world.kitchen, 2027, AS_OF)
    switch = switch_to_organic(before, world.kitchen, year["pork"].pk)

    assert not switch.possible
    assert switch.after.total.total == before.total.total
    assert switch_to_organic(before, world.kitchen, 999_999) is None


def test_an_organic_offer_that_does_not_deliver_then_is_not_used(world, year):
    world.other_producer.delivery_weekdays = [4]  # Fridays only: not the Tuesdays carrots come
    world.other_producer.save()
    before = forecast(world.kitchen, 2027, AS_OF)

    assert not switch_to_organic(before, world.kitchen, year["carrot"].pk).possible


def test_the_ledger_reads_the_menus_only_through_its_provider_setting(world, year, settings):
    settings.PURCHASES_FORECAST_PROVIDERS = []
    result = forecast(world.kitchen, 2027, AS_OF)

    assert result.total.total == Decimal("1500.00") and result.meals == 0


def test_a_year_gone_by_is_what_was_bought(world, year):
    result = forecast(world.kitchen, 2027, date(2027, 12, 31))

    assert result.planned.total == 0 and result.total.total == Decimal("1500.00")
    assert (result.meals, result.unplanned_days) == (0, 0)


# The page ----------------------------------------------------------------------------------


@pytest.fixture
def on_the_15th_of_march(monkeypatch):
    """Noon on 15 March 2027 for everything that asks ``timezone.now()`` (freezegun's dates
    are not the ``datetime.date`` the school-holiday calendar checks for)."""
    moment = timezone.make_aware(datetime.combine(AS_OF, time(12)))
    monkeypatch.setattr(timezone, "now", lambda: moment)


def test_the_manager_sees_the_forecast_and_the_what_if(client, world, year, on_the_15th_of_march):
    client.force_login(world.users["manager"])
    page = client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-year-total="1854.60"' in html
    assert 'data-bio-pct="53.92"' in html
    assert "Prévision de l'année" in html

    fragment = client.get(URL, {"product": year["carrot"].pk}, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    text = fragment.content.decode()
    assert "<html" not in text
    assert 'data-after-total="1869.60"' in text and 'data-after-bio-pct="56.70"' in text

    none = client.get(URL, {"product": year["pork"].pk}, headers={"HX-Request": "true"})
    assert "Aucune offre bio" in none.content.decode()


def test_a_product_that_is_not_a_number_is_refused_not_a_500(
    client, world, year, on_the_15th_of_march
):
    client.force_login(world.users["manager"])
    assert client.get(URL, {"product": "carottes"}).status_code == 400
    assert client.get(URL, {"year": "99999"}).status_code == 400


def test_the_shares_page_links_to_the_forecast(client, world, year, on_the_15th_of_march):
    client.force_login(world.users["manager"])
    assert URL in client.get(reverse("purchase_shares")).content.decode()


def test_satellite_staff_and_another_canteen_do_not_see_the_kitchen_forecast(
    client, world, year, on_the_15th_of_march
):
    satellite_cook = MembershipFactory(
        user=UserFactory(username="satellite_only"), canteen=world.satellite, role=Role.COOK
    ).user
    other_manager = MembershipFactory(
        user=UserFactory(username="other_manager"), canteen=world.other_canteen, role=Role.MANAGER
    ).user
    for user in (satellite_cook, other_manager):
        client.force_login(user)
        assert client.get(URL, {"canteen": world.kitchen.pk}).status_code == 404
    client.force_login(satellite_cook)
    own = client.get(URL)  # the satellite's own page: its kitchen plans and buys for it
    assert own.status_code == 200
    assert "1854" not in own.content.decode()
    client.force_login(world.users["dietitian"])
    assert client.get(URL).status_code == 403


def test_an_empty_year_says_to_plan_the_menus(client, world, on_the_15th_of_march):
    client.force_login(world.users["manager"])
    page = client.get(URL)
    assert page.status_code == 200
    assert "Planifiez les menus" in page.content.decode()
