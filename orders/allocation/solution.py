"""Building a Solution from pack counts (shared by greedy and the solver)."""

from __future__ import annotations

import math
import time
from collections import defaultdict

from orders.allocation.contract import (
    EPS,
    SHARE_TOL,
    Delivery,
    Instance,
    Line,
    Solution,
    Unmet,
)
from orders.allocation.index import _Index


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
    # values recomputed from the packs, unrounded (the lines and shares report rounded figures)
    goods, labelled = 0.0, {"bio": 0.0, "egalim": 0.0, "local": 0.0}
    for line in sol.lines:
        offer, need = idx_offer[line.offer], need_by_id[line.need]
        used[offer.id] += line.quantity
        delivered[line.need] += line.quantity
        value = line.packs * offer.pack_size * offer.unit_price
        goods += value
        labelled["bio"] += value * offer.is_bio
        labelled["egalim"] += value * offer.is_egalim
        labelled["local"] += value * producer[offer.producer].local
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
        # nothing bought: nothing to share, every share target holds (as in the model). The
        # unrounded values, never the rounded ``sol.shares``: a share rounded up onto the
        # tolerance passed here and failed the verifier (49.99 % for 50 %).
        if share and goods > 0 and labelled[key] < (share - SHARE_TOL) * goods:
            problems.append(f"part {key} {labelled[key] / goods:.2%} < objectif {share:.0%}")
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
