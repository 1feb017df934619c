"""``python -m bench.many_plans``: many kitchens plan their school year on the job workers at
once (issue 20, "many canteens at once").

Each kitchen asks for its year plan the way the calendar's "l'année scolaire" does
(``menus.services.request_plan`` from this Monday to the end of its school year, every dish
re-planned); ``--workers`` job workers (``manage.py db_worker``: django-tasks' database queue of
``make run``; the RQ workers of ``make prod`` share their Redis queue the same way) take the
runs in turn. The bench watches every run (twice a second) and prints, for each number of
workers, the wall time until the last plan is written, plans per minute, and per run its wait
in the queue, its solve time, its status and gap. A plan never waits for more than the runs
queued before it: with W workers, at most W run at once. The data set's past menus are random,
not compliant, so the chosen kitchens' past meals are deleted first (a bench database only).

Needs a PostgreSQL database with kitchens that have their catalogue and rule set, e.g. the
département data set (``python -m bench.departement``)::

    SECRET_KEY=... .venv/bin/python -m bench.many_plans \\
        --database-url postgres://postgres@127.0.0.1:5432/cantine_many \\
        --kitchens 4 --workers 1 2 --seconds 60
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _kitchens(count: int):
    """The first ``count`` kitchens that plan menus (not satellites), with a rule set and a
    cook, in a stable order."""
    from cantine.models import Canteen, Membership, Role
    from nutrition.selectors import rule_set_for

    chosen = []
    kitchens = Canteen.objects.exclude(kind=Canteen.Kind.SATELLITE).order_by("pk")
    for kitchen in kitchens.iterator():
        cook = (
            Membership.objects.filter(canteen=kitchen, role=Role.COOK)
            .select_related("user")
            .first()
        )
        rule_set = rule_set_for(kitchen)
        if cook is not None and rule_set is not None and kitchen.dishes.exists():
            chosen.append((kitchen, cook.user, rule_set))
        if len(chosen) == count:
            break
    return chosen


def _workers(count: int, env: dict) -> list[subprocess.Popen]:
    return [
        subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--interval", "0.5"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(count)
    ]


def run_round(kitchens, workers: int, env: dict, timeout_s: float) -> dict:
    """Queue one year plan per kitchen, start the workers, watch until every run ends."""
    from django.utils import timezone

    from menus import horizons
    from menus.models import Meal, PlanRun
    from menus.services import request_plan

    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    # The data set's past menus are drawn at random, not to the rules: with them as history
    # no plan can hold the 20-meal windows that reach back into them (the planner says so).
    # The kitchens start their year without them.
    Meal.objects.filter(canteen__in=[k for k, _cook, _rules in kitchens], date__lt=monday).delete()
    runs = []
    for kitchen, cook, rule_set in kitchens:
        runs.append(
            request_plan(
                canteen=kitchen,
                start=monday,
                end=horizons.school_year_end(kitchen, monday),
                preset=PlanRun.Preset.CHEAPEST,
                keep_existing=False,
                rule_set=rule_set,
                actor=cook,
            ).pk
        )
    queued = time.perf_counter()
    procs = _workers(workers, env)
    started: dict[int, float] = {}
    ended: dict[int, float] = {}
    busy_most = 0
    try:
        while len(ended) < len(runs) and time.perf_counter() - queued < timeout_s:
            now = time.perf_counter()
            states = dict(PlanRun.objects.filter(pk__in=runs).values_list("pk", "status"))
            running = [pk for pk, status in states.items() if status == "running"]
            busy_most = max(busy_most, len(running))
            for pk, status in states.items():
                if status != "queued":
                    started.setdefault(pk, now)
                if status not in ("queued", "running"):
                    ended.setdefault(pk, now)
            time.sleep(0.5)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)
    wall = max(ended.values(), default=time.perf_counter()) - queued
    rows = []
    for run in PlanRun.objects.filter(pk__in=runs).order_by("pk"):
        wait = started.get(run.pk, time.perf_counter()) - queued
        solve = ended.get(run.pk, time.perf_counter()) - started.get(run.pk, queued)
        rows.append((run.canteen.name, run.status, run.gap, run.meals_total, wait, solve))
    done = sum(1 for row in rows if row[1] in PlanRun.SOLVED)
    return {
        "workers": workers,
        "wall": wall,
        "done": done,
        "per_minute": 60 * done / wall if wall else 0.0,
        "busy_most": busy_most,
        "rows": rows,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="postgres://… with kitchens")
    parser.add_argument("--kitchens", type=int, default=4)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--seconds", type=float, default=120, help="PLAN_YEAR_SECONDS")
    parser.add_argument("--timeout", type=float, default=3600)
    args = parser.parse_args(argv)
    env = dict(
        os.environ,
        DATABASE_URL=args.database_url,
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        PLAN_YEAR_SECONDS=str(args.seconds),
        DJANGO_SETTINGS_MODULE="config.settings",
        PYTHONPATH=str(ROOT),
    )
    env.pop("REDIS_URL", None)
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "TASKS_BACKEND", "PLAN_YEAR_SECONDS")})
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    kitchens = _kitchens(args.kitchens)
    if len(kitchens) < args.kitchens:
        parser.error(f"only {len(kitchens)} kitchens can plan in this database")
    print(f"{len(kitchens)} kitchens, year plans of {args.seconds:g} s each", flush=True)
    print("| workers | plans | wall s | plans / min | at once (most) |")
    print("|---|---|---|---|---|")
    rounds = []
    for workers in args.workers:
        result = run_round(kitchens, workers, env, args.timeout)
        rounds.append(result)
        print(
            f"| {workers} | {result['done']}/{len(kitchens)} | {result['wall']:.1f} | "
            f"{result['per_minute']:.2f} | {result['busy_most']} |",
            flush=True,
        )
    for result in rounds:
        print(f"\n{result['workers']} worker(s):")
        print("| kitchen | status | gap | meals | waited s | solved in s |")
        print("|---|---|---|---|---|---|")
        for name, status, gap, meals, wait, solve in result["rows"]:
            shown = f"{100 * gap:.1f} %" if gap is not None else "—"
            print(f"| {name} | {status} | {shown} | {meals} | {wait:.1f} | {solve:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
