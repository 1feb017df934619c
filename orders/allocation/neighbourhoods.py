"""Neighbourhoods of the search as small models: only the freed pairs are variables."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import timedelta

from orders.allocation.contract import EPS, Instance
from orders.allocation.index import _Index
from orders.allocation.model import TIE_BREAK, _pair_counts


class _SubModels:
    """Neighbourhoods as small models: only the freed pairs are variables, what the best
    allocation keeps elsewhere enters as constants (capacity used, quantity delivered, order
    values, share and budget terms). The same interface as ``_Model`` for the search
    (``restrict_to``, ``solve``, ``packs``); a 400-pair neighbourhood builds in a few
    milliseconds whatever the instance's size, where restricting the full model cost
    0.2 s a step at 65,000 pairs and grows with it."""

    def __init__(self, inst: Instance, idx: _Index):
        from ortools.math_opt.python import mathopt

        self.mathopt, self.inst, self.idx = mathopt, inst, idx
        self.name = "HIGHS"
        offers = inst.offers
        self.size = [offers[o].pack_size for _, o in idx.pairs]
        self.value = [offers[o].unit_price * offers[o].pack_size for _, o in idx.pairs]
        self.local = [idx.producer[offers[o].producer].local for _, o in idx.pairs]
        t = inst.targets
        self.targets = [
            (name, share, [_pair_counts(inst, idx, name, i) for i in range(len(idx.pairs))])
            for name, share in (
                ("bio", t.bio_min_share),
                ("egalim", t.egalim_min_share),
                ("local", t.local_min_share),
            )
            if share
        ]
        cap = inst.max_share_per_producer
        self.cap = cap if cap is not None and cap < 1 else None
        self.bounds = [idx.pair_bounds(i) for i in range(len(idx.pairs))]
        self.max_delivered = [idx.max_delivered(n) for n in range(len(inst.needs))]
        self.free: list[int] = []
        self.base: dict[int, int] = {}
        self.result: dict[int, int] | None = None

    def restrict_to(self, free: set[int], packs: dict[int, int]) -> None:
        self.free, self.base = sorted(free), packs

    def packs(self) -> dict[int, int]:
        return dict(self.result or {})

    def bound(self) -> float | None:
        return None

    def solve(
        self,
        seconds: float,
        gap: float,
        hint: dict[int, int] | None = None,
        options: dict | None = None,
        hint_pairs: set[int] | None = None,
        absolute_gap: float | None = None,
    ) -> str:
        mo, inst, idx = self.mathopt, self.inst, self.idx
        free, base = self.free, self.base
        in_free = set(free)
        out_offer, out_need = defaultdict(float), defaultdict(float)
        out_key, out_producer = defaultdict(float), defaultdict(float)
        out_total, out_share = 0.0, [0.0] * len(self.targets)
        for i, k in base.items():
            if i in in_free or not k:
                continue
            n, o = idx.pairs[i]
            v = k * self.value[i]
            out_offer[o] += k * self.size[i]
            out_need[n] += k * self.size[i]
            out_key[idx.pair_key[i]] += v
            out_producer[idx.pair_key[i][0]] += v
            out_total += v
            for t, (_, share, counts) in enumerate(self.targets):
                out_share[t] += (counts[i] - share) * v
        m = mo.Model(name="neighbourhood")
        x = {}
        for i in free:
            n, o = idx.pairs[i]
            lb, ub = self.bounds[i]
            cap = idx.capacity(o)
            if cap < math.inf:
                ub = min(ub, math.floor((cap - out_offer[o]) / self.size[i] + EPS))
            x[i] = m.add_integer_variable(lb=lb, ub=max(lb, ub))
        objective = m.objective
        maximise = inst.objective == "max_local"
        spend_weight = -TIE_BREAK if maximise else 1.0
        penalty = -inst.unmet_penalty_per_unit if maximise else inst.unmet_penalty_per_unit
        by_need, by_offer, by_key = defaultdict(list), defaultdict(list), defaultdict(list)
        for i in free:
            n, o = idx.pairs[i]
            by_need[n].append(i)
            by_offer[o].append(i)
            by_key[idx.pair_key[i]].append(i)
            objective.set_linear_coefficient(
                x[i],
                self.value[i] * (spend_weight + (1 - TIE_BREAK) * self.local[i] * maximise),
            )
        for n, pairs in by_need.items():
            need = inst.needs[n].quantity - out_need[n]
            ct = m.add_linear_constraint(lb=need, ub=self.max_delivered[n] - out_need[n])
            for i in pairs:
                ct.set_coefficient(x[i], self.size[i])
            if inst.allow_unmet:
                u = m.add_variable(lb=0, ub=max(0.0, need))
                ct.set_coefficient(u, 1.0)
                objective.set_linear_coefficient(u, penalty)
        for o, pairs in by_offer.items():
            cap = idx.capacity(o)
            if cap < math.inf and len(pairs) > 1:
                ct = m.add_linear_constraint(ub=cap - out_offer[o])
                for i in pairs:
                    ct.set_coefficient(x[i], self.size[i])
        y = {}
        for key, pairs in by_key.items():
            producer = idx.producer[key[0]]
            opened = out_key[key] > 0 or any(idx.pairs[i] in idx.fixed_packs for i in pairs)
            y[key] = m.add_binary_variable()
            if opened:
                y[key].lower_bound = 1
            else:
                objective.set_linear_coefficient(y[key], spend_weight * producer.delivery_cost)
            for i in pairs:
                ct = m.add_linear_constraint(ub=0)
                ct.set_coefficient(x[i], 1)
                ct.set_coefficient(y[key], -max(1, x[i].upper_bound))
            if producer.min_order_value > 0:
                ct = m.add_linear_constraint(lb=-out_key[key])
                for i in pairs:
                    ct.set_coefficient(x[i], self.value[i])
                ct.set_coefficient(y[key], -producer.min_order_value)
        for t, (_, share, counts) in enumerate(self.targets):
            ct = m.add_linear_constraint(lb=-out_share[t])
            for i in free:
                ct.set_coefficient(x[i], (counts[i] - share) * self.value[i])
        if self.cap is not None:
            by_producer = defaultdict(list)
            for i in free:
                by_producer[idx.pair_key[i][0]].append(i)
            rest = max((v for p, v in out_producer.items() if p not in by_producer), default=0.0)
            # value_p <= cap x total, total = free value + out_total: one variable for the
            # free value keeps each producer's row to its own pairs (a row per producer over
            # every free pair made a 600-pair neighbourhood 47,000 nonzeros, and HiGHS spent
            # seconds in presolve and cuts before its first improvement)
            free_value = m.add_variable(
                lb=0, ub=sum(self.value[i] * x[i].upper_bound for i in free)
            )
            ct = m.add_linear_constraint(lb=0, ub=0)
            for i in free:
                ct.set_coefficient(x[i], self.value[i])
            ct.set_coefficient(free_value, -1)
            for p, pairs in [*by_producer.items(), (None, [])]:
                ct = m.add_linear_constraint(
                    ub=self.cap * out_total - (out_producer[p] if p else rest)
                )
                for i in pairs:
                    ct.set_coefficient(x[i], self.value[i])
                ct.set_coefficient(free_value, -self.cap)
        if inst.budget is not None:
            keys = set(by_key)
            outside = out_total + sum(
                idx.producer[key[0]].delivery_cost
                for key, v in out_key.items()
                if v > 0 and key not in keys
            )
            ct = m.add_linear_constraint(ub=inst.budget - outside)
            for i in free:
                ct.set_coefficient(x[i], self.value[i])
            for key, yk in y.items():
                ct.set_coefficient(yk, idx.producer[key[0]].delivery_cost)
        objective.is_maximize = maximise
        params = mo.SolveParameters(
            time_limit=timedelta(seconds=max(seconds, 0.05)),
            relative_gap_tolerance=gap,
            absolute_gap_tolerance=absolute_gap,
        )
        for key, value in (options or {}).items():
            kind = {bool: "bool", int: "int", float: "double"}.get(type(value), "string")
            getattr(params.highs, f"{kind}_options")[key] = value
        model_params = mo.ModelSolveParameters()
        start = hint if hint is not None else base
        values = {x[i]: float(start.get(i, 0)) for i in free}
        opened = {idx.pair_key[i] for i, k in start.items() if k}
        values.update({yk: 1.0 if key in opened else 0.0 for key, yk in y.items()})
        model_params.solution_hints.append(mo.SolutionHint(values))
        result = mo.solve(m, mo.SolverType.HIGHS, params=params, model_params=model_params)
        reason = result.termination.reason
        if not result.has_primal_feasible_solution():
            self.result = None
            return "infeasible" if reason == mo.TerminationReason.INFEASIBLE else "unknown"
        solved = result.variable_values(list(x.values()))
        packs = {i: k for i, k in base.items() if k and i not in in_free}
        packs.update({i: round(v) for i, v in zip(free, solved, strict=True) if v > 0.5})
        self.result = packs
        return "optimal" if reason == mo.TerminationReason.OPTIMAL else "feasible"
