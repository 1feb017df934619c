"""Which dishes can be needed: pruning by interchangeable classes and per-meal tops."""

from __future__ import annotations

from dataclasses import dataclass

from menus.planner.results import SCALE
from nutrition.mealplan import Dish, Instance
from nutrition.shares import labelled_cost


def dish_score(instance: Instance, dish: Dish) -> int:
    return round(SCALE * instance.objective.score(dish))


def meal_score(instance: Instance, m: int, dish: Dish) -> int:
    """A dish's objective in planned meal m: its local share there follows the supply."""
    local = instance.meals[m].local_share_of(dish)
    return round(SCALE * instance.objective.score(dish, local))


def follows_supply(instance: Instance) -> bool:
    """Whether some meal rewards what producers can deliver (per-meal scores)."""
    return any(meal.local_supply is not None for meal in instance.meals)


def prune_catalogue(instance: Instance) -> dict[str, list[Dish]]:
    """Per component, the dishes worth modelling, best objective first (see module doc)."""
    return _prune(instance, rule_bounds=True)


def _prune(instance: Instance, rule_bounds: bool) -> dict[str, list[Dish]]:
    """`rule_bounds` also caps a class by its max rules: not for explanations, which relax them.

    When scores change from meal to meal (supply), the dishes kept are those some meal keeps
    (``meal_tops``), and each meal's slots keep only its own."""
    if follows_supply(instance):
        # Explanations (no rule bounds) relax supply and seasons too: keep what they ban.
        union = set().union(*meal_tops(instance, rule_bounds, relaxed=not rule_bounds))
        out: dict[str, list[Dish]] = {}
        for dish in instance.dishes.values():
            if dish.id in union:
                out.setdefault(dish.component, []).append(dish)
    else:
        worse = _secondary(instance)
        out = {}
        for comp, members, keep in _classes(instance, rule_bounds):
            members.sort(key=lambda d: (dish_score(instance, d), d.cost, d.id))
            out.setdefault(comp, []).extend(_undominated(members, keep, worse))
    for comp in out:
        out[comp].sort(key=lambda d: (dish_score(instance, d), d.cost, d.id))
    return out


def _classes(
    instance: Instance, rule_bounds: bool, per_meal: bool = False
) -> list[tuple[str, list[Dish], int]]:
    """Classes of interchangeable dishes (component, members, how many to keep).

    ``per_meal``: for ``meal_tops``, which compares dishes meal by meal, seasons and supply
    split nothing (a dish out of season or not for sale at a meal is left out of that meal)."""
    spacing = instance.min_meals_between_repeats
    n_hist = len(instance.history)
    relevant = {r.tag for r in instance.rules}
    families = {r.family for r in instance.family_rules if r.family}
    seasonal = instance.season_mode != "off" and not per_meal
    classes: dict[tuple, list[Dish]] = {}
    for dish in instance.dishes.values():
        veg = instance.vegetarian_per_week > 0 and dish.is_vegetarian_main
        # Dishes are interchangeable only if the variety rules and the seasons see them alike.
        kin = tuple(sorted((k, v) for k, v in dish.families if k in families))
        season = (
            frozenset(m for m, meal in enumerate(instance.meals) if dish.id in meal.out_of_season)
            if seasonal
            else frozenset()
        )
        # Nor if one can be bought for a meal and the other not.
        unavailable = frozenset(
            m
            for m, meal in enumerate(instance.meals)
            if dish.id in meal.unavailable and not per_meal
        )
        key = (dish.component, dish.effective_tags & relevant, veg, kin, season, unavailable)
        classes.setdefault(key, []).append(dish)
    out = []
    for (comp, tags, *_rest), members in classes.items():
        keep = 1
        if spacing > 1:
            uses = _max_uses(instance, comp, tags if rule_bounds else frozenset())
            keep = max(1, min(2 * spacing - 1, uses + min(n_hist, spacing - 1)))
        out.append((comp, members, keep))
    return out


def meal_tops(
    instance: Instance, rule_bounds: bool = True, relaxed: bool = False
) -> list[set[str]]:
    """Per planned meal, the dishes worth modelling when scores change from meal to meal.

    The pruning argument holds slot by slot: a dish served at meal m can be swapped, at that
    meal only, for one of its class better *at m* (its score there, out-of-season penalty
    included) and allowed at m, that no meal within the spacing serves (or that is served
    nowhere, by the max-rule bound); so each meal keeps the best ``keep`` of every class it
    may serve by its own scores, and the model stays as small as with fixed scores."""
    worse = _secondary(instance)
    classes = _classes(instance, rule_bounds, per_meal=True)
    penalty = round(SCALE * instance.season_weight) if instance.season_mode == "prefer" else 0
    tops = []
    for m, meal in enumerate(instance.meals):
        banned = meal.unavailable | (
            meal.out_of_season if instance.season_mode == "require" else frozenset()
        )
        if relaxed:
            banned = frozenset()

        def at_m(d: Dish, m=m, meal=meal):
            season = penalty if d.id in meal.out_of_season else 0
            return (meal_score(instance, m, d) + season, d.cost, d.id)

        kept: set[str] = set()
        for _comp, members, keep in classes:
            ranked = sorted((d for d in members if d.id not in banned), key=at_m)
            kept.update(d.id for d in _undominated(ranked, keep, worse))
        tops.append(kept)
    return tops


def _max_uses(instance: Instance, comp: str, tags: frozenset[str]) -> int:
    """An upper bound on how often a class of `comp` dishes carrying `tags` can be served.

    At most once per planned meal with that component; and for every max rule on one of the
    tags, the planned meals split into ceil(m / size) runs of at most `size` consecutive
    meals, each inside some checked window of `size` meals, so at most ceil(m / size) * max.
    """
    n_plan = len(instance.meals)
    n = len(instance.history) + n_plan
    bound = sum(1 for meal in instance.meals if comp in instance.meal_components(meal))
    for rule in instance.rules:
        if rule.max is None or rule.tag not in tags:
            continue
        size = min(rule.window, n)
        _, hi = rule.bounds_for(size)
        bound = min(bound, -(-n_plan // size) * hi)
    return bound


def _secondary(instance: Instance):
    """What else a dominator must be no worse on, as a tuple to be <= (None: nothing).

    The cost under a cost cap; under share targets, for each target t, minus the labelled
    cost and minus its margin (labelled − t·cost): a swap then keeps every share constraint,
    and also every constraint labelled − λ·cost >= 0 for λ in [0, t] (the best reachable
    share of an explanation maximises such margins)."""
    use_cost = instance.max_cost_per_meal is not None
    targets = sorted((instance.share_targets or {}).items())
    if not use_cost and not targets:
        return None

    def key(d: Dish) -> tuple:
        values = [d.cost] if use_cost else []
        for name, t in targets:
            values += [-labelled_cost(d, name), t * d.cost - labelled_cost(d, name)]
        return tuple(values)

    return key


def _undominated(members: list[Dish], keep: int, worse=None) -> list[Dish]:
    """Members with fewer than `keep` dominators (members are sorted by score, cost, id):
    an earlier member dominates if it is no worse on every value of ``worse`` too."""
    if worse is None:
        return members[:keep]
    kept, seen = [], []
    for dish in members:
        # every earlier member has a score <= this one; it dominates if its values are <= too
        mine = worse(dish)
        dominators = sum(
            1 for v in seen if all(a <= b + 1e-12 for a, b in zip(v, mine, strict=True))
        )
        if dominators < keep:
            kept.append(dish)
        seen.append(mine)
    return kept


@dataclass
class _Slots:
    """Candidate dishes of every (planned meal, component), shared by CP-SAT and greedy."""

    comps: list[tuple[str, ...]]
    cands: list[dict[str, list[Dish]]]
    hist_blocked: list[dict[str, set[str]]]


def _build_slots(
    instance: Instance,
    pruned: dict[str, list[Dish]],
    relaxed: bool,
    tops: list[set[str]] | None = None,
) -> _Slots:
    """In relaxed mode (explanations) locks and history repeats become soft, so keep all.

    ``tops`` (``meal_tops``): each meal's own pruned dishes, when scores change by meal."""
    spacing = instance.min_meals_between_repeats
    hist = instance.history
    supply = follows_supply(instance)
    comps, cands, blocked = [], [], []
    for m, meal in enumerate(instance.meals):
        meal_comps = instance.meal_components(meal)
        recent = hist[max(0, len(hist) + m - spacing + 1) :] if spacing > 1 else []
        used = {did for h in recent for did in h.dishes.values()}
        slot, slot_blocked = {}, {}
        for comp in meal_comps:
            options = list(pruned.get(comp, []))
            locked = meal.locked.get(comp)
            if locked and not relaxed:
                options = [instance.dishes[locked]]
            elif locked and all(d.id != locked for d in options):
                options.append(instance.dishes[locked])
            slot_blocked[comp] = {d.id for d in options if d.id in used}
            if not relaxed and not locked:
                options = [d for d in options if d.id not in used]
                if tops is not None:
                    options = [d for d in options if d.id in tops[m]]
                if instance.season_mode == "require":
                    options = [d for d in options if d.id not in meal.out_of_season]
                if meal.unavailable:
                    options = [d for d in options if d.id not in meal.unavailable]
            if supply:  # the greedy baseline tries the best dish of this meal first
                options.sort(key=lambda d, m=m: (meal_score(instance, m, d), d.cost, d.id))
            slot[comp] = options
        comps.append(meal_comps)
        cands.append(slot)
        blocked.append(slot_blocked)
    return _Slots(comps, cands, blocked)
