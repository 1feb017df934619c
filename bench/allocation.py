"""Benchmark of the order allocation optimiser against the greedy baseline.

    python -m bench.allocation            # 100x50, 300x200 (10 s), 1,000x600 (60 s)
    python -m bench.allocation --quick    # the two small sizes only
    python -m bench.allocation --seeds 1 2 3 --solver SCIP

Each case runs in its own process so that the peak memory (max RSS, solver included) is its
own. Instances come from bench.territory (real HVE farms, default targets 20 % organic and 50 %
EGalim). Prints a markdown table: status, cost, bound, gap, shares, seconds, peak memory, and
the greedy baseline on the same instance.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import time
from concurrent.futures import ProcessPoolExecutor

SIZES = ((100, 50, 10.0), (300, 200, 10.0), (1000, 600, 60.0))
QUICK_SIZES = SIZES[:2]


def run_case(n_needs: int, n_producers: int, seed: int, time_limit: float, solver: str) -> dict:
    """Generate one territory, solve it with greedy and the optimiser, report figures."""
    from bench.territory import generate_territory
    from orders.allocation import greedy_allocation, parse_instance, solve

    data = generate_territory(n_needs, n_producers, seed=seed, time_limit_s=time_limit)
    data["solver"] = solver
    instance = parse_instance(data)
    started = time.perf_counter()
    greedy = greedy_allocation(instance)
    greedy_seconds = time.perf_counter() - started
    started = time.perf_counter()
    sol = solve(instance)
    seconds = time.perf_counter() - started
    return {
        "size": f"{n_needs}x{n_producers}",
        "offers": len(instance.offers),
        "seed": seed,
        "status": sol.status,
        "method": sol.method,
        "cost": sol.cost,
        "bound": sol.bound,
        "gap": sol.gap,
        "shares": sol.shares,
        "unmet": len(sol.unmet),
        "seconds": seconds,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "greedy_status": greedy.status,
        "greedy_cost": greedy.cost,
        "greedy_seconds": greedy_seconds,
    }


def _fmt(value, pattern="{:,.2f}") -> str:
    return "–" if value is None else pattern.format(value)


def row(r: dict) -> str:
    shares = r["shares"] or {}
    share_text = "/".join(f"{100 * shares.get(k, 0):.0f}" for k in ("bio", "egalim", "local"))
    saving = None
    if r["cost"] is not None and r["greedy_status"] == "feasible":
        saving = 100 * (r["greedy_cost"] - r["cost"]) / r["greedy_cost"]
    return (
        f"| {r['size']} | {r['offers']} | {r['seed']} | {r['status']} | {r['method']} "
        f"| {_fmt(r['cost'])} | {_fmt(r['bound'])} | {_fmt(r['gap'], '{:.2%}')} "
        f"| {share_text} | {r['unmet']} | {r['seconds']:.1f} | {r['peak_mb']:.0f} "
        f"| {r['greedy_status']} | {_fmt(r['greedy_cost'])} | {r['greedy_seconds']:.2f} "
        f"| {_fmt(saving, '{:.2f} %')} |"
    )


HEADER = (
    "| size | offers | seed | status | found by | cost € | bound € | gap | bio/EGalim/local % "
    "| unmet | s | peak MB | greedy | greedy cost € | greedy s | saved vs greedy |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only 100x50 and 300x200")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1])
    parser.add_argument("--solver", default="HIGHS", choices=["HIGHS", "SCIP", "CP_SAT"])
    parser.add_argument("--time-limit", type=float, help="override the per-size time limit")
    args = parser.parse_args(argv)
    sizes = QUICK_SIZES if args.quick else SIZES
    print(HEADER, flush=True)
    context = multiprocessing.get_context("fork")
    for n_needs, n_producers, limit in sizes:
        for seed in args.seeds:
            with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
                result = pool.submit(
                    run_case, n_needs, n_producers, seed, args.time_limit or limit, args.solver
                ).result()
            print(row(result), flush=True)


if __name__ == "__main__":
    main()
