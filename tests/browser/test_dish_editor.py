"""The dietitian edits a recipe in the browser: one amount changes, nothing else does.

The dish editor once showed every stored gram as empty ("50,0" is not a value a number input
can show), so saving dropped ingredients: a beef dish lost its beef and became vegetarian.
Here a three-ingredient dish of the demo (a meat dish, so losing the meat would show) is
edited in French and in English, saved, and reloaded.
"""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from cantine.models import AgeGroup
from nutrition.models import Dish, DishIngredient, Food
from nutrition.services import recompute_dish
from tests.browser.conftest import log_in

AGES = AgeGroup.values

# (language, the decimal as typed in that language, its value)
LANGUAGES = [("fr", "72,5", Decimal("72.5")), ("en", "72.5", Decimal("72.5"))]


def _three_ingredient_meat_dish():
    """The demo's "Paleron braisé aux carottes" (beef chuck, carrots) with onions added."""
    dish = Dish.objects.get(name="Paleron braisé aux carottes")
    onion = Food.objects.filter(name__istartswith="Oignon", purchasable=True).first()
    DishIngredient.objects.create(
        dish=dish, food=onion, position=2, **{f"grams_{age}": Decimal("15.5") for age in AGES}
    )
    recompute_dish(dish=dish)
    return dish


def _recipe(dish):
    return [
        (row.food.code, [getattr(row, f"grams_{age}") for age in AGES], row.yield_factor)
        for row in dish.ingredients.order_by("position", "pk")
    ]


@pytest.mark.parametrize(("language", "typed", "value"), LANGUAGES)
def test_editing_one_amount_keeps_the_rest_of_the_recipe(
    page, live_server, demo, language, typed, value
):
    dish = _three_ingredient_meat_dish()
    before = _recipe(dish)
    tags_before = dish.tags
    assert len(before) == 3 and not dish.is_vegetarian and tags_before

    log_in(page, live_server, "dieteticienne")
    if language == "en":
        page.get_by_label("Langue").select_option("en")
        expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto(f"{live_server.url}/nutrition/dishes/{dish.pk}/edit/")

    # every stored amount is shown, in the page's language
    elementary = page.locator("input[name$='-grams_elementaire']")
    beef_grams = before[0][1][1]
    shown = f"{beef_grams:.1f}"
    expect(elementary.nth(0)).to_have_value(shown.replace(".", ",") if language == "fr" else shown)
    expect(elementary.nth(2)).to_have_value("15,5" if language == "fr" else "15.5")

    elementary.nth(1).fill(typed)  # the carrots, elementary school
    save = "Enregistrer" if language == "fr" else "Save"
    page.get_by_role("button", name=save, exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/nutrition/dishes/{dish.pk}/")

    page.reload()
    page.goto(f"{live_server.url}/nutrition/dishes/{dish.pk}/edit/")
    expect(elementary.nth(1)).to_have_value(typed)
    foods = page.locator("input[name$='-food']")
    for position, (code, _, _) in enumerate(before):
        expect(foods.nth(position)).to_have_value(re.compile(rf"^{code} · "))

    dish.refresh_from_db()
    after = _recipe(dish)
    expected = [list(row) for row in before]
    expected[1][1] = [*before[1][1][:1], value, *before[1][1][2:]]
    assert [list(row) for row in after] == [[c, g, y] for c, g, y in expected]
    assert not dish.is_vegetarian
    assert dish.tags == tags_before
