"""Demo-sized timings of the orders layer: needs, allocation run, lot simulator.

Run from the project root (it creates and drops a throwaway test database):
DATABASE_URL=postgres://postgres@127.0.0.1:5432/cantine_bench TESTING=1 .venv/bin/python -m bench.orders_demo
"""

import os
import sys
import time
from datetime import timedelta
from io import StringIO

sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django  # noqa: E402

django.setup()
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

setup_test_environment()
name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
try:
    call_command("seed_demo", stdout=StringIO())
    from django.utils import timezone

    from cantine.models import Canteen
    from orders import instances, lots, needs, services
    from orders.models import AllocationRun
    from producers.models import Offer

    kitchen = Canteen.objects.get(kind=Canteen.Kind.CENTRAL_KITCHEN)
    today = timezone.localdate()
    rows = []
    for weeks in (1, 4):
        start = today - timedelta(days=today.weekday() + 7 * weeks)
        end = start + timedelta(days=7 * weeks - 1)
        t = time.perf_counter()
        needs.compute_needs(kitchen=kitchen, start=start, end=end)
        t_needs = time.perf_counter() - t
        instance, need_rows, offers = instances.instance_for_period(kitchen, start, end)
        run = AllocationRun.objects.create(canteen=kitchen, start=start, end=end)
        t = time.perf_counter()
        services.execute_allocation_run(run_id=run.pk)
        t_alloc = time.perf_counter() - t
        run.refresh_from_db()
        t = time.perf_counter()
        outcomes = lots.simulate(kitchen, start, end)
        t_lots = time.perf_counter() - t
        unmet = sum(u["quantity"] for u in run.unmet)
        rows.append(
            f"| {weeks} | {len(need_rows)} | {len(instance.offers)} | {len(instance.producers)} "
            f"| {t_needs:.2f} | {run.status} | {run.cost:.0f} | {run.baseline_cost:.0f} "
            f"| {run.gap if run.gap is not None else '-'} | {unmet:.0f} "
            f"| {run.shares.get('local', 0):.0%} / {run.shares.get('bio', 0):.0%} / "
            f"{run.shares.get('egalim', 0):.0%} | {t_alloc:.2f} | {t_lots:.2f} |"
        )
        for o in outcomes:
            print(
                f"  weeks={weeks} {o.granularity:14s} lots={o.lots:4d} producers={o.producers:3d} "
                f"cost={o.cost:9.2f} unmet={o.unmet_quantity:7.1f} "
                f"local={o.shares['local']:.0%} bio={o.shares['bio']:.0%} "
                f"egalim={o.shares['egalim']:.0%}"
            )
    print(f"offers in demo: {Offer.objects.count()}")
    print(
        "| weeks | needs | offers used | producers | needs s | status | cost € | greedy € "
        "| gap | unmet kg | local/bio/EGalim | allocation s | lot simulator s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
finally:
    connection.creation.destroy_test_db(name, verbosity=0)
