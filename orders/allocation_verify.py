"""Independent check of an order allocation answer against its instance.

Reads the two JSON documents of the "Order allocation" contract
(shared/specs/solver-interfaces.md) as plain dicts and recomputes everything from the
instance: it shares no code with the optimiser (``orders.allocation``), so a bug there cannot
hide itself here. Only the vocabulary (label codes and their aliases, units) is shared, from
``cantine.vocabulary``.

    python -m orders.allocation_verify INSTANCE.json SOLUTION.json   # exit 1 when it fails

Checked: every line (known need and offer, same product and unit, a delivery day of the offer,
whole packs, quantity = packs x pack size, cost = quantity x price), the fixed lines kept,
capacities, each need's delivered plus unmet quantity, unmet quantities as reported and
allowed, over-delivery below one pack, deliveries (one per producer and day with goods, value,
delivery cost, minimum order), the reported goods, delivery, penalty and total costs, the
shares and their targets, the cap per producer, the budget, and the bound and gap.
"""

from __future__ import annotations

import json
import math
import sys
from collections import defaultdict

from cantine.vocabulary import LABEL_ALIASES, LABELS, Label, parse_unit

MONEY = 0.011  # euros: reported figures are rounded to the cent or finer
QTY = 1e-5  # quantities are reported to 6 decimals
SHARE = 1e-4  # shares are reported to 6 decimals; targets are checked to 0.01 point


def _label(raw: str) -> str:
    code = raw.strip().upper().replace(" ", "_").replace("-", "_").replace("/", "_")
    code = str(LABEL_ALIASES.get(code, code))
    return code


def _unit(raw) -> str | None:
    if raw is None:
        return None
    unit = parse_unit(raw)
    return None if unit is None else str(unit)


def _close(a: float, b: float, tol: float) -> bool:
    return abs(a - b) <= tol + 1e-9 * max(abs(a), abs(b))


def verify(instance: dict, solution: dict) -> list[str]:
    """Every rule the answer breaks, in words; an empty list means the answer holds."""
    problems: list[str] = []
    fail = problems.append
    status = solution.get("status")
    if status not in ("optimal", "feasible", "infeasible", "unknown"):
        fail(f"status {status!r} is not one of optimal, feasible, infeasible, unknown")
    lines = solution.get("lines") or []
    if status in ("infeasible", "unknown"):
        if lines:
            fail(f"status {status} comes with {len(lines)} lines")
        return problems

    needs = {n["id"]: n for n in instance["needs"]}
    offers = {o["id"]: o for o in instance["offers"]}
    producers = {p["id"]: p for p in instance["producers"]}
    fixed = defaultdict(int)
    for f in instance.get("fixed_lines") or []:
        fixed[(f["need"], f["offer"])] += f["packs"]
    fixed_qty = defaultdict(float)
    for (_, oid), packs in fixed.items():
        fixed_qty[oid] += packs * offers[oid]["pack_size"]

    used = defaultdict(float)  # per offer
    delivered = defaultdict(float)  # per need
    packs_of = defaultdict(int)  # per (need, offer)
    orders = defaultdict(float)  # per (producer, date)
    goods = bio = egalim = local = 0.0
    for k, line in enumerate(lines):
        where = f"line {k} ({line.get('need')} <- {line.get('offer')})"
        need, offer = needs.get(line.get("need")), offers.get(line.get("offer"))
        if need is None or offer is None:
            fail(f"{where}: unknown need or offer")
            continue
        key = (need["id"], offer["id"])
        packs = line.get("packs")
        if isinstance(packs, bool) or not isinstance(packs, int) or packs < 1:
            fail(f"{where}: {packs!r} is not a whole number of packs >= 1")
            continue
        if offer["product"] != need["product"]:
            fail(f"{where}: offer sells {offer['product']!r}, need is {need['product']!r}")
        unit_o, unit_n = _unit(offer.get("unit")), _unit(need.get("unit"))
        if unit_o and unit_n and unit_o != unit_n and key not in fixed:
            fail(f"{where}: offer in {unit_o}, need in {unit_n}")
        if need["delivery_date"] not in offer["delivery_dates"] and key not in fixed:
            fail(f"{where}: the offer does not deliver on {need['delivery_date']}")
        quantity = packs * offer["pack_size"]
        value = quantity * offer["unit_price"]
        if not _close(line.get("quantity", math.nan), quantity, QTY):
            fail(f"{where}: quantity {line.get('quantity')} != {packs} x {offer['pack_size']}")
        if not _close(line.get("cost", math.nan), value, MONEY):
            fail(f"{where}: cost {line.get('cost')} != {quantity:g} x {offer['unit_price']}")
        packs_of[key] += packs
        used[offer["id"]] += quantity
        delivered[need["id"]] += quantity
        orders[(offer["producer"], need["delivery_date"])] += value
        labels = {_label(label) for label in offer.get("labels") or []}
        goods += value
        bio += value * (str(Label.BIO) in labels)
        egalim += value * bool(labels & set(LABELS))
        local += value * bool(producers[offer["producer"]].get("local"))

    for key, packs in fixed.items():
        if packs_of.get(key, 0) < packs:
            fail(f"fixed line {key[0]} <- {key[1]}: {packs} packs asked, {packs_of.get(key, 0)}")

    for oid, quantity in used.items():
        offer = offers[oid]
        if offer.get("remaining_capacity") is not None:
            cap = offer["remaining_capacity"] + fixed_qty[oid]
        else:
            cap = offer.get("capacity")
        if cap is not None and quantity > cap + QTY:
            fail(f"offer {oid}: {quantity:g} delivered, capacity {cap:g}")

    # Needs: delivered + unmet covers the need, unmet as reported, over-delivery < one pack
    biggest = defaultdict(float)
    for offer in offers.values():
        for day in offer["delivery_dates"]:
            biggest[(offer["product"], day)] = max(
                biggest[(offer["product"], day)], offer["pack_size"]
            )
    reported_unmet = defaultdict(float)
    for item in solution.get("unmet") or []:
        if item.get("need") not in needs:
            fail(f"unmet: unknown need {item.get('need')!r}")
            continue
        reported_unmet[item["need"]] += item.get("quantity", 0.0)
    total_unmet = 0.0
    for nid, need in needs.items():
        short = max(0.0, need["quantity"] - delivered[nid])
        total_unmet += short
        if short > QTY and not _close(reported_unmet.get(nid, 0.0), short, QTY):
            fail(f"need {nid}: {short:g} short, {reported_unmet.get(nid, 0.0):g} reported unmet")
        if short <= QTY and reported_unmet.get(nid, 0.0) > QTY:
            fail(f"need {nid}: covered, yet {reported_unmet[nid]:g} reported unmet")
        over = delivered[nid] - need["quantity"]
        pack = biggest[(need["product"], need["delivery_date"])]
        has_fixed = any(n == nid for n, _ in fixed)
        if pack and over >= pack - QTY and not has_fixed:
            fail(f"need {nid}: {over:g} over-delivered, a whole pack of {pack:g} or more")
    allow_unmet = instance.get("allow_unmet", True)
    if allow_unmet is None:
        allow_unmet = True
    if total_unmet > QTY and not allow_unmet:
        fail(f"{total_unmet:g} unmet while unmet needs are not allowed")

    # Deliveries: one per (producer, date) with goods, each at or above its minimum order
    reported = {}
    for d in solution.get("deliveries") or []:
        reported[(d.get("producer"), d.get("date"))] = d
    if set(reported) != set(orders):
        extra = sorted(set(reported) - set(orders))[:3]
        missing = sorted(set(orders) - set(reported))[:3]
        fail(f"deliveries differ from the lines: extra {extra}, missing {missing}")
    delivery_cost = 0.0
    for key, value in orders.items():
        producer = producers[key[0]]
        cost = producer.get("delivery_cost") or 0.0
        delivery_cost += cost
        minimum = producer.get("min_order_value") or 0.0
        if value < minimum - MONEY:
            fail(f"order {key[0]} on {key[1]}: {value:.2f} € under the minimum {minimum:.2f} €")
        d = reported.get(key)
        if d is not None:
            if not _close(d.get("value", math.nan), value, MONEY):
                fail(f"delivery {key}: value {d.get('value')} reported, {value:.4f} computed")
            if not _close(d.get("delivery_cost", math.nan), cost, MONEY):
                fail(f"delivery {key}: delivery cost {d.get('delivery_cost')} != {cost}")

    # Costs as reported
    penalty_rate = instance.get("unmet_penalty_per_unit")
    penalty_rate = 1000.0 if penalty_rate is None else penalty_rate
    penalty = penalty_rate * total_unmet
    cost = goods + delivery_cost + penalty
    tol = MONEY * (1 + len(lines) / 100)
    for name, value in (
        ("goods_cost", goods),
        ("delivery_cost", delivery_cost),
        ("unmet_penalty", penalty),
        ("cost", cost),
    ):
        if name in solution and not _close(solution[name], value, tol + 1e-3 * penalty_rate):
            fail(f"{name} {solution[name]} reported, {value:.4f} computed")

    # Shares and targets (no goods bought: every share target holds, there is nothing to share)
    shares = {"bio": bio, "egalim": egalim, "local": local}
    for name, value in shares.items():
        share = value / goods if goods > 0 else 0.0
        got = (solution.get("shares") or {}).get(name)
        if got is not None and abs(got - share) > SHARE:
            fail(f"share {name}: {got} reported, {share:.6f} computed")
        target = (instance.get("targets") or {}).get(f"{name}_min_share")
        if target and goods > 0 and share < target - SHARE:
            fail(f"share {name} {share:.2%} under its target {target:.0%}")
    cap = instance.get("max_share_per_producer")
    if cap is not None and cap < 1 and goods > 0:
        per = defaultdict(float)
        for (pid, _), value in orders.items():
            per[pid] += value
        for pid, value in per.items():
            if value > cap * goods + MONEY:
                fail(f"producer {pid}: {value / goods:.2%} of the value, cap {cap:.0%}")
    budget = instance.get("budget")
    if budget is not None and goods + delivery_cost > budget + MONEY:
        fail(f"spend {goods + delivery_cost:.2f} € over the budget {budget:.2f} €")

    # Bound and gap
    maximise = instance.get("objective") == "max_local"
    objective = solution.get("objective")
    if objective is None:
        objective = solution.get("cost")
    bound = solution.get("bound")
    if bound is not None and objective is not None:
        slack = 1e-6 * max(1.0, abs(objective)) + MONEY
        if (maximise and bound < objective - slack) or (not maximise and bound > objective + slack):
            fail(f"bound {bound} is on the wrong side of the objective {objective}")
        gap = solution.get("gap")
        if gap is not None:
            expected = abs(objective - bound) / max(abs(objective), 1e-9)
            if abs(gap - expected) > 1e-4:
                fail(f"gap {gap} reported, {expected:.6f} computed")
    if not maximise and objective is not None and not _close(objective, cost, tol):
        fail(f"objective {objective} is not the cost {cost:.4f}")
    if maximise and objective is not None:
        expected = local - penalty
        if not _close(objective, expected, tol + 1e-3 * penalty_rate):
            fail(f"objective {objective} is not local value - penalty {expected:.4f}")
    return problems


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print(
            "usage: python -m orders.allocation_verify INSTANCE.json SOLUTION.json", file=sys.stderr
        )
        return 2
    try:
        with open(args[0], encoding="utf-8") as a, open(args[1], encoding="utf-8") as b:
            instance, solution = json.load(a), json.load(b)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    problems = verify(instance, solution)
    for problem in problems:
        print(problem)
    if not problems:
        print("ok")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
