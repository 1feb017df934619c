"""CP-SAT menu planner: pick one dish per component per meal under the GEMRCN rules.

Model: one boolean per (planned meal, candidate dish of that meal's component); exactly one
per slot; per-meal tag indicators feed sliding-window bounds that include the history;
vegetarian meals per ISO week; at most one use of a dish in any run of
`min_meals_between_repeats` meals; optional cost cap per meal. The objective weights
(cost, -local_share, co2e) are scaled to integers.

The catalogue is pruned before modelling: within a class of interchangeable dishes (same
component, same rule-relevant tags, same vegetarian flag) a dish beaten on the objective
(and on cost when a cost cap applies) by 2·spacing−1 others can never be needed — any use of
it can be swapped for one of them that is not served within `spacing` meals. Nor by U +
min(history, spacing−1) others, U bounding the class's uses in the plan (its max rules allow
at most ceil(m / window)·max): one of them is then served nowhere in the plan nor in the
recent history. This keeps 2,300-dish catalogues to a few hundred variables per meal at
most, without losing optimality.

Long horizons (more than 30 meals) are warm-started: the plan is first built 20 meals at a
time, each chunk planned with the previous ones as history, and that compliant plan is the
solution hint of the full model (the LP bound comes early; finding the optimum was the slow
part).

On infeasibility the model is rebuilt with one assumption literal per rule bound, lock,
vegetarian week, the repeat spacing and the cost cap; CP-SAT's sufficient assumptions,
shrunk by deletion, name a small conflicting set explained in plain French.

    python -m menus.planner INSTANCE.json > SOLUTION.json   # or '-' for stdin
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from ortools.sat.python import cp_model

from menus import variety
from nutrition.compliance import (
    ComplianceReport,
    check_plan,
    fr_date,
    iso_week,
    rule_text,
    tag_label,
)
from nutrition.mealplan import Dish, Instance, InstanceError, ServedMeal, from_json

SCALE = 10_000  # objective and costs in 1/10,000 of a unit: exact for cent/gram data
GREEDY_ORDER = ("main", "side", "dairy", "dessert", "entree")
COMPONENT_LABELS = {
    "entree": "entrée",
    "main": "plat principal",
    "side": "garniture",
    "dairy": "produit laitier",
    "dessert": "dessert",
}
Progress = Callable[[float, float, float], None]


# --------------------------------------------------------------------------- results


@dataclass
class Conflict:
    rules: list[str]
    why: str
    locks: list[dict] = field(default_factory=list)
    other: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"rules": self.rules, "locks": self.locks, "other": self.other, "why": self.why}


@dataclass
class PlanResult:
    status: str  # optimal | feasible | infeasible | unknown
    plan: list[ServedMeal]
    objective: float | None
    bound: float | None
    solve_seconds: float
    report: ComplianceReport | None = None
    conflicts: list[Conflict] = field(default_factory=list)
    stats: dict = field(default_factory=dict)

    @property
    def gap(self) -> float | None:
        if self.objective is None or self.bound is None:
            return None
        return abs(self.objective - self.bound) / max(1e-9, abs(self.objective))

    def to_dict(self) -> dict:
        rules = []
        if self.report is not None:
            rules = [
                {"id": r.rule.id, "worst_count": r.worst_count, "ok": r.ok}
                for r in self.report.rules
            ]
        return {
            "status": self.status,
            "plan": [{"date": m.date.isoformat(), "dishes": dict(m.dishes)} for m in self.plan],
            "objective": self.objective,
            "bound": self.bound,
            "solve_seconds": round(self.solve_seconds, 3),
            "rules": rules,
            "conflicts": [c.to_dict() for c in self.conflicts],
            "compliance_ok": None if self.report is None else self.report.ok,
            "stats": self.stats,
        }


# --------------------------------------------------------------------------- candidates


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
        use_cost = instance.max_cost_per_meal is not None
        out = {}
        for comp, members, keep in _classes(instance, rule_bounds):
            members.sort(key=lambda d: (dish_score(instance, d), d.cost, d.id))
            out.setdefault(comp, []).extend(_undominated(members, keep, use_cost))
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
    use_cost = instance.max_cost_per_meal is not None
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
            kept.update(d.id for d in _undominated(ranked, keep, use_cost))
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


def _undominated(members: list[Dish], keep: int, use_cost: bool) -> list[Dish]:
    """Members with fewer than `keep` dominators (members are sorted by score, cost, id)."""
    if not use_cost:
        return members[:keep]
    kept, seen_costs = [], []
    for dish in members:
        # every earlier member has a score <= this one; it dominates if its cost is <= too
        dominators = sum(1 for c in seen_costs if c <= dish.cost)
        if dominators < keep:
            kept.append(dish)
        seen_costs.append(dish.cost)
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


# --------------------------------------------------------------------------- greedy


def greedy_plan(
    instance: Instance,
    pruned: dict[str, list[Dish]] | None = None,
    tops: list[set[str]] | None = None,
) -> PlanResult:
    """Baseline: best dish per slot in meal order, skipping choices a look-ahead shows fatal.

    The look-ahead is per rule: every window through the current meal must still be able to
    reach its min with the meals left, and must not already exceed its max.
    """
    started = time.perf_counter()
    if pruned is None:
        pruned = prune_catalogue(instance)
        tops = meal_tops(instance) if follows_supply(instance) else None
    slots = _build_slots(instance, pruned, relaxed=False, tops=tops)
    state = _GreedyState(instance, slots)
    plan = [state.fill_meal(m) for m in range(len(instance.meals))]
    report = check_plan(instance, plan) if all(plan) else None
    complete = all(len(p.dishes) == len(slots.comps[m]) for m, p in enumerate(plan))
    ok = complete and report is not None and report.ok and _within_cap(instance, plan)
    ok = ok and not _variety_failures(instance, plan)
    objective = _plan_objective(instance, plan) if complete else None
    return PlanResult(
        "feasible" if ok else "unknown",
        plan,
        objective,
        None,
        time.perf_counter() - started,
        report,
    )


class _GreedyState:
    def __init__(self, instance: Instance, slots: _Slots):
        self.inst, self.slots = instance, slots
        self.h = len(instance.history)
        self.tags = sorted({r.tag for r in instance.rules})
        n = self.h + len(instance.meals)
        self.lo = {t: [0] * n for t in self.tags}
        self.hi = {t: [0] * n for t in self.tags}
        for i, meal in enumerate(instance.history):
            present = set().union(
                *(instance.dishes[d].effective_tags for d in meal.dishes.values())
            )
            for t in self.tags:
                self.lo[t][i] = self.hi[t][i] = int(t in present)
        for m in range(len(instance.meals)):
            forced, possible = self._open_tags(m, set())
            for t in self.tags:
                self.lo[t][self.h + m] = int(t in forced)
                self.hi[t][self.h + m] = int(t in possible)
        self.dates = [x.date for x in instance.history] + [x.date for x in instance.meals]
        self.veg = [
            "main" in x.dishes and instance.dishes[x.dishes["main"]].is_vegetarian_main
            for x in instance.history
        ] + [False] * len(instance.meals)
        self.exclusive = self._exclusive_min_rules()
        self.last_use: dict[str, int] = {}
        for i, meal in enumerate(instance.history):
            for did in meal.dishes.values():
                self.last_use[did] = i

    def _exclusive_min_rules(self) -> dict[str, list[tuple]]:
        """Min rules only one component can serve: they compete for that component's slots.

        Each entry is (rule, rules whose dishes all also count for it), so that e.g. the
        pulse-based vegetarian mains are not counted twice against the vegetarian minimum.
        """
        carriers: dict[str, set[str]] = {}
        comps_of: dict[str, set[str]] = {}
        for slot in self.slots.cands:
            for comp, options in slot.items():
                for d in options:
                    for t in d.effective_tags:
                        carriers.setdefault(t, set()).add(d.id)
                        comps_of.setdefault(t, set()).add(comp)
        out: dict[str, list[tuple]] = {}
        mins = [r for r in self.inst.rules if r.min and len(comps_of.get(r.tag, ())) == 1]
        for rule in mins:
            subs = [
                r2
                for r2 in mins
                if r2.tag != rule.tag
                and comps_of[r2.tag] == comps_of[rule.tag]
                and carriers[r2.tag] <= carriers[rule.tag]
            ]
            out.setdefault(next(iter(comps_of[rule.tag])), []).append((rule, subs))
        return out

    def _capacity_violations(self, i: int, forced: set[str], comp: str) -> int:
        """Windows where `comp`'s remaining slots cannot meet its exclusive rules' deficits."""
        rules = self.exclusive.get(comp, [])
        if not rules:
            return 0
        n = len(self.dates)
        size = min(rules[0][0].window, n)
        for s in range(max(0, i - size + 1), min(i, n - size) + 1):
            free = sum(1 for j in range(i + 1, s + size) if comp in self.slots.cands[j - self.h])
            deficit = {r.id: self._deficit(r, s, size, i, forced) for r, _ in rules}
            demand = sum(
                max(0, deficit[r.id] - sum(deficit[r2.id] for r2 in subs)) for r, subs in rules
            )
            if demand > free:
                return 1
        return 0

    def _deficit(self, rule, s: int, size: int, i: int, forced: set[str]) -> int:
        lo_b, _ = rule.bounds_for(size)
        have = sum(self.lo[rule.tag][s:i]) + int(rule.tag in forced)
        return max(0, (lo_b or 0) - have)

    def _open_tags(self, m: int, done: set[str]) -> tuple[set[str], set[str]]:
        """Tags certainly / possibly brought by the components of meal m not chosen yet."""
        forced: set[str] = set()
        possible: set[str] = set()
        for comp, options in self.slots.cands[m].items():
            if comp in done or not options:
                continue
            sets = [d.effective_tags for d in options]
            forced |= set.intersection(*map(set, sets))
            possible |= set().union(*sets)
        return forced, possible

    def _violations(self, i: int, forced: set[str], possible: set[str], tags: set[str]) -> int:
        """Rules on `tags` that some window through meal i could no longer satisfy."""
        n = len(self.dates)
        failing = 0
        for rule in self.inst.rules:
            if rule.tag not in tags:
                continue
            size = min(rule.window, n)
            lo_b, hi_b = rule.bounds_for(size)
            lo, hi = self.lo[rule.tag], self.hi[rule.tag]
            cur_lo, cur_hi = int(rule.tag in forced), int(rule.tag in possible)
            for s in range(max(0, i - size + 1), min(i, n - size) + 1):
                low = sum(lo[s:i]) + cur_lo + sum(lo[i + 1 : s + size])
                high = sum(hi[s:i]) + cur_hi + sum(hi[i + 1 : s + size])
                if (hi_b is not None and low > hi_b) or (lo_b is not None and high < lo_b):
                    failing += 1
                    break
        return failing

    def _veg_needed(self, i: int) -> bool:
        """True when meal i must be vegetarian for its ISO week to reach the requirement."""
        per_week = self.inst.vegetarian_per_week
        if per_week <= 0:
            return False
        week = iso_week(self.dates[i])
        idx = [j for j, d in enumerate(self.dates) if iso_week(d) == week]
        have = sum(1 for j in idx if j < i and self.veg[j])
        later = (
            sum(
                1
                for j in idx
                if j > i and any(d.is_vegetarian_main for d in self.slots.cands[j - self.h]["main"])
            )
            if all("main" in self.slots.cands[j - self.h] for j in idx if j > i)
            else 0
        )
        return have + later < min(per_week, len(idx))

    def fill_meal(self, m: int) -> ServedMeal:
        i = self.h + m
        spacing = self.inst.min_meals_between_repeats
        chosen: dict[str, Dish] = {}
        order = sorted(self.slots.comps[m], key=lambda c: GREEDY_ORDER.index(c))
        for comp in order:
            options = [
                d
                for d in self.slots.cands[m][comp]
                if spacing <= 1 or i - self.last_use.get(d.id, -(10**9)) >= spacing
            ]
            pick = self._pick(m, i, comp, options, chosen)
            if pick is None:
                continue
            chosen[comp] = pick
            self.last_use[pick.id] = i
        present = set().union(*(d.effective_tags for d in chosen.values()))
        for t in self.tags:
            self.lo[t][i] = self.hi[t][i] = int(t in present)
        self.veg[i] = "main" in chosen and chosen["main"].is_vegetarian_main
        return ServedMeal(self.inst.meals[m].date, {c: d.id for c, d in chosen.items()})

    def _pick(self, m, i, comp, options, chosen) -> Dish | None:
        done = set(chosen) | {comp}
        forced_rest, possible_rest = self._open_tags(m, done)
        base = set().union(*(d.effective_tags for d in chosen.values()))
        need_veg = comp == "main" and self._veg_needed(i)
        cap = self.inst.max_cost_per_meal
        rest_cost = sum(
            min((d.cost for d in self.slots.cands[m][c]), default=0.0)
            for c in self.slots.comps[m]
            if c not in done
        )
        spent = sum(d.cost for d in chosen.values())
        best, best_key = None, None
        touched = set().union(*(d.effective_tags for d in options)) if options else set()
        for dish in options:
            over_cap = cap is not None and spent + dish.cost + rest_cost > cap + 1e-9
            tags = base | dish.effective_tags
            key = (
                int(need_veg and not dish.is_vegetarian_main) + int(over_cap),
                self._violations(i, tags | forced_rest, tags | possible_rest, touched)
                + self._capacity_violations(i, tags | forced_rest, comp),
            )
            if key == (0, 0):
                return dish
            if best_key is None or key < best_key:
                best, best_key = dish, key
        return best


# --------------------------------------------------------------------------- CP-SAT model


class _Builder:
    """Builds the CP-SAT model; with `relaxed`, every constraint group gets an assumption."""

    def __init__(self, instance: Instance, slots: _Slots, relaxed: bool = False):
        self.inst, self.slots, self.relaxed = instance, slots, relaxed
        self.model = cp_model.CpModel()
        self.h = len(instance.history)
        self.x: dict[tuple[int, str], cp_model.IntVar] = {}
        self.assumptions: list[tuple[cp_model.IntVar, tuple]] = []
        self._tag_expr: dict[tuple[str, int], list] = {}
        self._flags: dict[tuple[str, int], cp_model.IntVar] = {}

    def _literal(self, label: tuple):
        """The enforcement literal of a constraint group (None when not relaxed)."""
        if not self.relaxed:
            return None
        for lit, lab in self.assumptions:
            if lab == label:
                return lit
        lit = self.model.new_bool_var(str(label))
        self.assumptions.append((lit, label))
        return lit

    def _add(self, constraint, label: tuple) -> None:
        ct = self.model.add(constraint)
        lit = self._literal(label)
        if lit is not None:
            ct.only_enforce_if(lit)

    def _add_linear(self, terms: list, lo: int | None, hi: int | None, label: tuple) -> None:
        """lo <= sum(terms) <= hi; constant sums become a true/false constraint."""
        if not terms:
            violated = (lo is not None and lo > 0) or (hi is not None and hi < 0)
            if violated:
                lit = self._literal(label)
                self.model.add_bool_or([lit.Not()] if lit is not None else [])
            return
        expr = cp_model.LinearExpr.sum(terms)
        if lo is not None:
            self._add(expr >= lo, label)
        if hi is not None:
            self._add(expr <= hi, label)

    def build(self) -> None:
        self._slot_vars()
        self._locks()
        self._rules()
        self._vegetarian()
        self._repeats()
        self._cost_cap()
        self._family_rules()
        self._season()
        self._supply()
        if not self.relaxed:  # explanations only need feasibility
            self._objective()

    def _slot_vars(self) -> None:
        for m, slot in enumerate(self.slots.cands):
            for options in slot.values():
                row = []
                for dish in options:
                    var = self.model.new_bool_var(f"x{m}_{dish.id}")
                    self.x[(m, dish.id)] = var
                    row.append(var)
                self.model.add_exactly_one(row)

    def _locks(self) -> None:
        if not self.relaxed:
            return
        for m, meal in enumerate(self.inst.meals):
            for comp, did in meal.locked.items():
                lit = self._literal(("lock", m, comp))
                self.model.add_implication(lit, self.x[(m, did)])

    def _meal_flag(self, tag: str, m: int) -> list:
        """Terms whose sum is 1 iff meal m serves a dish tagged `tag` (indicator if needed)."""
        key = (tag, m)
        if key in self._tag_expr:
            return self._tag_expr[key]
        per_comp = [
            [self.x[(m, d.id)] for d in options if tag in d.effective_tags]
            for options in self.slots.cands[m].values()
        ]
        per_comp = [terms for terms in per_comp if terms]
        if len(per_comp) <= 1:
            terms = per_comp[0] if per_comp else []
        else:
            flag = self.model.new_bool_var(f"has_{tag}_{m}")
            everything = [v for terms in per_comp for v in terms]
            for terms in per_comp:  # one dish per component: stronger LP than v => flag
                self.model.add(cp_model.LinearExpr.sum(terms) <= flag)
            self.model.add_bool_or([flag.Not(), *everything])
            terms = [flag]
            self._flags[key] = flag
        self._tag_expr[key] = terms
        return terms

    def _rules(self) -> None:
        hist = self.inst.history
        n = self.h + len(self.inst.meals)
        for rule in self.inst.rules:
            size = min(rule.window, n)
            lo, hi = rule.bounds_for(size)
            hist_flags = [
                int(any(rule.tag in self.inst.dishes[d].effective_tags for d in h.dishes.values()))
                for h in hist
            ]
            for start in range(max(0, self.h - size + 1), n - size + 1):
                const = sum(hist_flags[start : min(self.h, start + size)])
                terms = []
                for i in range(max(start, self.h), start + size):
                    terms += self._meal_flag(rule.tag, i - self.h)
                if lo is not None:
                    self._add_linear(terms, lo - const, None, ("rule", rule.id, "min"))
                if hi is not None:
                    self._add_linear(terms, None, hi - const, ("rule", rule.id, "max"))

    def _vegetarian(self) -> None:
        per_week = self.inst.vegetarian_per_week
        if per_week <= 0:
            return
        weeks: dict[str, list[int]] = {}
        dates = [h.date for h in self.inst.history] + [m.date for m in self.inst.meals]
        for i, day in enumerate(dates):
            weeks.setdefault(iso_week(day), []).append(i)
        for week, idx in weeks.items():
            if idx[-1] < self.h:
                continue
            const, terms = 0, []
            for i in idx:
                if i < self.h:
                    main = self.inst.history[i].dishes.get("main")
                    const += int(bool(main) and self.inst.dishes[main].is_vegetarian_main)
                else:
                    m = i - self.h
                    options = self.slots.cands[m].get("main", [])
                    terms += [self.x[(m, d.id)] for d in options if d.is_vegetarian_main]
            required = min(per_week, len(idx))
            self._add_linear(terms, required - const, None, ("veg", week))

    def _repeats(self) -> None:
        spacing = self.inst.min_meals_between_repeats
        if spacing <= 1:
            return
        n_plan = len(self.inst.meals)
        uses: dict[str, list[int]] = {}
        for m, did in self.x:
            uses.setdefault(did, []).append(m)
        for m, blocked in enumerate(self.slots.hist_blocked):
            for dids in blocked.values():
                for did in dids:  # dishes served in history less than `spacing` meals ago
                    if (m, did) not in self.x:
                        continue  # already left out of the candidates
                    lit = self._literal(("repeats",))
                    guard = [lit.Not()] if lit is not None else []
                    self.model.add_bool_or([*guard, self.x[(m, did)].Not()])
        for did, meals in uses.items():
            meals.sort()
            if len(meals) < 2:
                continue
            for start in range(0, max(1, n_plan - spacing + 1)):
                window = [self.x[(m, did)] for m in meals if start <= m < start + spacing]
                if len(window) < 2:
                    continue
                if self.relaxed:
                    self._add_linear(window, None, 1, ("repeats",))
                else:
                    self.model.add_at_most_one(window)

    def _cost_cap(self) -> None:
        cap = self.inst.max_cost_per_meal
        if cap is None:
            return
        for m, slot in enumerate(self.slots.cands):
            terms = [
                round(SCALE * d.cost) * self.x[(m, d.id)] for opts in slot.values() for d in opts
            ]
            self._add_linear(terms, None, round(SCALE * cap), ("cost_cap",))

    def _objective(self) -> None:
        keys = list(self.x)
        coefs = [meal_score(self.inst, m, self.inst.dishes[did]) for m, did in keys]
        if self.inst.season_mode == "prefer":
            penalty = round(SCALE * self.inst.season_weight)
            coefs = [
                c + (penalty if did in self.inst.meals[m].out_of_season else 0)
                for c, (m, did) in zip(coefs, keys, strict=True)
            ]
        self.model.minimize(cp_model.LinearExpr.weighted_sum([self.x[k] for k in keys], coefs))

    # -- variety and seasons -------------------------------------------------------------

    def _season(self) -> None:
        """In relaxed mode, "require" becomes one assumption (outside it, slots drop them)."""
        if self.inst.season_mode != "require" or not self.relaxed:
            return
        for m, meal in enumerate(self.inst.meals):
            for did in meal.out_of_season:
                if (m, did) in self.x and meal.locked.get(self.inst.dishes[did].component) != did:
                    self._add(self.x[(m, did)] == 0, ("season",))

    def _supply(self) -> None:
        """In relaxed mode, what cannot be bought becomes one assumption (slots drop it)."""
        if not self.relaxed:
            return
        for m, meal in enumerate(self.inst.meals):
            for did in meal.unavailable:
                if (m, did) in self.x and meal.locked.get(self.inst.dishes[did].component) != did:
                    self._add(self.x[(m, did)] == 0, ("supply",))

    def _sequence(self) -> list[tuple[int, object]]:
        """Every meal, history then plan, as (index, ServedMeal or planned-meal index)."""
        hist = [(i, h) for i, h in enumerate(self.inst.history)]
        return hist + [(self.h + m, m) for m in range(len(self.inst.meals))]

    def _family_terms(self, i: int, key: str) -> tuple[dict[str, list], dict[str, int]]:
        """Meal i's terms per family value: (variables of the plan, constants of history)."""
        if i < self.h:
            served = self.inst.history[i].dishes.values()
            const: dict[str, int] = {}
            for did in served:
                value = self.inst.dishes[did].family(key)
                if value:
                    const[value] = const.get(value, 0) + 1
            return {}, const
        terms: dict[str, list] = {}
        m = i - self.h
        for options in self.slots.cands[m].values():
            for d in options:
                value = d.family(key)
                if value:
                    terms.setdefault(value, []).append(self.x[(m, d.id)])
        return terms, {}

    def _family_rules(self) -> None:
        for rule in self.inst.family_rules:
            label = ("family", rule.id)
            if rule.kind == "not_consecutive":
                self._not_consecutive(rule, label)
            elif rule.kind == "max_per_week":
                self._max_per_week(rule, label)
            elif rule.kind == "week_overlap":
                self._week_overlap(rule, label)

    def _not_consecutive(self, rule, label) -> None:
        n = self.h + len(self.inst.meals)
        for i in range(max(1, self.h), n):
            prev_terms, prev_const = self._family_terms(i - 1, rule.family)
            terms, const = self._family_terms(i, rule.family)
            for value in set(prev_terms) | set(prev_const) | set(terms):
                both = prev_terms.get(value, []) + terms.get(value, [])
                fixed = prev_const.get(value, 0) + const.get(value, 0)
                self._add_linear(both, None, 1 - fixed, label)

    def _weeks(self) -> dict[str, list[int]]:
        dates = [h.date for h in self.inst.history] + [m.date for m in self.inst.meals]
        weeks: dict[str, list[int]] = {}
        for i, day in enumerate(dates):
            weeks.setdefault(iso_week(day), []).append(i)
        return weeks

    def _max_per_week(self, rule, label) -> None:
        for idx in self._weeks().values():
            if idx[-1] < self.h:
                continue
            terms: dict[str, list] = {}
            const: dict[str, int] = {}
            for i in idx:
                t, c = self._family_terms(i, rule.family)
                for value, vs in t.items():
                    terms.setdefault(value, []).extend(vs)
                for value, k in c.items():
                    const[value] = const.get(value, 0) + k
            for value in set(terms) | set(const):
                self._add_linear(
                    terms.get(value, []), None, rule.limit - const.get(value, 0), label
                )

    def _week_overlap(self, rule, label) -> None:
        """Shared dishes of every two weeks (one with planned meals) under the rule's cap.

        u[d, w] >= x[m, d] for the meals m of week w (d served that week); s[d] >= u[d, a] +
        u[d, b] - 1 (d served both weeks); sum of s <= cap. History weeks are constants.
        """
        weeks = list(self._weeks().values())
        served: list[dict[str, object]] = []  # per week: dish -> 1 (history) or its u variable
        sizes = []
        for idx in weeks:
            uses: dict[str, object] = {}
            size = 0
            for i in idx:
                if i < self.h:
                    for did in self.inst.history[i].dishes.values():
                        uses[did] = 1
                    size += len(self.inst.history[i].dishes)
                    continue
                m = i - self.h
                size += len(self.slots.comps[m])
                for options in self.slots.cands[m].values():
                    for d in options:
                        u = uses.get(d.id)
                        if isinstance(u, int):
                            continue
                        if u is None:
                            u = uses[d.id] = self.model.new_bool_var(f"u{i}_{d.id}")
                        self.model.add_implication(self.x[(m, d.id)], u)
            served.append(uses)
            sizes.append(size)
        for a in range(len(weeks)):
            for b in range(a + 1, len(weeks)):
                if weeks[a][-1] < self.h and weeks[b][-1] < self.h:
                    continue
                common = set(served[a]) & set(served[b])
                terms, const = [], 0
                for did in common:
                    ua, ub = served[a][did], served[b][did]
                    if isinstance(ua, int) and isinstance(ub, int):
                        const += 1
                    elif isinstance(ua, int) or isinstance(ub, int):
                        terms.append(ub if isinstance(ua, int) else ua)
                    else:
                        both = self.model.new_bool_var(f"s{a}_{b}_{did}")
                        self.model.add(both >= ua + ub - 1)
                        terms.append(both)
                cap = variety.week_share_cap(rule.limit, sizes[a], sizes[b])
                self._add_linear(terms, None, cap - const, label)

    def hint(self, plan: list[ServedMeal]) -> None:
        """Hint the plan's meals; a plan shorter than the horizon leaves the rest free."""
        for (m, did), var in self.x.items():
            if m < len(plan):
                self.model.add_hint(var, 1 if did in plan[m].dishes.values() else 0)
        for (tag, m), flag in self._flags.items():
            if m >= len(plan):
                continue
            served = (self.inst.dishes[d].effective_tags for d in plan[m].dishes.values())
            self.model.add_hint(flag, int(any(tag in tags for tags in served)))

    def read_plan(self, solver: cp_model.CpSolver) -> list[ServedMeal]:
        plan = []
        for m, meal in enumerate(self.inst.meals):
            dishes = {}
            for comp, options in self.slots.cands[m].items():
                for d in options:
                    if solver.boolean_value(self.x[(m, d.id)]):
                        dishes[comp] = d.id
            plan.append(ServedMeal(meal.date, dishes))
        return plan


class _ProgressCallback(cp_model.CpSolverSolutionCallback):
    def __init__(self, progress: Progress):
        super().__init__()
        self.progress = progress

    def on_solution_callback(self) -> None:
        self.progress(
            self.objective_value / SCALE, self.best_objective_bound / SCALE, self.wall_time
        )


# --------------------------------------------------------------------------- planning


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


def _missing_components(instance: Instance, pruned: dict[str, list[Dish]]) -> list[Conflict]:
    needed = {c for meal in instance.meals for c in instance.meal_components(meal)}
    locked_only = {
        c
        for c in needed
        if all(c in meal.locked for meal in instance.meals if c in instance.meal_components(meal))
    }
    return [
        Conflict(
            [],
            f"Le catalogue ne contient aucun plat de type « {COMPONENT_LABELS[c]} » : "
            "impossible de composer les repas. Ajoutez des plats ou retirez cette composante.",
            other=[f"component:{c}"],
        )
        for c in sorted(needed - locked_only)
        if not pruned.get(c)
    ]


def plan_menus(
    instance: Instance,
    *,
    num_workers: int = 2,
    progress: Progress | None = None,
    time_limit_s: float | None = None,
    use_hint: bool = True,
    prune: bool = True,
    explain: bool = True,
) -> PlanResult:
    """Plan the instance's meals; never returns a plan worse than the greedy baseline.

    ``explain=False`` skips the search for the conflicting rules of an infeasible instance
    (a caller that only tries a tighter variant first)."""
    started = time.perf_counter()
    limit = time_limit_s if time_limit_s is not None else instance.time_limit_s
    pruned = prune_catalogue(instance) if prune else _all_dishes(instance)
    missing = _missing_components(instance, pruned)
    if missing:
        return PlanResult(
            "infeasible", [], None, None, time.perf_counter() - started, None, missing
        )
    tops = meal_tops(instance) if prune and follows_supply(instance) else None
    greedy = greedy_plan(instance, pruned, tops)
    builder = _Builder(instance, _build_slots(instance, pruned, relaxed=False, tops=tops))
    builder.build()
    complete = all(
        len(p.dishes) == len(c) for p, c in zip(greedy.plan, builder.slots.comps, strict=True)
    )
    warm = PlanResult("unknown", [], None, None, 0.0)
    overlap = any(r.kind == "week_overlap" for r in instance.family_rules)
    chunk = WEEK_CHUNK if overlap else CHUNK
    if use_hint and len(instance.meals) > chunk + chunk // 2:
        warm = _chunked_plan(
            instance, pruned, num_workers, started + WARM_SHARE * limit, chunk=chunk, tops=tops
        )
    if use_hint:  # even a rule-breaking greedy plan is a useful start for what is not warm
        builder.hint(warm.plan + (greedy.plan[len(warm.plan) :] if complete else []))
    solver = cp_model.CpSolver()
    _tune(solver, num_workers)
    solver.parameters.max_time_in_seconds = max(0.1, limit - (time.perf_counter() - started))
    # The week-overlap rule leaves a weak LP bound: stop within 0.5 % of it (seconds, not the
    # whole time limit); without it, the proof comes fast and 1e-4 holds.
    solver.parameters.relative_gap_limit = 5e-3 if overlap else 1e-4
    callback = _ProgressCallback(progress) if progress else None
    code = solver.solve(builder.model, callback)
    stats = {
        "candidates": sum(len(v) for v in pruned.values()),
        "family_rules": len(instance.family_rules),
        "variables": len(builder.x),
        "workers": num_workers,
        "greedy_objective": greedy.objective if greedy.status == "feasible" else None,
        "warm_objective": warm.objective if warm.status == "feasible" else None,
    }
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        plan = builder.read_plan(solver)
        status = "optimal" if code == cp_model.OPTIMAL else "feasible"
        objective = _plan_objective(instance, plan)
        for other in (greedy, warm):  # the solver starts from warm: a safety net only
            if other.status == "feasible" and other.objective < objective:
                plan, objective, status = other.plan, other.objective, "feasible"
        bound = round(solver.best_objective_bound / SCALE, 6)
        elapsed = time.perf_counter() - started
        stats["out_of_season"] = len(out_of_season_served(instance, plan))
        return PlanResult(
            status, plan, objective, bound, elapsed, check_plan(instance, plan), [], stats
        )
    if code == cp_model.INFEASIBLE:
        remaining = max(2.0, limit - (time.perf_counter() - started))
        loose = _prune(instance, rule_bounds=False) if prune else pruned
        conflicts = explain_infeasibility(instance, loose, remaining) if explain else []
        elapsed = time.perf_counter() - started
        return PlanResult("infeasible", [], None, None, elapsed, None, conflicts, stats)
    fallback = warm if warm.status == "feasible" else greedy
    if fallback.status == "feasible":  # solver timed out before improving on the hint
        elapsed = time.perf_counter() - started
        return PlanResult(
            "feasible", fallback.plan, fallback.objective, None, elapsed, fallback.report, [], stats
        )
    if code == cp_model.MODEL_INVALID:
        raise RuntimeError(f"invalid CP-SAT model: {builder.model.validate()}")
    return PlanResult("unknown", [], None, None, time.perf_counter() - started, None, [], stats)


CHUNK = 20  # meals per warm-start chunk: one GEMRCN window, solved in about 2 s
# With the week-overlap rule, CP-SAT's first solutions of a month copy weeks into each other
# and improve slowly; planned a week at a time, each week sees the previous ones as history
# and the hint already keeps them apart.
WEEK_CHUNK = 5
WARM_SHARE = 0.4  # at most this share of the time limit goes to the warm start


def _chunked_plan(
    instance: Instance,
    pruned: dict[str, list[Dish]],
    num_workers: int,
    deadline: float,
    chunk: int = CHUNK,
    tops: list[set[str]] | None = None,
) -> PlanResult:
    """A compliant plan built chunk by chunk (each planned with the previous as history).

    Used as the solution hint of long horizons: CP-SAT's first solutions there are far from
    the LP bound, and the proof goes much faster from a near-optimal incumbent. Status
    "unknown" with the chunks planned so far when a chunk is infeasible (the plan is myopic)
    or the time share runs out; the greedy plan then completes the hint.
    """
    meals, n = instance.meals, len(instance.meals)
    parts = -(-n // chunk)
    plan: list[ServedMeal] = []
    for k in range(parts):
        lo, hi = k * n // parts, (k + 1) * n // parts
        left = deadline - time.perf_counter()
        if left <= 0.5:
            break
        part = replace(instance, meals=meals[lo:hi], history=instance.history + plan)
        part_tops = tops[lo:hi] if tops is not None else None
        builder = _Builder(part, _build_slots(part, pruned, relaxed=False, tops=part_tops))
        builder.build()
        solver = cp_model.CpSolver()
        _tune(solver, num_workers)
        solver.parameters.max_time_in_seconds = 2 * left / (parts - k + 1)  # chunks vary
        solver.parameters.relative_gap_limit = 1e-3
        code = solver.solve(builder.model)
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            break
        plan += builder.read_plan(solver)
    if len(plan) < n:
        return PlanResult("unknown", plan, None, None, 0.0)
    report = check_plan(instance, plan)
    ok = report.ok and _within_cap(instance, plan) and not _variety_failures(instance, plan)
    return PlanResult(
        "feasible" if ok else "unknown", plan, _plan_objective(instance, plan), None, 0.0, report
    )


def _tune(solver: cp_model.CpSolver, num_workers: int) -> None:
    """The LP relaxation is what proves optimality here; CP-SAT's default 2-worker portfolio
    has no LP-heavy worker (20 meals x 300 dishes: no proof in 15 s, vs 1 s with max_lp)."""
    solver.parameters.num_workers = num_workers
    if num_workers == 1:
        solver.parameters.linearization_level = 2
    else:  # measured: the default 4-worker portfolio did not prove 20 x 2,300 in 30 s either
        portfolio = ["max_lp", "quick_restart", "default_lp", "lb_tree_search", "pseudo_costs"]
        solver.parameters.subsolvers.extend(portfolio[: max(2, num_workers)])


def _all_dishes(instance: Instance) -> dict[str, list[Dish]]:
    out: dict[str, list[Dish]] = {}
    for dish in instance.dishes.values():
        out.setdefault(dish.component, []).append(dish)
    for comp in out:
        out[comp].sort(key=lambda d: (dish_score(instance, d), d.id))
    return out


# --------------------------------------------------------------------------- explanations


def explain_infeasibility(
    instance: Instance, pruned: dict[str, list[Dish]], time_budget: float = 10.0
) -> list[Conflict]:
    """Up to three small conflicting sets of rule bounds / locks / weeks / spacing / cap."""
    deadline = time.perf_counter() + time_budget
    builder = _Builder(instance, _build_slots(instance, pruned, relaxed=True), relaxed=True)
    builder.build()
    labels = {lit.index: lab for lit, lab in builder.assumptions}
    active = [lit for lit, _ in builder.assumptions]
    conflicts: list[Conflict] = []
    while active and len(conflicts) < 3:
        core = _core(builder.model, active, deadline)
        if core is None:
            break
        core = _shrink(builder.model, core, deadline)
        core_labels = _widen(instance, [labels[lit.index] for lit in core])
        conflicts.append(_describe_core(instance, core_labels, pruned))
        named = set(core_labels)  # each lock and rule is named in one conflict only
        active = [lit for lit in active if labels[lit.index] not in named]
    # The conflicts the locks make on their own come first: they are what the cook changed.
    conflicts.sort(key=lambda c: -len(c.locks))
    if not conflicts:
        conflicts.append(
            Conflict(
                [r.id for r in instance.rules],
                "Aucun menu ne respecte toutes les règles, mais le calcul n'a pas pu isoler "
                "les règles en cause dans le temps imparti.",
            )
        )
    return conflicts


def _solve_with(model: cp_model.CpModel, lits: list, deadline: float):
    model.clear_assumptions()
    model.add_assumptions(lits)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = max(0.05, min(2.0, deadline - time.perf_counter()))
    code = solver.solve(model)
    return code, solver


def _core(model: cp_model.CpModel, lits: list, deadline: float) -> list | None:
    """A sufficient subset of `lits` for infeasibility, or None if they are compatible."""
    code, solver = _solve_with(model, lits, deadline)
    if code != cp_model.INFEASIBLE:
        return None
    by_index = {lit.index: lit for lit in lits}
    core = [by_index[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in by_index]
    return core or list(lits)


def _shrink(model: cp_model.CpModel, core: list, deadline: float) -> list:
    """Deletion filter: drop each literal whose removal keeps the set infeasible."""
    core = list(core)
    i = 0
    while i < len(core) and time.perf_counter() < deadline:
        trial = core[:i] + core[i + 1 :]
        code, solver = _solve_with(model, trial, deadline)
        if code == cp_model.INFEASIBLE:
            kept = set(solver.sufficient_assumptions_for_infeasibility())
            core = [lit for lit in trial if lit.index in kept] or trial
            i = min(i, len(core))
            continue
        i += 1
    return core


def _widen(instance: Instance, labels: list[tuple]) -> list[tuple]:
    """A minimal core of a max rule names only as many locks as break it (3 of 5 locked
    fatty entrées once the history holds 2): add every other lock counting for the same
    rule within a window of them, so the cook sees all the dishes that fight the rule."""
    rules = {r.id: r for r in instance.rules}
    locks = [lab for lab in labels if lab[0] == "lock"]
    wider = list(labels)
    for lab in labels:
        if lab[0] != "rule" or lab[2] != "max" or not locks:
            continue
        rule = rules[lab[1]]
        first = min(m for _, m, _ in locks) - rule.window + 1
        last = max(m for _, m, _ in locks) + rule.window - 1
        for m, meal in enumerate(instance.meals):
            for comp, did in meal.locked.items():
                extra = ("lock", m, comp)
                tagged = rule.tag in instance.dishes[did].effective_tags
                if first <= m <= last and tagged and extra not in wider:
                    wider.append(extra)
    return wider


def _served_in_window(instance: Instance, rule, anchor: list[int]) -> tuple[int, list]:
    """(meals already served in the window of the anchor meals, dates counting for rule)."""
    h = len(instance.history)
    window = instance.history[max(0, h + min(anchor) - rule.window + 1) :]
    days = [
        meal.date
        for meal in window
        if any(rule.tag in instance.dishes[d].effective_tags for d in meal.dishes.values())
    ]
    return len(window), days


def _history_text(instance: Instance, bounds: list[tuple], anchor: list[int]) -> str:
    """What the meals already served bring to the rules of a conflict: they are part of the
    cause, and the cook cannot change them.

    For a max rule, the served meals that count ("et 2 repas déjà servis avec entrée grasse
    (08/01 et 26/01)"); for min rules, how few of them do ("les 19 repas déjà servis juste
    avant n'en comptant que 3 avec poisson et 3 avec viande rouge...").
    """
    if not instance.history:
        return ""
    rules = {r.id: r for r in instance.rules}
    text, few, served = "", [], 0
    for rid, bound in bounds:
        rule = rules[rid]
        served, days = _served_in_window(instance, rule, anchor)
        if bound == "min":
            few.append(f"{len(days) or 'aucun'} avec {tag_label(rule.tag)}")
        elif days:
            dates = _join_fr([fr_date(d) for d in days])
            word = "repas déjà servi" if len(days) == 1 else "repas déjà servis"
            text += f" et {len(days)} {word} avec {tag_label(rule.tag)} ({dates})"
    if few and served:
        text += f", les {served} repas déjà servis juste avant n'en comptant que {_join_fr(few)}"
    return text


def _join_fr(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " et " + items[-1]


def _describe_core(
    instance: Instance, labels: list[tuple], pruned: dict[str, list[Dish]]
) -> Conflict:
    rules = {r.id: r for r in instance.rules}
    rule_ids = sorted({lab[1] for lab in labels if lab[0] == "rule"}, key=_natural)
    locks, other, parts = [], [], []
    if rule_ids:
        texts = [f"{rid} ({rule_text(rules[rid])})" for rid in rule_ids]
        word = "La règle" if len(texts) == 1 else "Les règles"
        parts.append(f"{word} {_join_fr(texts)}")
    lock_texts = []
    for lab in sorted(lab for lab in labels if lab[0] == "lock"):
        _, m, comp = lab
        meal = instance.meals[m]
        dish = instance.dishes[meal.locked[comp]]
        locks.append({"date": meal.date.isoformat(), "component": comp, "dish": dish.id})
        lock_texts.append(f"« {dish.name} » le {fr_date(meal.date)}")
    weeks = sorted(lab[1] for lab in labels if lab[0] == "veg")
    for week in weeks:
        other.append(f"vegetarian_per_week:{week}")
        parts.append(
            f"au moins {instance.vegetarian_per_week} repas végétarien(s) la semaine {week}"
        )
    if any(lab[0] == "repeats" for lab in labels):
        other.append("min_meals_between_repeats")
        parts.append(
            f"l'écart d'au moins {instance.min_meals_between_repeats} repas avant de resservir "
            "un plat"
        )
    if any(lab[0] == "cost_cap" for lab in labels):
        other.append("max_cost_per_meal")
        parts.append(f"le coût maximal de {instance.max_cost_per_meal:.2f} € par repas")
    family_rules = {r.id: r for r in instance.family_rules}
    for rid in sorted({lab[1] for lab in labels if lab[0] == "family"}):
        other.append(f"variety:{rid}")
        parts.append(f"la règle de variété {rid} ({variety.rule_text(family_rules[rid])})")
    if any(lab[0] == "season" for lab in labels):
        other.append("season")
        parts.append("les fruits et légumes de saison")
    if any(lab[0] == "supply" for lab in labels):
        other.append("supply")
        parts.append("les plats dont un produit ne peut pas être livré")
    why = _join_fr(parts) if parts else "Les plats verrouillés"
    many = len(parts) > 1 or len(rule_ids) > 1
    if lock_texts:
        word = "plat verrouillé" if len(lock_texts) == 1 else "plats verrouillés"
        verb = "ne peuvent pas tenir" if many else "ne peut pas tenir"
        why += f" {verb} avec {len(lock_texts)} {word} ({_join_fr(lock_texts)})"
    else:
        why += " ne peuvent pas tenir ensemble" if many else " ne peut pas être respectée"
    # The meals already served fill the first windows: without locks, from the first meal.
    anchor = [lab[1] for lab in labels if lab[0] == "lock"] or [0]
    bounds = sorted({lab[1:] for lab in labels if lab[0] == "rule"}, key=lambda b: _natural(b[0]))
    why += _history_text(instance, bounds, anchor)
    why += "." + _catalogue_hint(instance, [rules[r] for r in rule_ids], pruned)
    why += (
        " Assouplissez l'une de ces contraintes, déverrouillez un plat ou complétez le catalogue."
    )
    return Conflict(rule_ids, why, locks, other)


def _catalogue_hint(instance: Instance, rules: list, pruned: dict[str, list[Dish]]) -> str:
    """How many catalogue dishes carry each rule's tag: the usual root cause."""
    bits = []
    for rule in rules:
        n = sum(1 for d in instance.dishes.values() if rule.tag in d.effective_tags)
        bits.append(f"{n} plat{'s' if n != 1 else ''} « {tag_label(rule.tag)} »")
    return f" Le catalogue compte {_join_fr(bits)}." if bits else ""


def _natural(rule_id: str):
    head, _, tail = rule_id.rpartition("-")
    return (head, int(tail)) if tail.isdigit() else (rule_id, 0)


# --------------------------------------------------------------------------- CLI


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m menus.planner", description=__doc__.split("\n")[0]
    )
    parser.add_argument("instance", help="instance JSON file, or - for stdin")
    parser.add_argument("--workers", type=int, default=2, help="CP-SAT worker threads")
    parser.add_argument("--time-limit", type=float, default=None, help="override time_limit_s")
    args = parser.parse_args(argv)
    try:
        instance = from_json(args.instance)
    except InstanceError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 2
    result = plan_menus(instance, num_workers=args.workers, time_limit_s=args.time_limit)
    json.dump(result.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["Conflict", "PlanResult", "greedy_plan", "plan_menus", "prune_catalogue"]
