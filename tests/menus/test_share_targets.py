"""Plans that aim at the EGalim targets (issue 20): organic / EGalim shares of the food cost as
constraints of the planner, and an unreachable target explained with how far it can go.

The shares are recomputed here from the dishes' numbers, not with the planner's helpers.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from menus.planner import plan_menus
from menus.planner.rolling import plan_year
from nutrition.mealplan import InstanceError, parse_instance
from tests.menus.conftest import MONDAY

# Per portion: cost, organic cost, EGalim cost (organic included).
DISHES = {
    "A": ("main", 2.0, 0.0, 0.5),
    "B": ("main", 3.0, 1.5, 2.0),
    "C": ("dessert", 1.0, 0.0, 0.0),
    "D": ("dessert", 1.5, 0.6, 0.9),
}


def raw_instance(meals: int = 5, targets=None, spacing: int = 0) -> dict:
    monday = date(2026, 1, 5)
    days = [monday + timedelta(days=7 * (i // 5) + i % 5) for i in range(meals)]
    return {
        "components": ["main", "dessert"],
        "meals": [{"date": d.isoformat()} for d in days],
        "dishes": [
            {"id": did, "component": comp, "cost": cost, "organic_cost": bio, "egalim_cost": eg}
            for did, (comp, cost, bio, eg) in DISHES.items()
        ],
        "rules": [],
        "min_meals_between_repeats": spacing,
        "share_targets": targets,
        "time_limit_s": 10,
    }


def shares_of(plan) -> tuple[float, float, float]:
    """(cost, organic share, EGalim share) of a plan, from the table above."""
    served = [DISHES[d] for meal in plan for d in meal.dishes.values()]
    cost = sum(row[1] for row in served)
    return cost, sum(row[2] for row in served) / cost, sum(row[3] for row in served) / cost


def test_the_organic_target_is_met_and_costs_more():
    free = plan_menus(parse_instance(raw_instance()))
    aimed = plan_menus(parse_instance(raw_instance(targets={"organic": 0.2})))
    assert free.status == aimed.status == "optimal"
    cost_free, organic_free, _ = shares_of(free.plan)
    cost, organic, _ = shares_of(aimed.plan)
    assert organic_free == 0.0  # the cheapest plan buys nothing organic
    assert organic >= 0.2
    assert cost > cost_free
    # Hand-computed optimum: 15 € without (A + C each day). Going from A + C, a B + C meal
    # adds 1 € and 1.5 € organic, A + D 0.5 € and 0.6 €, B + D 1.5 € and 2.1 €. Every mix
    # costing 17 € falls short (at best 2.7 € organic of the 3.4 € needed); two B + C and one
    # A + D reach 3.6 € organic of 17.5 € (20.6 %).
    assert cost_free == pytest.approx(15.0)
    assert cost == pytest.approx(17.5)


def test_both_targets_together():
    result = plan_menus(parse_instance(raw_instance(targets={"organic": 0.2, "egalim": 0.5})))
    assert result.status == "optimal"
    _, organic, egalim = shares_of(result.plan)
    assert organic >= 0.2 and egalim >= 0.5


def test_an_unreachable_target_names_the_best_share():
    # B + D is the most organic meal: 2.1 € of 4.5 €, 46.7 %; every meal is the same.
    result = plan_menus(parse_instance(raw_instance(targets={"organic": 0.5})))
    assert result.status == "infeasible"
    (conflict,) = result.conflicts
    assert conflict.other == ["share:organic"]
    assert "L'objectif bio de 50 % ne peut pas être atteint avec ces offres" in conflict.why
    assert "au mieux 46,7 %" in conflict.why


def test_the_best_share_keeps_the_other_rules():
    # No dish two meals running: over 4 meals A, B, C and D are each served twice, so the
    # organic share is 2 x 2.1 / 2 x 7.5 = 28 %, whatever the order.
    result = plan_menus(parse_instance(raw_instance(4, {"organic": 0.3}, spacing=2)))
    assert result.status == "infeasible"
    why = " ".join(c.why for c in result.conflicts)
    assert "L'objectif bio de 30 %" in why
    assert "au mieux 28,0 %" in why
    assert shares_of(plan_menus(parse_instance(raw_instance(4, {"organic": 0.28}, 2))).plan)[
        1
    ] == pytest.approx(0.28)


def test_the_year_planner_meets_the_share_in_every_part():
    raw = raw_instance(30, {"organic": 0.2})
    result = plan_year(parse_instance(raw), time_limit_s=20, part_meals=10, bound_meals=20)
    assert result.status in ("optimal", "feasible")
    assert len(result.plan) == 30
    for lo in range(0, 30, 10):  # whole weeks of 5 meals: parts of 10
        assert shares_of(result.plan[lo : lo + 10])[1] >= 0.2
    assert result.bound <= result.objective + 1e-6


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"share_targets": {"organic": 1.2}}, "share_targets.organic: expected a share between"),
        ({"share_targets": {"local": 0.2}}, "share_targets.local: unknown target"),
        ({"share_targets": [0.2]}, "share_targets: expected null or an object"),
    ],
)
def test_bad_targets_are_refused(change, message):
    with pytest.raises(InstanceError) as error:
        parse_instance({**raw_instance(), **change})
    assert message in str(error.value)


def test_labelled_costs_must_fit_the_cost():
    raw = raw_instance()
    raw["dishes"][0]["organic_cost"] = 2.5  # A costs 2 €
    raw["dishes"][1]["egalim_cost"] = 1.0  # below B's 1.5 € organic
    with pytest.raises(InstanceError) as error:
        parse_instance(raw)
    assert "dishes[0].organic_cost: 2.5 exceeds the dish's cost of 2.0" in error.value.problems
    assert any("dishes[1].egalim_cost" in p and "organic" in p for p in error.value.problems)


def test_the_targets_survive_the_json_round_trip():
    inst = parse_instance(raw_instance(targets={"egalim": 0.5}))
    again = parse_instance(inst.to_dict())
    assert again.share_targets == {"egalim": 0.5}
    assert again.dishes["B"].organic_cost == 1.5 and again.dishes["B"].egalim_cost == 2.0


# --------------------------------------------------------------------------- Django side


def _offer(producer, food, price, labels=()):
    from producers.models import Offer

    return Offer.objects.create(
        producer=producer,
        food=food,
        product_label=food.name,
        unit="kg",
        pack_size=Decimal("5"),
        unit_price=Decimal(price),
        labels=list(labels),
        valid_from=date(2026, 1, 1),
    )


def _priced_food(kitchen, code, price, offers):
    from nutrition.models import Food, FoodPrice

    food = Food.objects.create(code=code, name=f"Denrée {code}")
    FoodPrice.objects.create(kitchen=kitchen, food=food, unit_price=Decimal(price))
    for producer, offer_price, labels in offers:
        _offer(producer, food, offer_price, labels)
    return food


def test_a_food_counts_organic_when_its_cheapest_offer_is(world, kitchen):
    from menus.instances import labelled_costs
    from nutrition.models import DishIngredient

    cheap_plain = _priced_food(  # organic offered, but dearer than the plain one
        kitchen, "S1", "10", [(world.producer, "9", []), (world.other_producer, "12", ["BIO"])]
    )
    cheap_organic = _priced_food(kitchen, "S2", "20", [(world.producer, "18", ["BIO"])])
    label_rouge = _priced_food(kitchen, "S3", "12", [(world.producer, "12", ["LABEL_ROUGE"])])
    dish = kitchen.catalogue["main"][0]
    for food in (cheap_plain, cheap_organic, label_rouge):  # 100 g each: 1 €, 2 €, 1.20 €
        DishIngredient.objects.create(dish=dish, food=food, grams_elementaire=Decimal("100"))
    unpriced = kitchen.catalogue["main"][1]
    costs = labelled_costs([dish, unpriced], kitchen, MONDAY)
    assert costs[dish.pk] == pytest.approx((2.0, 3.2))  # organic 2 €; EGalim 2 € + 1.20 €
    assert costs[unpriced.pk] == (0.0, 0.0)


@pytest.mark.django_db(transaction=True)
def test_the_form_option_plans_a_week_that_meets_the_shares(client, world, kitchen):
    from django.urls import reverse

    from menus.models import MealDish, PlanRun
    from nutrition.models import DishIngredient

    plain = _priced_food(kitchen, "T1", "10", [(world.producer, "10", [])])
    organic = _priced_food(kitchen, "T2", "20", [(world.producer, "20", ["BIO"])])
    label_rouge = _priced_food(kitchen, "T3", "12", [(world.producer, "12", ["LABEL_ROUGE"])])
    # Entrées, sides and dairy: Label Rouge, 1.20 €; mains 1 € plain; apples organic, 2 €;
    # flans and cakes plain, 1 €. What the test expects, per dish: (cost, organic, EGalim).
    expected = {}
    for component, dishes in kitchen.catalogue.items():
        for dish in dishes:
            if component in ("entree", "side", "dairy"):
                food, row = label_rouge, (1.2, 0.0, 1.2)
            elif component == "dessert" and dish.name.startswith("Pomme"):
                food, row = organic, (2.0, 2.0, 2.0)
            else:
                food, row = plain, (1.0, 0.0, 0.0)
            DishIngredient.objects.create(dish=dish, food=food, grams_elementaire=Decimal("100"))
            expected[dish.pk] = row
    client.force_login(world.users["cook"])
    calendar = reverse("menu_calendar", kwargs={"pk": kitchen.pk})
    client.post(calendar + f"?start={MONDAY}&weeks=1")
    page = client.get(calendar + f"?start={MONDAY}&weeks=1").content.decode()
    assert "Viser les objectifs EGalim (50 % durables dont 20 % bio)" in page
    assert 'name="aim_shares"' in page and 'name="aim_shares" checked' not in page
    plan_url = reverse("menu_plan", kwargs={"pk": kitchen.pk})
    form = {"preset": "cheapest", "start": MONDAY, "weeks": 1}

    def written_shares():
        rows = [expected[c.dish_id] for c in MealDish.objects.filter(meal__canteen=kitchen)]
        cost = sum(r[0] for r in rows)
        return len(rows), sum(r[1] for r in rows) / cost, sum(r[2] for r in rows) / cost

    client.post(plan_url, form)
    run = PlanRun.objects.get()
    assert run.status == "optimal" and not run.aim_shares
    served, organic_share, _ = written_shares()
    assert served == 25 and organic_share < 0.2  # the cheapest week serves the fewest apples

    client.post(plan_url, {**form, "aim_shares": "on", "keep_existing": ""})
    run = PlanRun.objects.latest("created_at")
    assert run.aim_shares and run.status in ("optimal", "feasible"), run.conflicts
    served, organic_share, egalim_share = written_shares()
    assert served == 25
    assert organic_share >= 0.2 and egalim_share >= 0.5


def test_a_year_part_that_cannot_reach_the_share_is_explained():
    raw = raw_instance(20, {"organic": 0.5})
    result = plan_year(parse_instance(raw), time_limit_s=20, part_meals=10, bound_meals=20)
    assert result.status == "infeasible"
    why = " ".join(c.why for c in result.conflicts)
    assert "L'objectif bio de 50 % ne peut pas être atteint avec ces offres : au mieux 46,7 %" in (
        why
    )


def test_the_api_takes_the_option_and_refuses_a_bad_one(client, world, kitchen):
    from django.urls import reverse

    from menus import services
    from menus.models import PlanRun

    services.ensure_meals(canteen=kitchen, start=MONDAY, end=MONDAY + timedelta(days=4))
    client.force_login(world.users["cook"])
    payload = {
        "canteen": kitchen.pk,
        "start": MONDAY,
        "end": MONDAY + timedelta(days=4),
        "preset": "cheapest",
    }
    bad = client.post(reverse("planrun-list"), {**payload, "aim_shares": "maybe"})
    assert bad.status_code == 400 and "aim_shares" in bad.json()
    response = client.post(reverse("planrun-list"), {**payload, "aim_shares": True})
    assert response.status_code == 202 and response.json()["aim_shares"] is True
    assert PlanRun.objects.get().aim_shares
