"""A form posted back as the page shows it keeps every decimal, in French and in English.

A browser's ``type=number`` input cannot show the localised "3,230" a French page renders: it
shows an empty field, and saving then erased the producer's capacity or the dietitian's
per-meal bounds. Here each page is read, its inputs posted back with one value changed, and
everything else must come back unchanged.
"""

import re
from datetime import date
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse
from django.utils import translation

from cantine.labels import Unit
from nutrition.models import Food, NutrientBound
from nutrition.services import copy_rule_set, load_rule_presets, set_nutrient_bounds
from producers.models import Offer

INPUT = re.compile(r"<input\b[^>]*>")


def inputs(html: str, within: str = "") -> dict[str, str]:
    """name -> value of the text-like inputs of ``html`` (after ``within``, if given)."""
    if within:
        html = html[html.index(within) :]
        html = html[: html.index("</form>")]
    found = {}
    for tag in INPUT.findall(html):
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        kind = re.search(r'type="([^"]+)"', tag)
        if name and (kind is None or kind.group(1) not in ("checkbox", "hidden", "submit")):
            found[name.group(1)] = unescape(value.group(1)) if value else ""
        assert 'type="number"' not in tag or "." not in (value.group(1) if value else ""), tag
    return found


@pytest.fixture
def offer(world):
    food = Food.objects.create(
        code="20009", name="Carotte, crue", search_name="carotte", purchase_unit=Unit.KG
    )
    return Offer.objects.create(
        producer=world.producer,
        food=food,
        product_label="Carottes",
        pack_size=Decimal("12.5"),
        unit_price=Decimal("3.230"),
        weekly_capacity=Decimal("12.5"),
        valid_from=date(2027, 1, 1),
    )


@pytest.mark.parametrize(("language", "typed"), [("fr", "3,450"), ("en", "3.450")])
def test_a_producer_changes_a_price_and_keeps_the_capacity(client, world, offer, language, typed):
    client.force_login(world.users["producer"])
    with translation.override(language):
        page = client.get(reverse("producer_offers"), HTTP_ACCEPT_LANGUAGE=language)
        shown = inputs(page.content.decode(), within=f'data-offer="{offer.pk}"')
        assert shown["unit_price"] == ("3,230" if language == "fr" else "3.230")
        assert shown["weekly_capacity"] == ("12,5" if language == "fr" else "12.5")
        shown["unit_price"] = typed
        shown["active"] = "on"
        client.post(
            reverse("producer_offer_edit", kwargs={"pk": offer.pk}),
            shown,
            HTTP_ACCEPT_LANGUAGE=language,
        )
    offer.refresh_from_db()
    assert offer.unit_price == Decimal("3.450")
    assert offer.weekly_capacity == Decimal("12.5")
    assert offer.pack_size == Decimal("12.5")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_dietitian_changes_one_bound_and_keeps_the_others(client, world, language):
    school = load_rule_presets()[0]
    copy = copy_rule_set(source=school, name="Copie", actor=None, owner=world.kitchen)
    set_nutrient_bounds(
        rule_set=copy,
        grid={
            ("elementaire", "energy_kcal"): (Decimal("550"), None),
            ("elementaire", "salt"): (None, Decimal("2.5")),
        },
        actor=None,
    )
    client.force_login(world.users["dietitian"])
    url = reverse("rule_set_nutrients", kwargs={"pk": copy.pk})
    page = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    shown = inputs(page.content.decode(), within="nutrient-bounds")
    assert shown["elementaire__salt__max"] in ("2,50", "2.50")
    shown["maternelle__protein__min"] = "12,5" if language == "fr" else "12.5"
    response = client.post(url, shown, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 302
    bounds = {(b.age_group, b.nutrient): (b.min, b.max) for b in copy.nutrient_bounds.all()}
    assert bounds[("elementaire", "energy_kcal")] == (Decimal("550"), None)
    assert bounds[("elementaire", "salt")] == (None, Decimal("2.5"))
    assert bounds[("maternelle", "protein")] == (Decimal("12.5"), None)
    assert NutrientBound.objects.filter(rule_set=copy).count() == 3
