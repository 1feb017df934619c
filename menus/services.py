"""Use cases that change menus: the calendar's edits and the optimiser's runs."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from cantine import solver_runs
from cantine.models import Canteen, CoverForecast, User
from cantine.solver_runs import solve_with_progress
from menus.closures import DayOff, days_off
from menus.instances import build_planning_problem, dish_id
from menus.models import Closure, Meal, MealDish, PlanRun
from menus.planner import plan_menus
from menus.planner.rolling import plan_year
from nutrition.models import Dish, RuleSet


def service_weekdays(canteen: Canteen) -> list[int]:
    """Days the kitchen cooks: any weekday with covers forecast in the kitchen's group."""
    days = (
        CoverForecast.objects.filter(covers__gt=0)
        .filter(Canteen.in_group_of(canteen))
        .values_list("weekday", flat=True)
        .distinct()
    )
    return sorted(set(days)) or [0, 1, 2, 3, 4]


def days_without_meal(
    canteen: Canteen, start: date, end: date, off: dict[date, DayOff] | None = None
) -> int:
    """How many open service days of [start, end] have no meal yet: the days the calendar
    offers to open (``ensure_meals`` also adds the holidays, closed, which serve nothing).

    A read, for the calendar: showing weeks writes nothing (issue 12: reading year 2400 created
    40 meals); the cook's POST on the calendar creates them. ``off``: the days off of the
    period (``days_off``), when the caller has them already."""
    weekdays = set(service_weekdays(canteen))
    wanted = {
        start + timedelta(days=offset)
        for offset in range((end - start).days + 1)
        if (start + timedelta(days=offset)).weekday() in weekdays
    }
    have = Meal.objects.filter(canteen=canteen, date__in=wanted).values_list("date", flat=True)
    missing = wanted - set(have)
    if not missing:
        return 0
    return len(missing - set(days_off(canteen, start, end) if off is None else off))


@transaction.atomic
def ensure_meals(*, canteen: Canteen, start: date, end: date) -> list[Meal]:
    """Create the missing meals of the service days in [start, end]; returns all of them."""
    weekdays = set(service_weekdays(canteen))
    wanted = [
        start + timedelta(days=offset)
        for offset in range((end - start).days + 1)
        if (start + timedelta(days=offset)).weekday() in weekdays
    ]
    # A public or school holiday starts closed; a meal that already exists keeps its state
    # (the cook may have reopened it: a holiday club served by the kitchen).
    off = days_off(canteen, start, end) if wanted else {}
    Meal.objects.bulk_create(
        [Meal(canteen=canteen, date=day, closed=day in off) for day in wanted],
        ignore_conflicts=True,
    )
    return list(Meal.objects.filter(canteen=canteen, date__in=wanted).order_by("date"))


@transaction.atomic
def set_course(*, meal: Meal, component: str, dish: Dish | None, locked: bool | None = None):
    """Serve ``dish`` for one course of a meal (None clears the course)."""
    if dish is None:
        MealDish.objects.filter(meal=meal, component=component).delete()
        return None
    course = MealDish.objects.filter(meal=meal, component=component).first()
    course = course or MealDish(meal=meal, component=component)
    course.dish = dish
    if locked is not None:
        course.locked = locked
    course.full_clean(exclude=["meal"])
    course.save()
    return course


@transaction.atomic
def release_locks(*, canteen: Canteen, locks: list[dict]) -> int:
    """Free the dishes an infeasibility explanation names, so the next plan may change them.

    The courses are emptied, locked or not: a dish the planner keeps ("keep the dishes
    already planned") binds it as much as a locked one.
    """
    released = 0
    for lock in locks:
        released += MealDish.objects.filter(
            meal__canteen=canteen, meal__date=lock["date"], component=lock["component"]
        ).delete()[0]
    return released


def toggle_lock(*, meal: Meal, component: str) -> MealDish:
    course = MealDish.objects.get(meal=meal, component=component)
    course.locked = not course.locked
    course.save(update_fields=["locked"])
    return course


@transaction.atomic
def set_closed(*, meal: Meal, closed: bool, closure: str = "") -> Meal:
    """A closed day serves nothing: its courses are removed and the windows skip it.

    ``closure`` says why the cook closed it (a bridge day, a strike, a school trip).
    """
    if closure and closure not in Closure.values:
        raise ValidationError(_("Unknown reason for closing the day."))
    meal.closed = closed
    meal.closure = closure if closed else ""
    meal.save(update_fields=["closed", "closure"])
    if closed:
        meal.courses.all().delete()
    return meal


@transaction.atomic
def copy_week(
    *, canteen: Canteen, source_monday: date, target_monday: date, today: date | None = None
) -> int:
    """Copy every course of one week onto the same weekdays of another; returns the count.

    Meals before ``today`` were served: they are the history the GEMRCN windows and the
    SCDL export read, so a copy never replaces them (a week wholly past is refused)."""
    if source_monday.weekday() != 0 or target_monday.weekday() != 0:
        raise ValidationError(_("Weeks start on a Monday."))
    if source_monday == target_monday:
        raise ValidationError(_("Choose another week to copy to."))
    today = today or timezone.localdate()
    if target_monday + timedelta(days=6) < today:
        raise ValidationError(
            _("The week of %(day)s has been served: its menus are kept as they were.")
            % {"day": target_monday.strftime("%d/%m/%Y")}
        )
    ensure_meals(canteen=canteen, start=target_monday, end=target_monday + timedelta(days=6))
    source = Meal.objects.filter(
        canteen=canteen, date__range=(source_monday, source_monday + timedelta(days=6))
    ).prefetch_related("courses")
    targets = {
        m.date.weekday(): m
        for m in Meal.objects.filter(
            canteen=canteen, date__range=(target_monday, target_monday + timedelta(days=6))
        )
    }
    copied = 0
    for meal in source:
        target = targets.get(meal.date.weekday())
        if target is None or target.closed or target.date < today:
            continue
        for course in meal.courses.all():
            MealDish.objects.update_or_create(
                meal=target,
                component=course.component,
                defaults={"dish_id": course.dish_id, "locked": False},
            )
            copied += 1
    return copied


# Sent (with ``run``) when a run's plan has been written; the buying side recomputes the
# needs of a menu repair (``orders.repair``), since menus never import orders.
plan_written = Signal()
# Sent (with ``canteen``, ``start``, ``end``) for the cook's calendar: each receiver returns
# the products nobody can supply for those weeks, shown with the menu repair (``orders.repair``).
shortages_asked = Signal()


SHORT_PLAN_WEEKS = 8
"""The longest period the short planner (``plan_menus``, one model over every meal) plans: the
calendar shows at most this many weeks. A longer period (a term, a school year) is planned by
the rolling horizon (``menus.planner.rolling.plan_year``), part by part, in a time limit scaled
to its meals (``settings.PLAN_YEAR_SECONDS`` for a school year)."""
SCHOOL_YEAR_MEALS = 180  # the meals of a school year, which ``PLAN_YEAR_SECONDS`` is for
LONGEST_PLAN_DAYS = 366  # a plan reaches at most a year


def is_long_plan(start: date, end: date) -> bool:
    """True when [start, end] is longer than the short planner handles."""
    return (end - start).days + 1 > 7 * SHORT_PLAN_WEEKS


def year_time_limit(meals: int) -> float:
    """Seconds for a rolling-horizon plan of ``meals`` meals: the school year's setting,
    scaled to the horizon (never less than a sixth of it)."""
    year = float(settings.PLAN_YEAR_SECONDS)
    return max(year * meals / SCHOOL_YEAR_MEALS, year / 6)


def request_plan(
    *,
    canteen: Canteen,
    start: date,
    end: date,
    preset: str,
    keep_existing: bool,
    rule_set: RuleSet,
    actor: User,
    max_cost_per_meal: Decimal | None = None,
    aim_shares: bool = False,
) -> PlanRun:
    """Queue an optimiser run, unless one is already running for this canteen and period
    (then ``solver_runs.AlreadyRunning`` names it). ``aim_shares``: the plan must reach the
    year's EGalim and organic shares (``menus.instances.build_planning_problem``)."""
    if end < start:
        raise ValidationError(_("The period ends before it starts."))
    if (end - start).days + 1 > LONGEST_PLAN_DAYS:
        raise ValidationError(_("A plan reaches at most one year."))
    ensure_meals(canteen=canteen, start=start, end=end)
    return solver_runs.request(
        PlanRun,
        solve_plan_run,
        canteen=canteen,
        start=start,
        end=end,
        preset=preset,
        keep_existing=keep_existing,
        rule_set=rule_set,
        max_cost_per_meal=max_cost_per_meal,
        aim_shares=aim_shares,
        requested_by=actor,
    )


def request_repair(
    *,
    canteen: Canteen,
    start: date,
    end: date,
    rule_set: RuleSet,
    repair: dict,
    actor: User,
) -> PlanRun:
    """Queue a menu repair: re-plan the meals of ``repair["dates"]`` (in [start, end]) with no
    dish holding ``repair["food"]``, every other meal of the period kept; same rule set, and
    the plan must pass the same checks as any plan. Once written, ``plan_written`` lets the
    buying side recompute the needs (``orders.repair``)."""
    if end < start or not repair.get("dates") or not repair.get("food"):
        raise ValidationError(_("Nothing to repair in these menus."))
    return solver_runs.request(
        PlanRun,
        solve_plan_run,
        canteen=canteen,
        start=start,
        end=end,
        preset=PlanRun.Preset.MOST_LOCAL,
        keep_existing=True,
        rule_set=rule_set,
        repair=repair,
        requested_by=actor,
    )


def plan_now(
    *,
    canteen: Canteen,
    start: date,
    end: date,
    preset: str,
    rule_set: RuleSet,
    actor: User | None = None,
    time_limit_s: float | None = None,
) -> PlanRun:
    """Plan a period in this process, without the job queue (demo data, scripts).

    ``time_limit_s`` overrides the planner's own limit for a short plan (the demo's history,
    ``demo.catalogue.DEMO_PLAN_SECONDS``)."""
    ensure_meals(canteen=canteen, start=start, end=end)
    run = PlanRun.objects.create(
        canteen=canteen, start=start, end=end, preset=preset, rule_set=rule_set, requested_by=actor
    )
    return execute_plan_run(run_id=run.pk, time_limit_s=time_limit_s)


@task()
def solve_plan_run(run_id: int) -> str:
    """The job that solves a queued plan run (``execute_plan_run``), outside the request."""
    solver_runs.reap_all_stale()  # runs left "running" by a worker that died fail first
    return execute_plan_run(run_id=run_id).status


def execute_plan_run(
    *, run_id: int, num_workers: int = 2, time_limit_s: float | None = None
) -> PlanRun:
    """Solve a queued run and write its plan into the empty (or unlocked) courses.

    The run is claimed first (``cantine.solver_runs.claim``): a run another worker holds, or
    one already done, is returned untouched; the plan is written only while the run is still
    this attempt's, so a run reaped and retried meanwhile is never planned twice."""
    held = solver_runs.claim(PlanRun, run_id)
    run = PlanRun.objects.get(pk=run_id)
    if held is None:
        return run
    if is_long_plan(run.start, run.end) and not run.repair:
        return _execute_year_run(run, held, num_workers)
    try:

        def save_progress(batch: list[tuple]) -> None:
            objective, bound, _elapsed = batch[-1]
            points = [[round(elapsed, 2), obj, bnd] for obj, bnd, elapsed in batch]
            run.progress = [*run.progress, *points][-50:]
            run.objective, run.bound = objective, bound
            held.beat(progress=run.progress, objective=objective, bound=bound)

        def solve(repair: dict | None, explain: bool = True):
            problem = _problem_of(run, repair)
            result = solve_with_progress(
                lambda report: plan_menus(
                    problem.instance,
                    num_workers=num_workers,
                    progress=report,
                    explain=explain,
                    time_limit_s=time_limit_s,
                ),
                save_progress,
                heartbeat=held.beat,
            )
            return problem, result

        if run.repair:
            # A repair changes as little as it can: first only the courses holding the
            # product, then, if the rules cannot hold so, the whole meals that use it.
            problem, result = solve({**run.repair, "whole_meals": False}, explain=False)
            if result.status == "infeasible":
                problem, result = solve({**run.repair, "whole_meals": True})
        else:
            problem, result = solve(None)
    except Exception as error:  # the run must not stay "running" forever
        held.fail(str(error))
        raise
    with transaction.atomic():
        if not held.hold():  # reaped or retried meanwhile: another attempt writes the plan
            return PlanRun.objects.get(pk=run_id)
        changed = _apply_plan(problem, result.plan) if result.plan else 0
        run.status = result.status
        run.objective = result.objective
        run.bound = result.bound
        run.solve_seconds = result.solve_seconds
        run.conflicts = [c.to_dict() for c in result.conflicts]
        run.changed_slots = changed
        run.finished_at = timezone.now()
        run.heartbeat_at = run.finished_at
        run.save()
        if result.plan:  # in the same transaction: the menus and what follows them agree
            plan_written.send(sender=PlanRun, run=run)
    return run


def _problem_of(run: PlanRun, repair: dict | None = None):
    """The planning problem a run asks for: its canteen, period, rule set and options."""
    return build_planning_problem(
        canteen=run.canteen,
        start=run.start,
        end=run.end,
        rule_set=run.rule_set,
        preset=run.preset,
        keep_existing=run.keep_existing,
        max_cost_per_meal=float(run.max_cost_per_meal) if run.max_cost_per_meal else None,
        repair=repair,
        aim_shares=run.aim_shares,
    )


def _execute_year_run(run: PlanRun, held: solver_runs.Claim, num_workers: int) -> PlanRun:
    """A term or a school year (``is_long_plan``): the rolling horizon, its progress (meals
    planned, best gap so far) on the run while it solves; the plan is written only whole."""
    try:
        problem = _problem_of(run)
        total = len(problem.meals)
        limit = year_time_limit(total)
        held.beat(meals_planned=0, meals_total=total, best_gap=None)

        def save_progress(batch: list[tuple]) -> None:
            planned, of, gap = batch[-1]
            held.beat(meals_planned=planned, meals_total=of, best_gap=gap)

        result = solve_with_progress(
            lambda report: plan_year(
                problem.instance, num_workers=num_workers, time_limit_s=limit, progress=report
            ),
            save_progress,
            heartbeat=held.beat,
        )
    except Exception as error:  # the run must not stay "running" forever
        held.fail(str(error))
        raise
    whole = result.status in PlanRun.SOLVED and len(result.plan) == total
    with transaction.atomic():
        if not held.hold():  # reaped or retried meanwhile: another attempt writes the plan
            return PlanRun.objects.get(pk=run.pk)
        run.refresh_from_db()
        run.changed_slots = _apply_plan(problem, result.plan) if whole else 0
        run.status = result.status
        run.objective = result.objective
        run.bound = result.bound
        run.solve_seconds = result.solve_seconds
        run.meals_planned = len(result.plan)
        run.meals_total = total
        run.conflicts = [c.to_dict() for c in result.conflicts]
        if not whole and not result.conflicts:
            run.message = _(
                "Only %(planned)s of %(total)s meals could be planned within the rules in "
                "%(seconds)s s; nothing was written. Free some locked dishes, or plan fewer "
                "weeks."
            ) % {"planned": len(result.plan), "total": total, "seconds": round(limit)}
        run.finished_at = timezone.now()
        run.heartbeat_at = run.finished_at
        run.save()
        if whole:
            plan_written.send(sender=PlanRun, run=run)
    return run


def _apply_plan(problem, plan) -> int:
    """Write planned dishes where they differ from what is served; locked courses stay
    (unless a repair frees them: they hold a product nobody can deliver)."""
    changed = 0
    for meal, planned in zip(problem.meals, plan, strict=True):
        current = {c.component: c for c in meal.courses.all()}
        for component, key in planned.dishes.items():
            course = current.get(component)
            if course is not None and course.dish_id == dish_id(key):
                continue
            locked = course is not None and course.locked
            if locked and (meal.pk, component) not in problem.replaceable:
                continue
            values = {"dish_id": dish_id(key)} | ({"locked": False} if locked else {})
            MealDish.objects.update_or_create(meal=meal, component=component, defaults=values)
            changed += 1
    return changed
