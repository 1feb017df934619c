"""The kitchen's planner catalogue is kept between requests, and any edit shows at once."""

from decimal import Decimal

import pytest
from django.urls import reverse

from menus import services
from menus.catalogue_cache import cached_catalogue
from menus.instances import catalogue
from menus.models import Meal
from nutrition.models import DishIngredient, DishTag, Food, FoodPrice
from tests.menus.conftest import MONDAY


@pytest.fixture
def priced(kitchen):
    """A fish main with a recipe and a price, so costs and families are in the catalogue."""
    fish = kitchen.catalogue["main"][0]
    food = Food.objects.create(code="C1", name="Colin")
    DishIngredient.objects.create(dish=fish, food=food, grams_elementaire=Decimal("100"))
    FoodPrice.objects.create(kitchen=kitchen, food=food, unit_price=Decimal("15"))
    return fish, food


def test_the_cached_catalogue_is_the_catalogue_and_a_second_read_builds_nothing(
    kitchen, priced, django_assert_max_num_queries
):
    first = cached_catalogue(kitchen)
    assert first == catalogue(kitchen)
    with django_assert_max_num_queries(4):  # the fingerprint only; no model is built again
        assert cached_catalogue(kitchen) == first


def test_every_edit_the_catalogue_reads_shows_up_at_once(kitchen, priced):
    fish, food = priced
    key = f"D{fish.pk}"
    cached_catalogue(kitchen)

    fish.name = "Filet de colin"
    fish.save()
    assert cached_catalogue(kitchen)[key].name == "Filet de colin"

    # Bulk writes (as the tag recomputation does) send no signal; the fingerprint sees them.
    DishTag.objects.filter(dish=fish, tag="fish_70").update(applies=False)
    assert "fish_70" not in cached_catalogue(kitchen)[key].tags

    FoodPrice.objects.filter(kitchen=kitchen, food=food).update(unit_price=Decimal("20"))
    assert cached_catalogue(kitchen)[key].cost == pytest.approx(2.0)

    DishIngredient.objects.filter(dish=fish).update(grams_elementaire=Decimal("50"))
    assert cached_catalogue(kitchen)[key].cost == pytest.approx(1.0)

    Food.objects.filter(pk=food.pk).update(purchase_unit="piece", piece_grams=Decimal("100"))
    assert cached_catalogue(kitchen)[key].cost == pytest.approx(10.0)  # half a piece at 20 €

    assert cached_catalogue(kitchen) == catalogue(kitchen)


def test_the_compliance_report_follows_a_tag_edit_at_once(client, world, kitchen):
    client.force_login(world.users["cook"])
    client.post(reverse("menu_calendar", kwargs={"pk": kitchen.pk}) + f"?start={MONDAY}&weeks=1")
    fish = kitchen.catalogue["main"][0]
    services.set_course(
        meal=Meal.objects.get(canteen=kitchen, date=MONDAY), component="main", dish=fish
    )
    url = reverse("menu_compliance", kwargs={"pk": kitchen.pk}) + f"?start={MONDAY}&weeks=1"

    assert client.get(url).context["report"].rule("gemrcn-9").meals_counted == [MONDAY]
    DishTag.objects.filter(dish=fish, tag="fish_70").update(applies=False)
    assert client.get(url).context["report"].rule("gemrcn-9").meals_counted == []
