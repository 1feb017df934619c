"""Solving under a hard deadline: a first answer fast, then the search improves on it."""

from __future__ import annotations

import math
import threading
import time
from collections import defaultdict
from functools import partial

from orders.allocation.contract import EPS, Cancelled, Instance, Progress, Solution
from orders.allocation.diagnose import diagnose
from orders.allocation.greedy import _Greedy, _greedy_packs
from orders.allocation.index import _Index
from orders.allocation.model import _Model, _pair_counts
from orders.allocation.neighbourhoods import _SubModels
from orders.allocation.parse import parse_instance
from orders.allocation.search import ROOT_ONLY, Incumbent, Layout, search
from orders.allocation.solution import _build_solution, _gap

TIME_MARGIN = 0.04  # native solvers overshoot their limit a little; keep the caller's
# Up to this many (need, offer) pairs HiGHS's own branch-and-bound is the bound worker's best
# use: it proves small instances optimal in milliseconds. Above, the root node alone gives the
# bound (its cuts close most of the LP relaxation's gap: at 1,000 x 600, 2.8 % -> 0.8 %) and
# the neighbourhood search the allocations.
BRANCH_MAX_PAIRS = 1_500


HARD_MARGIN_S = 0.3  # to build and write the answer once the search is left behind
CONSTRUCTION_SHARE = 0.3  # of the time limit, at most, for the construction's rounds
CONSTRUCTION_ROUNDS = 12
# Above this many pairs the LP relaxation alone takes longer than its share of the time
# (277,000 pairs: over 100 s): the search starts at once and the root node gives the bound.
LP_MAX_PAIRS = 120_000


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
    (``orders.allocation.search``): one bounds the full model (branch-and-bound when small, the
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
