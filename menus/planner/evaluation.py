"""What a plan is worth and where it falls short: objective, seasons, variety, the cost cap."""

from __future__ import annotations

from menus import variety
from nutrition.mealplan import Instance, ServedMeal


def _plan_objective(instance: Instance, plan: list[ServedMeal]) -> float:
    score = sum(
        instance.objective.score(instance.dishes[d], meal.local_share_of(instance.dishes[d]))
        for meal, served in zip(instance.meals, plan, strict=False)
        for d in served.dishes.values()
    )
    if instance.season_mode == "prefer":
        score += instance.season_weight * len(out_of_season_served(instance, plan))
    return round(score, 6)


def out_of_season_served(instance: Instance, plan: list[ServedMeal]) -> list[tuple]:
    """(date, dish id) of each planned dish served out of season."""
    return [
        (served.date, did)
        for meal, served in zip(instance.meals, plan, strict=False)
        for did in served.dishes.values()
        if did in meal.out_of_season
    ]


def _variety_failures(instance: Instance, plan: list[ServedMeal]) -> list:
    if not instance.family_rules:
        return []
    meals = list(instance.history) + list(plan)
    return variety.check_variety(
        meals, instance.dishes, instance.family_rules, checked_from=len(instance.history)
    )


def _within_cap(instance: Instance, plan: list[ServedMeal]) -> bool:
    cap = instance.max_cost_per_meal
    if cap is None:
        return True
    return all(sum(instance.dishes[d].cost for d in m.dishes.values()) <= cap + 1e-9 for m in plan)
