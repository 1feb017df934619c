"""EGalim purchase-share targets for the menu planner (pure: no Django).

Code rural L230-5-1: at least 50 % of the food bought (by value, excluding VAT) is
"durable et de qualité" (EGalim), of which at least 20 % organic; organic counts in EGalim.
A dish carries ``organic_cost`` and ``egalim_cost``, the euros of its per-portion ``cost``
that would be bought organic / EGalim-labelled (so ``organic_cost <= egalim_cost <= cost``),
and an instance's ``share_targets`` ({"organic": 0.2, "egalim": 0.5}) asks the plan's
labelled cost to reach that share of its food cost over the planned meals.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

SHARE_KEYS = ("organic", "egalim")
SHARE_NAMES = {"organic": "bio", "egalim": "EGalim"}  # as the cook reads them
COST_FIELD = {"organic": "organic_cost", "egalim": "egalim_cost"}


def labelled_cost(dish, key: str) -> float:
    """The euros of ``dish``'s cost bought with the label of target ``key``."""
    return getattr(dish, COST_FIELD[key])


def share_fraction(target: float) -> Fraction:
    """The target as a small exact fraction (0.2 -> 1/5), for integer constraints."""
    return Fraction(target).limit_denominator(10_000)


def plan_shares(instance, plan) -> dict[str, float | None]:
    """Each target's share reached by ``plan`` (None when the plan costs nothing)."""
    dishes = [instance.dishes[d] for meal in plan for d in meal.dishes.values()]
    total = sum(d.cost for d in dishes)
    return {
        key: (sum(labelled_cost(d, key) for d in dishes) / total if total > 0 else None)
        for key in SHARE_KEYS
    }


def meets_shares(instance, plan) -> bool:
    """Whether ``plan`` reaches every share target of the instance (none set: True)."""
    targets = instance.share_targets or {}
    if not targets:
        return True
    dishes = [instance.dishes[d] for meal in plan for d in meal.dishes.values()]
    total = sum(d.cost for d in dishes)
    return all(
        sum(labelled_cost(d, key) for d in dishes) >= target * total - 1e-9
        for key, target in targets.items()
    )


def parse_share_targets(raw: Any, out) -> dict[str, float] | None:
    """``share_targets``: null, or an object mapping organic / egalim to a share in 0..1."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        out.add("share_targets", 'expected null or an object like {"organic": 0.2}')
        return None
    targets: dict[str, float] = {}
    for key, value in raw.items():
        if key not in SHARE_KEYS:
            out.add(f"share_targets.{key}", f"unknown target (expected one of {SHARE_KEYS})")
        elif not _is_number(value) or not 0 <= value <= 1:
            out.add(f"share_targets.{key}", f"expected a share between 0 and 1, got {value!r}")
        else:
            targets[key] = float(value)
    return targets or None


def check_dish_costs(numbers: dict[str, float], path: str, out) -> bool:
    """Labelled costs within the dish's cost, organic within EGalim (organic counts in it)."""
    ok = True
    for key in ("organic_cost", "egalim_cost"):
        if numbers[key] > numbers["cost"] + 1e-9:
            out.add(
                f"{path}.{key}",
                f"{numbers[key]} exceeds the dish's cost of {numbers['cost']}",
            )
            ok = False
    if ok and numbers["organic_cost"] > numbers["egalim_cost"] + 1e-9:
        out.add(
            f"{path}.egalim_cost",
            f"{numbers['egalim_cost']} is below organic_cost {numbers['organic_cost']} "
            "(organic counts in EGalim)",
        )
        ok = False
    return ok


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
