"""The MIP model (MathOpt, HiGHS by default): packs, deliveries, minimum orders, shares."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

from orders.allocation.contract import EPS, Cancelled, Instance
from orders.allocation.index import _Index

# Constraint families the diagnosis may relax one at a time to explain an infeasibility.
RELAXABLE = ("coverage", "bio", "egalim", "local", "max_share", "budget", "min_order")
TIE_BREAK = 1e-4  # under max_local, prefer the cheaper of two equally local solutions


# From this many pairs a max_local LP relaxation has one linking row per delivery instead of
# one per pair (``_Model._aggregated_links``). At 1,000 x 600 under load 9.5: max_local seed
# 1, no LP in 60 s -> 13.0 s (gap 57 % -> 1.9 %); scarce seed 1, 51 s -> 11.4 s; local40 seed
# 1, 7.7 -> 5.6 s, but for a bound 2 % weaker (296,698 vs 302,690 EUR) that the Lagrangian
# bound by date did not recover under load 11-13 (base and local40 1,000 x 600 ended 2-4
# points further from their bound): min_cost keeps the full LP. Below this size the full LP
# takes about a second and is a little tighter (cap 300 x 200 seed 2: 29,880 vs 29,158 EUR).
LP_AGGREGATE_MIN_PAIRS = 20_000


def _active_families(inst: Instance) -> list[str]:
    t = inst.targets
    active = [] if inst.allow_unmet else ["coverage"]
    active += [
        name
        for name, share in (
            ("bio", t.bio_min_share),
            ("egalim", t.egalim_min_share),
            ("local", t.local_min_share),
        )
        if share
    ]
    if inst.max_share_per_producer is not None and inst.max_share_per_producer < 1:
        active.append("max_share")
    if inst.budget is not None:
        active.append("budget")
    if any(p.min_order_value > 0 for p in inst.producers):
        active.append("min_order")
    return active


class _Coefficients:
    """Row coefficients gathered while a model is built, written at once by ``_flush``."""

    def __init__(self):
        self.keys: list[int] = []  # row id, variable id, row id, variable id, ...
        self.values: list[float] = []


@dataclass(slots=True)
class _Row:
    """A row being built: ``set_coefficient`` as MathOpt's, into ``_Coefficients``."""

    id: int
    into: _Coefficients

    def set_coefficient(self, var, coefficient: float) -> None:
        self.into.keys += (self.id, var.id)
        self.into.values.append(coefficient)


class _Model:
    """One MathOpt model of the instance; ``relax`` drops constraint families (diagnosis)."""

    def __init__(
        self,
        inst: Instance,
        idx: _Index,
        relax: Iterable[str] = (),
        feasibility_only: bool = False,
        solver: str | None = None,
        strict: bool = False,
        kernel: set[int] | None = None,
        cancel: Callable[[], bool] | None = None,
    ):
        """``strict`` lets a need go unmet only by what its compatible offers cannot supply at
        all, and ``kernel`` limits the pairs that may be used: restrictions for a first, easier
        phase that looks for good solutions (see ``solve``)."""
        from ortools.math_opt.python import mathopt

        self.mathopt = mathopt
        self.inst, self.idx, self.relax = inst, idx, set(relax)
        self.name = solver or inst.solver
        m = self.model = mathopt.Model(name="allocation")
        self.inf = math.inf
        offers, needs = inst.offers, inst.needs
        self.value = [offers[o].unit_price * offers[o].pack_size for _, o in idx.pairs]
        self.x = []
        for i in range(len(idx.pairs)):
            lb, ub = idx.pair_bounds(i)
            if kernel is not None and i not in kernel:
                ub = lb
            self.x.append(m.add_integer_variable(lb=lb, ub=ub))
        allow = inst.allow_unmet or "coverage" in self.relax
        self.u = [
            m.add_variable(lb=0, ub=self._unmet_cap(n, strict)) if allow else None
            for n in range(len(needs))
        ]
        self.keys = list(idx.delivery_pairs)
        self.y = {key: m.add_binary_variable() for key in self.keys}
        self.result = None
        self._restricted = False
        self.lp_support: set[int] = set()  # pairs the LP relaxation buys, after relaxation()
        self._coefficients = _Coefficients()
        self._links: list[tuple[int, tuple[str, str]]] = []  # rows x_i <= ub_i y, their key
        for part in (self._coverage, self._capacity, self._deliveries, self._shares, self._budget):
            if cancel is not None and cancel():
                raise Cancelled
            part()
        self._flush()
        if not feasibility_only:
            self._objective()

    def _unmet_cap(self, n: int, strict: bool) -> float:
        need = self.inst.needs[n]
        if not strict:
            return need.quantity
        supply = sum(self.idx.capacity(self.idx.pairs[i][1]) for i in self.idx.need_pairs[n])
        return min(need.quantity, max(0.0, need.quantity - supply))

    def _row(self, lb: float, ub: float) -> _Row:
        return _Row(self.model.add_linear_constraint(lb=lb, ub=ub).id, self._coefficients)

    def _flush(self) -> None:
        """Write every row's coefficients in one call: one at a time through MathOpt's
        Python layer, 330,000 of them took a quarter of a 1,000 x 600 model's build."""
        import numpy as np
        from ortools.math_opt.elemental.python import enums

        keys, values = self._coefficients.keys, self._coefficients.values
        if keys:
            self.model._elemental.set_attrs(  # noqa: SLF001 (the bulk form of set_coefficient)
                enums.DoubleAttr2.LINEAR_CONSTRAINT_COEFFICIENT,
                np.array(keys, dtype=np.int64).reshape(-1, 2),
                np.array(values, dtype=np.float64),
            )
        self._coefficients = _Coefficients()

    def _coverage(self) -> None:
        idx = self.idx
        for n, need in enumerate(self.inst.needs):
            top = idx.max_delivered(n) if idx.need_pairs[n] else need.quantity
            ct = self._row(need.quantity, top)
            for i in idx.need_pairs[n]:
                ct.set_coefficient(self.x[i], self.inst.offers[idx.pairs[i][1]].pack_size)
            if self.u[n] is not None:
                ct.set_coefficient(self.u[n], 1.0)

    def _capacity(self) -> None:
        for o, pairs in enumerate(self.idx.offer_pairs):
            cap = self.idx.capacity(o)
            if not pairs or cap == math.inf:
                continue
            size = self.inst.offers[o].pack_size
            if sum(self.idx.pair_bounds(i)[1] for i in pairs) * size <= cap + EPS:
                continue  # cannot bind: the per-pair bounds already respect it
            ct = self._row(-self.inf, cap)
            for i in pairs:
                ct.set_coefficient(self.x[i], size)

    def _deliveries(self) -> None:
        idx = self.idx
        for key in self.keys:
            y, producer = self.y[key], idx.producer[key[0]]
            pairs = idx.delivery_pairs[key]
            if any(idx.pairs[i] in idx.fixed_packs for i in pairs):
                y.lower_bound = 1
            for i in pairs:
                ct = self._row(-self.inf, 0)
                ct.set_coefficient(self.x[i], 1)
                ct.set_coefficient(y, -idx.pair_bounds(i)[1])
                self._links.append((ct.id, key))
            if producer.min_order_value > 0 and "min_order" not in self.relax:
                ct = self._row(0, self.inf)
                for i in pairs:
                    ct.set_coefficient(self.x[i], self.value[i])
                ct.set_coefficient(y, -producer.min_order_value)

    def _shares(self) -> None:
        inst = self.inst
        t = inst.targets
        wanted = [
            (name, share)
            for name, share in (
                ("bio", t.bio_min_share),
                ("egalim", t.egalim_min_share),
                ("local", t.local_min_share),
            )
            if share and name not in self.relax
        ]
        cap = inst.max_share_per_producer
        per_producer = cap is not None and cap < 1 and "max_share" not in self.relax
        if not wanted and not per_producer:
            return
        # value_label >= share * value_total, written as one row without a total variable:
        # a dense row tying every pair to an auxiliary total made HiGHS's root cut loop overrun
        # its time limit several-fold (measured on bench territories).
        for name, share in wanted:
            ct = self._row(0, self.inf)
            for i, xi in enumerate(self.x):
                ct.set_coefficient(xi, (self._counts(name, i) - share) * self.value[i])
        if per_producer:
            self._producer_caps(cap)

    def _producer_caps(self, cap: float) -> None:
        """Each producer's value <= cap x total value (one total variable, one row each)."""
        # bounded, so a Lagrangian bound that relaxes these rows stays finite
        most = sum(self.value[i] * self.idx.pair_bounds(i)[1] for i in range(len(self.x)))
        total = self.model.add_variable(lb=0, ub=most, name="value_total")
        ct = self._row(0, 0)
        for i, xi in enumerate(self.x):
            ct.set_coefficient(xi, self.value[i])
        ct.set_coefficient(total, -1)
        by_producer = defaultdict(list)
        for (p, _), pairs in self.idx.delivery_pairs.items():
            by_producer[p] += pairs
        for pairs in by_producer.values():
            ct = self._row(-self.inf, 0)
            for i in pairs:
                ct.set_coefficient(self.x[i], self.value[i])
            ct.set_coefficient(total, -cap)

    def _counts(self, name: str, i: int) -> bool:
        offer = self.inst.offers[self.idx.pairs[i][1]]
        if name == "bio":
            return offer.is_bio
        if name == "egalim":
            return offer.is_egalim
        return self.idx.producer[offer.producer].local

    def _budget(self) -> None:
        if self.inst.budget is None or "budget" in self.relax:
            return
        ct = self._row(-self.inf, self.inst.budget)
        self._add_spend(ct.set_coefficient, 1.0)

    def _add_spend(self, set_coefficient, weight: float) -> None:
        for i, xi in enumerate(self.x):
            set_coefficient(xi, weight * self.value[i])
        for key, y in self.y.items():
            set_coefficient(y, weight * self.idx.producer[key[0]].delivery_cost)

    def _objective(self) -> None:
        obj, inst = self.model.objective, self.inst
        penalty = inst.unmet_penalty_per_unit
        if inst.objective == "min_cost":
            self._add_spend(obj.set_linear_coefficient, 1.0)
            for u in self.u:
                if u is not None:
                    obj.set_linear_coefficient(u, penalty)
            obj.is_maximize = False
            return
        self._add_spend(obj.set_linear_coefficient, -TIE_BREAK)
        for i, xi in enumerate(self.x):
            if self._counts("local", i):
                obj.set_linear_coefficient(xi, self.value[i] * (1 - TIE_BREAK))
        for u in self.u:
            if u is not None:
                obj.set_linear_coefficient(u, -penalty)
        obj.is_maximize = True

    def restrict_to(self, free: set[int], packs: dict[int, int]) -> None:
        """Fix every pair outside ``free`` at its ``packs`` and every delivery none of the free
        pairs belongs to, for a neighbourhood search; the free pairs get their full bounds
        (kernel restrictions and strict shortfalls included). Only changed bounds are set:
        65,000 MathOpt bound updates cost 0.15 s."""
        idx = self.idx
        if not self._restricted:
            self._restricted = True
            self._full = [idx.pair_bounds(i) for i in range(len(idx.pairs))]
            self._set = [(x.lower_bound, x.upper_bound) for x in self.x]
            self._y_lb = {key: y.lower_bound for key, y in self.y.items()}
            for n, u in enumerate(self.u):
                if u is not None:
                    u.upper_bound = self.inst.needs[n].quantity
        for i, x in enumerate(self.x):
            bounds = self._full[i] if i in free else (packs.get(i, 0),) * 2
            if self._set[i] != bounds:
                x.lower_bound, x.upper_bound = self._set[i] = bounds
        for key, y in self.y.items():
            pairs = idx.delivery_pairs[key]
            if any(i in free for i in pairs):
                y.lower_bound, y.upper_bound = self._y_lb[key], 1
            else:
                opened = self._y_lb[key] or any(packs.get(i, 0) for i in pairs)
                y.lower_bound = y.upper_bound = 1 if opened else 0

    def solve(
        self,
        seconds: float,
        gap: float,
        hint: dict[int, int] | None = None,
        options: dict | None = None,
        hint_pairs: set[int] | None = None,
        absolute_gap: float | None = None,
    ) -> str:
        """Solve within ``seconds``; ``options`` are HiGHS options (ignored by other solvers).
        ``hint_pairs`` limits the hint to those pairs (HiGHS completes it from the fixed
        bounds): building a full hint cost 0.2 s a solve at 65,000 pairs."""
        mo = self.mathopt
        kinds = {
            "HIGHS": mo.SolverType.HIGHS,
            "SCIP": mo.SolverType.GSCIP,
            "CP_SAT": mo.SolverType.CP_SAT,
        }
        params = mo.SolveParameters(
            time_limit=timedelta(seconds=max(seconds, 0.05)),
            relative_gap_tolerance=gap,
            absolute_gap_tolerance=absolute_gap,
            threads=2 if self.name == "CP_SAT" else None,
        )
        if self.name == "HIGHS":
            for key, value in (options or {}).items():
                kind = {bool: "bool", int: "int", float: "double"}.get(type(value), "string")
                getattr(params.highs, f"{kind}_options")[key] = value
        model_params = mo.ModelSolveParameters()
        if hint is not None:
            values = self._hint_values(hint, hint_pairs)
            model_params.solution_hints.append(mo.SolutionHint(values))
        self.result = result = mo.solve(
            self.model, kinds[self.name], params=params, model_params=model_params
        )
        reason = result.termination.reason
        if reason == mo.TerminationReason.OPTIMAL:
            return "optimal"
        if reason in (
            mo.TerminationReason.INFEASIBLE,
            mo.TerminationReason.INFEASIBLE_OR_UNBOUNDED,
        ):
            return "infeasible"
        return "feasible" if result.has_primal_feasible_solution() else "unknown"

    def _hint_values(self, packs: dict[int, int], pairs: set[int] | None = None) -> dict:
        pair_key = self.idx.pair_key
        opened = {pair_key[i] for i, k in packs.items() if k}
        chosen = range(len(self.x)) if pairs is None else pairs
        values = {self.x[i]: float(packs.get(i, 0)) for i in chosen}
        keys = self.keys if pairs is None else {pair_key[i] for i in pairs}
        values.update({self.y[k]: 1.0 if k in opened else 0.0 for k in keys})
        return values

    def relaxation(self, seconds: float) -> float | str | None:
        """LP relaxation bound (HiGHS only): a valid bound even when the MIP's root is cut
        short, and an early, cheap infeasibility proof. Its duals are kept for
        ``lagrangian_bound``."""
        if self.name != "HIGHS":
            return None
        from orders.allocation.bound import DateDecomposition

        block_of = {x.id: self.idx.pair_key[i][1] for i, x in enumerate(self.x)}
        for n, u in enumerate(self.u):
            if u is not None:
                block_of[u.id] = self.inst.needs[n].delivery_date
        block_of.update({y.id: key[1] for key, y in self.y.items()})
        self._decomposition = DateDecomposition(self.model.export_model(), block_of)
        status, value, self._duals = self._decomposition.lp_duals(
            seconds, self._aggregated_links() if self._small_lp() else None
        )
        if status != "optimal":
            return status if status == "infeasible" else None
        lp = self._decomposition.lp_values
        self.lp_support = {i for i, x in enumerate(self.x) if x.id in lp}
        return round(self._to_model(value) + self._tie_slack(), 4)

    def _small_lp(self) -> bool:
        """Whether the LP is solved with one linking row per delivery: under ``max_local``
        on large models, where the full LP's dual simplex stalls (every local euro is worth
        the same, the LP is degenerate); elsewhere the full LP arrives in time and its
        tighter bound and support are worth more."""
        return self.inst.objective == "max_local" and len(self.x) >= LP_AGGREGATE_MIN_PAIRS

    def _aggregated_links(self) -> tuple[list[int], list[tuple[float, float, dict]]]:
        """The LP's smaller formulation: a delivery's rows x_i <= ub_i y (one per pair,
        57,000 of the 1,000 x 600 LP's rows) replaced by one row sum(value_i x_i) <=
        sum(value_i ub_i) y. A relaxation of those rows: its optimum is still a valid
        bound, its duals price the Lagrangian's rows as well."""
        rows = []
        for key, pairs in self.idx.delivery_pairs.items():
            terms = {self.x[i].id: self.value[i] for i in pairs}
            top = sum(self.value[i] * self.idx.pair_bounds(i)[1] for i in pairs)
            rows.append((-self.inf, 0.0, {**terms, self.y[key].id: -top}))
        return [row for row, _ in self._links], rows

    def lagrangian_bound(
        self, deadline: float, stop: Callable[[], bool], report: Callable[[float], None]
    ) -> float | None:
        """The bound of ``orders.allocation.bound``: each delivery date solved apart, the
        rows that tie dates together priced by the LP's duals (after ``relaxation``);
        ``report`` gets each improvement as it comes."""
        if getattr(self, "_duals", None) is None:
            return None

        def to_model(value: float) -> float:
            return round(self._to_model(value) + self._tie_slack(), 4)

        value = self._decomposition.bound(
            self._duals, deadline, stop, lambda v: report(to_model(v))
        )
        return None if value is None else to_model(value)

    def _to_model(self, value: float) -> float:
        """A minimisation's value back in the model's direction."""
        return -value if self.inst.objective == "max_local" else value

    def packs(self) -> dict[int, int]:
        values = self.result.variable_values(self.x)
        return {i: round(v) for i, v in enumerate(values) if v > 0.5}

    def bound(self) -> float | None:
        if self.result is None:
            return None
        bound = self.result.termination.objective_bounds.dual_bound
        return round(bound + self._tie_slack(), 4) if math.isfinite(bound) else None

    def _tie_slack(self) -> float:
        """Under ``max_local`` the model's objective is local value - penalty minus
        TIE_BREAK x (local value + spend): its bound, plus this, bounds the answer's."""
        if self.inst.objective != "max_local":
            return 0.0
        if self.inst.budget is not None:
            spend = self.inst.budget
        else:
            spend = sum(
                self.value[i] * self.idx.pair_bounds(i)[1] for i in range(len(self.x))
            ) + sum(self.idx.producer[key[0]].delivery_cost for key in self.keys)
        return 2 * TIE_BREAK * spend


def _pair_counts(inst: Instance, idx: _Index, name: str, i: int) -> bool:
    offer = inst.offers[idx.pairs[i][1]]
    if name == "bio":
        return offer.is_bio
    if name == "egalim":
        return offer.is_egalim
    return idx.producer[offer.producer].local
