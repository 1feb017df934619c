"""Pages link only to pages the reader may open: a manager reads the compliance report, but
the rule sets are the dietitian's and the cook's pages (a link there would answer 403)."""

import pytest
from django.urls import reverse

from nutrition.services import assign_rule_set, copy_rule_set, load_rule_presets


@pytest.fixture
def report(world):
    school = load_rule_presets()[0]
    rules = copy_rule_set(source=school, name="Cantine", actor=None, owner=world.kitchen)
    assign_rule_set(canteen=world.kitchen, rule_set=rules, actor=None)
    return reverse("menu_compliance", kwargs={"pk": world.kitchen.pk}), rules


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
