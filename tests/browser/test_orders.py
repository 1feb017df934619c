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
    first_run = page.url.removeprefix(live_server.url)
    expect(page.locator("#baseline-cost")).to_contain_text("€")

    # Accepting first shows what it changes: here, only new orders.
    page.get_by_role(
        "link", name=either("Review the changes to the orders", "Voir les changements")
    ).click()
    expect(page.locator("section.order-change").first).to_be_visible()
    assert page.locator('section.order-change[data-kind="amendment"]').count() == 0
    page.get_by_role(
        "button", name=either("Confirm and update the purchase orders", "Confirmer et mettre")
    ).click()
    orders = page.locator("table.purchase-orders tbody tr")
    expect(orders.first).to_be_visible()
    assert orders.count() >= 2
    expect(orders.first.get_by_role("link", name="PDF")).to_be_visible()

    # Send one order, then allocate and accept again: the sent order is counted, not doubled.
    orders.first.get_by_role("link", name=re.compile("BC-")).click()
    page.get_by_role("button", name=either("Send to the producer", "Envoyer au producteur")).click()
    expect(page.locator(".messages")).to_contain_text(either("sent", "envoyée"))
    page.goto(f"{live_server.url}/orders/?start={monday:%Y-%m-%d}&weeks=1")
    page.get_by_role("button", name=either("Allocate the needs", "Répartir les besoins")).click()
    new_run = page.locator(f'#allocation-run a.button:not([href="{first_run}"])')
    expect(new_run).to_be_visible(timeout=90_000)  # a new run, solved
    new_run.click()
    page.get_by_role(
        "link", name=either("Review the changes to the orders", "Voir les changements")
    ).click()
    expect(page.locator("h1")).to_contain_text(either("Accept", "Accepter"))
    page.get_by_role(
        "button", name=either("Confirm and update the purchase orders", "Confirmer et mettre")
    ).click()
    expect(orders.first).to_be_visible()
    assert_one_open_order_per_producer_and_day()


def assert_one_open_order_per_producer_and_day():
    from collections import Counter

    from orders.models import PurchaseOrder

    cards = Counter(
        PurchaseOrder.objects.filter(
            status__in=["draft", "sent", "confirmed", "partial"]
        ).values_list("canteen", "producer", "delivery_date")
    )
    assert cards and max(cards.values()) == 1
