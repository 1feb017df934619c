"""Agreement of the computed GEMRCN tags with a dietitian's calls, per tag.

The labelled set is ``nutrition/data/labelled_school_dishes.csv`` (its header and sources
are described in ``nutrition/data/SOURCES.md``): each dish with its recipe (CIQUAL codes
and grams of the primary-school portion, optional flags), the dietitian's declaration of a
vegetarian composite, and the tags that apply. For every dish and every tag its course can
carry, the call is "applies" or "does not"; the classifier agrees when it decides the same
(an undecided tag counts as a disagreement).

    .venv/bin/python -m bench.classification                  # the table, then disagreements
    .venv/bin/python -m bench.classification --module DIR     # another classification package
    .venv/bin/python -m bench.classification --module FILE.py # a single-file version (before the
                                                              # package, e.g. from git show)

Another version is loaded under its own name, so it is measured against the same labels
without replacing ``nutrition.classification`` (the package's modules import one another
relatively, so a copied package directory loads its own modules, not the installed ones).
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import os
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, os.getcwd())

from nutrition.ciqual import read_ciqual  # noqa: E402
from nutrition.compliance import TAG_LABELS  # noqa: E402

LABELS = Path(__file__).resolve().parents[1] / "nutrition" / "data" / "labelled_school_dishes.csv"
TARGET, MIN_EXAMPLES = 0.95, 20


def read_labels(path: Path = LABELS) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    for row in rows:
        row["parts"] = []
        for item in row["ingredients"].split(" + "):
            code, grams, *flags = item.split(":")
            row["parts"].append((code, Decimal(grams), flags[0].split(",") if flags else []))
        row["expected"] = set(row["tags"].split())
    return rows


def load_classifier(module_path: str | None):
    if module_path is None:
        from nutrition import classification

        return classification
    path = Path(module_path)
    if path.is_dir():  # a package: its __init__.py, its modules found beside it
        spec = importlib.util.spec_from_file_location(
            "classification_under_test",
            path / "__init__.py",
            submodule_search_locations=[str(path)],
        )
    else:
        spec = importlib.util.spec_from_file_location("classification_under_test", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def agreement(rows: list[dict], cls) -> tuple[dict, list[str]]:
    """{tag: Counter(examples, positives, agree, undecided)} and the disagreements."""
    foods = {food.code: food for food in read_ciqual()}
    table: dict[str, Counter] = {}
    misses = []
    for row in rows:
        ingredients = [
            cls.Ingredient.from_food(foods[code], grams, flags)
            for code, grams, flags in row["parts"]
        ]
        declared = True if row["declared_vegetarian"] == "oui" else None
        dish = cls.DishComposition(row["name"], row["component"], ingredients, vegetarian=declared)
        computed = {d.tag: d for d in cls.classify(dish)}
        for tag in cls.COMPONENT_TAGS[row["component"]]:
            counts = table.setdefault(tag, Counter())
            expected = tag in row["expected"]
            decision = computed[tag]
            counts["examples"] += 1
            counts["positives"] += expected
            counts["undecided"] += decision.applies is None
            if decision.applies is expected:
                counts["agree"] += 1
            else:
                misses.append(
                    f"{row['name']} ({row['component']}) {tag}: dietitian {expected}, "
                    f"computed {decision.applies} — {decision.reason}"
                )
    return table, misses


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--module",
        help="another classification package (directory) or single-file module to measure",
    )
    args = parser.parse_args(argv)
    rows = read_labels()
    table, misses = agreement(rows, load_classifier(args.module))
    print(f"{len(rows)} dishes, {sum(c['examples'] for c in table.values())} calls")
    print("| tag | meaning | examples | applies | agree | agreement | undecided |")
    print("|---|---|---|---|---|---|---|")
    failing = []
    for tag, counts in sorted(table.items(), key=lambda item: -item[1]["examples"]):
        share = counts["agree"] / counts["examples"]
        if counts["examples"] >= MIN_EXAMPLES and share < TARGET:
            failing.append(tag)
        print(
            f"| {tag} | {TAG_LABELS.get(tag, tag)} | {counts['examples']} | {counts['positives']} "
            f"| {counts['agree']} | {share:.1%} | {counts['undecided']} |"
        )
    total = sum(c["agree"] for c in table.values()) / sum(c["examples"] for c in table.values())
    print(
        f"overall {total:.1%}; below {TARGET:.0%} with ≥ {MIN_EXAMPLES} examples: {failing or 'none'}"
    )
    for line in misses:
        print("  -", line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
