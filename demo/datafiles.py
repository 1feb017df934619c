"""The demo's data, read from the UTF-8 JSON files of ``demo/data/``.

- ``canteens.json``: the central kitchen, its satellites and the administrative restaurant
  (stable key, name, kind, INSEE commune, position, covers by age group on a school day);
- ``producers.json``: how many farms of each kind the demo takes, the patterns of their
  invented names and the family names they use;
- ``users.json``: one demo user per role;
- ``catalogue.json``: the school dish catalogue (name, course, ingredients as CIQUAL code of
  the food as served with its grams: one number for the primary-school portion, or three for
  nursery, primary and secondary; optional flags; allergens comma-separated), the dishes the
  dietitian declares vegetarian and those holding pork;
- ``offers.json``: what each kind of farm sells (CIQUAL codes, price range € HT per kg, pack
  sizes, weekly capacity in kg), the regional wholesaler, its prices by CIQUAL group and the
  odds of its lines' labels and origins.

Each reader returns the Python values the seed works with (tuples, Decimals, enums), read
once.
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


@cache
def read(name: str):
    with open(DATA_DIR / name, encoding="utf-8") as handle:
        return json.load(handle)


def catalogue() -> list[tuple[str, str, tuple, str]]:
    """(name, course, ingredients, allergens); an ingredient is (code, grams[, flags])."""

    def ingredient(item: dict) -> tuple:
        grams = item["grams"]
        grams = tuple(grams) if isinstance(grams, list) else grams
        if "flags" in item:
            return (item["code"], grams, set(item["flags"]))
        return (item["code"], grams)

    return [
        (
            dish["name"],
            dish["course"],
            tuple(ingredient(item) for item in dish["ingredients"]),
            dish["allergens"],
        )
        for dish in read("catalogue.json")["dishes"]
    ]


def offer_ranges() -> dict[str, tuple[tuple[str, ...], tuple, tuple, tuple]]:
    """kind -> (CIQUAL codes, price range € HT per kg, pack sizes, weekly capacity in kg)."""
    return {
        kind: (
            tuple(spec["codes"]),
            tuple(spec["price_per_kg"]),
            tuple(spec["packs"]),
            tuple(spec["capacity_kg"]),
        )
        for kind, spec in read("offers.json")["ranges"].items()
    }


def wholesaler() -> tuple[str, str, float, float]:
    """(name, INSEE commune, latitude, longitude)."""
    spec = read("offers.json")["wholesaler"]
    return (spec["name"], spec["commune"], spec["latitude"], spec["longitude"])


def wholesale_prices() -> dict[str, Decimal]:
    return {key: Decimal(price) for key, price in read("offers.json")["wholesale_prices"].items()}


def wholesale_labels(label_type) -> list[tuple[list, float]]:
    """[(labels, odds)], the labels as members of ``label_type``."""
    return [
        ([label_type(label) for label in choice["labels"]], choice["weight"])
        for choice in read("offers.json")["wholesale_labels"]
    ]


def wholesale_origins() -> list[tuple[str, float]]:
    return [
        (choice["origin"], choice["weight"]) for choice in read("offers.json")["wholesale_origins"]
    ]
