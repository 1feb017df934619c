"""Awarding a consultation: split a lot across the answers to maximise the weighted score.

Pure Python (no Django import), so the award can be re-run and checked outside the web app:

    python -m orders.award INSTANCE.json > SOLUTION.json     # or '-' for stdin

Why a model of its own rather than the allocation engine (``orders.allocation``): the
allocation minimises euros under share targets, while a public buyer awards on *weighted
criteria* written in the consultation (code de la commande publique R2152-7): price, the
performance in direct supply (number of intermediaries), transport and carbon, freshness.

Scores, as buyers write them ("note relative" per criterion, then weights):
- for each item and criterion, the best answer gets the full weight and the others
  ``weight x best / theirs`` (lower is better for every criterion here: price per unit,
  intermediaries + 1, distance in km + 1, days from harvest to delivery + 1);
- a bid's score is the sum over criteria, out of 100 when the weights sum to 100.

The split (a mixed-integer programme solved by HiGHS through OR-Tools MathOpt):
- whole units (kg, litres, pieces) of each bid, at most what the producer offers, and in total
  at most the item's quantity;
- a supplier that delivers on a date pays its delivery cost once for that date and its order
  on that date is worth at least its minimum order (or is empty);
- objective: the lot's value-weighted score, i.e. sum of score x quantity x the item's
  reference price (the buyer's estimate) over the lot's estimated value; quantity left
  unawarded scores nothing. Delivery costs enter as price: a delivery cost equal to the
  whole lot's value would cost all the price points (``weight_price x cost / value``).
"""

from __future__ import annotations

import json
import math
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import timedelta

CRITERIA = ("price", "direct_supply", "carbon", "freshness")
# What makes each criterion's "lower is better" figure strictly positive.
OFFSETS = {"price": 0.0, "direct_supply": 1.0, "carbon": 1.0, "freshness": 1.0}


class InstanceError(ValueError):
    """The instance is malformed; the message says what to fix."""


@dataclass(frozen=True)
class Weights:
    price: float = 40.0
    direct_supply: float = 20.0
    carbon: float = 20.0
    freshness: float = 20.0

    def of(self, criterion: str) -> float:
        return getattr(self, criterion)

    @property
    def total(self) -> float:
        return sum(self.of(c) for c in CRITERIA)


@dataclass(frozen=True)
class Item:
    id: str
    quantity: float
    reference_price: float  # € HT per unit: the buyer's estimate
    delivery_date: str


@dataclass(frozen=True)
class Supplier:
    id: str
    delivery_cost: float = 0.0
    min_order_value: float = 0.0


@dataclass(frozen=True)
class Bid:
    """One line of an answer: one supplier (a group member) offering one item."""

    id: str
    answer: str
    item: str
    supplier: str
    unit_price: float
    max_quantity: float
    intermediaries: int = 0
    distance_km: float = 0.0
    freshness_days: float = 0.0

    def figure(self, criterion: str) -> float:
        return {
            "price": self.unit_price,
            "direct_supply": float(self.intermediaries),
            "carbon": self.distance_km,
            "freshness": self.freshness_days,
        }[criterion] + OFFSETS[criterion]


@dataclass(frozen=True)
class Instance:
    items: tuple[Item, ...]
    suppliers: tuple[Supplier, ...]
    bids: tuple[Bid, ...]
    weights: Weights = field(default_factory=Weights)
    time_limit_s: float = 10.0


@dataclass
class Line:
    bid: str
    quantity: float


@dataclass
class Solution:
    status: str  # optimal | feasible | unknown
    lines: list[Line]
    scores: dict[str, dict[str, float]]  # bid -> criterion -> points, and "total"
    objective: float | None
    unawarded: dict[str, float]  # item -> quantity no bid covers
    delivery_cost: float
    reasons: dict[str, str]  # bid without quantity -> outscored | minimum_order | delivery_cost
    solve_seconds: float = 0.0

    def quantity(self, bid_id: str) -> float:
        return sum(line.quantity for line in self.lines if line.bid == bid_id)


def validate(inst: Instance) -> None:
    items = {i.id for i in inst.items}
    suppliers = {s.id for s in inst.suppliers}
    if len(items) != len(inst.items):
        raise InstanceError("item ids must be unique")
    if len({b.id for b in inst.bids}) != len(inst.bids):
        raise InstanceError("bid ids must be unique")
    if inst.weights.total <= 0 or any(inst.weights.of(c) < 0 for c in CRITERIA):
        raise InstanceError("weights are non-negative and not all zero")
    for item in inst.items:
        if item.quantity <= 0 or item.reference_price < 0:
            raise InstanceError(f"item {item.id}: quantity > 0 and reference_price >= 0")
    for bid in inst.bids:
        if bid.item not in items:
            raise InstanceError(f"bid {bid.id}: unknown item {bid.item}")
        if bid.supplier not in suppliers:
            raise InstanceError(f"bid {bid.id}: unknown supplier {bid.supplier}")
        if bid.unit_price < 0 or bid.max_quantity < 0 or bid.intermediaries < 0:
            raise InstanceError(f"bid {bid.id}: price, quantity and intermediaries are >= 0")
        if bid.distance_km < 0 or bid.freshness_days < 0:
            raise InstanceError(f"bid {bid.id}: distance and freshness are >= 0")


def scores(inst: Instance) -> dict[str, dict[str, float]]:
    """Points per criterion and in total for every bid (relative to the item's best bid)."""
    weights = inst.weights
    scale = 100.0 / weights.total
    result: dict[str, dict[str, float]] = {}
    by_item: dict[str, list[Bid]] = {}
    for bid in inst.bids:
        by_item.setdefault(bid.item, []).append(bid)
    for bids in by_item.values():
        best = {c: min(b.figure(c) for b in bids) for c in CRITERIA}
        for bid in bids:
            points = {}
            for c in CRITERIA:
                figure = bid.figure(c)
                ratio = 1.0 if figure <= 0 else best[c] / figure
                points[c] = round(weights.of(c) * scale * ratio, 4)
            points["total"] = round(sum(points[c] for c in CRITERIA), 4)
            result[bid.id] = points
    return result


def _reference(item: Item, bids: list[Bid]) -> float:
    """The item's price of reference: the buyer's estimate, else the cheapest bid."""
    if item.reference_price > 0:
        return item.reference_price
    prices = [b.unit_price for b in bids if b.unit_price > 0]
    return min(prices) if prices else 1.0


def solve(inst: Instance) -> Solution:
    """The split maximising the lot's value-weighted score (see the module docstring)."""
    from ortools.math_opt.python import mathopt

    validate(inst)
    started = time.perf_counter()
    points = scores(inst)
    items = {i.id: i for i in inst.items}
    suppliers = {s.id: s for s in inst.suppliers}
    bids = [b for b in inst.bids if b.max_quantity >= 1]
    by_item: dict[str, list[Bid]] = {i: [] for i in items}
    for bid in bids:
        by_item[bid.item].append(bid)
    reference = {i: _reference(items[i], by_item[i]) for i in items}
    value = sum(math.ceil(items[i].quantity) * reference[i] for i in items) or 1.0
    price_weight = inst.weights.price * 100.0 / inst.weights.total

    model = mathopt.Model(name="award")
    q = {
        b.id: model.add_integer_variable(lb=0, ub=math.floor(b.max_quantity), name=f"q_{b.id}")
        for b in bids
    }
    trips: dict[tuple[str, str], list[Bid]] = {}
    for bid in bids:
        trips.setdefault((bid.supplier, items[bid.item].delivery_date), []).append(bid)
    z = {key: model.add_binary_variable(name=f"z_{key[0]}_{key[1]}") for key in trips}
    for item_id, item_bids in by_item.items():
        if item_bids:
            model.add_linear_constraint(
                sum(q[b.id] for b in item_bids) <= math.ceil(items[item_id].quantity)
            )
    for key, trip_bids in trips.items():
        for bid in trip_bids:
            model.add_linear_constraint(q[bid.id] <= math.floor(bid.max_quantity) * z[key])
        minimum = suppliers[key[0]].min_order_value
        if minimum > 0:
            model.add_linear_constraint(
                sum(b.unit_price * q[b.id] for b in trip_bids) >= minimum * z[key]
            )
    objective = sum(points[b.id]["total"] * reference[b.item] * q[b.id] for b in bids) - sum(
        price_weight * suppliers[key[0]].delivery_cost * z[key] for key in trips
    )
    model.maximize(objective / value)
    params = mathopt.SolveParameters(
        time_limit=timedelta(seconds=max(inst.time_limit_s, 0.1)), relative_gap_tolerance=1e-9
    )
    result = mathopt.solve(model, mathopt.SolverType.HIGHS, params=params)
    reason = result.termination.reason
    if reason == mathopt.TerminationReason.OPTIMAL:
        status = "optimal"
    elif result.has_primal_feasible_solution():
        status = "feasible"
    else:
        status = "unknown"
    lines, delivery = [], 0.0
    if status != "unknown":
        values = result.variable_values()
        lines = [Line(b.id, float(round(values[q[b.id]]))) for b in bids if values[q[b.id]] > 0.5]
        delivery = sum(suppliers[key[0]].delivery_cost for key in trips if values[z[key]] > 0.5)
    awarded = {line.bid: line.quantity for line in lines}
    unawarded = {
        i: round(max(0.0, items[i].quantity - sum(awarded.get(b.id, 0) for b in by_item[i])), 3)
        for i in items
    }
    solution = Solution(
        status=status,
        lines=lines,
        scores=points,
        objective=round(result.objective_value(), 4) if status != "unknown" else None,
        unawarded={i: u for i, u in unawarded.items() if u > 0},
        delivery_cost=round(delivery, 2),
        reasons={},
        solve_seconds=round(time.perf_counter() - started, 3),
    )
    solution.reasons = explain(inst, solution)
    return solution


def explain(inst: Instance, solution: Solution) -> dict[str, str]:
    """Why each bid got nothing: ``outscored`` (better-scored bids took the whole quantity),
    ``minimum_order`` (what was left was worth less than its minimum order), else
    ``delivery_cost`` (its delivery cost outweighed its score)."""
    items = {i.id: i for i in inst.items}
    suppliers = {s.id: s for s in inst.suppliers}
    awarded = {line.bid: line.quantity for line in solution.lines}
    reasons = {}
    for bid in inst.bids:
        if awarded.get(bid.id):
            continue
        mine = solution.scores[bid.id]["total"]
        others = [
            b for b in inst.bids if b.item == bid.item and b.id != bid.id and awarded.get(b.id)
        ]
        better = sum(awarded[b.id] for b in others if solution.scores[b.id]["total"] >= mine)
        left = items[bid.item].quantity - sum(awarded[b.id] for b in others)
        if better >= items[bid.item].quantity - 1e-9:
            reasons[bid.id] = "outscored"
        elif (
            min(left, bid.max_quantity) * bid.unit_price < suppliers[bid.supplier].min_order_value
            or bid.max_quantity < 1
        ):
            reasons[bid.id] = "minimum_order"
        else:
            reasons[bid.id] = "delivery_cost"
    return reasons


def weighted_score(inst: Instance, solution: Solution) -> float:
    """The objective of a split, as the solver counts it (to compare an override with it)."""
    return evaluate(inst, {line.bid: line.quantity for line in solution.lines})


def evaluate(inst: Instance, quantities: dict[str, float]) -> float:
    """The value-weighted score of any split (the buyer's override included)."""
    points = scores(inst)
    items = {i.id: i for i in inst.items}
    suppliers = {s.id: s for s in inst.suppliers}
    by_item: dict[str, list[Bid]] = {i: [] for i in items}
    for bid in inst.bids:
        by_item[bid.item].append(bid)
    reference = {i: _reference(items[i], by_item[i]) for i in items}
    value = sum(math.ceil(items[i].quantity) * reference[i] for i in items) or 1.0
    price_weight = inst.weights.price * 100.0 / inst.weights.total
    bids = {b.id: b for b in inst.bids}
    total = sum(points[b]["total"] * reference[bids[b].item] * qty for b, qty in quantities.items())
    trips = {
        (bids[b].supplier, items[bids[b].item].delivery_date) for b, q in quantities.items() if q
    }
    total -= sum(price_weight * suppliers[s].delivery_cost for s, _d in trips)
    return round(total / value, 4)


# --- JSON interface ---------------------------------------------------------------------------


def instance_from_dict(data: dict) -> Instance:
    try:
        return Instance(
            items=tuple(Item(**row) for row in data["items"]),
            suppliers=tuple(Supplier(**row) for row in data.get("suppliers", [])),
            bids=tuple(Bid(**row) for row in data["bids"]),
            weights=Weights(**data.get("weights", {})),
            time_limit_s=float(data.get("time_limit_s", 10.0)),
        )
    except (KeyError, TypeError) as error:
        raise InstanceError(f"malformed instance: {error}") from None


def solution_to_dict(solution: Solution) -> dict:
    return asdict(solution)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m orders.award INSTANCE.json  (or - for stdin)", file=sys.stderr)
        return 2
    try:
        if argv[0] == "-":
            text = sys.stdin.read()
        else:
            with open(argv[0], encoding="utf-8") as handle:
                text = handle.read()
        inst = instance_from_dict(json.loads(text))
        validate(inst)
    except (OSError, json.JSONDecodeError, InstanceError) as error:
        print(f"orders.award: {error}", file=sys.stderr)
        return 2
    json.dump(solution_to_dict(solve(inst)), sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
