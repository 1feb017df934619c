"""The cook plans the whole school year from the calendar, then finds meals months ahead."""

import re
import threading
from datetime import timedelta

from django.db import connections
from django.utils import timezone
from playwright.sync_api import expect

from cantine import solver_runs
from cantine.models import Canteen
from menus import horizons
from menus.models import PlanRun
from tests.browser.conftest import log_in


def _in_a_worker(task, run):
    """The job queue as in production: the run is solved beside the web server, so the page
    polls it while it runs. On in-memory SQLite the database lives in the live server's one
    shared connection, so the worker borrows it; elsewhere it opens its own, as a worker does."""
    connection = connections["default"]
    shared = connection.vendor == "sqlite"
    if shared:
        connection.inc_thread_sharing()

    def work():
        if shared:
            connections["default"] = connection
        try:
            task.call(run.pk)
        finally:
            if shared:
                connection.dec_thread_sharing()
            else:
                connections.close_all()

    threading.Thread(target=work, daemon=True).start()


def test_cook_plans_the_school_year(page, live_server, demo, settings, monkeypatch):
    settings.PLAN_YEAR_SECONDS = 60  # the demo's year gets most of it: a short journey
    monkeypatch.setattr(solver_runs, "enqueue", _in_a_worker)
    kitchen = Canteen.objects.get(kind=Canteen.Kind.CENTRAL_KITCHEN)
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
    year_end = horizons.school_year_end(kitchen, monday)
    log_in(page, live_server, "cuisinier")
    page.goto(f"{live_server.url}/menus/?start={monday:%Y-%m-%d}&weeks=4")
    page.get_by_label("Planifier", exact=True).select_option("year")
    page.get_by_role("button", name="Planifier les plats manquants").click()
    run_box = page.locator("#plan-run")
    # While it runs: how many meals are planned, and how close to the bound.
    expect(run_box).to_contain_text(
        re.compile(r"\d+ repas sur \d+ planifiés?, à moins de"), timeout=90_000
    )
    expect(run_box).to_contain_text(re.compile("Optimal|Réalisable"), timeout=180_000)
    run = PlanRun.objects.get(canteen=kitchen, end=year_end)
    assert run.meals_total > 8 * 4
    expect(run_box).to_contain_text(f"{run.meals_total} repas sur {run.meals_total} planifiés")
    expect(run_box.locator("progress")).to_have_attribute("value", str(run.meals_total))
    expect(run_box.locator(".plan-gap")).to_be_visible()

    # Four months on, the weeks are planned: every open day has its courses.
    later = monday + timedelta(days=7 * 17)
    page.goto(f"{live_server.url}/menus/?start={later:%Y-%m-%d}&weeks=4")
    expect(page.locator("td.course .dish").first).to_be_visible()
    expect(page.locator("td.course .empty")).to_have_count(0)
    expect(page.locator("#plan-run")).to_contain_text(re.compile("Optimal|Réalisable"))
