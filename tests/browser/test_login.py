"""A first journey: the demo cook logs in and lands on a home page made for a cook."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import log_in


def test_demo_cook_logs_in_and_sees_the_home_page(page, live_server, demo):
    log_in(page, live_server, "cuisinier")
    expect(page.get_by_role("heading", name="Bonjour Karim")).to_be_visible()
    nav = page.get_by_role("navigation", name="Navigation principale")
    expect(nav.get_by_role("link", name="Cantines")).to_be_visible()
    expect(nav.get_by_role("link", name="Producteurs")).to_be_visible()
    expect(nav.get_by_role("link", name="Ma ferme")).to_have_count(0)
    expect(page.get_by_text("Cuisine centrale d'Angers")).to_be_visible()


def test_wrong_password_keeps_the_user_on_the_login_page(page, live_server, demo):
    log_in(page, live_server, "cuisinier", password="not the password")
    expect(page.get_by_role("alert")).to_contain_text("Identifiant ou mot de passe incorrect")


def test_cook_filters_producers_to_local_ones(page, live_server, demo):
    log_in(page, live_server, "cuisinier")
    page.get_by_role("link", name="Producteurs").first.click()
    summary = page.locator(".summary")
    expect(summary).to_contain_text("moins de 50 km")
    page.get_by_label("Vu depuis").select_option(label="Cuisine centrale d'Angers")
    expect(summary).to_contain_text("même département (Maine-et-Loire (49))")
    page.get_by_label("Local seulement").check()
    expect(summary).to_have_text(re.compile(r"^(\d+) producteurs, dont \1 locaux"))
    rows = page.locator("#results tbody tr")
    for index in range(rows.count()):
        expect(rows.nth(index).locator(".badge.local")).to_have_count(1)
