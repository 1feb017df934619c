"""Order allocation: split a canteen's needs across producers' offers at least cost.

Pure Python (no Django). The JSON contract is "Order allocation" in
shared/specs/solver-interfaces.md; this module accepts a few documented extras:

- ``fixed_lines``: ``[{"need": "N1", "offer": "O1", "packs": 3}]`` — lines already confirmed by
  producers. They stay (the pair keeps at least those packs), consume the offer's capacity,
  count in delivery costs, minimum orders, shares and budget. A re-allocation of refused
  quantities calls ``solve`` with the confirmed lines fixed.
- Offer ``capacity`` is the *total* quantity the offer can deliver over the instance, fixed lines
  included (``null`` = unlimited). Offer ``remaining_capacity`` (optional) is what is still free
  for *new* lines after the fixed lines; when present it takes precedence, so a caller that
  already subtracted confirmed quantities passes it and the fixed lines do not consume it twice.
- Offer ``unit`` (optional): when both need and offer carry a unit, they must match to serve.
- ``budget`` also caps goods + delivery under ``min_cost``. Under ``max_local`` the objective
  is local value minus unmet penalty (cheaper solution preferred on ties).
- Solution extras: ``goods_cost``, ``delivery_cost``, ``unmet_penalty``, ``local_value``,
  ``objective``, ``gap``, ``conflicts`` (``[{"rules": [...], "why": "..."}]`` as the planner's),
  ``violations`` (what a greedy answer breaks) and ``method`` (which phase found it).
- ``mip_gap`` (default 0.001): relative gap at which the solver stops; status "optimal" means
  proven within it. ``solver``: "HIGHS" (default), "SCIP" or "CP_SAT", for measurements.

Model (mixed-integer, built with OR-Tools MathOpt): integer packs per compatible (need, offer)
pair; a binary per (producer, date) carrying the fixed delivery cost and the minimum order
(value >= min_order_value or nothing); per-offer capacity; each need covered (or its shortfall
penalised per unit when ``allow_unmet``), over-delivery kept below one pack of the largest
compatible offer (packs are indivisible, but nothing is bought for its own sake, e.g. to game
a share); shares by value linearised as sum((is_label - share) * value) >= 0, and
``max_share_per_producer`` as value_p <= cap * value_total.

Solver choice, measured with bench/allocation.py on generated territories (seed 1, 10 s):
HiGHS 0.60 % gap at 300 x 200, SCIP stuck at the greedy start (3.1 %), CP-SAT 1 % better than
greedy but no useful bound. pywraplp was dropped: its HiGHS wrapper returns no solution when
the time limit is hit. Solving (see ``solve``): target-aware greedy and a construction that meets
the targets, then two threads (``orders.allocation_search``): the full model's LP relaxation
and a Lagrangian bound by delivery date (``orders.allocation_bound``) on one, neighbourhood
search on the other, which also solves a "kernel" (the model restricted to the LP's pairs).
"""

from __future__ import annotations

import json
import math
import os
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from functools import partial

from cantine.vocabulary import FAMILIES as _FAMILIES
from cantine.vocabulary import LABEL_ALIASES as _LABEL_ALIASES
from cantine.vocabulary import LABELS, UNIT_ALIASES, Family, Label, Unit, parse_unit
from orders.allocation_search import ROOT_ONLY, Incumbent, Layout, search

# The shared vocabulary (cantine.vocabulary), as plain strings; kept under these names for callers.
EGALIM_LABELS: tuple[str, ...] = tuple(
    str(code) for code in LABELS
)  # every label counts for EGalim
LABEL_ALIASES: dict[str, str] = {alias: str(code) for alias, code in _LABEL_ALIASES.items()}
FAMILIES: tuple[str, ...] = tuple(str(code) for code in _FAMILIES)
UNITS: dict[str, str] = {alias: str(unit) for alias, unit in UNIT_ALIASES.items()}
BIO = str(Label.BIO)
DEFAULT_FAMILY = str(Family.AUTRES)
OBJECTIVES = ("min_cost", "max_local")
SOLVERS = ("HIGHS", "SCIP", "CP_SAT")
DEFAULT_SOLVER = "HIGHS"
TARGET_KEYS = ("bio_min_share", "egalim_min_share", "local_min_share")
EPS = 1e-6
# Share of the largest pack an over-delivery must stay below (strict "<" made solver-safe).
OVER_DELIVERY_SLACK = 1e-3

Progress = Callable[[float, float | None, float], None]


class Cancelled(Exception):
    """The call's deadline passed while a model was being built: the work is dropped."""


class InstanceError(ValueError):
    """A malformed instance; ``problems`` holds one message per problem, with its JSON path."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


# --------------------------------------------------------------------------------------------
# Data


@dataclass(frozen=True)
class Need:
    id: str
    product: str
    quantity: float
    delivery_date: str
    unit: str | None = None
    family: str = DEFAULT_FAMILY


@dataclass(frozen=True)
class Producer:
    id: str
    delivery_cost: float = 0.0
    min_order_value: float = 0.0
    local: bool = False
    distance_km: float | None = None


@dataclass(frozen=True)
class Offer:
    id: str
    producer: str
    product: str
    unit_price: float
    pack_size: float
    capacity: float | None = None
    labels: tuple[str, ...] = ()
    delivery_dates: tuple[str, ...] = ()
    unit: str | None = None
    remaining_capacity: float | None = None

    @property
    def is_bio(self) -> bool:
        return BIO in self.labels

    @property
    def is_egalim(self) -> bool:
        return any(label in EGALIM_LABELS for label in self.labels)


@dataclass(frozen=True)
class Targets:
    bio_min_share: float | None = None
    egalim_min_share: float | None = None
    local_min_share: float | None = None


@dataclass(frozen=True)
class FixedLine:
    need: str
    offer: str
    packs: int


@dataclass(frozen=True)
class Instance:
    needs: tuple[Need, ...]
    producers: tuple[Producer, ...]
    offers: tuple[Offer, ...]
    targets: Targets = Targets()
    max_share_per_producer: float | None = None
    allow_unmet: bool = True
    unmet_penalty_per_unit: float = 1000.0
    objective: str = "min_cost"
    budget: float | None = None
    time_limit_s: float = 10.0
    fixed_lines: tuple[FixedLine, ...] = ()
    mip_gap: float = 0.001
    solver: str = DEFAULT_SOLVER


@dataclass
class Line:
    need: str
    offer: str
    packs: int
    quantity: float
    cost: float
    fixed: bool = False


@dataclass
class Unmet:
    need: str
    quantity: float


@dataclass
class Delivery:
    producer: str
    date: str
    value: float
    delivery_cost: float


@dataclass
class Solution:
    status: str
    lines: list[Line] = field(default_factory=list)
    unmet: list[Unmet] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)
    cost: float | None = None
    bound: float | None = None
    gap: float | None = None
    solve_seconds: float = 0.0
    shares: dict[str, float] = field(default_factory=dict)
    goods_cost: float = 0.0
    delivery_cost: float = 0.0
    unmet_penalty: float = 0.0
    local_value: float = 0.0
    objective: float | None = None
    conflicts: list[dict] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    method: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


# --------------------------------------------------------------------------------------------
# Parsing and validation


class _Checker:
    """Collects problems with their JSON path instead of stopping at the first one."""

    def __init__(self):
        self.problems: list[str] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    def number(
        self,
        obj,
        key,
        path,
        *,
        default=None,
        required=False,
        minimum=None,
        positive=False,
        maximum=None,
        nullable=True,
    ):
        if key not in obj or obj[key] is None:
            if required or (not nullable and key in obj):
                self.fail(f"{path}.{key}", "required number is missing")
            return default
        value = obj[key]
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            self.fail(f"{path}.{key}", f"expected a number, got {value!r}")
            return default
        if positive and value <= 0:
            self.fail(f"{path}.{key}", f"must be > 0, got {value}")
        elif minimum is not None and value < minimum:
            self.fail(f"{path}.{key}", f"must be >= {minimum}, got {value}")
        elif maximum is not None and value > maximum:
            self.fail(f"{path}.{key}", f"must be <= {maximum}, got {value}")
        return float(value)

    def string(self, obj, key, path, *, required=True, default=None):
        value = obj.get(key)
        if value is None:
            if required:
                self.fail(f"{path}.{key}", "required text is missing")
            return default
        if not isinstance(value, str) or not value.strip():
            self.fail(f"{path}.{key}", f"expected non-empty text, got {value!r}")
            return default
        return value.strip()

    def iso_date(self, value, path):
        if not isinstance(value, str):
            self.fail(path, f"expected an ISO date (YYYY-MM-DD), got {value!r}")
            return None
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            self.fail(path, f"invalid ISO date {value!r} (expected YYYY-MM-DD)")
            return None

    def boolean(self, obj, key, path, default):
        value = obj.get(key, default)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.fail(f"{path}.{key}", f"expected true or false, got {value!r}")
            return default
        return value

    def items(self, obj, key, required=True):
        value = obj.get(key)
        if value is None:
            if required:
                self.fail(key, "required list is missing")
            return []
        if not isinstance(value, list):
            self.fail(key, f"expected a list, got {type(value).__name__}")
            return []
        good = []
        for i, item in enumerate(value):
            if isinstance(item, dict):
                good.append((i, item))
            else:
                self.fail(f"{key}[{i}]", f"expected an object, got {item!r}")
        return good

    def unique_id(self, item, path, seen: set):
        ident = self.string(item, "id", path)
        if ident is not None:
            if ident in seen:
                self.fail(f"{path}.id", f"duplicate id {ident!r}")
            seen.add(ident)
        return ident


def normalise_label(raw: str) -> str:
    """'Label Rouge', 'aoc' and 'AOC/AOP' all become a canonical EGalim code."""
    code = raw.strip().upper().replace(" ", "_").replace("-", "_").replace("/", "_")
    return LABEL_ALIASES.get(code, code)


def _unit(c: _Checker, obj, path):
    raw = obj.get("unit")
    if raw is None:
        return None
    unit = parse_unit(raw) if isinstance(raw, str) else None
    if unit is None:
        c.fail(f"{path}.unit", f"unknown unit {raw!r} (expected {', '.join(map(str, Unit))})")
        return None
    return str(unit)


def _parse_needs(c: _Checker, data) -> list[Need]:
    needs, seen = [], set()
    for i, item in c.items(data, "needs"):
        path = f"needs[{i}]"
        ident = c.unique_id(item, path, seen)
        product = c.string(item, "product", path)
        quantity = c.number(item, "quantity", path, required=True, positive=True)
        when = c.iso_date(item.get("delivery_date"), f"{path}.delivery_date")
        family = c.string(item, "family", path, required=False, default=DEFAULT_FAMILY)
        if family is not None and family not in FAMILIES:
            c.fail(
                f"{path}.family",
                f"unknown family {family!r} (expected one of {', '.join(FAMILIES)})",
            )
        unit = _unit(c, item, path)
        if None not in (ident, product, quantity, when):
            needs.append(Need(ident, product, quantity, when, unit, family or DEFAULT_FAMILY))
    return needs


def _parse_producers(c: _Checker, data) -> list[Producer]:
    producers, seen = [], set()
    for i, item in c.items(data, "producers"):
        path = f"producers[{i}]"
        ident = c.unique_id(item, path, seen)
        delivery = c.number(item, "delivery_cost", path, default=0.0, minimum=0)
        min_order = c.number(item, "min_order_value", path, default=0.0, minimum=0)
        local = c.boolean(item, "local", path, False)
        distance = c.number(item, "distance_km", path, minimum=0)
        if ident is not None:
            producers.append(Producer(ident, delivery, min_order, local, distance))
    return producers


def _parse_labels(c: _Checker, item, path) -> tuple[str, ...]:
    raw = item.get("labels") or []
    if not isinstance(raw, list):
        c.fail(f"{path}.labels", f"expected a list of labels, got {raw!r}")
        return ()
    labels = []
    for j, label in enumerate(raw):
        code = normalise_label(label) if isinstance(label, str) else None
        if code not in EGALIM_LABELS:
            c.fail(
                f"{path}.labels[{j}]",
                f"unknown label {label!r} (expected one of {', '.join(EGALIM_LABELS)})",
            )
        elif code not in labels:
            labels.append(code)
    return tuple(labels)


def _parse_offers(c: _Checker, data, producer_ids: set) -> list[Offer]:
    offers, seen = [], set()
    for i, item in c.items(data, "offers"):
        path = f"offers[{i}]"
        ident = c.unique_id(item, path, seen)
        producer = c.string(item, "producer", path)
        if producer is not None and producer not in producer_ids:
            c.fail(f"{path}.producer", f"unknown producer {producer!r}")
        product = c.string(item, "product", path)
        price = c.number(item, "unit_price", path, required=True, minimum=0)
        pack = c.number(item, "pack_size", path, required=True, positive=True)
        capacity = c.number(item, "capacity", path, minimum=0)
        remaining = c.number(item, "remaining_capacity", path, minimum=0)
        labels = _parse_labels(c, item, path)
        dates_raw = item.get("delivery_dates")
        dates = []
        if not isinstance(dates_raw, list) or not dates_raw:
            c.fail(f"{path}.delivery_dates", "expected a non-empty list of ISO dates")
        else:
            for j, raw in enumerate(dates_raw):
                d = c.iso_date(raw, f"{path}.delivery_dates[{j}]")
                if d is not None and d not in dates:
                    dates.append(d)
        unit = _unit(c, item, path)
        if None not in (ident, producer, product, price, pack) and dates:
            offers.append(
                Offer(
                    ident,
                    producer,
                    product,
                    price,
                    pack,
                    capacity,
                    labels,
                    tuple(dates),
                    unit,
                    remaining,
                )
            )
    return offers


def _parse_targets(c: _Checker, data) -> Targets:
    raw = data.get("targets")
    if raw is None:
        return Targets()
    if not isinstance(raw, dict):
        c.fail("targets", f"expected an object, got {raw!r}")
        return Targets()
    for key in raw:
        if key not in TARGET_KEYS:
            c.fail(f"targets.{key}", f"unknown target (expected one of {', '.join(TARGET_KEYS)})")
    values = {k: c.number(raw, k, "targets", minimum=0, maximum=1) for k in TARGET_KEYS}
    return Targets(**values)


def _parse_fixed(c: _Checker, data, needs: dict, offers: dict) -> list[FixedLine]:
    fixed = []
    used: dict[str, float] = defaultdict(float)
    for i, item in c.items(data, "fixed_lines", required=False):
        path = f"fixed_lines[{i}]"
        need_id, offer_id = c.string(item, "need", path), c.string(item, "offer", path)
        packs = item.get("packs")
        if isinstance(packs, bool) or not isinstance(packs, int) or packs < 1:
            c.fail(f"{path}.packs", f"expected a whole number of packs >= 1, got {packs!r}")
            continue
        need, offer = needs.get(need_id), offers.get(offer_id)
        if need_id is not None and need is None:
            c.fail(f"{path}.need", f"unknown need {need_id!r}")
        if offer_id is not None and offer is None:
            c.fail(f"{path}.offer", f"unknown offer {offer_id!r}")
        if need is None or offer is None:
            continue
        if need.product != offer.product:
            c.fail(
                path,
                f"offer {offer.id!r} sells {offer.product!r}, need {need.id!r} is {need.product!r}",
            )
            continue
        used[offer.id] += packs * offer.pack_size
        if (
            offer.remaining_capacity is None
            and offer.capacity is not None
            and used[offer.id] > offer.capacity + EPS
        ):
            c.fail(
                path,
                f"fixed quantity {used[offer.id]:g} exceeds capacity {offer.capacity:g} "
                f"of offer {offer.id!r}",
            )
        fixed.append(FixedLine(need.id, offer.id, packs))
    return fixed


def parse_instance(data: dict) -> Instance:
    """Validate a JSON-like dict; raise InstanceError listing every problem with its path."""
    c = _Checker()
    if not isinstance(data, dict):
        raise InstanceError([f"$: expected a JSON object, got {type(data).__name__}"])
    needs = _parse_needs(c, data)
    producers = _parse_producers(c, data)
    offers = _parse_offers(c, data, {p.id for p in producers})
    targets = _parse_targets(c, data)
    max_share = c.number(data, "max_share_per_producer", "$", positive=True, maximum=1)
    allow_unmet = c.boolean(data, "allow_unmet", "$", True)
    penalty = c.number(data, "unmet_penalty_per_unit", "$", default=1000.0, minimum=0)
    objective = data.get("objective", "min_cost")
    if objective not in OBJECTIVES:
        c.fail("objective", f"unknown objective {objective!r} (expected min_cost or max_local)")
    budget = c.number(data, "budget", "$", minimum=0)
    time_limit = c.number(data, "time_limit_s", "$", default=10.0, positive=True)
    gap = c.number(data, "mip_gap", "$", default=0.001, minimum=0, maximum=1)
    solver = data.get("solver", DEFAULT_SOLVER)
    if solver not in SOLVERS:
        c.fail("solver", f"unknown solver {solver!r} (expected one of {', '.join(SOLVERS)})")
    fixed = _parse_fixed(c, data, {n.id: n for n in needs}, {o.id: o for o in offers})
    if c.problems:
        raise InstanceError([p.replace("$.", "") for p in c.problems])
    return Instance(
        tuple(needs),
        tuple(producers),
        tuple(offers),
        targets,
        max_share,
        allow_unmet,
        penalty,
        objective,
        budget,
        time_limit,
        tuple(fixed),
        gap,
        solver,
    )


# --------------------------------------------------------------------------------------------
# Index: compatible pairs, built with dict lookups (no need x offer scan)


class _Index:
    """Compatible (need, offer) pairs and their groupings, shared by greedy and the model."""

    def __init__(self, inst: Instance):
        self.inst = inst
        self.producer = {p.id: p for p in inst.producers}
        self.offer_pos = {o.id: k for k, o in enumerate(inst.offers)}
        self.need_pos = {n.id: k for k, n in enumerate(inst.needs)}
        by_key: dict[tuple[str, str], list[int]] = defaultdict(list)
        for k, offer in enumerate(inst.offers):
            for d in offer.delivery_dates:
                by_key[(offer.product, d)].append(k)
        self.fixed_packs: dict[tuple[int, int], int] = defaultdict(int)
        for f in inst.fixed_lines:
            self.fixed_packs[(self.need_pos[f.need], self.offer_pos[f.offer])] += f.packs
        self.pairs: list[tuple[int, int]] = []
        self.need_pairs: list[list[int]] = [[] for _ in inst.needs]
        for n, need in enumerate(inst.needs):
            offers = list(by_key.get((need.product, need.delivery_date), ()))
            offers += [o for (nn, o) in self.fixed_packs if nn == n and o not in offers]
            for o in offers:
                unit = inst.offers[o].unit
                if unit and need.unit and unit != need.unit and (n, o) not in self.fixed_packs:
                    continue
                self.need_pairs[n].append(len(self.pairs))
                self.pairs.append((n, o))
        self.offer_pairs: list[list[int]] = [[] for _ in inst.offers]
        self.delivery_pairs: dict[tuple[str, str], list[int]] = defaultdict(list)
        # (producer, date): the delivery a pair rides on
        self.pair_key = [
            (inst.offers[o].producer, inst.needs[n].delivery_date) for n, o in self.pairs
        ]
        for i, (_, o) in enumerate(self.pairs):
            self.offer_pairs[o].append(i)
            self.delivery_pairs[self.pair_key[i]].append(i)
        self.fixed_offer_qty = defaultdict(float)
        for (_, o), packs in self.fixed_packs.items():
            self.fixed_offer_qty[o] += packs * inst.offers[o].pack_size

    def capacity(self, o: int) -> float:
        """Total quantity offer o may deliver in this instance, fixed lines included."""
        offer = self.inst.offers[o]
        if offer.remaining_capacity is not None:
            return offer.remaining_capacity + self.fixed_offer_qty[o]
        return math.inf if offer.capacity is None else offer.capacity

    def pair_bounds(self, i: int) -> tuple[int, int]:
        """(fixed packs, most packs) of pair i; computed once (a model asks 3 times a pair:
        1.3 s of a 1,000 x 600 model's build)."""
        cache = self.__dict__.get("_bounds")
        if cache is None:
            cache = self._bounds = [self._pair_bounds(k) for k in range(len(self.pairs))]
        return cache[i]

    def _pair_bounds(self, i: int) -> tuple[int, int]:
        n, o = self.pairs[i]
        offer, need = self.inst.offers[o], self.inst.needs[n]
        lb = self.fixed_packs.get((n, o), 0)
        ub = math.ceil(need.quantity / offer.pack_size - EPS)
        cap = self.capacity(o)
        if cap < math.inf:
            ub = min(ub, math.floor(cap / offer.pack_size + EPS))
        return lb, max(lb, ub)

    def max_delivered(self, n: int) -> float:
        """Cap on a need's delivered quantity: below need + one largest compatible pack
        (computed once: every candidate answer is checked against it)."""
        cache = self.__dict__.get("_max_delivered")
        if cache is None:
            cache = self._max_delivered = [
                self._compute_max_delivered(k) for k in range(len(self.inst.needs))
            ]
        return cache[n]

    def _compute_max_delivered(self, n: int) -> float:
        need = self.inst.needs[n]
        packs = [self.inst.offers[self.pairs[i][1]].pack_size for i in self.need_pairs[n]]
        fixed = sum(
            self.fixed_packs.get(self.pairs[i], 0) * self.inst.offers[self.pairs[i][1]].pack_size
            for i in self.need_pairs[n]
        )
        biggest = max(packs, default=0.0)
        return max(need.quantity + biggest * (1 - OVER_DELIVERY_SLACK), fixed)


# --------------------------------------------------------------------------------------------
# Building a Solution from pack counts (shared by greedy and the solver)


def _build_solution(
    inst: Instance,
    idx: _Index,
    packs: dict[int, int],
    status: str,
    method: str,
    started: float,
    bound: float | None = None,
) -> Solution:
    lines, delivered = [], [0.0] * len(inst.needs)
    orders: dict[tuple[str, str], float] = defaultdict(float)
    shares = {"bio": 0.0, "egalim": 0.0, "local": 0.0}
    goods = 0.0
    for i in sorted(packs):
        k = packs[i]
        if k <= 0:
            continue
        n, o = idx.pairs[i]
        need, offer = inst.needs[n], inst.offers[o]
        qty, value = k * offer.pack_size, k * offer.pack_size * offer.unit_price
        lines.append(
            Line(need.id, offer.id, k, round(qty, 6), round(value, 4), (n, o) in idx.fixed_packs)
        )
        delivered[n] += qty
        orders[(offer.producer, need.delivery_date)] += value
        goods += value
        shares["bio"] += value * offer.is_bio
        shares["egalim"] += value * offer.is_egalim
        shares["local"] += value * idx.producer[offer.producer].local
    unmet = [
        Unmet(need.id, round(need.quantity - delivered[n], 6))
        for n, need in enumerate(inst.needs)
        if delivered[n] < need.quantity - EPS
    ]
    deliveries = [
        Delivery(p, d, round(v, 4), idx.producer[p].delivery_cost)
        for (p, d), v in sorted(orders.items())
    ]
    delivery_cost = sum(d.delivery_cost for d in deliveries)
    penalty = inst.unmet_penalty_per_unit * sum(u.quantity for u in unmet)
    local_value = shares["local"]
    sol = Solution(
        status=status,
        lines=lines,
        unmet=unmet,
        deliveries=deliveries,
        cost=round(goods + delivery_cost + penalty, 4),
        shares={k: round(v / goods, 6) if goods > 0 else 0.0 for k, v in shares.items()},
        goods_cost=round(goods, 4),
        delivery_cost=round(float(delivery_cost), 4),
        unmet_penalty=round(penalty, 4),
        local_value=round(local_value, 4),
        method=method,
    )
    sol.objective = _objective_value(inst, sol)
    sol.bound = bound
    sol.gap = _gap(sol.objective, bound)
    sol.violations = check_solution(inst, sol, idx)
    sol.solve_seconds = round(time.perf_counter() - started, 3)
    return sol


def _objective_value(inst: Instance, sol: Solution) -> float:
    if inst.objective == "max_local":
        return round(sol.local_value - sol.unmet_penalty, 4)
    return sol.cost


def _gap(objective: float | None, bound: float | None) -> float | None:
    if objective is None or bound is None or not math.isfinite(bound):
        return None
    return round(abs(objective - bound) / max(abs(objective), 1e-9), 6)


def check_solution(inst: Instance, sol: Solution, idx: _Index | None = None) -> list[str]:
    """Hard constraints a solution breaks, in words (empty = acceptable to the buyer). With
    ``idx``, also a need over-delivered by a whole pack: two workers' neighbourhoods merged
    into one answer can do that (a need half in one, half in the other)."""
    idx_offer = {o.id: o for o in inst.offers}
    producer = {p.id: p for p in inst.producers}
    need_by_id = {n.id: n for n in inst.needs}
    problems, used = [], defaultdict(float)
    delivered = defaultdict(float)
    for line in sol.lines:
        offer, need = idx_offer[line.offer], need_by_id[line.need]
        used[offer.id] += line.quantity
        delivered[line.need] += line.quantity
        if not line.fixed and need.delivery_date not in offer.delivery_dates:
            problems.append(f"{offer.id} ne livre pas le {need.delivery_date}")
    if idx is not None:
        for need_id, quantity in delivered.items():
            n = idx.need_pos[need_id]
            if quantity > idx.max_delivered(n) + EPS:
                problems.append(f"besoin {need_id} livré au-delà d'un colis ({quantity:g})")
    fixed_qty = defaultdict(float)
    for f in inst.fixed_lines:
        fixed_qty[f.offer] += f.packs * idx_offer[f.offer].pack_size
    for offer_id, qty in used.items():
        offer = idx_offer[offer_id]
        cap = (
            offer.remaining_capacity + fixed_qty[offer_id]
            if offer.remaining_capacity is not None
            else offer.capacity
        )
        if cap is not None and qty > cap + EPS:
            problems.append(f"capacité de {offer_id} dépassée ({qty:g} > {cap:g})")
    for d in sol.deliveries:
        if d.value < producer[d.producer].min_order_value - EPS:
            problems.append(
                f"commande {d.producer} du {d.date} ({d.value:.2f} €) sous le minimum "
                f"de {producer[d.producer].min_order_value:.2f} €"
            )
    if sol.unmet and not inst.allow_unmet:
        problems.append(f"{len(sol.unmet)} besoin(s) non couverts")
    for key, share in (
        ("bio", inst.targets.bio_min_share),
        ("egalim", inst.targets.egalim_min_share),
        ("local", inst.targets.local_min_share),
    ):
        # nothing bought: nothing to share, every share target holds (as in the model)
        if share and sol.goods_cost > 0 and sol.shares.get(key, 0.0) < share - 1e-4:
            problems.append(f"part {key} {sol.shares.get(key, 0):.1%} < objectif {share:.0%}")
    if inst.max_share_per_producer and sol.goods_cost > 0:
        per = defaultdict(float)
        for d in sol.deliveries:
            per[d.producer] += d.value
        for p, v in per.items():
            if v > inst.max_share_per_producer * sol.goods_cost + 1e-3:
                problems.append(f"{p} dépasse la part maximale par producteur")
    if inst.budget is not None and sol.goods_cost + sol.delivery_cost > inst.budget + 1e-3:
        problems.append(f"budget de {inst.budget:.2f} € dépassé")
    return problems


# --------------------------------------------------------------------------------------------
# Greedy baseline


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


# --------------------------------------------------------------------------------------------
# The MIP model

# Constraint families the diagnosis may relax one at a time to explain an infeasibility.
RELAXABLE = ("coverage", "bio", "egalim", "local", "max_share", "budget", "min_order")
TIE_BREAK = 1e-4  # under max_local, prefer the cheaper of two equally local solutions


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
        from orders.allocation_bound import DateDecomposition

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
        """The bound of ``orders.allocation_bound``: each delivery date solved apart, the
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


# --------------------------------------------------------------------------------------------
# Solving


TIME_MARGIN = 0.04  # native solvers overshoot their limit a little; keep the caller's
# Up to this many (need, offer) pairs HiGHS's own branch-and-bound is the bound worker's best
# use: it proves small instances optimal in milliseconds. Above, the root node alone gives the
# bound (its cuts close most of the LP relaxation's gap: at 1,000 x 600, 2.8 % -> 0.8 %) and
# the neighbourhood search the allocations.
BRANCH_MAX_PAIRS = 1_500


def _layout(inst: Instance, idx: _Index) -> Layout:
    return Layout(
        need_pairs=idx.need_pairs,
        pair_need=[n for n, _ in idx.pairs],
        pair_producer=[producer for producer, _ in idx.pair_key],
        pair_product=[inst.offers[o].product for _, o in idx.pairs],
        pair_date=[day for _, day in idx.pair_key],
        need_quantity=[need.quantity for need in inst.needs],
        pair_size=[inst.offers[o].pack_size for _, o in idx.pairs],
    )


def solve(
    instance: Instance | dict,
    progress: Progress | None = None,
    *,
    started: float | None = None,
) -> Solution:
    """Optimal (or best found within ``time_limit_s``) allocation, never worse than greedy.

    ``time_limit_s`` bounds the whole call, from ``started`` (a ``time.perf_counter()`` value,
    default: now; the command line passes the moment it started reading the file): the answer
    is returned by then whatever is still running. There is always one when unmet needs are
    allowed: buying nothing (the fixed lines aside) and reporting every need unmet is valid.

    Phases (``_Engine``, on a background thread): greedy, then a construction that meets the
    share targets, the cap per producer and the minimum orders when greedy does not, then the
    full model's LP relaxation (a bound, and a quick proof of infeasibility), then two workers
    (``allocation_search``): one bounds the full model (branch-and-bound when small, the
    Lagrangian bound by date when larger), the other improves the best allocation by
    neighbourhood search and solves the "kernel" (the LP's pairs) once; both end searching. An infeasible model gets
    ``conflicts`` from ``diagnose``. ``progress(objective, bound, elapsed_seconds)`` is called
    from the calling thread whenever either improves."""
    started = time.perf_counter() if started is None else started
    inst = instance if isinstance(instance, Instance) else parse_instance(instance)
    limit = inst.time_limit_s
    # the caller gets the answer by ``hard``; solvers are asked to stop a little before
    hard = started + limit - min(HARD_MARGIN_S, 0.05 * limit)
    deadline = started + limit * (1 - TIME_MARGIN) - min(HARD_MARGIN_S, 0.05 * limit)
    idx = _Index(inst)

    def evaluate(packs: dict[int, int]) -> float | None:
        sol = _build_solution(inst, idx, packs, "feasible", "", started, None)
        return None if sol.violations else sol.objective  # e.g. the greedy missing a target

    def better(a: float, b: float) -> bool:
        return a > b + 1e-6 if inst.objective == "max_local" else a < b - 1e-6

    incumbent = Incumbent(evaluate, better, inst.mip_gap)
    tighter = partial(_tighter, inst)

    def report() -> None:
        if progress and incumbent.objective is not None:
            progress(incumbent.objective, incumbent.bound, time.perf_counter() - started)

    # the answer that always exists: nothing bought but the fixed lines, the rest unmet
    incumbent.propose(_fixed_only(idx), "empty")
    incumbent.tighten(_quick_bound(inst, idx), tighter)
    engine = _Engine(inst, idx, incumbent, tighter, started, deadline)
    thread = threading.Thread(target=engine.run, name="allocation-engine", daemon=True)
    thread.start()
    version = -1
    while thread.is_alive():
        left = hard - time.perf_counter()
        if left <= 0:
            break
        seen = incumbent.wait(version, min(0.2, left))
        if seen != version:
            version = seen
            report()
    engine.late.set()
    engine.stop.set()  # whatever still runs stops at its next check and is not waited for
    if engine.error is not None and not thread.is_alive():
        raise engine.error
    report()
    status = engine.status
    if status == "infeasible" and incumbent.packs is None:
        return Solution(
            "infeasible",
            conflicts=engine.conflicts,
            method=f"mip:{inst.solver}",
            solve_seconds=round(time.perf_counter() - started, 3),
        )
    if incumbent.packs is None:
        return Solution(
            "unknown",
            method=f"mip:{inst.solver}",
            violations=["aucune solution trouvée dans le temps imparti"],
            solve_seconds=round(time.perf_counter() - started, 3),
        )
    packs, _ = incumbent.snapshot()
    bound = incumbent.bound
    sol = _build_solution(inst, idx, packs, "feasible", incumbent.method, started, bound)
    sol.bound, sol.gap = bound, _gap(sol.objective, bound)
    if status == "optimal" or incumbent.proven() or (sol.gap is not None and sol.gap <= 1e-9):
        sol.status = "optimal"
    sol.solve_seconds = round(time.perf_counter() - started, 3)
    return sol


HARD_MARGIN_S = 0.3  # to build and write the answer once the search is left behind
CONSTRUCTION_SHARE = 0.3  # of the time limit, at most, for the construction's rounds
CONSTRUCTION_ROUNDS = 12
# Above this many pairs the LP relaxation alone takes longer than its share of the time
# (277,000 pairs: over 100 s): the search starts at once and the root node gives the bound.
LP_MAX_PAIRS = 120_000
# From this many pairs a max_local LP relaxation has one linking row per delivery instead of
# one per pair (``_Model._aggregated_links``). At 1,000 x 600 under load 9.5: max_local seed
# 1, no LP in 60 s -> 13.0 s (gap 57 % -> 1.9 %); scarce seed 1, 51 s -> 11.4 s; local40 seed
# 1, 7.7 -> 5.6 s, but for a bound 2 % weaker (296,698 vs 302,690 EUR) that the Lagrangian
# bound by date did not recover under load 11-13 (base and local40 1,000 x 600 ended 2-4
# points further from their bound): min_cost keeps the full LP. Below this size the full LP
# takes about a second and is a little tighter (cap 300 x 200 seed 2: 29,880 vs 29,158 EUR).
LP_AGGREGATE_MIN_PAIRS = 20_000


def _fixed_only(idx: _Index) -> dict[int, int]:
    pos = {pair: i for i, pair in enumerate(idx.pairs)}
    return {pos[pair]: k for pair, k in idx.fixed_packs.items() if pair in pos}


def _quick_bound(inst: Instance, idx: _Index) -> float | None:
    """A bound known before any model: each need at its cheapest compatible price (or its
    penalty, when lower); under ``max_local``, each need at its dearest local price, within
    the budget."""
    total = 0.0
    penalty = inst.unmet_penalty_per_unit if inst.allow_unmet else math.inf
    for n, need in enumerate(inst.needs):
        prices = [inst.offers[idx.pairs[i][1]].unit_price for i in idx.need_pairs[n]]
        if inst.objective == "max_local":
            local = [
                inst.offers[idx.pairs[i][1]].unit_price
                for i in idx.need_pairs[n]
                if idx.producer[inst.offers[idx.pairs[i][1]].producer].local
            ]
            total += idx.max_delivered(n) * max(local, default=0.0)
        else:
            cheapest = min(min(prices, default=math.inf), penalty)
            if not math.isfinite(cheapest):
                return None  # a need that cannot be met nor left unmet: the LP will say
            total += need.quantity * cheapest
    if inst.objective == "max_local" and inst.budget is not None:
        total = min(total, inst.budget)
    return round(total, 4)


class _Engine:
    """The work behind ``solve``, on its own thread; ``stop`` is checked between phases."""

    def __init__(self, inst, idx, incumbent, tighter, started, deadline):
        self.inst, self.idx, self.incumbent, self.tighter = inst, idx, incumbent, tighter
        self.started, self.deadline = started, deadline
        self.stop = threading.Event()  # set by the search on a proof, or by solve when late
        self.late = threading.Event()  # set by solve when it leaves the engine behind
        self.status: str | None = None
        self.conflicts: list[dict] = []
        self.error: BaseException | None = None

    def left(self) -> float:
        return self.deadline - time.perf_counter()

    def run(self) -> None:
        try:
            self._run()
        except Cancelled:
            pass
        except BaseException as exc:  # re-raised by solve when it waits for this thread
            self.error = exc
        finally:
            self.incumbent.wake()

    def _run(self) -> None:
        inst, idx, incumbent = self.inst, self.idx, self.incumbent
        greedy = _greedy_packs(inst, idx)
        incumbent.propose(greedy, "greedy")
        if self.stop.is_set():
            return
        until = min(self.deadline, self.started + inst.time_limit_s * CONSTRUCTION_SHARE)
        _construct(inst, idx, incumbent, self.stop, until, self.deadline)
        if self.stop.is_set() or self.left() <= 0.05:
            return
        branch = len(idx.pairs) <= BRANCH_MAX_PAIRS
        status = search(
            full_model_factory=lambda: _Model(inst, idx, cancel=self.stop.is_set),
            lns_model_factory=lambda: _SubModels(inst, idx),
            layout=_layout(inst, idx),
            incumbent=incumbent,
            deadline=self.deadline,
            gap=inst.mip_gap,
            # small: the full branch-and-bound soon proves its answer
            root_options={} if branch else ROOT_ONLY,
            lp_first=len(idx.pairs) <= LP_MAX_PAIRS,
            tighter=self.tighter,
            stop=self.stop,
        )
        self.status = status
        if status == "infeasible" and incumbent.packs is None and not self.late.is_set():
            self.conflicts = diagnose(inst, idx, seconds=max(0.5, self.left()))


def _construct(
    inst: Instance, idx: _Index, incumbent: Incumbent, stop, until: float, hard_until: float
) -> None:
    """Greedy rounds with adjusted prices until an answer meets every share target, the cap
    per producer, the budget and the minimum orders (greedy's own rounds keep the minimums).

    A missed target makes its offers look cheaper in the next round (by the shortfall), a
    producer above the cap looks dearer; under ``max_local`` local offers look cheaper while
    the budget holds. What no price makes reachable (scarce labelled supply, a budget below
    the cheapest cover) is met by leaving needs unmet: the least penalty for the most share
    or money."""
    t = inst.targets
    targets = [
        (name, share)
        for name, share in (
            ("bio", t.bio_min_share),
            ("egalim", t.egalim_min_share),
            ("local", t.local_min_share),
        )
        if share
    ]
    cap = inst.max_share_per_producer if (inst.max_share_per_producer or 1) < 1 else None
    maximise = inst.objective == "max_local"
    if not targets and cap is None and inst.budget is None and not maximise:
        return
    counts = {
        name: [_pair_counts(inst, idx, name, i) for i in range(len(idx.pairs))]
        for name in ("bio", "egalim", "local")
    }
    producer_of = [p for p, _ in idx.pair_key]
    weight = dict.fromkeys((name for name, _ in targets), 0.0)
    push = defaultdict(float)  # per producer above the cap
    reward, step = 0.0, 0.15  # local reward under max_local
    refined, last = 0, None
    for _round in range(CONSTRUCTION_ROUNDS):
        now = time.perf_counter()
        # past its share of the time, the construction goes on only while the best answer
        # leaves needs unmet to meet the targets
        if (
            stop.is_set()
            or now > hard_until
            or (now > until and incumbent.method not in ("empty", "construction+unmet"))
        ):
            return
        factor = [
            1.0
            - sum(weight[name] * (counts[name][i] - share) for name, share in targets)
            - reward * counts["local"][i]
            + push[producer_of[i]]
            for i in range(len(idx.pairs))
        ]
        packs = _greedy_packs(inst, idx, factor)
        if packs == last:
            return
        last = packs
        over = inst.budget is not None and (_spend(inst, idx, packs) > inst.budget + EPS)
        sol = _build_solution(inst, idx, packs, "feasible", "", 0.0)  # before any repair
        valid = not sol.violations
        if not sol.violations:
            incumbent.propose(packs, "construction")
        else:
            repaired = _repair(inst, idx, packs, targets, counts)
            if repaired != packs:
                incumbent.propose(repaired, "construction+unmet")
        missed = overshoot = False
        for name, share in targets:
            got = sol.shares.get(name, 0.0)
            if got < share + 0.002:
                weight[name] += 0.1 + 2 * max(0.0, share - got) if not valid else 0.03
                missed = missed or got < share
            elif got > share + 0.01 and valid and weight[name] > 0:
                weight[name] *= 0.6  # met by a margin: cheaper answers lie closer to it
                overshoot = True
        if cap is not None and sol.goods_cost > 0:
            per = defaultdict(float)
            for d in sol.deliveries:
                per[d.producer] += d.value
            for p, v in per.items():
                if v > cap * sol.goods_cost:
                    push[p] += 0.1 + 2 * (v / sol.goods_cost - cap)
                    missed = True
        if maximise:
            if over or not valid:
                step /= 2
                reward = max(0.0, reward - step)
            else:
                reward += step
            if step < 0.01:
                return
        elif valid and not missed:
            refined += 1
            if not overshoot or refined >= 3:
                return


def _pair_counts(inst: Instance, idx: _Index, name: str, i: int) -> bool:
    offer = inst.offers[idx.pairs[i][1]]
    if name == "bio":
        return offer.is_bio
    if name == "egalim":
        return offer.is_egalim
    return idx.producer[offer.producer].local


def _repair(inst: Instance, idx: _Index, packs: dict[int, int], targets, counts) -> dict[int, int]:
    """Orders under their producer's minimum are bought elsewhere where capacity allows; then
    needs are left unmet (their non-fixed lines dropped) where prices could not reach a share
    target or the budget; orders still under their minimum are dropped last."""
    packs = _refill_small_orders(inst, idx, packs)
    value = {
        i: k * inst.offers[idx.pairs[i][1]].pack_size * inst.offers[idx.pairs[i][1]].unit_price
        for i, k in packs.items()
    }
    fixed = set(_fixed_only(idx))
    by_need: dict[int, list[int]] = defaultdict(list)
    for i in packs:
        if i not in fixed:
            by_need[idx.pairs[i][0]].append(i)
    total = sum(value.values())
    for name, share in targets:
        have = sum(v for i, v in value.items() if counts[name][i])
        if total <= 0 or have >= share * total:
            continue
        # needs whose lines do not count, most value per unit of penalty first
        ranked = sorted(
            (
                (sum(value[i] for i in lines) / max(inst.needs[n].quantity, EPS), n)
                for n, lines in by_need.items()
                if lines and not any(counts[name][i] for i in lines)
            ),
            reverse=True,
        )
        for _, n in ranked:
            if have >= share * total - EPS:
                break
            for i in by_need.pop(n):
                total -= value.pop(i)
                del packs[i]
    if inst.budget is not None:
        spend = total + _delivery_cost(inst, idx, packs)
        ranked = sorted(
            (
                (sum(value[i] for i in lines) / max(inst.needs[n].quantity, EPS), n)
                for n, lines in by_need.items()
                if lines
            ),
            reverse=True,
        )
        for _, n in ranked:
            if spend <= inst.budget + EPS:
                break
            for i in by_need.pop(n):
                spend -= value.pop(i)
                del packs[i]
            spend = sum(value.values()) + _delivery_cost(inst, idx, packs)
    # orders left under their minimum: drop them (their needs go unmet)
    orders: dict[tuple[str, str], float] = defaultdict(float)
    for i in packs:
        orders[idx.pair_key[i]] += value[i]
    for i in list(packs):
        key = idx.pair_key[i]
        if (
            i not in fixed
            and orders[key] < idx.producer[key[0]].min_order_value - EPS
            and not any(j in fixed for j in idx.delivery_pairs[key] if j in packs)
        ):
            del packs[i]
    return packs


def _refill_small_orders(inst: Instance, idx: _Index, packs: dict[int, int]) -> dict[int, int]:
    state = _Greedy(inst, idx)
    for i, k in packs.items():
        if idx.pairs[i] not in idx.fixed_packs:
            state.add(i, k)
    banned: set[tuple[str, str]] = set()
    for _round in range(3):
        weak = [
            key
            for key, v in state.order_value.items()
            if 0 < v < idx.producer[key[0]].min_order_value - EPS
            and not any(idx.pairs[i] in idx.fixed_packs for i in idx.delivery_pairs[key])
        ]
        if not weak:
            break
        for key in weak:  # first try to top the order up with other needs of that day
            ours = set(idx.delivery_pairs[key])
            for i in idx.delivery_pairs[key]:
                if state.order_value.get(key, 0) >= idx.producer[key[0]].min_order_value - EPS:
                    break
                n = idx.pairs[i][0]
                if state.packs.get(i):
                    continue
                lines = state.movable_lines(n)
                for j, k in lines.items():
                    state.add(j, -k)
                state.fill(n, set(), prefer=lambda j, ours=ours: j not in ours)
        weak = [
            key
            for key in weak
            if 0 < state.order_value.get(key, 0) < idx.producer[key[0]].min_order_value - EPS
        ]
        banned.update(weak)
        needs = set()
        for key in weak:
            needs.update(idx.pairs[i][0] for i in idx.delivery_pairs[key] if state.packs.get(i))
            state.release_key(key)
        for n in sorted(needs):
            state.fill(n, banned)
    return dict(state.packs)


def _spend(inst: Instance, idx: _Index, packs: dict[int, int]) -> float:
    goods = sum(
        k * inst.offers[idx.pairs[i][1]].pack_size * inst.offers[idx.pairs[i][1]].unit_price
        for i, k in packs.items()
    )
    return goods + _delivery_cost(inst, idx, packs)


def _delivery_cost(inst: Instance, idx: _Index, packs: dict[int, int]) -> float:
    return sum(idx.producer[p].delivery_cost for p, _ in {idx.pair_key[i] for i in packs})


def _tighter(inst: Instance, a: float | None, b: float | None) -> float | None:
    """The more informative of two valid bounds on the objective."""
    if a is None or b is None:
        return a if b is None else b
    return min(a, b) if inst.objective == "max_local" else max(a, b)


# --------------------------------------------------------------------------------------------
# Explaining infeasibility


def diagnose(inst: Instance, idx: _Index | None = None, seconds: float = 10.0) -> list[dict]:
    """Find a small set of requirement families that cannot hold together (deletion filter:
    relax one family at a time, keep it relaxed when the rest stays infeasible), then say why
    in a buyer's words. Covering every need (when unmet needs are forbidden) is held as the
    background and only blamed when nothing else explains the conflict."""
    idx = idx or _Index(inst)
    active = _active_families(inst)
    background = [f for f in active if f == "coverage"]
    soft = [f for f in active if f != "coverage"]
    per_check = max(0.5, min(3.0, seconds / (len(active) + 2)))

    def infeasible(kept: list[str]) -> bool:
        model = _Model(inst, idx, relax=set(active) - set(kept), feasibility_only=True)
        return model.solve(per_check, 1.0) == "infeasible"

    if infeasible(background):
        if background and not infeasible([]):
            return _explain(inst, idx, background)
        return [
            {
                "rules": ["fixed_lines", "capacity"],
                "why": "les lignes déjà confirmées dépassent les capacités ou les besoins : "
                "impossible même sans objectifs ni minimums",
            }
        ]
    core = list(soft)
    for family in list(core):
        trial = [f for f in core if f != family]
        if infeasible(background + trial):
            core = trial
    return _explain(inst, idx, core)


def _pct(share: float) -> str:
    return f"{share * 100:.0f} %"


SHARE_NAMES = {"bio": "bio", "egalim": "EGalim", "local": "local"}


def _explain(inst: Instance, idx: _Index, core: list[str]) -> list[dict]:
    phrases = [_phrase(inst, idx, family) for family in core]
    conflicts = []
    if len(core) == 1:
        conflicts.append({"rules": core, "why": phrases[0]})
    elif core:
        conflicts.append(
            {
                "rules": core,
                "why": "ces exigences ne peuvent pas être tenues ensemble : " + " ; ".join(phrases),
            }
        )
    if "coverage" in core:
        conflicts += _short_needs(inst, idx)
    return conflicts


def _phrase(inst: Instance, idx: _Index, family: str) -> str:
    if family in SHARE_NAMES:
        target = getattr(inst.targets, f"{family}_min_share")
        name = SHARE_NAMES[family]
        best = _share_estimate(inst, idx, family)
        if best < target:
            return (
                f"objectif {name} {_pct(target)} impossible : l'offre {name} disponible ne "
                f"couvre au mieux qu'environ {_pct(best)} de la valeur des besoins"
            )
        return (
            f"objectif {name} {_pct(target)} (l'offre {name} pourrait couvrir jusqu'à "
            f"environ {_pct(best)} de la valeur, mais pas avec les autres exigences)"
        )
    if family == "coverage":
        return "tous les besoins doivent être couverts (besoins non couverts interdits)"
    if family == "max_share":
        single = sorted(
            {
                inst.needs[n].product
                for n in range(len(inst.needs))
                if len({inst.offers[idx.pairs[i][1]].producer for i in idx.need_pairs[n]}) == 1
            }
        )
        text = f"part maximale de {_pct(inst.max_share_per_producer)} par producteur"
        if single:
            text += (
                " alors que "
                + ", ".join(f"« {p} »" for p in single[:3])
                + " n'est proposé que par un seul producteur"
            )
        return text
    if family == "budget":
        return (
            f"budget de {inst.budget:.2f} € trop faible pour couvrir les besoins avec les "
            f"autres exigences"
        )
    return (
        "minimums de commande des producteurs : certaines commandes resteraient sous le "
        "minimum exigé pour une livraison"
    )


def _share_estimate(inst: Instance, idx: _Index, family: str) -> float:
    """Optimistic share of value the labelled offers could reach: each need bought from them
    as far as their capacity goes, at their dearest price, the rest at the cheapest other."""
    good = rest = 0.0
    for n, need in enumerate(inst.needs):
        yes, no = [], []
        for i in idx.need_pairs[n]:
            o = idx.pairs[i][1]
            offer = inst.offers[o]
            counts = {
                "bio": offer.is_bio,
                "egalim": offer.is_egalim,
                "local": idx.producer[offer.producer].local,
            }[family]
            (yes if counts else no).append(o)
        q_yes = min(need.quantity, sum(idx.capacity(o) for o in yes))
        if yes:
            good += q_yes * max(inst.offers[o].unit_price for o in yes)
        if no:
            rest += (need.quantity - q_yes) * min(inst.offers[o].unit_price for o in no)
    return good / (good + rest) if good + rest > 0 else 0.0


def _short_needs(inst: Instance, idx: _Index) -> list[dict]:
    """Needs that no combination of offers can cover on their own, in words."""
    out = []
    for n, need in enumerate(inst.needs):
        unit = need.unit or ""
        label = (
            f"besoin {need.id} ({need.product}, {need.quantity:g} {unit} le "
            f"{need.delivery_date})".replace("  ", " ")
        )
        if not idx.need_pairs[n]:
            out.append(
                {
                    "rules": ["coverage", f"need:{need.id}"],
                    "why": f"{label} : aucune offre de « {need.product} » livrable ce jour-là",
                }
            )
            continue
        cap = sum(idx.capacity(idx.pairs[i][1]) for i in idx.need_pairs[n])
        if cap < need.quantity - EPS:
            out.append(
                {
                    "rules": ["coverage", f"need:{need.id}"],
                    "why": f"{label} : les offres compatibles ne peuvent livrer que "
                    f"{cap:g} {unit}".rstrip(),
                }
            )
    return out[:20]


# --------------------------------------------------------------------------------------------
# Command line


@contextmanager
def _stdout_to_stderr():
    """Keep stdout clean for the JSON document while native code runs."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        os.dup2(2, 1)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def main(argv: list[str] | None = None) -> int:
    """``python -m orders.allocation INSTANCE.json|-`` writes the solution JSON on stdout.

    The time limit counts from here: reading and parsing the file are part of it."""
    started = time.perf_counter()
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m orders.allocation INSTANCE.json|-", file=sys.stderr)
        return 2
    source = args[0]
    try:
        if source == "-":
            text = sys.stdin.read()
        else:
            with open(source, encoding="utf-8") as handle:
                text = handle.read()
        data = json.loads(text)
    except OSError as exc:
        print(f"error: cannot read {source}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        print(f"error: {source} is not valid JSON: {exc}", file=sys.stderr)
        return 2
    try:
        instance = parse_instance(data)
    except InstanceError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 2
    with _stdout_to_stderr():  # some native solvers print banners on stdout
        solution = solve(instance, started=started)
    json.dump(solution.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    code = main()
    # a solve cut at the deadline may still run on a worker thread (HiGHS cannot be
    # interrupted): the answer is written, so leave without waiting for it
    sys.stderr.flush()
    os._exit(code)
