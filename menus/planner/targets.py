"""How far a share target can go: the best organic / EGalim share a plan can reach.

An explanation naming an unreachable target says how far it can go. The share is a ratio
(labelled cost / food cost), maximised by Dinkelbach's method: with λ the share of the last
plan, maximise sum (labelled − λ·cost) over the plan; while that is > 0 the new plan's share
is higher; at 0 the last share is the best. Each step is one CP-SAT solve of the instance with
every other constraint (rules, locks, spacing, cap, variety) and no share target. When those
constraints conflict among themselves, the slots alone (no rule) give the same iteration in
closed form: an upper bound on any plan's share.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from ortools.sat.python import cp_model

from menus.planner.candidates import _build_slots
from menus.planner.model import _Builder
from nutrition.mealplan import Dish, Instance
from nutrition.shares import SHARE_NAMES, labelled_cost

MAX_STEPS = 8


@dataclass(frozen=True)
class BestShare:
    share: float  # 0-1
    proven: bool  # the best any plan reaches (else: the best plan found in the time given)
    rules_kept: bool  # under every other constraint (else: the dishes alone, an upper bound)


def best_share(
    instance: Instance, pruned: dict[str, list[Dish]], key: str, deadline: float
) -> BestShare | None:
    """The highest share of target ``key`` a plan of ``instance`` reaches (None: no cost)."""
    free = replace(instance, share_targets=None)
    slots = _build_slots(free, pruned, relaxed=False)
    builder = _Builder(free, slots)
    builder.build()
    ratio, proven = 0.0, False
    for _step in range(MAX_STEPS):
        builder.model.maximize(
            cp_model.LinearExpr.sum(builder.share_terms(key, ratio, 0, len(slots.cands)))
        )
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = max(0.1, min(2.0, deadline - time.perf_counter()))
        code = solver.solve(builder.model)
        if code == cp_model.INFEASIBLE:
            return _slots_bound(slots, key)
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            break
        plan = builder.read_plan(solver)
        dishes = [instance.dishes[d] for meal in plan for d in meal.dishes.values()]
        total = sum(d.cost for d in dishes)
        if total <= 0:
            return None
        found = sum(labelled_cost(d, key) for d in dishes) / total
        proven = code == cp_model.OPTIMAL
        if found <= ratio + 1e-6:
            break
        ratio = found
        if time.perf_counter() >= deadline:
            proven = False
            break
    else:  # still climbing after MAX_STEPS: the last plan is a plan, not the best
        proven = False
    return BestShare(ratio, proven, True)


def _slots_bound(slots, key: str) -> BestShare | None:
    """Dinkelbach over independent slots (each its best labelled − λ·cost dish)."""
    ratio = 0.0
    for _step in range(50):
        picks = [
            max(options, key=lambda d: labelled_cost(d, key) - ratio * d.cost)
            for slot in slots.cands
            for options in slot.values()
            if options
        ]
        total = sum(d.cost for d in picks)
        if total <= 0:
            return None
        found = sum(labelled_cost(d, key) for d in picks) / total
        if found <= ratio + 1e-9:
            break
        ratio = found
    return BestShare(ratio, True, False)


def percent_fr(share: float, places: int = 1) -> str:
    """0.142 -> "14,2 %" (0.2 -> "20 %" with places=0)."""
    return f"{100 * share:.{places}f}".replace(".", ",") + " %"


def target_text(key: str, target: float) -> str:
    """ "l'objectif bio de 20 %" """
    places = 0 if abs(100 * target - round(100 * target)) < 1e-9 else 1
    return f"l'objectif {SHARE_NAMES[key]} de {percent_fr(target, places)}"


def reach_text(best: BestShare | None) -> str:
    """How far the target can go, in words, after "ne peut pas être atteint avec ces offres"."""
    if best is None:
        return ""
    if not best.rules_kept:
        return f" : au mieux {percent_fr(best.share)}, même sans les autres règles"
    if best.proven:
        return f" : au mieux {percent_fr(best.share)}"
    return f" : le meilleur menu trouvé en atteint {percent_fr(best.share)}"
