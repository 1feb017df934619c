"""Variety rules over dish families and produce seasons, in the pure planner and checker."""

import dataclasses

import pytest

from bench.instances import make_instance
from menus import variety
from menus.planner import out_of_season_served, plan_menus
from nutrition.mealplan import FamilyRule, Meal, ServedMeal, parse_instance


@pytest.fixture(scope="module")
def month():
    """Twenty meals over a catalogue whose dishes carry their families."""
    inst = make_instance(20, 300, seed=1, time_limit_s=30)
    dishes = {
        k: dataclasses.replace(d, families=variety.dish_families(d.component, d.name, []))
        for k, d in inst.dishes.items()
    }
    return dataclasses.replace(inst, dishes=dishes)


def weeks_of(plan):
    weeks = {}
    for meal in plan:
        weeks.setdefault(meal.date.isocalendar()[:2], set()).update(meal.dishes.values())
    return list(weeks.values())


def test_families_read_the_name_then_the_ingredients():
    assert variety.dish_families("main", "Sauté de bœuf", []) == (("protein", "beef"),)
    assert variety.dish_families("main", "Nuggets de volaille", []) == (("protein", "poultry"),)
    assert variety.dish_families("main", "Plat du chef", ["Colin d'Alaska, cru"]) == (
        ("protein", "fish"),
    )
    assert variety.dish_families("side", "Coquillettes", []) == (("starch", "pasta"),)
    assert variety.dish_families("side", "Frites", []) == (("starch", "potato"),)
    assert variety.dish_families("side", "Haricots verts", []) == ()
    assert variety.dish_families("dessert", "Riz au lait", []) == ()


def test_the_checker_names_each_variety_failure():
    dishes = parse_instance(
        {
            "dishes": [
                {"id": "b1", "name": "Bœuf", "component": "main", "families": {"protein": "beef"}},
                {"id": "b2", "name": "Steak", "component": "main", "families": {"protein": "beef"}},
                {"id": "r", "name": "Riz", "component": "side", "families": {"starch": "rice"}},
            ]
        }
    ).dishes
    from datetime import date

    meals = [
        ServedMeal(date(2027, 1, 4), {"main": "b1", "side": "r"}),
        ServedMeal(date(2027, 1, 5), {"main": "b2", "side": "r"}),
        ServedMeal(date(2027, 1, 6), {"side": "r"}),
        ServedMeal(date(2027, 1, 11), {"main": "b1", "side": "r"}),
    ]
    failures = variety.check_variety(meals, dishes, variety.DEFAULT_RULES)
    texts = [f.describe() for f in failures]
    assert "Bœuf ou veau deux repas de suite, le 04/01 et le 05/01 (variety-protein)." in texts
    assert any(t.startswith("Riz 3 fois la semaine du 04/01") for t in texts)
    assert any("04/01 et du 11/01 ont 2 plats en commun" in t for t in texts)


def test_planned_weeks_vary_and_no_protein_runs_two_days(month):
    """Without the rules the cheapest month repeats a fortnight (10 of 25 dishes shared);
    with them (weeks sharing at most 30 %), no two weeks share more than 7 dishes, and no
    protein or starch breaks its rule."""
    loose = plan_menus(month)
    shared = [
        len(a & b)
        for i, a in enumerate(weeks_of(loose.plan))
        for b in weeks_of(loose.plan)[i + 1 :]
    ]
    assert max(shared) == 10  # weeks 1 and 3 share 10 dishes
    rules = [*variety.DEFAULT_RULES[:2], FamilyRule("variety-weeks", "week_overlap", "", 30)]
    strict = dataclasses.replace(month, family_rules=rules)
    result = plan_menus(strict)
    assert result.status in ("optimal", "feasible")
    weeks = weeks_of(result.plan)
    assert all(len(a & b) <= 7 for i, a in enumerate(weeks) for b in weeks[i + 1 :])
    assert variety.check_variety(result.plan, strict.dishes, strict.family_rules) == []
    assert result.objective >= loose.objective - 1e-6


def _with_season(inst, out_of_season: set[str], mode: str, weight: float = 0.0):
    meals = [dataclasses.replace(m, out_of_season=frozenset(out_of_season)) for m in inst.meals]
    return dataclasses.replace(inst, meals=meals, season_mode=mode, season_weight=weight)


def test_in_season_only_serves_nothing_out_of_season_and_prefer_counts_it(month):
    """The cheapest crudités and fruits are out of season: required, none is served; with a
    small weight some still are, counted; with a large weight none."""
    cheap = sorted(
        (d for d in month.dishes.values() if d.component in ("entree", "dessert")),
        key=lambda d: d.cost,
    )[:15]
    late = {d.id for d in cheap}
    free = plan_menus(month)
    assert out_of_season_served(_with_season(month, late, "prefer"), free.plan)

    required = plan_menus(_with_season(month, late, "require"))
    assert required.status in ("optimal", "feasible")
    assert out_of_season_served(_with_season(month, late, "require"), required.plan) == []
    assert required.stats["out_of_season"] == 0

    light = plan_menus(_with_season(month, late, "prefer", 0.01))
    assert light.stats["out_of_season"] > 0
    heavy = plan_menus(_with_season(month, late, "prefer", 5.0))
    assert heavy.stats["out_of_season"] == 0


def test_locked_out_of_season_dish_and_the_season_rule_are_named_together(month):
    entree = min(
        (d for d in month.dishes.values() if d.component == "entree"), key=lambda d: d.cost
    )
    inst = _with_season(month, {entree.id}, "require")
    inst.meals[3] = dataclasses.replace(inst.meals[3], locked={"entree": entree.id})
    result = plan_menus(inst)
    assert result.status in ("optimal", "feasible")  # a locked dish stays, whatever its season
    assert result.plan[3].dishes["entree"] == entree.id


def test_the_json_contract_round_trips_families_seasons_and_rules(month):
    inst = _with_season(month, {next(iter(month.dishes))}, "prefer", 0.5)
    inst = dataclasses.replace(inst, family_rules=[FamilyRule("v", "max_per_week", "starch", 2)])
    back = parse_instance(inst.to_dict())
    assert back.family_rules == inst.family_rules
    assert (back.season_mode, back.season_weight) == ("prefer", 0.5)
    assert back.meals[0].out_of_season == inst.meals[0].out_of_season
    assert back.dishes == inst.dishes
    assert isinstance(back.meals[0], Meal)
