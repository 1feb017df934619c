"""plan_menus: prune, warm-start long horizons chunk by chunk, solve, check the answer."""

from __future__ import annotations

import time
from dataclasses import replace

from ortools.sat.python import cp_model

from menus.planner.candidates import (
    _build_slots,
    _prune,
    dish_score,
    follows_supply,
    meal_tops,
    prune_catalogue,
)
from menus.planner.evaluation import (
    _plan_objective,
    _variety_failures,
    _within_cap,
    out_of_season_served,
)
from menus.planner.explanations import explain_infeasibility
from menus.planner.greedy import greedy_plan
from menus.planner.model import _Builder, _ProgressCallback
from menus.planner.results import COMPONENT_LABELS, SCALE, Conflict, PlanResult, Progress
from nutrition.compliance import (
    check_plan,
)
from nutrition.mealplan import Dish, Instance, ServedMeal
from nutrition.shares import meets_shares


def _missing_components(instance: Instance, pruned: dict[str, list[Dish]]) -> list[Conflict]:
    needed = {c for meal in instance.meals for c in instance.meal_components(meal)}
    locked_only = {
        c
        for c in needed
        if all(c in meal.locked for meal in instance.meals if c in instance.meal_components(meal))
    }
    return [
        Conflict(
            [],
            f"Le catalogue ne contient aucun plat de type « {COMPONENT_LABELS[c]} » : "
            "impossible de composer les repas. Ajoutez des plats ou retirez cette composante.",
            other=[f"component:{c}"],
        )
        for c in sorted(needed - locked_only)
        if not pruned.get(c)
    ]


def plan_menus(
    instance: Instance,
    *,
    num_workers: int = 2,
    progress: Progress | None = None,
    time_limit_s: float | None = None,
    use_hint: bool = True,
    prune: bool = True,
    explain: bool = True,
) -> PlanResult:
    """Plan the instance's meals; never returns a plan worse than the greedy baseline.

    ``explain=False`` skips the search for the conflicting rules of an infeasible instance
    (a caller that only tries a tighter variant first)."""
    started = time.perf_counter()
    limit = time_limit_s if time_limit_s is not None else instance.time_limit_s
    pruned = prune_catalogue(instance) if prune else _all_dishes(instance)
    missing = _missing_components(instance, pruned)
    if missing:
        return PlanResult(
            "infeasible", [], None, None, time.perf_counter() - started, None, missing
        )
    tops = meal_tops(instance) if prune and follows_supply(instance) else None
    greedy = greedy_plan(instance, pruned, tops)
    builder = _Builder(instance, _build_slots(instance, pruned, relaxed=False, tops=tops))
    builder.build()
    complete = all(
        len(p.dishes) == len(c) for p, c in zip(greedy.plan, builder.slots.comps, strict=True)
    )
    warm = PlanResult("unknown", [], None, None, 0.0)
    overlap = any(r.kind == "week_overlap" for r in instance.family_rules)
    chunk = WEEK_CHUNK if overlap else CHUNK
    if use_hint and len(instance.meals) > chunk + chunk // 2:
        warm = _chunked_plan(
            instance, pruned, num_workers, started + WARM_SHARE * limit, chunk=chunk, tops=tops
        )
    if use_hint:  # even a rule-breaking greedy plan is a useful start for what is not warm
        builder.hint(warm.plan + (greedy.plan[len(warm.plan) :] if complete else []))
    solver = cp_model.CpSolver()
    _tune(solver, num_workers)
    solver.parameters.max_time_in_seconds = max(0.1, limit - (time.perf_counter() - started))
    # The week-overlap rule leaves a weak LP bound: stop within 0.5 % of it (seconds, not the
    # whole time limit); without it, the proof comes fast and 1e-4 holds.
    solver.parameters.relative_gap_limit = 5e-3 if overlap else 1e-4
    callback = _ProgressCallback(progress) if progress else None
    code = solver.solve(builder.model, callback)
    stats = {
        "candidates": sum(len(v) for v in pruned.values()),
        "family_rules": len(instance.family_rules),
        "variables": len(builder.x),
        "workers": num_workers,
        "greedy_objective": greedy.objective if greedy.status == "feasible" else None,
        "warm_objective": warm.objective if warm.status == "feasible" else None,
    }
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        plan = builder.read_plan(solver)
        status = "optimal" if code == cp_model.OPTIMAL else "feasible"
        objective = _plan_objective(instance, plan)
        for other in (greedy, warm):  # the solver starts from warm: a safety net only
            if other.status == "feasible" and other.objective < objective:
                plan, objective, status = other.plan, other.objective, "feasible"
        bound = round(solver.best_objective_bound / SCALE, 6)
        elapsed = time.perf_counter() - started
        stats["out_of_season"] = len(out_of_season_served(instance, plan))
        return PlanResult(
            status, plan, objective, bound, elapsed, check_plan(instance, plan), [], stats
        )
    if code == cp_model.INFEASIBLE:
        remaining = max(2.0, limit - (time.perf_counter() - started))
        loose = _prune(instance, rule_bounds=False) if prune else pruned
        conflicts = explain_infeasibility(instance, loose, remaining) if explain else []
        elapsed = time.perf_counter() - started
        return PlanResult("infeasible", [], None, None, elapsed, None, conflicts, stats)
    fallback = warm if warm.status == "feasible" else greedy
    if fallback.status == "feasible":  # solver timed out before improving on the hint
        elapsed = time.perf_counter() - started
        return PlanResult(
            "feasible", fallback.plan, fallback.objective, None, elapsed, fallback.report, [], stats
        )
    if code == cp_model.MODEL_INVALID:
        raise RuntimeError(f"invalid CP-SAT model: {builder.model.validate()}")
    return PlanResult("unknown", [], None, None, time.perf_counter() - started, None, [], stats)


CHUNK = 20  # meals per warm-start chunk: one GEMRCN window, solved in about 2 s
# With the week-overlap rule, CP-SAT's first solutions of a month copy weeks into each other
# and improve slowly; planned a week at a time, each week sees the previous ones as history
# and the hint already keeps them apart.
WEEK_CHUNK = 5
WARM_SHARE = 0.4  # at most this share of the time limit goes to the warm start


def _chunked_plan(
    instance: Instance,
    pruned: dict[str, list[Dish]],
    num_workers: int,
    deadline: float,
    chunk: int = CHUNK,
    tops: list[set[str]] | None = None,
) -> PlanResult:
    """A compliant plan built chunk by chunk (each planned with the previous as history).

    Used as the solution hint of long horizons: CP-SAT's first solutions there are far from
    the LP bound, and the proof goes much faster from a near-optimal incumbent. Status
    "unknown" with the chunks planned so far when a chunk is infeasible (the plan is myopic)
    or the time share runs out; the greedy plan then completes the hint.
    """
    meals, n = instance.meals, len(instance.meals)
    parts = -(-n // chunk)
    plan: list[ServedMeal] = []
    for k in range(parts):
        lo, hi = k * n // parts, (k + 1) * n // parts
        left = deadline - time.perf_counter()
        if left <= 0.5:
            break
        part = replace(instance, meals=meals[lo:hi], history=instance.history + plan)
        part_tops = tops[lo:hi] if tops is not None else None
        builder = _Builder(part, _build_slots(part, pruned, relaxed=False, tops=part_tops))
        builder.build()
        solver = cp_model.CpSolver()
        _tune(solver, num_workers)
        solver.parameters.max_time_in_seconds = 2 * left / (parts - k + 1)  # chunks vary
        solver.parameters.relative_gap_limit = 1e-3
        code = solver.solve(builder.model)
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            break
        plan += builder.read_plan(solver)
    if len(plan) < n:
        return PlanResult("unknown", plan, None, None, 0.0)
    report = check_plan(instance, plan)
    ok = (
        report.ok
        and _within_cap(instance, plan)
        and meets_shares(instance, plan)
        and not _variety_failures(instance, plan)
    )
    return PlanResult(
        "feasible" if ok else "unknown", plan, _plan_objective(instance, plan), None, 0.0, report
    )


def _tune(solver: cp_model.CpSolver, num_workers: int) -> None:
    """The LP relaxation is what proves optimality here; CP-SAT's default 2-worker portfolio
    has no LP-heavy worker (20 meals x 300 dishes: no proof in 15 s, vs 1 s with max_lp)."""
    solver.parameters.num_workers = num_workers
    if num_workers == 1:
        solver.parameters.linearization_level = 2
    else:  # measured: the default 4-worker portfolio did not prove 20 x 2,300 in 30 s either
        portfolio = ["max_lp", "quick_restart", "default_lp", "lb_tree_search", "pseudo_costs"]
        solver.parameters.subsolvers.extend(portfolio[: max(2, num_workers)])


def _all_dishes(instance: Instance) -> dict[str, list[Dish]]:
    out: dict[str, list[Dish]] = {}
    for dish in instance.dishes.values():
        out.setdefault(dish.component, []).append(dish)
    for comp in out:
        out[comp].sort(key=lambda d: (dish_score(instance, d), d.id))
    return out
