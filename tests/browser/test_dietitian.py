"""The dietitian's journey: raise a rule's threshold and watch the compliance report change."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import log_in


def test_dietitian_edits_a_rule_and_the_compliance_report_changes(page, live_server, demo):
    log_in(page, live_server, "dieteticienne")
    today = timezone.localdate()
    start = today - timedelta(days=today.weekday(), weeks=4)
    page.goto(f"{live_server.url}/menus/?start={start:%Y-%m-%d}&weeks=4")
    page.get_by_role("link", name="Rapport de conformité détaillé").click()
    report_url = page.url
    fish = page.locator('tr[data-rule="gemrcn-9"]')
    expect(fish).to_have_class("ok")
    expect(page.locator("p.ok")).to_be_visible()

    page.get_by_role("link", name="Voir ou modifier les règles").click()
    page.get_by_role("link", name="Modifier").first.click()
    row = page.locator("tr", has=page.locator("input[value='gemrcn-9']"))
    row.locator("input[name$='-min']").fill("20")
    page.get_by_role("button", name="Enregistrer").click()

    expect(page.locator(".messages")).to_be_visible()
    page.goto(report_url)
    expect(fish).to_have_class("ko")
    expect(fish).to_contain_text("au moins 20 repas")
    expect(page.locator("p.ok")).to_have_count(0)
