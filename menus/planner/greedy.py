"""The greedy baseline: the best dish per slot with a look-ahead per rule."""

from __future__ import annotations

import time

from menus.planner.candidates import (
    _build_slots,
    _Slots,
    follows_supply,
    meal_tops,
    prune_catalogue,
)
from menus.planner.evaluation import _plan_objective, _variety_failures, _within_cap
from menus.planner.results import GREEDY_ORDER, PlanResult
from nutrition.compliance import (
    check_plan,
    iso_week,
)
from nutrition.mealplan import Dish, Instance, ServedMeal
from nutrition.shares import meets_shares


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
    ok = (
        complete
        and report is not None
        and report.ok
        and _within_cap(instance, plan)
        and meets_shares(instance, plan)
    )
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
