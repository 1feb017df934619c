"""Year and term plans: a rolling horizon of whole ISO weeks, with an honest global bound.

One CP-SAT model over 180 meals x 2,300 dishes does not close its gap in 120 s and needs
more than a gigabyte. Here the year is cut into *parts* of whole ISO weeks (at least one
rule window long). Each part is planned with everything already fixed as history — so the
20-meal frequency windows, the spacing between repeats, variety rules and vegetarian weeks
that straddle a boundary are checked against the fixed meals, exactly as the full model
would — optionally looking one week ahead (planned, then dropped and re-planned with the
next part), then fixed.

The bound. Once the year is planned, it is cut again into *bound parts*, longer than the
planning parts (at least ``BOUND_MEALS``), and each is solved *alone* (no history, no
neighbours): every constraint of that relaxed model is a constraint of the year problem
(parts are whole weeks, so no vegetarian week is cut; they are at least a rule window long,
so no window is scaled down; the objective is a sum over meals), hence its CP-SAT bound is a
lower bound on the year plan's cost restricted to that part, and the sum over parts is a
valid lower bound on the whole year. It is weaker than the full model's LP bound (the
windows and repeats across boundaries are dropped), so the reported gap overstates the true
one, never understates it. Longer parts drop fewer of those constraints: on the bench's
180 x 2,300 year, a 28-meal part alone costs 14.62 where the same meals cost 16.54 inside
a 56-meal part alone, so the bound parts are about twice the planning parts. Each relaxed
solve starts from the plan's meals (feasible for it), so it stops as soon as its gap is
closed, and one that runs out of time still proves CP-SAT's best bound.

Locks, seasons and supply are per meal and carried by the meals themselves.

Share targets (EGalim, organic: ``Instance.share_targets``) hold per part: every part fixed
reaches each share of its own food cost (the week looked ahead is held to it apart), and
shares of parts that each reach a target add up to a year that reaches it — stricter than
the year's one share, never looser. The bound parts drop the targets: a relaxation of the
year problem, so the bound stays a valid lower bound.
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
from menus.planner.planning import _tune, plan_menus
from menus.planner.results import SCALE, PlanResult
from nutrition.compliance import check_plan, iso_week
from nutrition.mealplan import Dish, Instance, Meal, ServedMeal
from nutrition.shares import meets_shares

# (meals fixed so far, meals in all, gap of what is fixed against its bound, or None)
YearProgress = Callable[[int, int, float | None], None]

PART_MEALS = 25  # meals per part, rounded up to whole weeks: about 5 weeks of school
BOUND_MEALS = 50  # meals per bound part (see the module doc), rounded up to whole weeks
BOUND_SHARE = 0.4  # share of the time limit kept for the bound parts' relaxed solves
# (each is solved as soon as the plan covers it, so the gap of what is planned shows early)


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
    bound_meals: int = BOUND_MEALS,
    lookahead_weeks: int = 1,
    progress: YearProgress | None = None,
) -> PlanResult:
    """Plan a long horizon part by part, then bound it (see module doc): `bound` is the sum of
    the bound parts' relaxed bounds, a valid lower bound on the year's optimum."""
    started = time.perf_counter()
    limit = time_limit_s if time_limit_s is not None else instance.time_limit_s
    deadline = started + limit
    widest = max([r.window for r in instance.rules] + [1])
    parts = week_parts(instance.meals, max(part_meals, widest))
    pruned = prune_catalogue(instance)
    tops = meal_tops(instance) if follows_supply(instance) else None
    weeks = week_parts(instance.meals, 1)
    plan: list[ServedMeal] = []
    stats = {"parts": len(parts), "part_solves": [], "bound_solves": [], "workers": num_workers}
    n = len(instance.meals)
    bound_parts = week_parts(instance.meals, max(bound_meals, widest))
    bound_each = BOUND_SHARE * limit / len(bound_parts)
    bounded = 0  # bound parts solved so far (a prefix of the year)
    bound = 0.0

    def bound_what_is_planned(last: bool) -> None:
        """Bound each bound part the plan now covers; report the gap of that prefix."""
        nonlocal bounded, bound
        while bounded < len(bound_parts) and bound_parts[bounded][1] <= len(plan):
            lo, hi = bound_parts[bounded]
            now = time.perf_counter()
            left = deadline - now
            seconds = left / (len(bound_parts) - bounded) if last else min(bound_each, left)
            part_bound = _relaxed_bound(instance, lo, hi, plan[lo:hi], num_workers, now + seconds)
            bound += part_bound
            bounded += 1
            stats["bound_solves"].append({"meals": [lo, hi], "bound": part_bound})
        if progress is not None:
            gap = None
            if bounded:
                prefix = bound_parts[bounded - 1][1]
                done = _plan_objective(replace(instance, meals=instance.meals[:prefix]), plan)
                gap = max(0.0, (done - bound) / max(1e-9, abs(done)))
            progress(len(plan), n, gap)

    for k, (lo, hi) in enumerate(parts):
        ahead = _lookahead_end(weeks, hi, lookahead_weeks)
        # The bound parts still to solve keep their time; the planning parts share the rest.
        # Under load a part may need more than its share: it may eat into the bound's time
        # (a plan without a bound is still a plan), never past the deadline.
        left = deadline - time.perf_counter()
        share = (left - bound_each * (len(bound_parts) - bounded)) / (len(parts) - k)
        share = max(share, min(0.5, left))
        if share <= 0.2:
            break
        fixed = _solve_part(
            instance, pruned, tops, lo, ahead, plan, num_workers, share, keep=hi - lo
        )
        if fixed is None and ahead > hi:  # the week ahead may be what makes it infeasible
            fixed = _solve_part(instance, pruned, tops, lo, hi, plan, num_workers, share / 2)
        if fixed is None:
            # The short planner on this part alone: its greedy and chunked fallbacks may find
            # what the part's model could not in its share; if the part is impossible, it
            # names the rules and locks (and the meals already served) that conflict.
            part = replace(instance, meals=instance.meals[lo:hi], history=instance.history + plan)
            left = deadline - time.perf_counter()
            alone = plan_menus(part, num_workers=num_workers, time_limit_s=max(1.0, left / 2))
            if alone.status == "infeasible":
                elapsed = time.perf_counter() - started
                return PlanResult(
                    "infeasible", plan, None, None, elapsed, None, alone.conflicts, stats
                )
            fixed = alone.plan if alone.status in ("optimal", "feasible") else None
        if fixed is None:
            break
        plan += fixed[: hi - lo]
        stats["part_solves"].append({"meals": [lo, hi]})
        bound_what_is_planned(last=k == len(parts) - 1)
    if len(plan) < n:
        elapsed = time.perf_counter() - started
        return PlanResult("unknown", plan, None, None, elapsed, None, [], stats)
    elapsed = time.perf_counter() - started
    report = check_plan(instance, plan)
    ok = (
        report.ok
        and _within_cap(instance, plan)
        and meets_shares(instance, plan)
        and not _variety_failures(instance, plan)
    )
    objective = _plan_objective(instance, plan)
    final_bound = round(bound, 6)
    status = "feasible" if ok else "unknown"
    if ok and objective - final_bound <= 1e-6 * max(1, abs(objective)):
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
    keep: int | None = None,
) -> list[ServedMeal] | None:
    """Meals lo..hi planned with every fixed meal as history (the rules see them); the
    first ``keep`` of them (default all) are the ones fixed, the rest looked ahead."""
    keep = hi - lo if keep is None else keep
    part = replace(instance, meals=instance.meals[lo:hi], history=instance.history + fixed)
    part_tops = tops[lo:hi] if tops is not None else None
    slots = _build_slots(part, pruned, relaxed=False, tops=part_tops)
    # The share targets hold over the meals fixed and, apart, over the week looked ahead.
    spans = [(0, min(keep, hi - lo)), (min(keep, hi - lo), hi - lo)]
    builder = _Builder(part, slots, share_spans=spans)
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
    until: float,
) -> float:
    """A lower bound on any year plan's cost over meals lo..hi: the part alone, no history,
    solved until the `until` instant (model building included).

    Pruned for itself (the exchange arguments hold for the part alone, with fewer meals and
    no history), hinted with the fixed plan so that the solve stops once its gap is closed."""
    # No share targets: they hold per planning part, and dropping them relaxes (module doc).
    alone = replace(instance, meals=instance.meals[lo:hi], history=[], share_targets=None)
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
    solver.parameters.max_time_in_seconds = max(0.1, until - time.perf_counter())
    solver.parameters.relative_gap_limit = 1e-4
    code = solver.solve(builder.model)
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE, cp_model.UNKNOWN):
        # CP-SAT's best bound is proved whatever the status, even when the time ran out
        # before its first solution.
        return max(cheapest, solver.best_objective_bound) / SCALE
    return cheapest / SCALE
