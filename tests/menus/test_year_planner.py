"""Year mode of the pure planner: rules that straddle part boundaries still hold on the
whole year, checked by a verifier written here (not the planner's nor the checker's code)."""

import dataclasses

from bench.instances import make_instance
from menus.planner import plan_menus
from menus.planner.rolling import plan_year, week_parts


def _served_tags(inst, meal):
    tags = set()
    for did in meal.dishes.values():
        tags |= set(inst.dishes[did].effective_tags)
    return tags


def _verify_year(inst, plan):
    """Every full window of history + plan touching the plan, repeat spacing, veg weeks."""
    seq = list(inst.history) + list(plan)
    h = len(inst.history)
    problems = []
    for rule in inst.rules:
        w = rule.window
        for start in range(max(0, h - w + 1), len(seq) - w + 1):
            count = sum(rule.tag in _served_tags(inst, m) for m in seq[start : start + w])
            if (rule.min is not None and count < rule.min) or (
                rule.max is not None and count > rule.max
            ):
                problems.append((rule.id, start, count))
    last_seen = {}
    for i, meal in enumerate(seq):
        for did in meal.dishes.values():
            if did in last_seen and i - last_seen[did] < inst.min_meals_between_repeats:
                problems.append(("repeat", did, last_seen[did], i))
            last_seen[did] = i
    weeks = {}
    for meal in plan:
        main = meal.dishes.get("main")
        veg = bool(main) and inst.dishes[main].is_vegetarian_main
        weeks.setdefault(meal.date.isocalendar()[:2], []).append(veg)
    for week, flags in weeks.items():
        if sum(flags) < min(inst.vegetarian_per_week, len(flags)):
            problems.append(("veg", week))
    return problems


def test_parts_are_whole_weeks_at_least_a_window_long():
    inst = make_instance(63, 60, seed=1)
    parts = week_parts(inst.meals, 20)
    assert parts[0][0] == 0 and parts[-1][1] == 63
    for (lo, hi), (nxt, _) in zip(parts, parts[1:], strict=False):
        assert hi == nxt and hi - lo >= 20
        assert inst.meals[hi].date.isocalendar()[:2] != inst.meals[hi - 1].date.isocalendar()[:2]


def test_year_mode_holds_rules_across_part_boundaries():
    inst = make_instance(60, 150, seed=2, time_limit_s=40)
    progress = []
    result = plan_year(inst, part_meals=20, progress=lambda *p: progress.append(p))
    assert result.status in ("feasible", "optimal")
    assert len(result.plan) == 60
    assert result.stats["parts"] >= 2
    assert _verify_year(inst, result.plan) == []
    assert [p[0] for p in progress] == sorted(p[0] for p in progress)
    assert progress[-1][:2] == (60, 60)


def test_year_bound_is_below_the_proven_optimum():
    """The reported bound must be a true lower bound: below the full model's optimum."""
    inst = make_instance(40, 80, seed=3, time_limit_s=60)
    year = plan_year(inst, part_meals=20)
    full = plan_menus(inst)
    assert full.status == "optimal"
    assert year.bound is not None
    assert year.bound <= full.objective + 1e-6
    assert full.objective <= year.objective + 1e-6


def test_year_mode_keeps_locks_and_history():
    inst = make_instance(45, 120, seed=4, time_limit_s=30)
    history = plan_menus(dataclasses.replace(inst, meals=inst.meals[:10])).plan
    rest = inst.meals[10:]
    locked_dish = next(d for d in inst.dishes.values() if d.component == "dessert").id
    rest[25] = dataclasses.replace(rest[25], locked={"dessert": locked_dish})
    inst = dataclasses.replace(inst, meals=rest, history=history)
    result = plan_year(inst, part_meals=20)
    assert result.plan[25].dishes["dessert"] == locked_dish
    assert _verify_year(inst, result.plan) == []


def test_a_year_the_served_meals_make_impossible_names_the_rule_that_cannot_hold():
    """The 19 meals served just before the year already hold five fatty entrées where a
    rule allows four in 20: no year plan exists, and the answer says which rule and why, as a
    plan of a few weeks would (not "only 0 meals could be planned")."""
    inst = make_instance(45, 120, seed=4, time_limit_s=30)
    capped = next(r for r in inst.rules if r.max is not None and r.window == 20)
    tagged = [d for d in inst.dishes.values() if capped.tag in d.effective_tags]
    component = tagged[0].component
    history = plan_menus(dataclasses.replace(inst, meals=inst.meals[:19])).plan
    history = [
        dataclasses.replace(m, dishes={**m.dishes, component: tagged[i % len(tagged)].id})
        if i % 3 == 0
        else m
        for i, m in enumerate(history)
    ]
    assert sum(capped.tag in _served_tags(inst, m) for m in history) > capped.max
    result = plan_year(dataclasses.replace(inst, meals=inst.meals[19:], history=history))
    assert result.status == "infeasible"
    assert result.conflicts
    assert any(capped.id in c.rules for c in result.conflicts), result.conflicts
