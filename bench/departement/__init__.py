"""A département-sized data set for the load test (issue 16), loaded by PostgreSQL COPY.

    .venv/bin/python -m bench.departement --database-url postgres://postgres@127.0.0.1:5432/DB

On a migrated PostgreSQL database (the script runs ``migrate`` first, a no-op when done) it
loads the demo (``seed_demo``: geography, CIQUAL foods, rule presets, the demo kitchen's dish
catalogue), then, seeded and deterministic, Maine-et-Loire as a département would run it:

- 100 kitchens: 30 central kitchens with 3 to 8 satellites each, 40 schools, 15 administrative
  canteens and 15 care homes cooking for themselves; cover forecasts for every canteen;
- 600 producers (590 real HVE farms nearest Angers under invented names, 10 wholesalers) with
  about ten offers each (every food of the catalogue for a wholesaler);
- each kitchen's dish catalogue (the demo's, copied in SQL with its ingredients and tags), its
  own rule set (GEMRCN + vegetarian, variety rules, in-season preferred) and food prices;
- a year of menus (the 52 weeks before this one, every service day, holidays skipped);
- about 1,000,000 purchase lines over that year, by kitchen size, farms' share growing;
- a year of purchase orders and their lines (paid, delivered, confirmed, and sent ones for the
  two weeks to come that producers have to answer);
- users: ``cook001``..``cook100``, ``dietitian001``.., ``manager001``.. (one of each per kitchen,
  in kitchen order), ``producer001``..``producer600``, all with ``--password``; each manager
  has an API key, ``api_key(seed, username)`` (the load test computes it too).

API keys are stamped with the password hash under ``SECRET_KEY``: load with the SECRET_KEY the
server will run with. Everything but the demo and the rule sets goes through ``cursor.copy``
with ids assigned here, so nothing is read back. Prints counts and seconds.
"""

from __future__ import annotations

import hashlib

KITCHENS_CENTRAL, SCHOOLS, ADMINISTRATIVE, HEALTH = 30, 40, 15, 15
PRODUCERS, WHOLESALERS = 600, 10
PURCHASE_LINES = 1_000_000
WEEKS = 52
DEFAULT_PASSWORD = "cantine-bench-2026"
SIRET_CANTEEN, SIRET_PRODUCER = "931", "959"
COMPONENTS = ("entree", "main", "side", "dairy", "dessert")


def api_key(seed: int, username: str) -> str:
    """The API key the data set issues to ``username`` (stored only as its SHA-256)."""
    return "bench" + hashlib.sha256(f"departement-{seed}-{username}".encode()).hexdigest()[:43]


def username(role: str, index: int) -> str:
    return f"{role}{index:03d}"
