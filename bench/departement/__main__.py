"""``python -m bench.departement``: load the département data set (see the package's docstring)."""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date

import bench.departement
from bench.departement import (
    DEFAULT_PASSWORD,
    PURCHASE_LINES,
    SIRET_CANTEEN,
)
from bench.departement.copier import Copier
from bench.departement.world import Departement


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=bench.departement.__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="postgres://… (a migrated database)")
    parser.add_argument("--seed", type=int, default=49)
    parser.add_argument("--password", default=DEFAULT_PASSWORD)
    parser.add_argument("--purchase-lines", type=int, default=PURCHASE_LINES)
    parser.add_argument("--today", type=date.fromisoformat, default=None, help="default: today")
    args = parser.parse_args(argv)
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("the data set is loaded by PostgreSQL COPY: give a postgres:// URL")
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from cantine.models import Canteen
    from demo.seed import KITCHEN, demo_siret, seed_demo

    clock = time.perf_counter()
    steps: list[tuple[str, float]] = []

    def step(name: str, since: float) -> float:
        now = time.perf_counter()
        steps.append((name, now - since))
        print(f"{name:<28} {now - since:7.1f} s", flush=True)
        return now

    call_command("migrate", "--noinput", verbosity=0)
    mark = step("migrate", clock)
    if Canteen.objects.filter(siret__startswith=SIRET_CANTEEN).exists():
        print("The département data set is already loaded in this database.", file=sys.stderr)
        return 1
    seed_demo()
    mark = step("demo (seed_demo)", mark)
    world = Departement(
        seed=args.seed,
        password=args.password,
        purchase_lines=args.purchase_lines,
        today=args.today or date.today(),
    )
    world.demo_kitchen = Canteen.objects.get(siret=demo_siret("canteen", KITCHEN.key)).pk
    connection.ensure_connection()
    copier = Copier(connection.connection)
    with transaction.atomic():
        world.canteens(copier)
        mark = step("canteens, covers", mark)
        world.producers(copier)
        mark = step("producers, offers", mark)
        world.users(copier)
        mark = step("users, roles, API keys", mark)
        world.catalogues(copier)
        mark = step("dishes, rule sets, prices", mark)
        world.menus(copier)
        mark = step("a year of menus", mark)
        world.ledger(copier)
        mark = step("purchase ledger", mark)
        world.orders(copier)
        mark = step("purchase orders", mark)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    mark = step("analyze", mark)
    print()
    for label, count in copier.counts.items():
        print(f"{label:<32} {count:>10,}")
    print(f"{'total':<32} {time.perf_counter() - clock:9.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
