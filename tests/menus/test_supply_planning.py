"""The pure planner follows supply: dishes nobody can deliver stay off the menu, and a "most
local" plan serves what the local producers can deliver in that week (``Meal.unavailable``
and ``Meal.local_supply``, data the web app builds from the producers' offers)."""

import dataclasses
import json

import pytest

from bench.instances import make_instance
from menus.planner import meal_tops, plan_menus, prune_catalogue
from nutrition.compliance import check_plan
from nutrition.mealplan import Objective, gemrcn_rules, parse_instance

MOST_LOCAL = Objective(cost=0.05, local_share=1.0, co2e=0.0)


def test_dishes_that_cannot_be_bought_are_replanned_and_the_rules_still_hold():
    inst = make_instance(20, 300, seed=5, time_limit_s=30)
    first = plan_menus(inst)
    assert first.status == "optimal"
    week_one = [m for m, meal in enumerate(inst.meals) if meal.date.isocalendar()[1] == 1]
    refused = {first.plan[m].dishes["main"] for m in week_one}
    inst.meals = [
        dataclasses.replace(meal, unavailable=frozenset(refused)) if m in week_one else meal
        for m, meal in enumerate(inst.meals)
    ]
    again = plan_menus(inst)
    assert again.status in ("optimal", "feasible")
    served = {d for m in week_one for d in again.plan[m].dishes.values()}
    assert not served & refused
    assert check_plan(inst, again.plan).ok
    assert again.objective >= first.objective - 1e-6  # fewer choices never plan cheaper


def test_a_most_local_plan_serves_what_local_producers_deliver_that_week():
    inst = make_instance(10, 300, seed=6, objective=MOST_LOCAL, time_limit_s=30)
    fish = {d.id for d in inst.dishes.values() if "fish_70" in d.tags}
    # Local boats land fish in the second week only; nothing else is delivered locally.
    second_week = {m for m, meal in enumerate(inst.meals) if meal.date.isocalendar()[1] == 2}
    inst.meals = [
        dataclasses.replace(
            meal,
            local_supply={d: float(m in second_week and d in fish) for d in inst.dishes},
        )
        for m, meal in enumerate(inst.meals)
    ]
    result = plan_menus(inst)
    assert result.status == "optimal"
    assert check_plan(inst, result.plan).ok
    fish_days = {m for m, served in enumerate(result.plan) if served.dishes["main"] in fish}
    vegetarian = {
        m for m, s in enumerate(result.plan) if inst.dishes[s.dishes["main"]].is_vegetarian_main
    }
    # Fish only when the boats deliver, and every main of that week that need not be
    # vegetarian is fish.
    assert fish_days == second_week - vegetarian
    # Without the supply data, the same catalogue plans fish in the first week too.
    flat = dataclasses.replace(
        inst, meals=[dataclasses.replace(m, local_supply=None) for m in inst.meals]
    )
    baseline = plan_menus(flat)
    assert {m for m, s in enumerate(baseline.plan) if s.dishes["main"] in fish} - second_week


@pytest.mark.parametrize("cap", [None, 2.0])  # 2.0 € binds (the free optimum spends 2.75)
def test_pruning_keeps_the_optimum_when_scores_change_from_week_to_week(cap):
    inst = make_instance(10, 250, seed=8, objective=MOST_LOCAL, time_limit_s=60)
    inst.max_cost_per_meal = cap
    inst.rules = [r for r in gemrcn_rules() if r.id in ("gemrcn-9", "gemrcn-3", "gemrcn-4")]
    inst.min_meals_between_repeats = 3
    ids = sorted(inst.dishes)
    inst.meals = [
        dataclasses.replace(
            meal, local_supply={d: ((k * 7 + m // 5 * 3) % 10) / 10 for k, d in enumerate(ids)}
        )
        for m, meal in enumerate(inst.meals)
    ]
    pruned = prune_catalogue(inst)
    assert sum(map(len, pruned.values())) < len(inst.dishes)
    # Each meal models only its own best dishes of every class: far fewer than the union.
    assert max(len(top) for top in meal_tops(inst)) < sum(map(len, pruned.values()))
    full = plan_menus(inst, prune=False)
    small = plan_menus(inst)
    assert full.status == small.status == "optimal"
    assert small.objective == pytest.approx(full.objective, abs=1e-6)


def test_when_no_fish_can_be_bought_the_explanation_names_the_supply():
    inst = make_instance(10, 150, seed=2, time_limit_s=30)
    fish = frozenset(d.id for d in inst.dishes.values() if "fish_70" in d.tags)
    inst.meals = [dataclasses.replace(m, unavailable=fish) for m in inst.meals]
    result = plan_menus(inst)
    assert result.status == "infeasible"
    named = [c for c in result.conflicts if "supply" in c.other]
    assert named, [c.why for c in result.conflicts]
    assert "gemrcn-9" in named[0].rules
    assert "ne peut pas être livré" in named[0].why


def test_supply_fields_go_through_the_json_contract():
    inst = make_instance(5, 120, seed=1)
    some = sorted(inst.dishes)[:3]
    inst.meals[0] = dataclasses.replace(
        inst.meals[0], unavailable=frozenset(some[:1]), local_supply={some[1]: 0.5}
    )
    back = parse_instance(json.loads(json.dumps(inst.to_dict())))
    assert back.meals[0].unavailable == frozenset(some[:1])
    assert back.meals[0].local_supply == {some[1]: 0.5}
    assert back.meals[1].local_supply is None
    broken = inst.to_dict()
    broken["meals"][0]["local_supply"] = {some[1]: 2}
    broken["meals"][1]["unavailable"] = ["nope"]
    with pytest.raises(ValueError) as error:
        parse_instance(broken)
    assert "meals[0].local_supply" in str(error.value)
    assert "meals[1].unavailable" in str(error.value)
