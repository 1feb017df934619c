"""The greedy baseline: the cheapest compatible offer for each need, then the targets."""

from __future__ import annotations

import math
import time
from collections import defaultdict

from orders.allocation.contract import EPS, Instance, Solution
from orders.allocation.index import _Index
from orders.allocation.solution import _build_solution


def greedy_allocation(inst: Instance) -> Solution:
    """Cheapest feasible offer first (delivery cost counted when it opens a new delivery),
    honouring capacity and packs, then moving orders under a producer's minimum elsewhere
    where possible. Targets are ignored; ``violations`` says what the result breaks and the
    status is then "unknown" rather than "feasible"."""
    started = time.perf_counter()
    idx = _Index(inst)
    return _greedy_solution(inst, idx, _greedy_packs(inst, idx), started)


def _greedy_solution(inst: Instance, idx: _Index, packs: dict[int, int], started) -> Solution:
    sol = _build_solution(inst, idx, packs, "feasible", "greedy", started)
    if sol.violations:
        sol.status = "unknown"
    return sol


def _greedy_packs(inst: Instance, idx: _Index, factor: list[float] | None = None) -> dict[int, int]:
    """``factor`` (one per pair) scales the price by which offers are ranked: the
    construction's prices for labelled, local or capped producers' offers."""
    state = _Greedy(inst, idx, factor)
    order = sorted(
        range(len(inst.needs)),
        key=lambda n: (inst.needs[n].delivery_date, -inst.needs[n].quantity),
    )
    banned: set[tuple[str, str]] = set()
    for _round in range(6):
        for n in order:
            state.fill(n, banned)
        weak = [
            key
            for key, v in state.order_value.items()
            if 0 < v < idx.producer[key[0]].min_order_value - EPS and key not in banned
        ]
        moved = False
        for key in weak:
            if state.movable(key, banned | {key}):
                banned.add(key)
                state.release_key(key)
                moved = True
        if not moved:
            break
    for n in order:  # last pass: refill what the final round released, ignoring the bans
        state.fill(n, set())
    state.meet_targets()
    return state.packs


class _Greedy:
    """Mutable state of the greedy heuristic: packs per pair, free capacity, order values."""

    def __init__(self, inst: Instance, idx: _Index, factor: list[float] | None = None):
        self.inst, self.idx, self.factor = inst, idx, factor
        self.packs: dict[int, int] = {}
        self.free = [idx.capacity(o) - idx.fixed_offer_qty[o] for o in range(len(inst.offers))]
        self.delivered = [0.0] * len(inst.needs)
        self.order_value: dict[tuple[str, str], float] = defaultdict(float)
        for (n, o), k in idx.fixed_packs.items():
            i = next(i for i in idx.need_pairs[n] if idx.pairs[i][1] == o)
            self.packs[i] = k
            offer = inst.offers[o]
            self.delivered[n] += k * offer.pack_size
            self.order_value[self.key(i)] += k * offer.pack_size * offer.unit_price

    def key(self, i: int) -> tuple[str, str]:
        n, o = self.idx.pairs[i]
        return self.inst.offers[o].producer, self.inst.needs[n].delivery_date

    def add(self, i: int, k: int) -> None:
        n, o = self.idx.pairs[i]
        offer = self.inst.offers[o]
        self.packs[i] = self.packs.get(i, 0) + k
        if not self.packs[i]:
            del self.packs[i]
        qty = k * offer.pack_size
        self.free[o] -= qty
        self.delivered[n] += qty
        self.order_value[self.key(i)] += qty * offer.unit_price
        if self.order_value[self.key(i)] <= EPS:
            self.order_value.pop(self.key(i))

    def fill(self, n: int, banned, prefer=None) -> None:
        """Cover need n's shortfall, cheapest first (``prefer`` ranks offers before cost)."""
        inst, idx = self.inst, self.idx
        need = inst.needs[n]
        missing = need.quantity - self.delivered[n]
        if missing <= EPS:
            return

        def rank(i: int):
            offer = inst.offers[idx.pairs[i][1]]
            opening = (
                0.0
                if self.order_value.get(self.key(i), 0) > 0
                else (idx.producer[offer.producer].delivery_cost / missing)
            )
            price = offer.unit_price * (self.factor[i] if self.factor else 1.0)
            return (prefer(i) if prefer else 0, price + opening)

        candidates = [i for i in idx.need_pairs[n] if self.key(i) not in banned]
        for i in sorted(candidates, key=rank):
            if missing <= EPS:
                break
            offer = inst.offers[idx.pairs[i][1]]
            free = self.free[idx.pairs[i][1]]
            k = math.ceil(missing / offer.pack_size - EPS)
            if free < math.inf:
                k = min(k, math.floor(free / offer.pack_size + EPS))
            if k > 0:
                self.add(i, k)
                missing -= k * offer.pack_size

    def movable(self, key, banned) -> bool:
        """Whether an under-minimum order's lines can go elsewhere (roughly: enough free
        capacity on other producers' compatible offers); fixed lines never move."""
        inst, idx = self.inst, self.idx
        for i in idx.delivery_pairs[key]:
            k = self.packs.get(i, 0)
            if not k:
                continue
            if idx.pairs[i] in idx.fixed_packs:
                return False
            n, o = idx.pairs[i]
            room = sum(
                self.free[idx.pairs[j][1]] for j in idx.need_pairs[n] if self.key(j) not in banned
            )
            if room < k * inst.offers[o].pack_size - EPS:
                return False
        return True

    def release_key(self, key) -> None:
        for i in self.idx.delivery_pairs[key]:
            if self.packs.get(i):
                self.add(i, -self.packs[i])

    def movable_lines(self, n: int) -> dict[int, int]:
        return {
            i: self.packs[i]
            for i in self.idx.need_pairs[n]
            if self.packs.get(i) and self.idx.pairs[i] not in self.idx.fixed_packs
        }

    def counts(self, family: str, i: int) -> bool:
        offer = self.inst.offers[self.idx.pairs[i][1]]
        if family == "bio":
            return offer.is_bio
        if family == "egalim":
            return offer.is_egalim
        return self.idx.producer[offer.producer].local

    def values(self, n: int) -> dict[str, float]:
        out = dict.fromkeys(("total", "bio", "egalim", "local"), 0.0)
        for i in self.idx.need_pairs[n]:
            k = self.packs.get(i, 0)
            if k:
                offer = self.inst.offers[self.idx.pairs[i][1]]
                value = k * offer.pack_size * offer.unit_price
                out["total"] += value
                for family in ("bio", "egalim", "local"):
                    out[family] += value * self.counts(family, i)
        return out

    def meet_targets(self) -> None:
        """Switch whole needs to labelled (or local) offers, least extra cost per labelled euro
        first, until each share target is met, never breaking a minimum order or coverage."""
        t = self.inst.targets
        targets = [
            (f, s)
            for f, s in (
                ("bio", t.bio_min_share),
                ("egalim", t.egalim_min_share),
                ("local", t.local_min_share),
            )
            if s
        ]
        if not targets:
            return
        totals = dict.fromkeys(("total", "bio", "egalim", "local"), 0.0)
        for n in range(len(self.inst.needs)):
            for name, v in self.values(n).items():
                totals[name] += v
        for _sweep in range(2):
            for family, share in targets:
                for n in self._candidates(family):
                    if totals[family] >= share * totals["total"] - EPS:
                        break
                    before = self.values(n)
                    if self._switch(n, family, before):
                        for name, v in self.values(n).items():
                            totals[name] += v - before[name]

    def _candidates(self, family: str) -> list[int]:
        ranked = []
        for n in range(len(self.inst.needs)):
            lines = self.movable_lines(n)
            if not lines or all(self.counts(family, i) for i in lines):
                continue
            good = [
                self.inst.offers[self.idx.pairs[i][1]].unit_price
                for i in self.idx.need_pairs[n]
                if self.counts(family, i)
            ]
            if not good:
                continue
            now = max(self.inst.offers[self.idx.pairs[i][1]].unit_price for i in lines)
            ranked.append(((min(good) - now) / max(min(good), 1e-9), n))
        return [n for _, n in sorted(ranked)]

    def _switch(self, n: int, family: str, before: dict) -> bool:
        old = self.movable_lines(n)
        covered = self.delivered[n]
        for i, k in old.items():
            self.add(i, -k)
        self.fill(n, set(), prefer=lambda i: not self.counts(family, i))
        new = self.movable_lines(n)
        keys = {self.key(i) for i in old} | {self.key(i) for i in new}
        broken = any(
            0 < self.order_value.get(key, 0) < self.idx.producer[key[0]].min_order_value - EPS
            for key in keys
        )
        if (
            broken
            or self.delivered[n] < min(covered, self.inst.needs[n].quantity) - EPS
            or self.values(n)[family] <= before[family] + EPS
        ):
            for i, k in new.items():
                self.add(i, -k)
            for i, k in old.items():
                self.add(i, k)
            return False
        return True
