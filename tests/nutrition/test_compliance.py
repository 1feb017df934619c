"""The GEMRCN checker on hand-built meal sequences: thresholds, scaling, history, weeks, repeats."""

import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from bench.instances import school_days
from nutrition.compliance import check_meals, check_plan
from nutrition.mealplan import (
    COMPONENTS,
    Dish,
    Instance,
    InstanceError,
    ServedMeal,
    gemrcn_rules,
    parse_instance,
)

ROOT = Path(__file__).resolve().parents[2]
RULES = {r.id: r for r in gemrcn_rules()}
# Which component carries each annex I tag in these hand-built menus.
TAG_COMPONENT = {
    "raw_veg_fruit": "entree",
    "raw_fruit_dessert": "dessert",
    "cooked_veg": "side",
    "starch_pulses": "side",
    "cheese_ca_150": "dairy",
    "cheese_ca_100_150": "dairy",
    "dairy_ca100_fat5": "dairy",
    "unground_red_meat": "main",
    "fish_70": "main",
    "low_protein_prep": "main",
    "fatty_entree": "entree",
    "fatty_dessert": "dessert",
    "fried": "side",
    "low_pl_ratio": "main",
    "sweet_dessert": "dessert",
}


def catalogue() -> dict[str, Dish]:
    dishes = {f"plain-{c}": Dish(f"plain-{c}", f"Plat {c}", c, frozenset()) for c in COMPONENTS}
    for tag, comp in TAG_COMPONENT.items():
        dishes[tag] = Dish(tag, tag, comp, frozenset({tag}))
    dishes["veg-main"] = Dish("veg-main", "Dahl", "main", frozenset(), vegetarian=True)
    return dishes


def meals_with(tag: str | None, tagged: set[int], n: int = 20, start=date(2027, 1, 4)):
    """n meals of plain dishes; meals in `tagged` serve the dish carrying `tag`."""
    out = []
    for i, day in enumerate(school_days(start, n)):
        dishes = {c: f"plain-{c}" for c in COMPONENTS}
        if tag is not None and i in tagged:
            dishes[TAG_COMPONENT[tag]] = tag
        out.append(ServedMeal(day, dishes))
    return out


def threshold_cases():
    for rid in (f"gemrcn-{k}" for k in range(1, 16)):
        rule = RULES[rid]
        limit = rule.min if rule.min is not None else rule.max
        for delta in (-1, 0, 1):
            count = limit + delta
            ok = (rule.min is None or count >= rule.min) and (rule.max is None or count <= rule.max)
            yield pytest.param(rid, count, ok, id=f"{rid}-{count}")


@pytest.mark.parametrize("rule_id,count,ok", list(threshold_cases()))
def test_each_annex_rule_at_and_around_its_threshold(rule_id, count, ok):
    rule = RULES[rule_id]
    meals = meals_with(rule.tag, set(range(count)))
    result = check_meals(meals, catalogue(), [rule]).rules[0]
    assert result.worst_count == count
    assert result.ok is ok
    assert result.windows_failing == (0 if ok else 1)
    assert len(result.meals_counted) == count


def test_failure_is_described_in_french_with_the_window_dates():
    meals = meals_with("fish_70", {0, 5, 9})
    result = check_meals(meals, catalogue(), [RULES["gemrcn-9"]]).rules[0]
    text = result.describe()
    assert "gemrcn-9" in text and "04/01" in text and meals[-1].date.strftime("%d/%m") in text
    assert "3 repas avec poisson" in text and "au moins 4" in text


@pytest.mark.parametrize(
    "rule_id,count,ok",
    [
        ("gemrcn-9", 0, False),  # min 4 over 20 -> floor(4*5/20) = 1 over 5 meals
        ("gemrcn-9", 1, True),
        ("gemrcn-10", 1, True),  # max 3 over 20 -> ceil(3*5/20) = 1 over 5 meals
        ("gemrcn-10", 2, False),
        ("gemrcn-3", 1, False),  # exactly 10 -> between floor(2.5)=2 and ceil(2.5)=3
        ("gemrcn-3", 2, True),
        ("gemrcn-3", 3, True),
        ("gemrcn-3", 4, False),
    ],
)
def test_bounds_scale_down_below_the_window(rule_id, count, ok):
    rule = RULES[rule_id]
    meals = meals_with(rule.tag, set(range(count)), n=5)
    result = check_meals(meals, catalogue(), [rule]).rules[0]
    assert result.ok is ok
    assert result.windows_checked == 1


def test_sliding_windows_catch_a_gap_inside_a_long_sequence():
    # 40 meals, fish every 5th meal except a gap: meals 20..39 have only 3 fish
    fish = {0, 5, 10, 15, 20, 25, 35}
    meals = meals_with("fish_70", fish, n=40)
    result = check_meals(meals, catalogue(), [RULES["gemrcn-9"]]).rules[0]
    assert not result.ok
    assert result.worst_count == 3 and result.best_count == 4
    assert result.windows_checked == 21
    starts = {f.start for f in result.failures}
    assert meals[20].date in starts and meals[0].date not in starts


def _instance(history, dishes=None, **kw) -> Instance:
    return Instance(
        components=COMPONENTS,
        meals=[],
        history=history,
        dishes=dishes or catalogue(),
        rules=kw.pop("rules", [RULES["gemrcn-9"]]),
        **kw,
    )


def test_windows_span_history_and_plan():
    history = meals_with("fish_70", {0, 6, 12}, n=19)
    next_day = history[-1].date + timedelta(days=3)
    with_fish = [ServedMeal(next_day, {**history[0].dishes, "main": "fish_70"})]
    without = [ServedMeal(next_day, history[1].dishes)]
    inst = _instance(history)
    assert check_plan(inst, with_fish).ok
    report = check_plan(inst, without)
    assert not report.ok and report.meals == 1
    failure = report.rules[0].failures[0]
    assert failure.start == history[0].date and failure.end == next_day


def test_only_windows_touching_the_plan_are_judged():
    bad_history = meals_with("fish_70", set(), n=25)  # no fish at all in history
    later = bad_history[-1].date + timedelta(days=1)
    plan = [ServedMeal(later, {c: f"plain-{c}" for c in COMPONENTS})]
    report = check_plan(_instance(bad_history), plan)
    assert report.rules[0].windows_checked == 1


def test_vegetarian_weeks_are_iso_weeks_and_short_weeks_need_fewer():
    meals = meals_with(None, set(), n=8)  # 2 full 4-day weeks
    meals[1] = ServedMeal(meals[1].date, {**meals[1].dishes, "main": "veg-main"})
    report = check_meals(meals, catalogue(), [], vegetarian_per_week=1)
    assert [w.week for w in report.vegetarian_weeks_failing] == ["2027-W02"]
    assert "2027-W02" in report.vegetarian_weeks_failing[0].describe()
    two_per_week = check_meals(meals[:1], catalogue(), [], vegetarian_per_week=2)
    assert two_per_week.vegetarian_weeks_failing[0].required == 1


def test_repeats_closer_than_the_spacing_are_reported_with_dates():
    meals = meals_with("fish_70", {0, 4, 10})
    report = check_meals(meals, catalogue(), [], min_meals_between_repeats=5)
    fish = [r for r in report.repeats if r.dish == "fish_70"]
    assert [(r.dates, r.meals_apart) for r in fish] == [([meals[0].date, meals[4].date], 4)]
    ok = check_meals(meals, catalogue(), [], min_meals_between_repeats=4)
    assert not [r for r in ok.repeats if r.dish == "fish_70"]


def test_vegetarian_mains_carry_the_implicit_tag():
    meals = meals_with(None, set(), n=20)
    for i in range(4):
        meals[i] = ServedMeal(meals[i].date, {**meals[i].dishes, "main": "veg-main"})
    rule = next(r for r in gemrcn_rules() if r.tag == "vegetarian")
    assert check_meals(meals, catalogue(), [rule]).ok


def _raw_instance(history):
    return {
        "components": list(COMPONENTS),
        "meals": [],
        "history": [{"date": m.date.isoformat(), "dishes": m.dishes} for m in history],
        "dishes": [
            {
                "id": d.id,
                "name": d.name,
                "component": d.component,
                "tags": sorted(d.tags),
                "vegetarian": d.vegetarian,
                "cost": 1.0,
                "local_share": 0.5,
                "co2e": 0.3,
            }
            for d in catalogue().values()
        ],
        "rules": [{"id": "gemrcn-9", "tag": "fish_70", "min": 4, "max": None, "window": 20}],
        "min_meals_between_repeats": 0,
    }


def run_cli(path: str, stdin: str | None = None):
    return subprocess.run(
        [sys.executable, "-m", "nutrition.compliance", path],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )


def test_cli_prints_the_report_of_the_spec(tmp_path):
    path = tmp_path / "meals.json"
    path.write_text(json.dumps(_raw_instance(meals_with("fish_70", {1, 2, 3}))))
    proc = run_cli(str(path))
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["meals"] == 20
    rule = report["rules"][0]
    assert (rule["id"], rule["worst_count"], rule["ok"], rule["windows_failing"]) == (
        "gemrcn-9",
        3,
        False,
        1,
    )
    assert len(rule["meals_counted"]) == 3
    assert report["vegetarian_weeks_failing"] == [] and report["repeats"] == []


def test_cli_rejects_a_malformed_file_with_one_line_per_problem(tmp_path):
    raw = _raw_instance(meals_with(None, set(), n=2))
    raw["history"][1]["dishes"]["main"] = "D999"
    raw["rules"][0]["min"] = "four"
    proc = run_cli("-", stdin=json.dumps(raw))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert "history[1].dishes.main: unknown dish 'D999'" in lines
    assert any(line.startswith("rules[0].min:") for line in lines)
    bad_json = run_cli("-", stdin="{not json")
    assert bad_json.returncode == 2 and "invalid JSON" in bad_json.stderr


def test_parse_instance_lists_every_problem_with_its_path():
    raw = _raw_instance(meals_with(None, set(), n=1))
    raw["meals"] = [
        {"date": "2027-02-01", "locked": {"main": "D999"}},
        {"date": "2027-13-01"},
        {"date": "2027-02-02", "locked": {"side": "fish_70"}},
    ]
    raw["dishes"][0]["cost"] = -1
    with pytest.raises(InstanceError) as err:
        parse_instance(raw)
    problems = err.value.problems
    assert "meals[0].locked.main: unknown dish 'D999'" in problems
    assert any(p.startswith("meals[1].date:") for p in problems)
    assert any(p.startswith("meals[2].locked.side:") and "'main'" in p for p in problems)
    assert any(p.startswith("dishes[0].cost:") for p in problems)


def test_round_trip_through_to_dict():
    raw = _raw_instance(meals_with("fish_70", {0}, n=3))
    raw["meals"] = [{"date": "2027-02-01", "locked": {"main": "fish_70"}}]
    inst = parse_instance(raw)
    again = parse_instance(json.loads(json.dumps(inst.to_dict())))
    assert again.to_dict() == inst.to_dict()
    assert again.meals[0].locked == {"main": "fish_70"}


def test_a_week_is_judged_within_the_meals_around_it():
    """Fish served in weeks 3 and 4 still counts for week 1's 20-meal window."""
    meals = meals_with("fish_70", {10, 12, 15, 18}, n=20)
    alone = check_meals(meals[:5], catalogue(), [RULES["gemrcn-9"]]).rules[0]
    assert not alone.ok  # five meals alone: at least 1 fish, none served
    in_context = check_meals(
        meals, catalogue(), [RULES["gemrcn-9"]], checked_from=0, checked_until=5
    )
    result = in_context.rules[0]
    assert result.ok and result.windows_checked == 1
    assert result.meals_counted == []  # fish days outside the checked week are not listed
    assert in_context.meals == 5


def test_windows_after_the_checked_meals_are_not_judged():
    meals = meals_with("fish_70", set(range(1, 9)), n=40)  # no fish after meal 8
    result = check_meals(meals, catalogue(), [RULES["gemrcn-9"]], checked_until=5).rules[0]
    assert result.ok
    assert result.windows_checked == 5  # windows starting at meals 0..4
    unbounded = check_meals(meals, catalogue(), [RULES["gemrcn-9"]]).rules[0]
    assert not unbounded.ok  # the later windows, were they judged, would fail
