"""Pages link only to pages the reader may open: a manager reads the compliance report, but
the rule sets are the dietitian's and the cook's pages (a link there would answer 403)."""

from datetime import timedelta

import pytest
from django.urls import reverse

from menus import services
from menus.models import Meal
from nutrition.models import Dish
from nutrition.services import assign_rule_set, copy_rule_set, load_rule_presets
from tests.menus.conftest import MONDAY


@pytest.fixture
def rules(world):
    school = load_rule_presets()[0]
    rules = copy_rule_set(source=school, name="Cantine", actor=None, owner=world.kitchen)
    assign_rule_set(canteen=world.kitchen, rule_set=rules, actor=None)
    return rules


def compliance_url(world, start=MONDAY) -> str:
    url = reverse("menu_compliance", kwargs={"pk": world.kitchen.pk})
    return f"{url}?start={start:%Y-%m-%d}&weeks=1"


@pytest.fixture
def report(world, rules):
    """A week with one meal served (an empty week has no report to read)."""
    services.ensure_meals(canteen=world.kitchen, start=MONDAY, end=MONDAY + timedelta(days=4))
    dish = Dish.objects.create(kitchen=world.kitchen, name="Poulet rôti", component="main")
    services.set_course(
        meal=Meal.objects.get(canteen=world.kitchen, date=MONDAY), component="main", dish=dish
    )
    return compliance_url(world), rules


@pytest.mark.parametrize(
    ("role", "linked"), [("cook", True), ("dietitian", True), ("manager", False)]
)
def test_the_compliance_report_links_to_the_rules_for_those_who_may_read_them(
    client, world, report, role, linked
):
    url, rules = report
    client.force_login(world.users[role])
    page = client.get(url)
    assert page.status_code == 200
    rule_pages = [
        reverse("rule_set_detail", kwargs={"pk": rules.pk}),
        reverse("rule_set_nutrients", kwargs={"pk": rules.pk}),
    ]
    for target in rule_pages:
        assert (f'href="{target}"' in page.content.decode()) is linked
        if linked:
            assert client.get(target).status_code == 200


def test_weeks_with_no_meal_say_what_to_do_rather_than_that_every_rule_holds(client, world, rules):
    client.force_login(world.users["cook"])
    empty = MONDAY + timedelta(days=7 * 4)
    page = client.get(compliance_url(world, empty)).content.decode()
    assert "Aucun repas planifié ces semaines : planifiez-les depuis le calendrier." in page
    assert "respectent toutes les règles" not in page and "✓" not in page
    calendar = reverse("menu_calendar", kwargs={"pk": world.kitchen.pk})
    assert f'href="{calendar}?start={empty:%Y-%m-%d}&amp;weeks=1"' in page
