"""Year and term plans: a rolling horizon of whole ISO weeks, with an honest global bound.

One CP-SAT model over 180 meals x 2,300 dishes does not close its gap in 120 s and needs
more than a gigabyte. Here the year is cut into *parts* of whole ISO weeks (at least one
rule window long). Each part is planned with everything already fixed as history — so the
20-meal frequency windows, the spacing between repeats, variety rules and vegetarian weeks
that straddle a boundary are checked against the fixed meals, exactly as the full model
would — optionally looking one week ahead (planned, then dropped and re-planned with the
next part), then fixed.

The bound. Each part is also solved *alone* (no history, no neighbours): every constraint
of that relaxed model is a constraint of the year problem (parts are whole weeks, so no
vegetarian week is cut; they are at least a rule window long, so no window is scaled down;
the objective is a sum over meals), hence its CP-SAT bound is a lower bound on the year
plan's cost restricted to that part, and the sum over parts is a valid lower bound on the
whole year. It is weaker than the full model's LP bound (the windows and repeats across
boundaries are dropped), so the reported gap overstates the true one, never understates it.
The relaxed solve starts from the part's fixed plan (feasible for it), so it stops as soon
as its own gap is closed.

Locks, seasons and supply are per meal and carried by the meals themselves.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

from ortools.sat.python import cp_model

from menus.planner.candidates import (
    _build_slots,
    follows_supply,
    meal_score,
    meal_tops,
    prune_catalogue,
)
from menus.planner.evaluation import _plan_objective, _variety_failures, _within_cap
from menus.planner.model import _Builder
from menus.planner.planning import _tune
from menus.planner.results import SCALE, PlanResult
from nutrition.compliance import check_plan, iso_week
from nutrition.mealplan import Dish, Instance, Meal, ServedMeal

# (meals fixed so far, meals in all, gap of what is fixed against its bound, or None)
YearProgress = Callable[[int, int, float | None], None]

PART_MEALS = 25  # meals per part, rounded up to whole weeks: about 5 weeks of school
BOUND_SHARE = 0.35  # share of a part's time that goes to its relaxed (bound) solve


def week_parts(meals: list[Meal], min_meals: int) -> list[tuple[int, int]]:
    """Cut the meals into [lo, hi) runs of whole ISO weeks, each at least `min_meals` long
    (a short tail joins the previous part)."""
    starts = [
        i for i, m in enumerate(meals) if i == 0 or iso_week(m.date) != iso_week(meals[i - 1].date)
    ]
    parts: list[tuple[int, int]] = []
    lo = 0
    for start in starts[1:] + [len(meals)]:
        if start - lo >= min_meals:
            parts.append((lo, start))
            lo = start
    if lo < len(meals):
        if parts:
            parts[-1] = (parts[-1][0], len(meals))
        else:
            parts.append((0, len(meals)))
    return parts


def plan_year(
    instance: Instance,
    *,
    num_workers: int = 2,
    time_limit_s: float | None = None,
    part_meals: int = PART_MEALS,
    lookahead_weeks: int = 1,
    progress: YearProgress | None = None,
) -> PlanResult:
    """Plan a long horizon part by part (see module doc); `bound` is the sum of the parts'
    relaxed bounds, a valid lower bound on the year's optimum."""
    started = time.perf_counter()
    limit = time_limit_s if time_limit_s is not None else instance.time_limit_s
    deadline = started + limit
    widest = max([r.window for r in instance.rules] + [1])
    parts = week_parts(instance.meals, max(part_meals, widest))
    pruned = prune_catalogue(instance)
    tops = meal_tops(instance) if follows_supply(instance) else None
    weeks = week_parts(instance.meals, 1)
    plan: list[ServedMeal] = []
    bound = 0.0
    bound_ok = True
    stats = {"parts": len(parts), "part_solves": [], "workers": num_workers}
    n = len(instance.meals)
    for k, (lo, hi) in enumerate(parts):
        ahead = _lookahead_end(weeks, hi, lookahead_weeks)
        share = (deadline - time.perf_counter()) / (len(parts) - k)
        if share <= 0.2:
            break
        fixed = _solve_part(
            instance, pruned, tops, lo, ahead, plan, num_workers, (1 - BOUND_SHARE) * share
        )
        if fixed is None and ahead > hi:  # the week ahead may be what makes it infeasible
            fixed = _solve_part(instance, pruned, tops, lo, hi, plan, num_workers, share / 2)
        if fixed is None:
            break
        plan += fixed[: hi - lo]
        left = max(0.2, min(BOUND_SHARE * share, deadline - time.perf_counter()))
        part_bound = _relaxed_bound(instance, lo, hi, plan[lo:hi], num_workers, left)
        if part_bound is None:
            bound_ok = False
        else:
            bound += part_bound
        stats["part_solves"].append({"meals": [lo, hi], "bound": part_bound})
        if progress is not None:
            done = _plan_objective(replace(instance, meals=instance.meals[:hi]), plan)
            gap = (done - bound) / max(1e-9, abs(done)) if bound_ok else None
            progress(len(plan), n, gap)
    elapsed = time.perf_counter() - started
    if len(plan) < n:
        return PlanResult("unknown", plan, None, None, elapsed, None, [], stats)
    report = check_plan(instance, plan)
    ok = report.ok and _within_cap(instance, plan) and not _variety_failures(instance, plan)
    objective = _plan_objective(instance, plan)
    final_bound = round(bound, 6) if bound_ok else None
    status = "feasible" if ok else "unknown"
    if ok and final_bound is not None and objective - final_bound <= 1e-6 * max(1, abs(objective)):
        status = "optimal"
    return PlanResult(status, plan, objective, final_bound, elapsed, report, [], stats)


def _lookahead_end(weeks: list[tuple[int, int]], hi: int, count: int) -> int:
    following = [w for w in weeks if w[0] >= hi][:count]
    return following[-1][1] if following else hi


def _solve_part(
    instance: Instance,
    pruned: dict[str, list[Dish]],
    tops: list[set[str]] | None,
    lo: int,
    hi: int,
    fixed: list[ServedMeal],
    num_workers: int,
    seconds: float,
) -> list[ServedMeal] | None:
    """Meals lo..hi planned with every fixed meal as history (the rules see them)."""
    part = replace(instance, meals=instance.meals[lo:hi], history=instance.history + fixed)
    part_tops = tops[lo:hi] if tops is not None else None
    builder = _Builder(part, _build_slots(part, pruned, relaxed=False, tops=part_tops))
    builder.build()
    solver = cp_model.CpSolver()
    _tune(solver, num_workers)
    solver.parameters.max_time_in_seconds = max(0.2, seconds)
    solver.parameters.relative_gap_limit = 1e-4
    code = solver.solve(builder.model)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return builder.read_plan(solver)


def _relaxed_bound(
    instance: Instance,
    lo: int,
    hi: int,
    fixed: list[ServedMeal],
    num_workers: int,
    seconds: float,
) -> float:
    """A lower bound on any year plan's cost over meals lo..hi: the part alone, no history.

    Pruned for itself (the exchange arguments hold for the part alone, with fewer meals and
    no history), hinted with the fixed plan so that the solve stops once its gap is closed."""
    alone = replace(instance, meals=instance.meals[lo:hi], history=[])
    pruned = prune_catalogue(alone)
    tops = meal_tops(alone) if follows_supply(alone) else None
    slots = _build_slots(alone, pruned, relaxed=False, tops=tops)
    # Each slot's cheapest allowed dish: a bound that needs no solve (penalties are >= 0).
    cheapest = sum(
        min(meal_score(alone, m, d) for d in options)
        for m, slot in enumerate(slots.cands)
        for options in slot.values()
        if options
    )
    builder = _Builder(alone, slots)
    builder.build()
    builder.hint(fixed)
    solver = cp_model.CpSolver()
    _tune(solver, num_workers)
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.relative_gap_limit = 1e-4
    code = solver.solve(builder.model)
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return max(cheapest, solver.best_objective_bound) / SCALE
    return cheapest / SCALE  # a solve that ran out of time proves only the per-slot bound
