"""Purchases ledger: time a 100,000-line ma cantine import and the shares queries on 1,000,000 lines.

Targets (issue 7): import ≤ 10 s, the dashboard's queries ≤ 0.5 s, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cantine_bench \\
        .venv/bin/python -m bench.purchases [--import-lines 100000] [--ledger-lines 1000000]

A throw-away test database (``test_<name>``) is created, migrated and dropped. The import goes
through ``purchases.services.import_purchases`` exactly as the import page does (parse, check
every row, resolve SIRETs, refuse a duplicate file, bulk insert). The 1,000,000 ledger lines are
loaded with COPY (loading is not what is measured), then the queries the shares page runs are
timed: a central kitchen with 9 satellites holding every line, over 3 years. The page renders
the headline figures (years + shares) and then loads each breakdown table with its own request.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from cantine.models import Canteen, Commune, Department, Membership, Region, Role, User  # noqa: E402
from cantine.validators import with_luhn_check_digit  # noqa: E402
from cantine.vocabulary import Label  # noqa: E402
from purchases import importer, selectors, services  # noqa: E402
from purchases.models import Family, Purchase  # noqa: E402

FAMILIES = [f.value for f in Family]
FAMILY_WEIGHTS = [18, 6, 8, 25, 18, 8, 4, 13]
LABEL_SETS = [[], [], [], [Label.BIO], [Label.BIO, Label.LABEL_ROUGE], [Label.LABEL_ROUGE], [Label.AOCAOP], [Label.IGP],
              [Label.HVE], [Label.HVE, Label.EXTERNALITES], [Label.PECHE_DURABLE], [Label.FERMIER], [Label.PERFORMANCE]]  # fmt: skip
SUPPLIERS = [f"Fournisseur {i}" for i in range(120)]
START = date(2023, 1, 1)


def build_group(satellites: int = 9):
    region, _ = Region.objects.get_or_create(code="52", defaults={"name": "Pays de la Loire"})
    dept, _ = Department.objects.get_or_create(
        code="49", defaults={"name": "Maine-et-Loire", "region": region}
    )
    commune, _ = Commune.objects.get_or_create(
        code="49007", defaults={"name": "Angers", "department": dept}
    )
    kitchen = Canteen.objects.create(
        name="Cuisine centrale", siret=with_luhn_check_digit("2100000000000"),
        kind=Canteen.Kind.CENTRAL_KITCHEN, commune=commune,
    )  # fmt: skip
    canteens = [kitchen] + [
        Canteen.objects.create(
            name=f"Satellite {i}",
            siret=with_luhn_check_digit(f"21000000{i:05d}"),
            kind=Canteen.Kind.SATELLITE,
            central_kitchen=kitchen,
            commune=commune,
        )  # fmt: skip
        for i in range(1, satellites + 1)
    ]
    manager = User.objects.create(username="bench-manager")
    Membership.objects.create(user=manager, canteen=kitchen, role=Role.MANAGER)
    return kitchen, canteens, manager


def random_row(rng: random.Random, sirets: list[str], days: int) -> list[str]:
    labels = rng.choice(LABEL_SETS)
    local = rng.random() < 0.25
    definition = rng.choice(["DEPARTEMENT", "REGION", "KM", "PAT"]) if local else ""
    return [
        rng.choice(sirets),
        f"Produit {rng.randrange(5000)}",
        rng.choice(SUPPLIERS),
        (START + timedelta(days=rng.randrange(days))).isoformat(),
        f"{rng.uniform(1, 2000):.2f}",
        rng.choices(FAMILIES, FAMILY_WEIGHTS)[0],
        ",".join(labels),
        rng.choice(["FRANCE", "FRANCE", "EUROPE", ""]),
        "OUI" if rng.random() < 0.15 else "",
        "OUI" if local else "NON",
        definition,
        "50" if definition == "KM" else "",
    ]


def ma_cantine_file(lines: int, sirets: list[str], seed: int = 1) -> bytes:
    import csv

    rng = random.Random(seed)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(importer.COLUMNS)
    for _ in range(lines):
        writer.writerow(random_row(rng, sirets, 365))
    return buffer.getvalue().encode()


def bench_import(lines: int, canteens, manager) -> dict:
    content = ma_cantine_file(lines, [c.siret for c in canteens])
    started = time.perf_counter()
    parsed = importer.parse("bench.csv", content)
    parse_s = time.perf_counter() - started
    assert parsed.ok, parsed.errors[:5]
    started = time.perf_counter()
    outcome = services.import_purchases(actor=manager, file_name="bench.csv", content=content)
    total_s = time.perf_counter() - started
    assert outcome.ok and outcome.imported == lines, outcome.result.errors[:5]
    started = time.perf_counter()
    duplicate = services.import_purchases(actor=manager, file_name="again.csv", content=content)
    duplicate_s = time.perf_counter() - started
    assert duplicate.duplicate_of is not None
    return {
        "lines": lines,
        "MB": len(content) / 1e6,
        "parse_s": parse_s,
        "import_s": total_s,
        "duplicate_s": duplicate_s,
    }


def load_ledger(lines: int, canteens, seed: int = 2) -> float:
    """COPY ``lines`` rows over three years; returns seconds (not a measured target)."""
    import json

    rng = random.Random(seed)
    ids = [c.pk for c in canteens]
    columns = ["canteen_id", "date", "description", "supplier", "family", "labels", "origin",
               "is_short_chain", "is_local", "local_definition", "price_ht", "unit", "source",
               "created_at"]  # fmt: skip
    started = time.perf_counter()
    with connection.cursor() as cursor:
        table = Purchase._meta.db_table
        with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for _ in range(lines):
                local = rng.random() < 0.25
                copy.write_row(
                    (
                        rng.choice(ids),
                        START + timedelta(days=rng.randrange(3 * 365)),
                        f"Produit {rng.randrange(5000)}",
                        rng.choice(SUPPLIERS),
                        rng.choices(FAMILIES, FAMILY_WEIGHTS)[0],
                        json.dumps(rng.choice(LABEL_SETS)),
                        rng.choice(["FRANCE", "FRANCE", "EUROPE", ""]),
                        rng.random() < 0.15,
                        local,
                        "DEPARTEMENT" if local else "",
                        f"{rng.uniform(1, 2000):.2f}",
                        "",
                        "import",
                        "2026-01-01T00:00:00Z",
                    )
                )
        cursor.execute(f"ANALYZE {table}")
    return time.perf_counter() - started


def timed(function, repeat: int = 5) -> float:
    """Median of ``repeat`` runs after one warm-up, in seconds."""
    function()
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def bench_shares(kitchen) -> list[tuple[str, float]]:
    scope = selectors.group_of(kitchen)
    year = selectors.LedgerFilter(year=2024)
    lines = selectors.ledger(scope, year)
    queries = [
        ("shares, one year", lambda: selectors.shares(lines)),
        ("by quarter", lambda: selectors.shares_by(lines, "quarter")),
        ("by month", lambda: selectors.shares_by(lines, "month")),
        ("by canteen", lambda: selectors.shares_by(lines, "canteen")),
        ("by family", lambda: selectors.shares_by(lines, "family")),
        ("top 20 suppliers", lambda: selectors.shares_by(lines, "supplier", limit=20)),
        ("years list", lambda: selectors.years(scope)),
    ]
    results = [(name, timed(query)) for name, query in queries]
    seconds = dict(results)
    results.append(
        (
            "shares page first paint (years + shares)",
            seconds["years list"] + seconds["shares, one year"],
        )
    )
    results.append(("all seven queries, one after another", sum(seconds.values())))
    page = selectors.ledger_lines(scope, selectors.LedgerFilter(year=2024, group="bio"))
    results.append(
        ("drill-down: bio lines, count + page 1", timed(lambda: (page.count(), list(page[:50]))))
    )
    everything = selectors.ledger(scope)
    results.append(
        ("shares, all 3 years (worst case)", timed(lambda: selectors.shares(everything)))
    )
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--import-lines", type=int, default=100_000)
    parser.add_argument("--ledger-lines", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        kitchen, canteens, manager = build_group()
        vendor = connection.vendor
        print(f"database: {vendor} {connection.settings_dict['NAME']}")
        figures = bench_import(args.import_lines, canteens, manager)
        print(
            "\n| lines | file MB | parse + check s | import s (all steps) | duplicate refused s |"
        )
        print("|---|---|---|---|---|")
        print(
            f"| {figures['lines']:,} | {figures['MB']:.1f} | {figures['parse_s']:.2f} "
            f"| {figures['import_s']:.2f} | {figures['duplicate_s']:.2f} |"
        )
        if vendor != "postgresql":
            print("\nshares over 1M lines: PostgreSQL only (COPY); skipped.")
            return 0
        Purchase.objects.all().delete()
        load_s = load_ledger(args.ledger_lines, canteens)
        per_year = Purchase.objects.filter(date__year=2024).count()
        print(f"\nledger: {args.ledger_lines:,} lines loaded by COPY in {load_s:.1f} s; "
              f"{per_year:,} in 2024; kitchen + {len(canteens) - 1} satellites")  # fmt: skip
        print("\n| query (median of 5) | s |")
        print("|---|---|")
        for name, seconds in bench_shares(kitchen):
            print(f"| {name} | {seconds:.3f} |")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
