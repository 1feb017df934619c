"""The CP-SAT model: one boolean per (meal, candidate dish), rules as linear constraints."""

from __future__ import annotations

from ortools.sat.python import cp_model

from menus import variety
from menus.planner.candidates import _Slots, meal_score
from menus.planner.results import SCALE, Progress
from nutrition.compliance import (
    iso_week,
)
from nutrition.mealplan import Instance, ServedMeal
from nutrition.shares import labelled_cost, share_fraction


class _Builder:
    """Builds the CP-SAT model; with `relaxed`, every constraint group gets an assumption."""

    def __init__(
        self,
        instance: Instance,
        slots: _Slots,
        relaxed: bool = False,
        share_spans: list[tuple[int, int]] | None = None,
    ):
        self.inst, self.slots, self.relaxed = instance, slots, relaxed
        # The runs of planned meals each share target holds over (default: all of them).
        self.share_spans = share_spans or [(0, len(instance.meals))]
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
        self._shares()
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

    def share_terms(self, key: str, target: float, lo: int, hi: int) -> list:
        """Terms of sum (labelled − target·cost)·x over meals lo..hi, in integers: with
        target = p/q, q·SCALE·labelled − p·SCALE·cost (exact for costs in 1/10,000 €)."""
        frac = share_fraction(target)
        p, q = frac.numerator, frac.denominator
        terms = []
        for m in range(lo, hi):
            for options in self.slots.cands[m].values():
                for d in options:
                    coef = q * round(SCALE * labelled_cost(d, key)) - p * round(SCALE * d.cost)
                    if coef:
                        terms.append(coef * self.x[(m, d.id)])
        return terms

    def _shares(self) -> None:
        """Each share target over each span: labelled cost >= target x food cost."""
        for key, target in sorted((self.inst.share_targets or {}).items()):
            for lo, hi in self.share_spans:
                if hi > lo:
                    self._add_linear(self.share_terms(key, target, lo, hi), 0, None, ("share", key))

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
