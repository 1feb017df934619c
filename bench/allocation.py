"""Benchmark of the order allocation optimiser on territories of several shapes (issue 13).

    python -m bench.allocation                      # every shape, seeds 1-3, 300x200 and 1,000x600
    python -m bench.allocation --month              # ... and the département's month, 3,000x1,500
    python -m bench.allocation --quick              # every shape, seed 1, 300x200 only
    python -m bench.allocation --sizes 1000x600 --shapes local40 --seeds 1 2

Shapes (bench.instances.ALLOCATION_SHAPES): ``base`` (20 % organic, 50 % EGalim), ``local40``
(and 40 % local), ``cap`` (and no producer above 20 %), ``max_local`` (most local value within
a budget), ``scarce`` (a third of the farms' capacity, wholesalers limited). Every territory
has 2 to 24 wholesalers, minimum orders of 0 to 120 €, delivery costs of 5 to 40 € and farms
delivering 1 to 3 days a week.

Each case runs in its own process, so its peak memory (max RSS, solver included) is its own,
and the clock runs from the instance dict to the answer (parsing included). Every answer is
checked by the independent verifier (``orders.allocation_verify``). Prints a markdown table:
status, objective (cost, or local value under max_local), bound, gap, seconds, peak memory,
the verifier's verdict, and greedy on the same instance.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import queue
import resource
import time

from bench.instances import ALLOCATION_SHAPES

SIZES = {"300x200": (300, 200, 10.0, None), "1000x600": (1000, 600, 60.0, None)}
MONTH = {"3000x1500": (3000, 1500, 300.0, 22)}  # 22 working days: a département's month
TARGET_GAP = {"300x200": 0.01, "1000x600": 0.02}


def run_case(shape: str, size: str, seed: int, limit: float | None) -> dict:
    """Generate one territory, solve it with greedy and the optimiser, verify, report."""
    from bench.instances import allocation_instance
    from orders.allocation import _build_solution, _greedy_packs, _Index, parse_instance, solve
    from orders.allocation_verify import verify

    n_needs, n_producers, default_limit, days = {**SIZES, **MONTH}[size]
    data = allocation_instance(
        shape, n_needs, n_producers, seed, time_limit_s=limit or default_limit, days=days
    )
    started = time.perf_counter()
    sol = solve(parse_instance(data), started=started)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    problems = verify(data, sol.to_dict())
    inst = parse_instance(data)
    idx = _Index(inst)
    started = time.perf_counter()
    greedy = _build_solution(inst, idx, _greedy_packs(inst, idx), "feasible", "greedy", started)
    return {
        "shape": shape,
        "size": size,
        "pairs": len(idx.pairs),
        "seed": seed,
        "limit": inst.time_limit_s,
        "status": sol.status,
        "method": sol.method,
        "objective": sol.objective,
        "bound": sol.bound,
        "gap": sol.gap,
        "unmet": len(sol.unmet),
        "shares": sol.shares,
        "seconds": seconds,
        "peak_mb": peak_mb,
        "problems": problems,
        "greedy": greedy.objective,
        "greedy_ok": not greedy.violations,
    }


def _child(out, args) -> None:
    try:
        out.put(run_case(*args))
    except BaseException as exc:  # reported as a row, the bench goes on
        out.put({"error": f"{type(exc).__name__}: {exc}", "args": args})
    finally:
        out.close()
        out.join_thread()  # the result is sent before leaving
        os._exit(0)  # a solve cut at the deadline may still run: do not wait for it


def run_isolated(args: tuple, timeout: float) -> dict:
    context = multiprocessing.get_context("fork")
    out = context.Queue()
    process = context.Process(target=_child, args=(out, args))
    process.start()
    try:
        return out.get(timeout=timeout)
    except queue.Empty:
        return {"error": f"no answer after {timeout:.0f} s", "args": args}
    finally:
        process.join(5)
        if process.is_alive():
            process.kill()


def _fmt(value, pattern="{:,.2f}") -> str:
    return "–" if value is None else pattern.format(value)


HEADER = (
    "| shape | size | pairs | seed | status | found by | objective € | bound € | gap | target "
    "| unmet | bio/EGalim/local % | s (limit) | peak MB | verified | greedy € |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
)


def row(r: dict) -> str:
    if "error" in r:
        return f"| {' | '.join(map(str, r['args']))} | error: {r['error']} |"
    shares = r["shares"] or {}
    share_text = "/".join(f"{100 * shares.get(k, 0):.0f}" for k in ("bio", "egalim", "local"))
    target = TARGET_GAP.get(r["size"])
    met = "–" if target is None or r["gap"] is None else ("met" if r["gap"] <= target else "missed")
    verified = "ok" if not r["problems"] else f"{len(r['problems'])} problems: {r['problems'][0]}"
    greedy = _fmt(r["greedy"]) + ("" if r["greedy_ok"] else " (breaks a rule)")
    return (
        f"| {r['shape']} | {r['size']} | {r['pairs']} | {r['seed']} | {r['status']} "
        f"| {r['method']} | {_fmt(r['objective'])} | {_fmt(r['bound'])} "
        f"| {_fmt(r['gap'], '{:.2%}')} | {met} | {r['unmet']} | {share_text} "
        f"| {r['seconds']:.1f} ({r['limit']:g}) | {r['peak_mb']:.0f} | {verified} | {greedy} |"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="seed 1, 300x200 only")
    parser.add_argument("--month", action="store_true", help="add 3,000x1,500 (300 s)")
    parser.add_argument("--sizes", nargs="+", choices=[*SIZES, *MONTH])
    parser.add_argument("--shapes", nargs="+", choices=list(ALLOCATION_SHAPES))
    parser.add_argument("--seeds", type=int, nargs="+")
    parser.add_argument("--month-shapes", nargs="+", default=["local40", "max_local"])
    parser.add_argument("--time-limit", type=float, help="override every size's time limit")
    args = parser.parse_args(argv)
    sizes = args.sizes or (["300x200"] if args.quick else list(SIZES))
    if args.month and "3000x1500" not in sizes:
        sizes.append("3000x1500")
    shapes = args.shapes or list(ALLOCATION_SHAPES)
    seeds = args.seeds or ([1] if args.quick else [1, 2, 3])
    load = os.getloadavg()[0]
    print(f"load average before: {load:.2f} on {os.cpu_count()} cores", flush=True)
    print(HEADER, flush=True)
    met = total = 0
    for size in sizes:
        limit = args.time_limit or {**SIZES, **MONTH}[size][2]
        size_shapes = args.month_shapes if size in MONTH and not args.shapes else shapes
        size_seeds = [seeds[0]] if size in MONTH and not args.seeds else seeds
        for shape in size_shapes:
            for seed in size_seeds:
                r = run_isolated((shape, size, seed, args.time_limit), timeout=limit + 300)
                print(row(r), flush=True)
                if "error" not in r and size in TARGET_GAP:
                    total += 1
                    met += r["gap"] is not None and r["gap"] <= TARGET_GAP[size]
    print(
        f"\ngap target met in {met} of {total} cases; load average after: {os.getloadavg()[0]:.2f}",
        flush=True,
    )


if __name__ == "__main__":
    main()
