"""The cook's planning journey: an empty month, one click to plan, one swap."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from cantine.models import Canteen
from menus.closures import days_off
from tests.browser.conftest import log_in


def test_cook_plans_an_empty_month_then_swaps_a_dish(page, live_server, demo):
    log_in(page, live_server, "cuisinier")
    monday = timezone.localdate() + timedelta(days=7 * 10)
    monday -= timedelta(days=monday.weekday())
    page.goto(f"{live_server.url}/menus/?start={monday:%Y-%m-%d}&weeks=4")
    expect(page.get_by_role("heading", name=re.compile("Menus"))).to_be_visible()
    # Reading the weeks created nothing: the cook opens them to choose dishes.
    expect(page.locator("td.course .empty")).to_have_count(0)
    page.get_by_role("button", name="Ouvrir ces semaines pour y choisir des plats").click()
    # Five courses a school day; public and school holidays of zone B start closed.
    kitchen = Canteen.objects.get(kind=Canteen.Kind.CENTRAL_KITCHEN)
    off = days_off(kitchen, monday, monday + timedelta(days=27))
    school_days = [
        monday + timedelta(days=d) for d in range(28) if (monday + timedelta(days=d)).weekday() < 5
    ]
    open_days = [day for day in school_days if day not in off]
    expect(page.locator("td.course .empty")).to_have_count(5 * len(open_days))

    page.get_by_label("Objectif", exact=True).select_option("lowest_carbon")
    page.get_by_role("button", name="Planifier les plats manquants").click()
    expect(page.locator("#plan-run")).to_contain_text(
        re.compile("Optimal|Réalisable"), timeout=90_000
    )
    expect(page.locator("td.course .empty")).to_have_count(0)
    expect(page.locator(".compliance p.ok")).to_be_visible()

    # Serve Monday's main again on Tuesday: the dish now comes back too soon.
    mains = page.locator('td.course[data-component="main"]')
    monday_main = mains.nth(0).locator(".dish").text_content().strip()
    mains.nth(1).get_by_role("button", name="changer").click()
    page.get_by_label("Chercher un plat").fill(monday_main)
    page.locator(".picker li button", has_text=monday_main).first.click()
    expect(page.locator(".compliance p.ok")).to_have_count(0)
    expect(page.locator(".compliance .problems")).to_contain_text(monday_main)
    expect(mains.nth(1)).to_contain_text(monday_main)
