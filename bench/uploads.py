"""Hostile uploads (issue 12): how fast each import refuses a file built to make it slow.

Target: a 1.7 KB XLSX with one cell at row 5,000,000 and a 200,000-line CSV of bad rows are each
refused in under a second (they took 12 s and 43 s before).

    .venv/bin/python -m bench.uploads [--runs 5]

No database is needed for the refusals: the files are refused before any row is checked or any
canteen looked up. Prints the median and the worst of the runs, in seconds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import django  # noqa: E402

django.setup()

from menus import scdl  # noqa: E402
from producers import offers  # noqa: E402
from purchases import importer  # noqa: E402
from tests import hostile_files  # noqa: E402

BAD_PURCHASE = ["21010034300016", "", "", "", "", "x", "", "", "", "", "", ""]
OFFER_HEADER = ["ciqual_code", "product", "unit", "pack_size", "unit_price"]


def offer_refusal(content: bytes, name: str):
    def run():
        try:
            offers.read_table(content, name)
        except Exception as error:  # the refusal is the point
            return error
        raise AssertionError("not refused")

    return run


def cases():
    far = {
        d: hostile_files.far_cell_xlsx(importer.COLUMNS, dimension=d)
        for d in ("declared", "understated", "absent")
    }
    bad_csv = hostile_files.bad_csv(importer.COLUMNS, BAD_PURCHASE, 200_000)
    scdl_text = "menuDate,menuRepasType,menuPlatType,menuPlatNom\n" + (
        "pas une date,déjeuner,entrée,x\n" * 200_000
    )
    yield (
        f"ledger XLSX, cell at row 5,000,000, dimension declared ({len(far['declared'])} B)",
        lambda: importer.parse("a.xlsx", far["declared"]),
    )
    yield (
        "ledger XLSX, cell at row 5,000,000, dimension understated (A1:A1)",
        lambda: importer.parse("a.xlsx", far["understated"]),
    )
    yield (
        "ledger XLSX, cell at row 5,000,000, no dimension",
        lambda: importer.parse("a.xlsx", far["absent"]),
    )
    yield (
        f"ledger CSV, 200,000 bad lines ({len(bad_csv) / 1e6:.1f} MB)",
        lambda: importer.parse("a.csv", bad_csv),
    )
    yield (
        "ledger XLSX, billion laughs",
        lambda: importer.parse("a.xlsx", hostile_files.billion_laughs_xlsx(importer.COLUMNS)),
    )
    yield (
        "price list XLSX, cell at row 5,000,000, no dimension",
        offer_refusal(hostile_files.far_cell_xlsx(OFFER_HEADER, dimension="absent"), "t.xlsx"),
    )
    yield (
        "price list CSV, 200,000 bad lines",
        offer_refusal(hostile_files.bad_csv(OFFER_HEADER, ["x"] * 5, 200_000), "t.csv"),
    )
    yield ("SCDL CSV, 200,000 bad lines", lambda: scdl._read(scdl_text, scdl.ImportReport()))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"| file refused | median s | worst s | ({args.runs} runs)")
    print("|---|---|---|")
    for name, run in cases():
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            run()
            times.append(time.perf_counter() - start)
        print(f"| {name} | {statistics.median(times):.3f} | {max(times):.3f} |")


if __name__ == "__main__":
    main()
