"""Search is blind to case, accents and ligatures, everywhere a person types a name."""

import pytest

from cantine.search import search_key
from menus.selectors import dish_choices
from nutrition.models import Dish, Food
from nutrition.selectors import dish_list, food_search
from producers.selectors import producer_directory


@pytest.mark.parametrize(
    ("typed", "name"),
    [("boeuf", "Bœuf braisé"), ("OEUF", "Œuf dur"), ("pate", "Pâtes"), ("epinards", "Épinards")],
)
def test_what_people_type_matches_the_written_name(typed, name):
    assert search_key(typed) in search_key(name)


@pytest.fixture
def beef(world):
    return Dish.objects.create(kitchen=world.kitchen, name="Bœuf braisé", component="main")


def test_the_dish_list_and_the_course_picker_find_boeuf(world, beef):
    assert list(dish_list(world.users["dietitian"], search="boeuf")) == [beef]
    assert list(dish_list(world.users["dietitian"], search="BRAISE bœuf")) == [beef]
    assert list(dish_list(world.users["dietitian"], search="poulet")) == []
    assert list(dish_choices(world.kitchen, "main", "boeuf")) == [beef]


def test_food_search_finds_a_ligature(db):
    from cantine.search import search_key as key

    egg = Food.objects.create(code="22000", name="Œuf, cru", search_name=key("Œuf, cru"))
    assert food_search("oeuf") == [egg]


def test_the_directory_finds_a_commune_typed_without_accents(world):
    world.producer.commune.name = "Chemillé-en-Anjou"
    world.producer.commune.save()
    local = world.kitchen.local_definition()
    names = [row.producer.name for row in producer_directory(local, search="chemille")]
    assert names == [world.producer.name]
