"""Browser journeys: Playwright driving Debian's chromium (never a downloaded browser).

Failures leave a full-page screenshot under test-results/.
"""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
RESULTS = Path(__file__).resolve().parents[2] / "test-results"

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# around it are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


# ``make test`` runs the suite twice, on SQLite and on PostgreSQL, side by side; the browser
# tests drive the same pages through either database, so each half takes a share of them
# (BROWSER_SHARE: "crawl", the every-page crawl and the two year journeys, or "journeys", the
# others) and the two halves take about the same time: the rest of the suite is slower on
# PostgreSQL (CI, 2026-12-04: 26.4 min with every journey there against 19.4 for the SQLite
# half; the year journeys are 2.5 min of it). Unset (a developer's ``pytest``), every browser
# test runs.
CRAWL = {"test_every_page.py", "test_year_plan.py", "test_year_forecast.py"}


def pytest_collection_modifyitems(config, items):
    share = os.environ.get("BROWSER_SHARE", "all")
    kept, dropped = [], []
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            crawl = item.fspath.basename in CRAWL
            if (share == "crawl" and not crawl) or (share == "journeys" and crawl):
                dropped.append(item)
                continue
        kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: .ci/run installs it with apt-get")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    """A fresh desktop-sized page; the test can resize it (e.g. for a phone)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(15_000)
    # What the Content-Security-Policy blocked (an inline script, handler or style): a page
    # that relies on one is broken for real users, so the journey fails.
    blocked = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        RESULTS.mkdir(exist_ok=True)
        page.screenshot(path=RESULTS / f"{request.node.name}.png", full_page=True)
    context.close()
    assert not blocked, f"blocked by the Content-Security-Policy: {blocked}"


@pytest.fixture
def demo(transactional_db):
    from io import StringIO

    from django.core.management import call_command

    call_command("seed_demo", stdout=StringIO())


def log_in(page, live_server, username, password="cantine-demo-2026"):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
