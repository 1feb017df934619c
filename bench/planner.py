"""Planner benchmark: status, objective, bound, gap, time, peak memory, greedy side by side.

    python -m bench.planner            # 20/40/60 meals x 300/1,000/2,300 dishes, 2 workers
    python -m bench.planner --quick    # 20 meals x 300 and 2,300 dishes
    python -m bench.planner --workers 1 2 4 --sizes 20x2300
    python -m bench.planner --supply --sizes 20x2300   # "most local", following supply
    python -m bench.planner --year --sizes 180x2300 --time-limit 120 --seeds 1 2 3
                                     # year mode (menus.planner.rolling), 3 seeds

Each case runs in a fresh subprocess so that the peak RSS (ru_maxrss) is its own.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

FULL = [(m, d) for m in (20, 40, 60) for d in (300, 1000, 2300)]
QUICK = [(20, 300), (20, 2300)]


def with_supply(inst, seed: int):
    """A "most local" instance following supply: each week, a third of the dishes can be
    delivered locally, for a share of 0.25 to 1 that changes from week to week; one dish in
    twenty cannot be bought at all that week (``Meal.local_supply`` and ``unavailable``)."""
    import dataclasses
    import random

    from nutrition.mealplan import Objective

    rng = random.Random(f"supply-{seed}")
    weeks: dict[tuple, tuple[dict, frozenset]] = {}
    meals = []
    for meal in inst.meals:
        week = meal.date.isocalendar()[:2]
        if week not in weeks:
            shares = {
                d: rng.choice((0.25, 0.5, 0.75, 1.0)) for d in inst.dishes if rng.random() < 1 / 3
            }
            gone = frozenset(d for d in inst.dishes if rng.random() < 0.05)
            weeks[week] = (shares, gone)
        shares, gone = weeks[week]
        supply = {d: shares.get(d, 0.0) for d in inst.dishes}
        meals.append(dataclasses.replace(meal, local_supply=supply, unavailable=gone))
    return dataclasses.replace(
        inst, meals=meals, objective=Objective(cost=0.05, local_share=1.0, co2e=0.0)
    )


def run_one(
    meals: int,
    dishes: int,
    seed: int,
    workers: int,
    limit: float,
    supply: bool = False,
    year: bool = False,
) -> dict:
    from bench.instances import make_instance
    from menus.planner import greedy_plan, plan_menus
    from menus.planner.rolling import plan_year

    inst = make_instance(meals, dishes, seed=seed, time_limit_s=limit)
    if supply:
        inst = with_supply(inst, seed)
    started = time.perf_counter()
    greedy = greedy_plan(inst)
    greedy_s = time.perf_counter() - started
    result = (plan_year if year else plan_menus)(inst, num_workers=workers)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "meals": meals,
        "dishes": dishes,
        "seed": seed,
        "workers": workers,
        "status": result.status,
        "objective": result.objective,
        "bound": result.bound,
        "gap": result.gap,
        "seconds": result.solve_seconds,
        "compliant": bool(result.report and result.report.ok),
        "variables": result.stats.get("variables"),
        "peak_mb": peak_mb,
        "greedy_status": greedy.status,
        "greedy_objective": greedy.objective,
        "greedy_seconds": greedy_s,
    }


def _fmt(value, spec: str) -> str:
    return "—" if value is None else format(value, spec)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.planner")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--workers", type=int, nargs="+", default=[2])
    parser.add_argument("--sizes", nargs="+", help="e.g. 20x300 60x2300")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--seeds", type=int, nargs="+", help="several seeds (overrides --seed)")
    parser.add_argument("--year", action="store_true", help="rolling-horizon year mode")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--supply", action="store_true", help="most local, following supply")
    parser.add_argument("--one", nargs=3, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        meals, dishes, workers = args.one
        r = run_one(meals, dishes, args.seed, workers, args.time_limit, args.supply, args.year)
        print(json.dumps(r))
        return 0
    sizes = QUICK if args.quick else FULL
    if args.sizes:
        sizes = [tuple(int(x) for x in s.split("x")) for s in args.sizes]
    print(
        "| meals | dishes | seed | workers | vars | status | objective | bound | gap | s | peak MB "
        "| greedy | greedy obj | greedy s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    cases = [
        (meals, dishes, workers, seed)
        for meals, dishes in sizes
        for workers in args.workers
        for seed in (args.seeds or [args.seed])
    ]
    for meals, dishes, workers, seed in cases:
        cmd = [
            sys.executable,
            "-m",
            "bench.planner",
            "--one",
            str(meals),
            str(dishes),
            str(workers),
            "--seed",
            str(seed),
            "--time-limit",
            str(args.time_limit),
            *(["--supply"] if args.supply else []),
            *(["--year"] if args.year else []),
        ]
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
        r = json.loads(out)
        status = r["status"] + ("" if r["compliant"] else " (NOT COMPLIANT)")
        print(
            f"| {meals} | {dishes} | {seed} | {workers} | {r['variables']} | {status} "
            f"| {_fmt(r['objective'], '.4f')} | {_fmt(r['bound'], '.4f')} "
            f"| {_fmt(r['gap'] and 100 * r['gap'], '.3f')}% | {r['seconds']:.2f} "
            f"| {r['peak_mb']:.0f} | {r['greedy_status']} "
            f"| {_fmt(r['greedy_objective'], '.4f')} | {r['greedy_seconds']:.2f} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
