"""Issue 20's journey: the cook plans the school year, the manager forecasts the next calendar
year from it, switches one product to organic, and sees the shares and the cost move.

The forecast's figures are checked against the same plan priced here another way: the needs
as the cook's needs page persists them (``compute_needs``), each priced at the cheapest offer
delivering on its date (else the kitchen's reference price), summed by this test.
"""

import re
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone
from playwright.sync_api import expect

from cantine import solver_runs
from cantine.labels import Label
from cantine.models import Canteen
from menus import horizons
from menus.models import PlanRun
from nutrition.models import FoodPrice
from orders.models import Need
from orders.needs import compute_needs
from producers.models import Offer
from tests.browser.conftest import log_in
from tests.browser.test_year_plan import _in_a_worker

CENT = Decimal("0.01")


def _priced_here(kitchen: Canteen, start: date, end: date) -> tuple[Decimal, Decimal]:
    """(cost, organic cost) of the needs delivered from ``start`` to ``end``, priced by this
    test: cheapest active offer of the food in its purchase unit delivering that day, else the
    reference price."""
    compute_needs(kitchen=kitchen, start=start - timedelta(days=7), end=end)
    needs = Need.objects.filter(
        canteen=kitchen, delivery_date__range=(start, end), quantity__gt=0
    ).select_related("food")
    references = dict(
        FoodPrice.objects.filter(kitchen=kitchen).values_list("food_id", "unit_price")
    )
    cost = organic = Decimal(0)
    for need in needs:
        offers = [
            offer
            for offer in Offer.objects.filter(active=True, food=need.food, valid_from__lte=end)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=start))
            .select_related("producer")
            .order_by("unit_price", "pk")
            if offer.unit == need.food.purchase_unit and offer.delivers_on(need.delivery_date)
        ]
        if offers:
            amount = (need.quantity * offers[0].unit_price).quantize(CENT)
            if Label.BIO in offers[0].labels:
                organic += amount
        elif need.food_id in references:
            amount = (need.quantity * references[need.food_id]).quantize(CENT)
        else:
            continue
        cost += amount
    return cost, organic


def test_cook_plans_the_year_and_the_manager_forecasts_it(
    page, live_server, demo, settings, monkeypatch
):
    settings.PLAN_YEAR_SECONDS = 60
    monkeypatch.setattr(solver_runs, "enqueue", _in_a_worker)
    kitchen = Canteen.objects.get(kind=Canteen.Kind.CENTRAL_KITCHEN)
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    year_end = horizons.school_year_end(kitchen, monday)
    next_year = today.year + 1
    assert year_end.year == next_year

    log_in(page, live_server, "cuisinier")
    page.goto(f"{live_server.url}/menus/?start={monday:%Y-%m-%d}&weeks=4")
    page.get_by_label("Planifier", exact=True).select_option("year")
    page.get_by_role("button", name="Planifier les plats manquants").click()
    expect(page.locator("#plan-run")).to_contain_text(
        re.compile("Optimal|Réalisable"), timeout=240_000
    )
    run = PlanRun.objects.get(canteen=kitchen, end=year_end)
    assert run.meals_planned == run.meals_total > 50

    page.context.clear_cookies()
    page.route(re.compile(r".*[?&]table="), lambda route: route.fulfill(body=""))
    log_in(page, live_server, "gestionnaire")
    page.goto(f"{live_server.url}/purchases/shares/")
    page.locator("#forecast-link").click()
    expect(page.get_by_role("heading", name="Prévision de l'année")).to_be_visible()
    with page.expect_navigation(url=re.compile(rf"year={next_year}")):
        page.locator('select[name="year"]').select_option(str(next_year))
    summary = page.locator("#forecast-year")
    expect(summary).to_be_visible()
    total = Decimal(summary.get_attribute("data-year-total"))
    bio_pct = Decimal(summary.get_attribute("data-bio-pct") or "0")
    assert int(page.locator("#coverage").get_attribute("data-meals")) > 50

    # The same plan priced by this test: nothing bought yet next year, so it is all planned.
    cost, organic = _priced_here(kitchen, date(next_year, 1, 1), date(next_year, 12, 31))
    assert total == cost
    assert abs(bio_pct - (100 * organic / cost)) < Decimal("0.01")

    # One product the kitchen buys non-organic that a producer also sells organic.
    options = page.locator("#whatif-product option")
    values = [options.nth(i).get_attribute("value") for i in range(options.count())]
    sold_organic = {
        str(o.food_id) for o in Offer.objects.filter(active=True) if Label.BIO in o.labels
    }
    for value in values:
        if value not in sold_organic:
            continue
        page.locator("#whatif-product").select_option(value)
        with page.expect_response(lambda response, value=value: f"product={value}" in response.url):
            page.get_by_role("button", name="Le passer en bio").click()
        page.wait_for_selector(f'#whatif[data-product="{value}"]')
        if page.locator("#whatif-result").count():
            break
    result = page.locator("#whatif-result")
    expect(result).to_be_visible()
    assert Decimal(result.get_attribute("data-before-total")) == total
    assert Decimal(result.get_attribute("data-after-bio-pct")) > bio_pct
    assert Decimal(result.get_attribute("data-after-total")) != total
