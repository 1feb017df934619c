"""A cook plans a term (or the school year) from the calendar: the rolling-horizon planner,
its progress on the run, and its meals checked by a verifier written in the tests."""

from dataclasses import replace
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cantine import solver_runs
from menus import horizons, school_calendar, services
from menus.forms import PlanForm
from menus.horizons import Horizon
from menus.instances import build_planning_problem, served
from menus.models import Meal, MealDish, PlanRun
from menus.planner import PlanResult
from tests.menus.conftest import MONDAY
from tests.menus.test_year_planner import _verify_year

# The world's kitchen is in Angers (Maine-et-Loire, zone B): the winter term of 2027 runs from
# MONDAY (4 January) to the spring holidays (from Saturday 17 April), with the winter holidays
# (20 February - 7 March) and Easter Monday (29 March) inside it.
TERM_END = date(2027, 4, 16)
YEAR_END = date(2027, 7, 2)  # the summer holidays begin on Saturday 3 July


def _plan(client, kitchen, horizon, weeks=4):
    return client.post(
        reverse("menu_plan", kwargs={"pk": kitchen.pk}),
        {
            "preset": "cheapest",
            "keep_existing": "on",
            "start": MONDAY.isoformat(),
            "weeks": weeks,
            "horizon": horizon,
        },
        HTTP_HX_REQUEST="true",
    )


def test_horizons_end_before_the_holidays_of_the_zone(kitchen):
    assert horizons.term_end(kitchen, MONDAY) == TERM_END
    assert horizons.school_year_end(kitchen, MONDAY) == YEAR_END
    # From inside the spring holidays, the term is the next one: to the summer.
    assert horizons.term_end(kitchen, date(2027, 4, 19)) == YEAR_END
    weeks_end = MONDAY + timedelta(days=27)
    assert horizons.horizon_end(kitchen, MONDAY, Horizon.WEEKS, weeks_end) == weeks_end
    assert horizons.horizon_end(kitchen, MONDAY, Horizon.YEAR, weeks_end) == YEAR_END


def test_the_plan_form_offers_the_horizons_and_defaults_to_the_weeks_shown():
    form = PlanForm(initial={"start": MONDAY, "weeks": 4})
    assert [value for value, _label in form.fields["horizon"].choices] == ["weeks", "term", "year"]
    assert "l&#x27;année scolaire" in str(form["horizon"]) or "l'année scolaire" in str(
        form["horizon"]
    )
    data = {"preset": "cheapest", "start": MONDAY.isoformat(), "weeks": 4}
    form = PlanForm(data)
    assert form.is_valid() and form.cleaned_data["horizon"] == Horizon.WEEKS
    assert form.period() == (MONDAY, MONDAY + timedelta(days=27))
    assert not PlanForm({**data, "horizon": "century"}).is_valid()


def test_the_weeks_shown_keep_the_short_planner(
    client, world, kitchen, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "plan_year", _never)
    client.force_login(world.users["cook"])
    with django_capture_on_commit_callbacks(execute=True):
        response = _plan(client, kitchen, Horizon.WEEKS, weeks=1)
    assert response.status_code == 200
    run = PlanRun.objects.get()
    assert (run.start, run.end) == (MONDAY, MONDAY + timedelta(days=6))
    assert run.status in PlanRun.SOLVED and run.meals_total == 0


def _never(*args, **kwargs):
    raise AssertionError("the weeks shown are planned by the short planner")


def test_a_calendar_that_does_not_say_when_the_term_ends_is_refused(
    client, world, kitchen, monkeypatch
):
    monkeypatch.setattr(horizons, "_holiday_starts", lambda canteen, start: [])
    client.force_login(world.users["cook"])
    response = _plan(client, kitchen, Horizon.TERM)
    assert response.status_code == 400
    assert "ne dit pas quand le trimestre se termine" in response.content.decode()
    assert not PlanRun.objects.exists()


def test_the_cook_plans_the_term_on_the_school_calendar(
    client, world, kitchen, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.PLAN_YEAR_SECONDS = 40  # the term (about 60 meals) gets a third of it
    beats = []
    beat = solver_runs.Claim.beat

    def spy(self, **fields):
        beats.append(fields)
        return beat(self, **fields)

    monkeypatch.setattr(solver_runs.Claim, "beat", spy)
    client.force_login(world.users["cook"])
    with django_capture_on_commit_callbacks(execute=True):  # the job runs after the request
        response = _plan(client, kitchen, Horizon.TERM)
    assert response.status_code == 200
    run = PlanRun.objects.get()
    assert (run.start, run.end) == (MONDAY, TERM_END)
    assert run.status in PlanRun.SOLVED, run.message
    page = client.get(reverse("menu_plan_status", kwargs={"run_pk": run.pk})).content.decode()
    assert "status-" + run.status in page
    assert "toutes les règles (prouvé)" in page or "au-dessus du meilleur possible" in page
    assert f"{run.meals_total} repas sur {run.meals_total} planifiés" in page

    # Every open day of the term has its five courses; none on a holiday of the zone.
    off = set(school_calendar.school_holidays("B", MONDAY, TERM_END))
    off |= set(school_calendar.public_holidays("49", MONDAY, TERM_END))
    assert date(2027, 3, 1) in off and date(2027, 3, 29) in off
    meals = {m.date: m for m in Meal.objects.filter(canteen=kitchen).prefetch_related("courses")}
    open_days = [
        MONDAY + timedelta(days=d)
        for d in range((TERM_END - MONDAY).days + 1)
        if (MONDAY + timedelta(days=d)).weekday() < 5 and MONDAY + timedelta(days=d) not in off
    ]
    assert len(open_days) > 8 * 5
    for day in open_days:
        assert not meals[day].closed and len(meals[day].courses.all()) == 5, day
    for day, meal in meals.items():
        if day in off:
            assert meal.closed and not meal.courses.all(), day
    assert run.changed_slots == 5 * len(open_days)

    # Every 20-meal window, the repeats and the vegetarian weeks hold (the tests' verifier).
    problem = build_planning_problem(
        canteen=kitchen,
        start=MONDAY,
        end=TERM_END,
        rule_set=run.rule_set,
        preset="cheapest",
        keep_existing=True,
    )
    assert _verify_year(problem.instance, [served(m) for m in problem.meals]) == []

    # The progress moved while it ran: meals planned part by part, with the gap of what is
    # planned as soon as a bound part is covered, and at the end.
    progress = [b for b in beats if b.get("meals_planned")]
    assert len(progress) >= 2
    assert progress[0]["meals_planned"] < progress[-1]["meals_planned"] == len(open_days)
    assert all(b["meals_total"] == len(open_days) for b in progress)
    assert progress[-1]["best_gap"] is not None
    assert all(b["best_gap"] >= 0 for b in progress if b["best_gap"] is not None)
    assert run.meals_planned == run.meals_total == len(open_days)
    assert run.gap is not None


@pytest.mark.parametrize("status", ["running", "failed"])
def test_the_status_shows_the_meals_planned_and_a_failed_year_can_be_tried_again(
    client, world, kitchen, status
):
    services.ensure_meals(canteen=kitchen, start=MONDAY, end=YEAR_END)
    run = PlanRun.objects.create(
        canteen=kitchen,
        start=MONDAY,
        end=YEAR_END,
        preset="cheapest",
        rule_set=kitchen.rule_set_assignment.rule_set,
        status=status,
        meals_planned=50,
        meals_total=120,
        best_gap=0.034,
        message="arrêté" if status == "failed" else "",
    )
    PlanRun.objects.filter(pk=run.pk).update(heartbeat_at=run.created_at)
    client.force_login(world.users["cook"])
    page = client.get(reverse("menu_plan_status", kwargs={"run_pk": run.pk})).content.decode()
    retry = reverse("menu_plan_retry", kwargs={"run_pk": run.pk})
    if status == "running":
        assert "50 repas sur 120 planifiés" in page
        assert "à moins de 3,4 % du meilleur possible" in page
        assert retry not in page
    else:
        assert retry in page and "50 repas sur 120 planifiés" in page
        assert "du meilleur possible" not in page and "borne" not in page
        run.refresh_from_db()
        solver_runs.retry(run, _NoQueue())
        run.refresh_from_db()
        assert (run.meals_planned, run.meals_total, run.best_gap) == (0, 0, None)


class _NoQueue:
    """A task that is never run (the retried run stays queued)."""

    def enqueue(self, *args):
        return None


def test_a_year_left_unfinished_writes_nothing_and_says_why(
    client, world, kitchen, monkeypatch, django_capture_on_commit_callbacks
):
    """A part the planner could not solve in time: the meals planned so far are not written
    (their windows were never checked against the rest), and the run says how far it got."""

    def first_meals_only(instance, **kwargs):
        plan = services.plan_menus(replace(instance, meals=instance.meals[:10])).plan
        kwargs["progress"](10, len(instance.meals), 0.01)
        return PlanResult("unknown", plan, None, None, 1.0, None, [], {})

    monkeypatch.setattr(services, "plan_year", first_meals_only)
    client.force_login(world.users["cook"])
    with django_capture_on_commit_callbacks(execute=True):
        _plan(client, kitchen, Horizon.TERM)
    run = PlanRun.objects.get()
    assert run.status == PlanRun.Status.UNKNOWN
    assert not MealDish.objects.exists() and run.changed_slots == 0
    assert run.meals_planned == 10 and run.meals_total > 40
    assert f"Seuls 10 repas sur {run.meals_total}" in run.message


def test_a_plan_longer_than_a_year_is_refused(world, kitchen):
    with pytest.raises(ValidationError):
        services.request_plan(
            canteen=kitchen,
            start=MONDAY,
            end=MONDAY + timedelta(days=400),
            preset="cheapest",
            keep_existing=True,
            rule_set=kitchen.rule_set_assignment.rule_set,
            actor=world.users["cook"],
        )
    assert not PlanRun.objects.exists()
