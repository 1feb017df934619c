"""Translate menus and catalogues between the database and the planner's plain dataclasses.

The planner and the compliance checker know nothing of Django; this module is the only
place that reads models to build their inputs, so both the calendar's live compliance and
the optimiser see exactly the same meals, dishes and rules.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from django.db.models import F, Prefetch, Q

from cantine.models import Canteen
from cantine.vocabulary import PLAN_SHARE_TARGETS, is_egalim, is_organic
from menus import seasons, supply, variety
from menus.models import Meal, MealDish, MenuPolicy
from nutrition import mealplan
from nutrition.models import Component, Dish, DishIngredient, RuleSet
from nutrition.selectors import DishEconomics, dish_economics
from producers.models import Offer

COMPONENTS = tuple(Component.values)

# What each goal the cook picks means for the objective (cost €, local share 0-1, kg CO2e).
# Cost stays a small tie-breaker in the two other goals so that equal plans go to the cheaper.
PRESET_OBJECTIVES = {
    "cheapest": mealplan.Objective(cost=1.0, local_share=0.0, co2e=0.0),
    "most_local": mealplan.Objective(cost=0.05, local_share=1.0, co2e=0.0),
    "lowest_carbon": mealplan.Objective(cost=0.05, local_share=0.0, co2e=1.0),
}


def dish_key(dish_id: int) -> str:
    return f"D{dish_id}"


def dish_id(key: str) -> int:
    return int(key[1:])


def planner_dish(
    dish: Dish, economics: DishEconomics | None, fallback_cost: float
) -> mealplan.Dish:
    """A catalogue dish as the planner sees it (tags with overrides applied).

    A dish with an unpriced ingredient gets the average cost of its course, so that missing
    prices neither favour nor exclude it.
    """
    known = economics is not None and economics.cost is not None
    heaviest = sorted(dish.ingredients.all(), key=lambda i: -(i.grams_elementaire or 0))
    families = variety.dish_families(dish.component, dish.name, [i.food.name for i in heaviest])
    return mealplan.Dish(
        id=dish_key(dish.pk),
        name=dish.name,
        component=dish.component,
        tags=dish.tags,
        vegetarian=dish.is_vegetarian,
        cost=float(economics.cost) if known else fallback_cost,
        local_share=economics.local_share if known else 0.0,
        co2e=float(dish.co2e_per_portion or 0),
        families=families,
    )


def labelled_costs(
    dishes: list[Dish], kitchen: Canteen, day: date
) -> dict[int, tuple[float, float]]:
    """{dish id: (organic €, EGalim €)} of each dish's per-portion cost, organic within EGalim.

    The cost is the planner's (``dish_economics``: each ingredient's quantity at the kitchen's
    food price); an ingredient's share of it counts organic, or EGalim, when the cheapest
    offer of its food valid on ``day`` (active, sold in the unit the food is bought in) carries
    the label. The assumption: the allocation buys each product from its cheapest offer, so a
    food also offered organic at a higher price does not count. A dish with an unpriced
    ingredient counts nothing (its cost is the course's average, not its own).
    """
    economics = dish_economics(dishes, kitchen)
    foods = {food for e in economics.values() for food, _ in e.parts}
    offers = (
        Offer.objects.filter(
            active=True, food__in=foods, unit=F("food__purchase_unit"), valid_from__lte=day
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .order_by("food_id", "unit_price", "pk")
    )
    cheapest: dict[int, list[str]] = {}
    for offer in offers:
        cheapest.setdefault(offer.food_id, offer.labels)
    out = {}
    for dish in dishes:
        row = economics.get(dish.pk)
        if row is None or row.cost is None:
            out[dish.pk] = (0.0, 0.0)
            continue
        organic = sum((c for f, c in row.parts if is_organic(cheapest.get(f, []))), Decimal(0))
        egalim = sum((c for f, c in row.parts if is_egalim(cheapest.get(f, []))), Decimal(0))
        cost = float(row.cost)  # rounded to the tenth of a cent: the labelled parts too
        out[dish.pk] = (min(cost, round(float(organic), 3)), min(cost, round(float(egalim), 3)))
    return out


def family_rules(rule_set: RuleSet) -> list[mealplan.FamilyRule]:
    """The rule set's variety rules (``VarietyRule`` rows) for the planner and the checker."""
    return [
        mealplan.FamilyRule(r.code, r.kind, r.family, r.limit) for r in rule_set.variety_rules.all()
    ]


def menu_policy(rule_set: RuleSet) -> MenuPolicy:
    return MenuPolicy.objects.filter(rule_set=rule_set).first() or MenuPolicy(rule_set=rule_set)


def planner_rules(rule_set: RuleSet) -> list[mealplan.Rule]:
    return [
        mealplan.Rule(id=code, tag=tag, min=low, max=high, window=window)
        for code, tag, low, high, window in rule_set.rule_tuples()
    ]


def catalogue_dishes(canteen: Canteen) -> list[Dish]:
    ingredients = DishIngredient.objects.select_related("food")
    return list(
        Dish.objects.filter(kitchen=canteen).prefetch_related(
            "tag_rows", Prefetch("ingredients", queryset=ingredients)
        )
    )


def catalogue(canteen: Canteen, dishes: list[Dish] | None = None) -> dict[str, mealplan.Dish]:
    dishes = catalogue_dishes(canteen) if dishes is None else dishes
    economics = dish_economics(dishes, canteen)
    average = {}
    for component in COMPONENTS:
        costs = [
            float(economics[d.pk].cost)
            for d in dishes
            if d.component == component and economics[d.pk].cost is not None
        ]
        average[component] = sum(costs) / len(costs) if costs else 0.0
    return {
        dish_key(d.pk): planner_dish(d, economics.get(d.pk), average[d.component]) for d in dishes
    }


def served(meal: Meal) -> mealplan.ServedMeal:
    return mealplan.ServedMeal(
        date=meal.date, dishes={c.component: dish_key(c.dish_id) for c in meal.courses.all()}
    )


def meals_between(canteen: Canteen, start: date, end: date):
    """Open meals of a canteen in [start, end], with their courses, in date order."""
    return (
        Meal.objects.filter(canteen=canteen, date__range=(start, end), closed=False)
        .prefetch_related(Prefetch("courses", queryset=MealDish.objects.order_by("component")))
        .order_by("date")
    )


def history_before(canteen: Canteen, start: date, meals: int) -> list[mealplan.ServedMeal]:
    """The last ``meals`` open meals served before ``start`` (context for the windows)."""
    if meals <= 0:
        return []
    past = (
        Meal.objects.filter(canteen=canteen, date__lt=start, closed=False)
        .prefetch_related("courses")
        .order_by("-date")[:meals]
    )
    return [served(m) for m in reversed(past) if m.courses.all()]


def served_after(canteen: Canteen, end: date, meals: int) -> list[mealplan.ServedMeal]:
    """The next ``meals`` open meals served after ``end`` (context for the windows)."""
    if meals <= 0:
        return []
    future = (
        Meal.objects.filter(canteen=canteen, date__gt=end, closed=False)
        .prefetch_related("courses")
        .order_by("date")[:meals]
    )
    return [served(m) for m in future if m.courses.all()]


def context_length(rule_set: RuleSet) -> int:
    """How many past meals can change a verdict: the widest window or repeat spacing."""
    windows = [window for *_rest, window in rule_set.rule_tuples()]
    return max([*windows, rule_set.min_meals_between_repeats or 0, 1]) - 1


@dataclass
class PlanningProblem:
    instance: mealplan.Instance
    meals: list[Meal]  # the planned meals, same order as instance.meals
    # Locked courses the plan may still replace: a repair frees those holding the product.
    replaceable: frozenset[tuple[int, str]] = frozenset()


def build_planning_problem(
    *,
    canteen: Canteen,
    start: date,
    end: date,
    rule_set: RuleSet,
    preset: str,
    keep_existing: bool,
    max_cost_per_meal: float | None = None,
    time_limit_s: float = 20.0,
    follow_supply: bool | None = None,
    repair: dict | None = None,
    aim_shares: bool = False,
) -> PlanningProblem:
    """The planner instance for a period: open meals to fill, locks, history and rules.

    ``follow_supply`` (default: for the "most local" goal) gives each meal what the local
    producers can deliver that week (``menus.supply``). ``repair`` ({"food": id, "dates":
    [...], "whole_meals": bool}) re-plans only the meals of those dates, none of their dishes
    holding that food (a product nobody can deliver), and keeps every other meal of the
    period as it is; without ``whole_meals`` only the courses holding the food change.
    """
    meals = list(meals_between(canteen, start, end))
    dishes = catalogue_dishes(canteen)
    if follow_supply is None:
        follow_supply = preset == "most_local"
    local = supply.local_supply(canteen, dishes, [m.date for m in meals]) if follow_supply else {}
    excluded: frozenset[str] = frozenset()
    repaired: set[date] = set()
    whole_meals = True
    if repair:
        excluded = frozenset(dish_key(pk) for pk in supply.dishes_using(dishes, repair["food"]))
        repaired = {date.fromisoformat(day) for day in repair["dates"]}
        whole_meals = repair.get("whole_meals", True)
    policy = menu_policy(rule_set)
    off_season = (
        seasons.out_of_season_by_day(canteen, dishes, [m.date for m in meals])
        if policy.season != MenuPolicy.Season.OFF
        else {}
    )
    planned, replaceable = [], set()
    for meal in meals:
        kept = {c.component: dish_key(c.dish_id) for c in meal.courses.all()}
        if not keep_existing:
            kept = {c.component: dish_key(c.dish_id) for c in meal.courses.all() if c.locked}
        if meal.date in repaired:  # re-planned around the product
            kept = {
                c.component: dish_key(c.dish_id)
                for c in meal.courses.all()
                if dish_key(c.dish_id) not in excluded and (c.locked or not whole_meals)
            }
            replaceable |= {
                (meal.pk, c.component)
                for c in meal.courses.all()
                if dish_key(c.dish_id) in excluded
            }
        avoid = frozenset(dish_key(pk) for pk in off_season.get(meal.date, ()))
        shares = local.get(meal.date)
        planned.append(
            mealplan.Meal(
                date=meal.date,
                locked=kept,
                out_of_season=avoid,
                unavailable=excluded,
                local_supply=(
                    {dish_key(pk): share for pk, share in shares.items()}
                    if shares is not None
                    else None
                ),
            )
        )
    planner_dishes = catalogue(canteen, dishes)
    if aim_shares:
        labelled = labelled_costs(dishes, canteen, start)
        for dish in dishes:
            organic, egalim = labelled[dish.pk]
            key = dish_key(dish.pk)
            planner_dishes[key] = replace(
                planner_dishes[key], organic_cost=organic, egalim_cost=egalim
            )
    instance = mealplan.Instance(
        components=COMPONENTS,
        meals=planned,
        history=history_before(canteen, start, context_length(rule_set)),
        dishes=planner_dishes,
        rules=planner_rules(rule_set),
        vegetarian_per_week=rule_set.vegetarian_per_week or 0,
        min_meals_between_repeats=rule_set.min_meals_between_repeats or 0,
        max_cost_per_meal=max_cost_per_meal,
        objective=PRESET_OBJECTIVES[preset],
        time_limit_s=time_limit_s,
        family_rules=family_rules(rule_set),
        season_mode=policy.season,
        season_weight=float(policy.season_weight),
        share_targets=dict(PLAN_SHARE_TARGETS) if aim_shares else None,
    )
    return PlanningProblem(instance, meals, frozenset(replaceable))
