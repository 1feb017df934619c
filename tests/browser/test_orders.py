"""The cook's buying journey: a planned week becomes needs, is allocated, and accepted."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import log_in


def either(english: str, french: str):
    """Match the label whether or not the French catalogue is compiled yet."""
    return re.compile(f"{re.escape(english)}|{re.escape(french)}")


def test_cook_turns_a_planned_week_into_needs_allocates_and_accepts(page, live_server, demo):
    log_in(page, live_server, "cuisinier")
    # The demo plans the four weeks before this one: take last week.
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday() + 7)
    page.goto(f"{live_server.url}/orders/?start={monday:%Y-%m-%d}&weeks=1")
    expect(page.locator("h1")).to_contain_text(either("Needs", "Besoins"))

    page.get_by_role(
        "button", name=either("Compute the needs from the menus", "Calculer les besoins")
    ).click()
    rows = page.locator("table.needs tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() > 20

    # Adjust one need by hand: the row shows the new quantity to buy.
    first = rows.first
    first.locator("input[name=manual_quantity]").fill("12.5")
    first.get_by_role("button", name=either("save", "enregistrer")).click()
    expect(page.locator("table.needs tbody tr").first.locator(".quantity")).to_have_text(
        re.compile(r"12[.,]5")
    )

    # Buying the most local needs a budget: the page says why and keeps the form as it was.
    allocate = page.get_by_role("button", name=either("Allocate the needs", "Répartir les besoins"))
    page.get_by_label(either("Most local within a budget", "Le plus local dans un budget")).check()
    allocate.click()
    expect(page.locator("#allocation-status")).to_contain_text(
        either("needs a budget", "demande un budget")
    )
    page.get_by_label(either("Cheapest", "Le moins cher")).check()

    allocate.click()
    expect(page.locator("#allocation-run")).to_contain_text(
        re.compile("Optimal|Feasible|Réalisable"), timeout=90_000
    )
    page.get_by_role("link", name=either("See the allocation", "Voir la répartition")).click()
    expect(page.locator("table.allocation tbody tr").first).to_be_visible()
    expect(page.locator("#baseline-cost")).to_contain_text("€")

    page.get_by_role(
        "button", name=either("Accept and create the purchase orders", "Accepter et créer")
    ).click()
    orders = page.locator("table.purchase-orders tbody tr")
    expect(orders.first).to_be_visible()
    assert orders.count() >= 2
    expect(orders.first.get_by_role("link", name="PDF")).to_be_visible()
