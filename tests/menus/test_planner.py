"""The CP-SAT menu planner: compliant plans, locks, history, infeasibility explained, CLI."""

import dataclasses
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.instances import make_catalogue, make_instance
from menus.planner import _chunked_plan, greedy_plan, plan_menus, prune_catalogue
from nutrition.compliance import check_plan
from nutrition.mealplan import Meal, Objective, Rule, gemrcn_rules

ROOT = Path(__file__).resolve().parents[2]
RULES = {r.id: r for r in gemrcn_rules()}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_plans_of_generated_instances_pass_the_checker(seed):
    inst = make_instance(20, 300, seed=seed, time_limit_s=30)
    result = plan_menus(inst)
    assert result.status in ("optimal", "feasible")
    assert len(result.plan) == 20
    assert all(set(m.dishes) == set(inst.components) for m in result.plan)
    report = check_plan(inst, result.plan)
    assert report.ok, report.describe()
    assert [r["ok"] for r in result.to_dict()["rules"]] == [True] * len(inst.rules)
    assert result.bound <= result.objective + 1e-6


def test_locks_are_honoured():
    inst = make_instance(20, 300, seed=3, time_limit_s=30)
    mains = sorted(
        (d for d in inst.dishes.values() if "unground_red_meat" in d.tags), key=lambda d: -d.cost
    )
    dessert = max(
        (d for d in inst.dishes.values() if d.component == "dessert"), key=lambda d: d.cost
    )
    locked = {2: {"main": mains[0].id}, 7: {"main": mains[1].id, "dessert": dessert.id}}
    for m, lock in locked.items():
        inst.meals[m] = Meal(inst.meals[m].date, lock)
    result = plan_menus(inst)
    assert result.status == "optimal"
    for m, lock in locked.items():
        for comp, did in lock.items():
            assert result.plan[m].dishes[comp] == did
    assert check_plan(inst, result.plan).ok


def test_history_counts_in_windows_and_repeats():
    first = make_instance(20, 300, seed=4, time_limit_s=30)
    served = plan_menus(first).plan
    second = make_instance(10, 300, seed=4, history=served, time_limit_s=30)
    result = plan_menus(second)
    assert result.status == "optimal"
    assert result.plan[0].date > served[-1].date
    report = check_plan(second, result.plan)
    assert report.ok, report.describe()
    assert report.rules[0].windows_checked == 10  # every window reaching into the plan
    recent = {d for m in served[-9:] for d in m.dishes.values()}
    assert not recent & set(result.plan[0].dishes.values())


def test_only_starch_sides_left_is_infeasible_and_names_gemrcn_3():
    inst = make_instance(20, 300, seed=0, time_limit_s=30)
    dishes = {
        k: d
        for k, d in inst.dishes.items()
        if not (d.component == "side" and "cooked_veg" in d.tags)
    }
    result = plan_menus(dataclasses.replace(inst, dishes=dishes))
    assert result.status == "infeasible"
    assert result.plan == []
    first = result.conflicts[0]
    assert first.rules == ["gemrcn-3"]
    assert "gemrcn-3" in first.why and "légumes cuits" in first.why
    named = {r for c in result.conflicts for r in c.rules}
    assert named <= {"gemrcn-3", "gemrcn-4"}


def test_locked_dish_too_often_conflicts_with_the_max_rule():
    inst = make_instance(20, 300, seed=5, time_limit_s=30)
    prep = [d for d in inst.dishes.values() if d.tags == {"low_protein_prep"}]
    for m in (0, 5, 10, 15):  # 4 'préparations' locked, gemrcn-10 allows 3
        inst.meals[m] = Meal(inst.meals[m].date, {"main": prep[m % len(prep)].id})
    result = plan_menus(inst)
    assert result.status == "infeasible"
    conflict = result.conflicts[0]
    assert conflict.rules == ["gemrcn-10"]
    assert len(conflict.locks) == 4
    assert "verrouillés" in conflict.why


def test_same_dish_locked_twice_too_close_conflicts_with_the_spacing():
    inst = make_instance(20, 300, seed=6, time_limit_s=30)
    fish = next(d for d in inst.dishes.values() if "fish_70" in d.tags)
    for m in (1, 4):
        inst.meals[m] = Meal(inst.meals[m].date, {"main": fish.id})
    result = plan_menus(inst)
    assert result.status == "infeasible"
    conflict = result.conflicts[0]
    assert conflict.rules == []
    assert conflict.other == ["min_meals_between_repeats"]
    assert [lock["date"] for lock in conflict.locks] == [
        inst.meals[1].date.isoformat(),
        inst.meals[4].date.isoformat(),
    ]


def _light_instance(seed: int):
    """Few rules, so that the greedy baseline finds a compliant plan to compare with."""
    inst = make_instance(20, 300, seed=seed, time_limit_s=30)
    inst.rules = [RULES["gemrcn-9"], RULES["gemrcn-11"], RULES["gemrcn-15"]]
    inst.vegetarian_per_week = 0
    return inst


@pytest.mark.parametrize("seed", [0, 1])
def test_never_worse_than_greedy(seed):
    inst = _light_instance(seed)
    greedy = greedy_plan(inst)
    assert greedy.status == "feasible", greedy.report.describe()
    result = plan_menus(inst)
    assert result.status == "optimal"
    assert result.objective <= greedy.objective + 1e-9


def test_pruning_keeps_the_optimum():
    inst = make_instance(15, 250, seed=7, time_limit_s=60)
    inst.rules = [RULES["gemrcn-9"], RULES["gemrcn-3"], RULES["gemrcn-4"], RULES["gemrcn-12"]]
    inst.min_meals_between_repeats = 3
    inst.objective = Objective(cost=1.0, local_share=0.5, co2e=0.2)
    pruned = prune_catalogue(inst)
    assert sum(map(len, pruned.values())) < len(inst.dishes)
    full = plan_menus(inst, prune=False)
    small = plan_menus(inst)
    assert full.status == small.status == "optimal"
    assert small.objective == pytest.approx(full.objective, abs=1e-6)


def test_pruning_by_max_rules_keeps_the_optimum_with_history():
    first = make_instance(6, 400, seed=10, time_limit_s=60)
    first.min_meals_between_repeats = 4
    served = plan_menus(first).plan
    inst = make_instance(12, 400, seed=10, history=served, time_limit_s=60)
    inst.rules = [RULES["gemrcn-9"], RULES["gemrcn-13"], RULES["gemrcn-14"], RULES["gemrcn-15"]]
    inst.min_meals_between_repeats = 4
    inst.objective = Objective(cost=-1.0)  # the costliest dishes are the fatty, fried ones
    pruned = prune_catalogue(inst)
    mains = [d for d in pruned["main"] if "low_pl_ratio" in d.tags]
    fatty = [d for d in inst.dishes.values() if "low_pl_ratio" in d.tags]
    assert len(mains) == 2 + 3 < len(fatty)  # max 2 in the 18-meal window + 3 recent history
    full = plan_menus(inst, prune=False)
    small = plan_menus(inst)
    assert full.status == small.status == "optimal"
    assert small.objective == pytest.approx(full.objective, abs=1e-6)


def test_long_horizons_start_from_a_compliant_chunked_plan():
    inst = make_instance(32, 300, seed=2, time_limit_s=60)
    warm = _chunked_plan(inst, prune_catalogue(inst), 2, time.perf_counter() + 30)
    assert warm.status == "feasible" and warm.report.ok and len(warm.plan) == 32
    result = plan_menus(inst)
    assert result.status in ("optimal", "feasible") and check_plan(inst, result.plan).ok
    assert result.objective <= warm.objective + 1e-6


def test_cost_cap_per_meal_is_respected():
    inst = _light_instance(2)
    inst.max_cost_per_meal = 2.6
    result = plan_menus(inst)
    assert result.status == "optimal"
    assert all(sum(inst.dishes[d].cost for d in m.dishes.values()) <= 2.6 for m in result.plan)


def test_progress_callback_receives_improving_solutions():
    seen = []
    plan_menus(make_instance(20, 300, seed=8), progress=lambda o, b, t: seen.append((o, b, t)))
    assert seen and all(b <= o + 1e-6 for o, b, _ in seen)
    assert [o for o, _, _ in seen] == sorted((o for o, _, _ in seen), reverse=True)


def run_cli(args, stdin=None):
    return subprocess.run(
        [sys.executable, "-m", "menus.planner", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def test_cli_writes_a_solution_document(tmp_path):
    inst = make_instance(8, 200, seed=9, time_limit_s=20)
    path = tmp_path / "instance.json"
    path.write_text(json.dumps(inst.to_dict()))
    proc = run_cli([str(path)])
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["status"] == "optimal"
    assert len(out["plan"]) == 8 and out["conflicts"] == []
    assert {r["id"] for r in out["rules"]} == {r.id for r in inst.rules}
    assert all(r["ok"] for r in out["rules"])
    assert out["objective"] >= out["bound"] - 1e-6


def test_cli_rejects_malformed_instances_cleanly():
    raw = make_instance(3, 50, seed=1).to_dict()
    raw["meals"][1]["locked"] = {"main": "D999"}
    raw["rules"][0]["window"] = 0
    raw["objective"]["cost"] = "cheap"
    proc = run_cli(["-"], stdin=json.dumps(raw))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert "meals[1].locked.main: unknown dish 'D999'" in lines
    assert any(line.startswith("rules[0].window:") for line in lines)
    assert any(line.startswith("objective.cost:") for line in lines)
    missing = run_cli(["/nonexistent/instance.json"])
    assert missing.returncode == 2 and "Traceback" not in missing.stderr


def test_empty_component_in_catalogue_is_reported_as_infeasible():
    dishes = {k: d for k, d in make_catalogue(100, seed=1).items() if d.component != "dairy"}
    inst = make_instance(5, 0, seed=1, catalogue=dishes)
    inst.rules = [Rule("gemrcn-9", "fish_70", 4, None, 20)]
    result = plan_menus(inst)
    assert result.status == "infeasible"
    assert "produit laitier" in result.conflicts[0].why


def test_five_locked_fatty_entrees_are_named_with_rule_11_each_once():
    """Issue 15: with a fatty entrée already served, a minimal conflict needs only 4 of the 5
    locked ones; the explanation names all five, once, with the meal already served, and
    not the locked main course that has nothing to do with it."""
    first = make_instance(20, 300, seed=5, time_limit_s=30)
    served = plan_menus(first).plan
    inst = make_instance(5, 300, seed=5, history=served, time_limit_s=30)
    fatty = [
        d for d in inst.dishes.values() if d.component == "entree" and "fatty_entree" in d.tags
    ]
    main = next(d for d in inst.dishes.values() if d.component == "main" and not d.tags)
    for m in range(5):
        locked = {"entree": fatty[m].id} | ({"main": main.id} if m == 0 else {})
        inst.meals[m] = Meal(inst.meals[m].date, locked)
    served_fatty = [
        h.date
        for h in served
        if any("fatty_entree" in inst.dishes[d].tags for d in h.dishes.values())
    ]
    assert served_fatty  # the history already counts for rule 11
    result = plan_menus(inst)
    assert result.status == "infeasible"
    conflict = result.conflicts[0]  # the locks' own conflict comes first
    assert conflict.rules == ["gemrcn-11"]
    assert sorted(lock["dish"] for lock in conflict.locks) == sorted(d.id for d in fatty[:5])
    assert "5 plats verrouillés" in conflict.why and "déjà servi" in conflict.why
    assert main.name not in conflict.why
    named = [lock["dish"] for c in result.conflicts for lock in c.locks]
    assert all(named.count(d.id) == 1 for d in fatty[:5])  # each once
    for other in result.conflicts[1:]:  # e.g. the main course locked where fish was due
        assert "déjà servis juste avant" in other.why
