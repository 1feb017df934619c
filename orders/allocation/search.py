"""Parallel search for the order allocation: a bound worker and neighbourhood search.

Pure Python (no Django), used by ``orders.allocation.solve``. HiGHS alone on the full model
spends its budget in the root cut loop (160 s at 1,000 needs x 600 producers, under load)
and finds good allocations late. The work is therefore split across two threads (HiGHS
releases the GIL):

- the *bound* worker builds the full model and solves its LP relaxation, hands the pairs the
  LP buys to the other worker (the *kernel*), then computes the Lagrangian bound of
  ``orders.allocation.bound`` (each delivery date solved apart, anytime), then joins the
  search. Small models (``BRANCH_MAX_PAIRS``) get HiGHS's branch-and-bound instead, which
  proves them; models too big for the LP in time (``LP_MAX_PAIRS``) get the root node;
- the *search* worker runs a large neighbourhood search (fix-and-optimise) from the start:
  keep the best allocation, free a related part of it, let HiGHS re-optimise that part; once
  the LP's pairs are known it solves the kernel (the model restricted to them) once.

Measured gains are in bench/README.md. The best allocation is shared by both workers; the
calling thread only waits and reports progress, so a progress callback may use the caller's
database connection.
"""

from __future__ import annotations

import random
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

# HiGHS options for a root-only solve: the cut loop gives the bound; its root heuristics
# (sub-MIPs of several seconds each) are left to the neighbourhood search.
ROOT_ONLY = {
    "mip_max_nodes": 1,
    "mip_heuristic_effort": 0.0,
    "mip_heuristic_run_rins": False,
    "mip_heuristic_run_rens": False,
    "mip_heuristic_run_feasibility_jump": False,
    "mip_heuristic_run_root_reduced_cost": False,
    "mip_heuristic_run_zi_round": False,
    "mip_heuristic_run_shifting": False,
}
# HiGHS checks its time limit between cut rounds: on 65,000 pairs a round overran a 47 s limit
# by 7.6 s. The root gets this share of the time left, so the answer still comes in time.
ROOT_TIME_SHARE = 0.8
# The LP relaxation's share of the time left: the kernel and the Lagrangian bound wait for
# it, and without it the answer stays the construction's improved by neighbourhoods (scarce
# 1,000 x 600 under load 10: the LP of 11 s did not arrive within a quarter of 46 s).
LP_SHARE = 0.5
# The kernel (pairs of the LP's support): its share of the time left, and its gap.
KERNEL_SHARE = 0.3
KERNEL_GAP = 1e-3
# Share of the time left for the Lagrangian bound (dates apart): it is anytime, each date
# solved raises it, and the other worker searches meanwhile.
LAGRANGIAN_SHARE = 0.95
# Up to how many pairs the root node still runs once the Lagrangian bound is known, with the
# time left. At 300 x 200 (4,000-7,000 pairs) its cuts raise the bound well past the
# Lagrangian's (quiet machine, 10 s: scarce seed 3 868,016 -> 1,034,789 €, gap 19.2 -> 3.5 %;
# scarce seed 2 8.4 -> 1.7 %; local40 seed 1 1.40 -> 0.95 %); at 1,000 x 600 (35,000-48,000)
# HiGHS's root takes 160 s to pass the Lagrangian bound, so the search keeps that time.
ROOT_AFTER_LAGRANGIAN_MAX_PAIRS = 20_000
# Reliability branching's strong-branching LPs took most of the node time on these models;
# plain pseudo-costs find improving solutions sooner (measured: 58,097 vs 58,241 € in 9.5 s).
FAST_BRANCHING = {"mip_pscost_minreliable": 0}
# A neighbourhood is solved to within this many times the objective's average per pair (about
# 18 € at 300 x 200, 11 € at 1,000 x 600). Measured on 300 x 200: 0.03 % of the objective beat
# 0.001 % (time spent proving) and 0.3 % of the neighbourhood's own cost; but on 1,000 x 600 a
# share of the whole objective (105 €) let HiGHS stop before any gain.
SUB_MIP_GAP_PAIRS = 2.0
SUB_MIP_SECONDS = 0.5  # per neighbourhood: many short steps beat fewer long ones
NEIGHBOURHOOD_PAIRS = 400  # starting size, adapted to how fast neighbourhoods solve
MIN_PAIRS, MAX_PAIRS = 100, 4000


@dataclass
class Layout:
    """Which pairs belong to which need, producer and product: what neighbourhoods pick."""

    need_pairs: list[list[int]]
    pair_need: list[int]
    pair_producer: list[str]
    pair_product: list[str]
    pair_date: list[str]
    need_quantity: list[float] = field(default_factory=list)  # empty: no unmet neighbourhood
    pair_size: list[float] = field(default_factory=list)
    producer_pairs: dict[str, list[int]] = field(init=False)
    product_pairs: dict[str, list[int]] = field(init=False)
    date_needs: dict[str, list[int]] = field(init=False)

    def __post_init__(self):
        self.producer_pairs, self.product_pairs = defaultdict(list), defaultdict(list)
        for i, producer in enumerate(self.pair_producer):
            self.producer_pairs[producer].append(i)
            self.product_pairs[self.pair_product[i]].append(i)
        dates: dict[str, set[int]] = defaultdict(set)
        for i, day in enumerate(self.pair_date):
            dates[day].add(self.pair_need[i])
        self.date_needs = {day: sorted(needs) for day, needs in sorted(dates.items())}


class Incumbent:
    """The best allocation so far, shared by the workers (all methods are thread-safe).

    ``evaluate(packs)`` returns the objective of a candidate, or None when it breaks a rule;
    ``better(a, b)`` compares two objectives in the objective's direction."""

    def __init__(self, evaluate: Callable, better: Callable[[float, float], bool], gap: float):
        self._evaluate, self._better, self._gap = evaluate, better, gap
        self._lock = threading.Condition()
        self.packs: dict[int, int] | None = None
        self.objective: float | None = None
        self.method = ""
        self.bound: float | None = None
        self.version = 0

    def propose(self, packs: dict[int, int], method: str) -> bool:
        objective = self._evaluate(packs)
        if objective is None:
            return False
        with self._lock:
            if self.objective is not None and not self._better(objective, self.objective):
                return False
            self.packs, self.objective, self.method = dict(packs), objective, method
            self.version += 1
            self._lock.notify_all()
            return True

    def tighten(self, bound: float | None, tighter: Callable) -> None:
        with self._lock:
            self.bound = tighter(self.bound, bound)
            self.version += 1
            self._lock.notify_all()

    def snapshot(self) -> tuple[dict[int, int], float | None]:
        with self._lock:
            return dict(self.packs or {}), self.objective

    def proven(self) -> bool:
        """True when the best allocation is within the requested gap of the bound."""
        with self._lock:
            if self.objective is None or self.bound is None:
                return False
            return abs(self.objective - self.bound) <= self._gap * max(abs(self.objective), 1e-9)

    def wake(self) -> None:
        """Wake whoever waits, e.g. because a worker has finished."""
        with self._lock:
            self._lock.notify_all()

    def wait(self, version: int, timeout: float) -> int:
        with self._lock:
            if self.version == version:
                self._lock.wait(timeout)
            return self.version


class NeighbourhoodSearch:
    """Fix-and-optimise on one model: free a related part of the best allocation, re-solve.

    Six kinds of neighbourhood, taken in turn: the producers used now plus a few others
    (moves between suppliers), the needs some deliveries serve with all their offers (closing
    a delivery), the needs a used producer serves over the period, a few products (capacity
    shared across dates), the needs of a few days (deliveries are per producer and day), and
    the needs left unmet with the other needs of their days (an unmet need is dear, and no
    other kind frees it unless its producers are in use).

    A neighbourhood solved from a best allocation another worker has since improved is laid
    over the newer one (its freed pairs replace the newer one's) before it is proposed, so
    the two workers' gains add up instead of the later one being refused."""

    def __init__(self, model, layout: Layout, incumbent: Incumbent, seed: int):
        self.model, self.layout, self.incumbent = model, layout, incumbent
        self.rng = random.Random(seed)
        self.size = NEIGHBOURHOOD_PAIRS
        self.kinds = [
            self._producers,
            self._dates,
            self._deliveries,
            self._unmet,
            self._served_needs,
            self._products,
        ]
        self.iterations = self.improvements = 0

    def run(
        self,
        deadline: float,
        stop: threading.Event,
        before_step: Callable[[], None] | None = None,
    ) -> None:
        """Neighbourhoods until ``deadline``, ``stop`` or a proof; ``before_step`` runs
        before each (the kernel, once its pairs are known)."""
        while not stop.is_set() and not self.incumbent.proven():
            if before_step is not None:
                before_step()
            left = deadline - time.perf_counter()
            if left < 0.1:
                return
            version = self.incumbent.version
            packs, objective = self.incumbent.snapshot()
            if objective is None:  # nothing to improve on yet (greedy missed a target)
                self.incumbent.wait(self.incumbent.version, min(0.2, left))
                continue
            free = self.kinds[self.iterations % len(self.kinds)](packs)
            self.iterations += 1
            self.model.restrict_to(free, packs)
            started = time.perf_counter()
            status = self.model.solve(
                min(SUB_MIP_SECONDS, left),
                0.0,
                hint=packs,
                options=FAST_BRANCHING,
                hint_pairs=free,
                absolute_gap=SUB_MIP_GAP_PAIRS
                * self._scale(objective)
                / len(self.layout.pair_need),
            )
            took = time.perf_counter() - started
            if status in ("optimal", "feasible") and self._propose(free, version):
                self.improvements += 1
            # Neighbourhoods proven quickly can grow; those cut by the time limit shrink.
            if status == "optimal" and took < SUB_MIP_SECONDS / 3:
                self.size = min(MAX_PAIRS, int(self.size * 1.2))
            elif status != "optimal":
                self.size = max(MIN_PAIRS, int(self.size * 0.8))

    def _scale(self, objective: float) -> float:
        """What the sub-MIP gap is a share of: the bound when known (an objective swollen by
        unmet penalties would let every neighbourhood stop at once)."""
        bound = self.incumbent.bound
        return abs(bound) if bound is not None and bound != 0 else abs(objective)

    def _propose(self, free: set[int], version: int) -> bool:
        packs = self.model.packs()
        if self.incumbent.version != version:
            newer, _ = self.incumbent.snapshot()
            merged = {i: k for i, k in newer.items() if i not in free}
            merged.update({i: k for i, k in packs.items() if i in free})
            if self.incumbent.propose(merged, "lns"):
                return True
        return self.incumbent.propose(packs, "lns")

    def _dates(self, packs: dict[int, int]) -> set[int]:
        layout = self.layout
        groups = [
            [i for n in needs for i in layout.need_pairs[n]] for needs in layout.date_needs.values()
        ]
        free = self._grow(set(), groups[:])
        if len(free) > 2 * self.size:  # one day bigger than the neighbourhood: part of it
            free = set(self.rng.sample(sorted(free), 2 * self.size))
        return free

    def _unmet(self, packs: dict[int, int]) -> set[int]:
        layout = self.layout
        if not layout.need_quantity:
            return self._dates(packs)
        delivered = [0.0] * len(layout.need_quantity)
        for i, k in packs.items():
            delivered[layout.pair_need[i]] += k * layout.pair_size[i]
        short = [
            n
            for n, q in enumerate(layout.need_quantity)
            if delivered[n] < q - 1e-6 and layout.need_pairs[n]
        ]
        if not short:
            return self._dates(packs)
        self.rng.shuffle(short)
        free: set[int] = set()
        for n in short[: max(1, self.size // 20)]:
            free.update(layout.need_pairs[n])
        days = {layout.pair_date[i] for i in free}
        groups = [[i for m in layout.date_needs[day] for i in layout.need_pairs[m]] for day in days]
        return self._grow(free, groups)

    def _used_producers(self, packs: dict[int, int]) -> list[str]:
        return sorted({self.layout.pair_producer[i] for i, k in packs.items() if k})

    def _grow(self, free: set[int], groups: list[list[int]]) -> set[int]:
        self.rng.shuffle(groups)
        for pairs in groups:
            if len(free) >= self.size:
                break
            free.update(pairs)
        return free

    def _producers(self, packs: dict[int, int]) -> set[int]:
        pairs_of = self.layout.producer_pairs
        used = self._used_producers(packs)
        others = sorted(set(pairs_of) - set(used))
        self.rng.shuffle(used)
        self.rng.shuffle(others)
        # two producers in use for one unused: most gains come from moving volume away
        order = []
        for k, producer in enumerate(used):
            order.append(producer)
            if k % 2 == 1 and others:
                order.append(others.pop())
        free: set[int] = set()
        for producer in order + others:
            if len(free) >= self.size:
                break
            free.update(pairs_of[producer])
        return free

    def _served_needs(self, packs: dict[int, int]) -> set[int]:
        layout = self.layout
        served: dict[str, set[int]] = defaultdict(set)
        for i, k in packs.items():
            if k:
                served[layout.pair_producer[i]].add(layout.pair_need[i])
        groups = [
            [i for n in needs for i in layout.need_pairs[n]] + layout.producer_pairs[p]
            for p, needs in served.items()
        ]
        return self._grow(set(), groups)

    def _deliveries(self, packs: dict[int, int]) -> set[int]:
        layout = self.layout
        served: dict[tuple, set[int]] = defaultdict(set)
        for i, k in packs.items():
            if k:
                served[(layout.pair_producer[i], layout.pair_date[i])].add(layout.pair_need[i])
        groups = [[i for n in needs for i in layout.need_pairs[n]] for needs in served.values()]
        return self._grow(set(), groups)

    def _products(self, packs: dict[int, int]) -> set[int]:
        return self._grow(set(), [list(p) for p in self.layout.product_pairs.values()])


def _kernel(support: set[int], model, incumbent: Incumbent, deadline: float) -> None:
    """The model restricted to the pairs the LP relaxation buys and those of the best
    allocation (which stays a solution of it, as a start): a small MIP whose answer meets the
    targets with few needs unmet, where rounds of greedy prices may leave many."""
    packs, _ = incumbent.snapshot()
    model.restrict_to(support | {i for i, k in packs.items() if k}, {})
    seconds = (deadline - time.perf_counter()) * KERNEL_SHARE
    status = model.solve(seconds, KERNEL_GAP, hint=packs, options=FAST_BRANCHING)
    if status in ("optimal", "feasible"):
        incumbent.propose(model.packs(), "kernel")


def search(
    *,
    full_model_factory: Callable[[], object],
    lns_model_factory: Callable[[], object],
    layout: Layout,
    incumbent: Incumbent,
    deadline: float,
    gap: float,
    root_options: dict,
    lp_first: bool,
    tighter: Callable,
    progress: Callable[[], None] | None = None,
    seed: int = 0,
    stop: threading.Event | None = None,
) -> str:
    """Run the bound worker and a neighbourhood-search worker until the deadline or a proof;
    returns the full model's status ("optimal", "infeasible", "feasible" or "unknown").

    The bound worker builds the full model (``full_model_factory``) and, when ``lp_first``,
    solves its LP relaxation (a bound, a quick proof of infeasibility, the kernel's pairs and
    the duals of the Lagrangian bound). With ``root_options`` ROOT_ONLY it then computes the
    Lagrangian bound, or the root node's when there is no LP; with {} it runs HiGHS's
    branch-and-bound, which proves small instances. Then it joins the search. The other
    worker searches neighbourhoods from the start, on ``lns_model_factory()`` models, and
    solves the kernel once its pairs are known. Setting ``stop`` ends the search at the
    workers' next check (a solve under way finishes first: HiGHS does not answer MathOpt's
    interrupter)."""
    stop = stop or threading.Event()
    outcome = {"status": "unknown"}
    support: set[int] = set()  # the LP relaxation's pairs, for the kernel
    support_ready = threading.Event()

    def bound_worker() -> None:
        if stop.is_set():
            return
        full_model = full_model_factory()
        if lp_first and not stop.is_set():
            relaxed = full_model.relaxation(max(0.05, (deadline - time.perf_counter()) * LP_SHARE))
            if relaxed == "infeasible":
                outcome["status"] = "infeasible"
                stop.set()
                return
            if isinstance(relaxed, float):
                incumbent.tighten(relaxed, tighter)
        if stop.is_set():
            return
        if root_options is ROOT_ONLY and full_model.lp_support:
            support.update(full_model.lp_support)  # the other worker solves the kernel
            support_ready.set()
        lagrangian = None
        if root_options is ROOT_ONLY and lp_first and not stop.is_set():
            until = time.perf_counter() + (deadline - time.perf_counter()) * LAGRANGIAN_SHARE
            lagrangian = full_model.lagrangian_bound(
                until, stop.is_set, lambda bound: incumbent.tighten(bound, tighter)
            )
            incumbent.tighten(lagrangian, tighter)
        if stop.is_set():
            return
        if lagrangian is not None and len(full_model.x) > ROOT_AFTER_LAGRANGIAN_MAX_PAIRS:
            del full_model
            NeighbourhoodSearch(lns_model_factory(), layout, incumbent, seed).run(deadline, stop)
            return
        packs, _ = incumbent.snapshot()
        left = deadline - time.perf_counter()
        if root_options is ROOT_ONLY:
            left *= ROOT_TIME_SHARE
        status = outcome["status"] = full_model.solve(
            left, gap, hint=packs or None, options=root_options
        )
        if status in ("optimal", "feasible"):
            incumbent.propose(full_model.packs(), f"mip:{full_model.name}")
        incumbent.tighten(full_model.bound(), tighter)
        if status in ("optimal", "infeasible"):
            stop.set()
            return
        del full_model  # its memory goes back before the search goes on
        NeighbourhoodSearch(lns_model_factory(), layout, incumbent, seed).run(deadline, stop)

    def lns_worker() -> None:
        model = lns_model_factory()
        kernel_done = False

        def kernel_when_ready() -> None:
            nonlocal kernel_done
            if not kernel_done and support_ready.is_set():
                kernel_done = True
                _kernel(support, model, incumbent, deadline)

        NeighbourhoodSearch(model, layout, incumbent, seed + 1).run(
            deadline, stop, before_step=kernel_when_ready
        )

    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="allocation") as pool:
        futures = [pool.submit(bound_worker), pool.submit(lns_worker)]
        for future in futures:
            future.add_done_callback(lambda _: incumbent.wake())
        version = -1
        while not all(f.done() for f in futures):
            seen = incumbent.wait(version, timeout=0.2)
            if seen != version:
                version = seen
                if progress:
                    progress()
        for future in futures:
            future.result()  # re-raise a worker's error here
    if progress:
        progress()
    return outcome["status"]
