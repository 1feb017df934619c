"""The manager's forecast: the menus planned ahead, priced, and one product switched to organic."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from cantine.models import Canteen
from demo.seed import KITCHEN, demo_siret
from menus.services import copy_week
from producers.models import Offer
from tests.browser.conftest import log_in


def _plan_two_weeks_ahead(kitchen) -> int:
    """The cook copies last week's menus onto the next two weeks that serve meals; returns
    the year they fall in."""
    today = timezone.localdate()
    this_monday = today - timedelta(days=today.weekday())
    served = this_monday - timedelta(days=7)
    monday, planned, year = this_monday + timedelta(days=7), 0, None
    while planned < 2:
        if copy_week(canteen=kitchen, source_monday=served, target_monday=monday):
            planned += 1
            year = year or monday.year
        monday += timedelta(days=7)
    return year


def _pct(value: str | None) -> float:
    return float(value) if value else 0.0


def test_manager_switches_a_product_to_organic_and_sees_shares_and_cost_move(
    page, live_server, demo
):
    kitchen = Canteen.objects.get(siret=demo_siret("canteen", KITCHEN.key))
    year = _plan_two_weeks_ahead(kitchen)
    # The shares page's breakdown tables load by HTMX all at once, which the live server's
    # in-memory SQLite can deadlock on (see test_manager); they are not this journey's subject.
    page.route(re.compile(r".*[?&]table="), lambda route: route.fulfill(body=""))
    log_in(page, live_server, "gestionnaire")
    page.goto(f"{live_server.url}/purchases/shares/")
    page.locator("#forecast-link").click()
    expect(page.get_by_role("heading", name="Prévision de l'année")).to_be_visible()
    if str(year) != page.locator('select[name="year"]').input_value():
        page.locator('select[name="year"]').select_option(str(year))
    coverage = page.locator("#coverage")
    assert int(coverage.get_attribute("data-meals")) >= 5
    summary = page.locator("#forecast-year")
    total = float(summary.get_attribute("data-year-total"))
    bio = _pct(summary.get_attribute("data-bio-pct"))
    assert total > 0

    # A product of the forecast that some producer sells organic, not organic already.
    options = page.locator("#whatif-product option")
    candidates = [
        (options.nth(i).get_attribute("value"), options.nth(i).inner_text())
        for i in range(options.count())
    ]
    organic = {
        str(offer.food_id) for offer in Offer.objects.filter(active=True) if "BIO" in offer.labels
    }
    tried = 0
    for value, name in candidates:
        if value not in organic or "déjà bio" in name:
            continue
        page.locator("#whatif-product").select_option(value)
        with page.expect_response(lambda response, value=value: f"product={value}" in response.url):
            page.get_by_role("button", name="Le passer en bio").click()
        page.wait_for_selector(f'#whatif[data-product="{value}"]')
        tried += 1
        if page.locator("#whatif-result").count():
            break
        assert tried < 10, "no product of the forecast could be switched to organic"
    result = page.locator("#whatif-result")
    expect(result).to_be_visible()
    assert float(result.get_attribute("data-before-total")) == total
    assert _pct(result.get_attribute("data-before-bio-pct")) == bio
    assert _pct(result.get_attribute("data-after-bio-pct")) > bio
    assert float(result.get_attribute("data-after-total")) != total
    expect(result.locator('tr[data-share="bio"]')).to_contain_text("%")
