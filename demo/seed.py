"""A believable demo territory built from real places (Maine-et-Loire, around Angers).

Canteens sit in real communes; producers are real HVE-certified farms (activity, commune,
certification date) under invented names. Every object is looked up by a stable key before it
is created, so seeding twice changes nothing.

The code is split by what it seeds (``demo.territory``, ``demo.catalogue``, ``demo.market``)
and the data it reads are the JSON files of ``demo/data/`` (``demo.datafiles``); every name
is importable from here as before.
"""

from __future__ import annotations

from cantine.services import load_commune_centres, load_geography
from demo.catalogue import (
    CATALOGUE,
    DECLARED_VEGETARIAN,
    DEMO_RULE_SET,
    PORK,
    bought_codes,
    seed_menus,
    seed_nutrition,
)
from demo.market import (
    DEFAULT_WHOLESALE_PRICE,
    MILK,
    OFFER_RANGES,
    OFFERS_PER_PRODUCER,
    PIECE_PACKS,
    WHOLESALE_LABELS,
    WHOLESALE_ORIGINS,
    WHOLESALE_PRICES,
    WHOLESALER,
    producer_kind,
    seed_food_prices,
    seed_offers,
    seed_purchases,
    seed_wholesaler,
)
from demo.market import _bought_code as _bought_code  # bench.departement reuses it
from demo.market import _sold_in_its_unit as _sold_in_its_unit  # bench.departement reuses it
from demo.market import _wholesale_price as _wholesale_price  # bench.departement reuses it
from demo.territory import (
    ADMINISTRATIVE,
    DEFAULT_PASSWORD,
    DEMO_DEPARTMENT,
    DEMO_USERS,
    FAMILIES,
    FARMS_FILE,
    KITCHEN,
    NAME_PATTERNS,
    NEIGHBOUR_DEPARTMENTS,
    QUOTAS,
    SATELLITES,
    SEED,
    CanteenSpec,
    DemoUser,
    choose_farms,
    demo_siret,
    farm_kind,
    of_place,
    seed_canteens,
    seed_producers,
    seed_users,
)
from demo.territory import _pretty as _pretty  # bench.departement reuses it

__all__ = [
    "ADMINISTRATIVE",
    "CATALOGUE",
    "CanteenSpec",
    "DECLARED_VEGETARIAN",
    "DEFAULT_PASSWORD",
    "DEFAULT_WHOLESALE_PRICE",
    "DEMO_DEPARTMENT",
    "DEMO_RULE_SET",
    "DEMO_USERS",
    "DemoUser",
    "FAMILIES",
    "FARMS_FILE",
    "KITCHEN",
    "MILK",
    "NAME_PATTERNS",
    "of_place",
    "NEIGHBOUR_DEPARTMENTS",
    "OFFERS_PER_PRODUCER",
    "OFFER_RANGES",
    "PIECE_PACKS",
    "PORK",
    "QUOTAS",
    "SATELLITES",
    "SEED",
    "WHOLESALER",
    "WHOLESALE_LABELS",
    "WHOLESALE_ORIGINS",
    "WHOLESALE_PRICES",
    "bought_codes",
    "choose_farms",
    "demo_siret",
    "farm_kind",
    "producer_kind",
    "seed_canteens",
    "seed_demo",
    "seed_food_prices",
    "seed_menus",
    "seed_nutrition",
    "seed_offers",
    "seed_producers",
    "seed_purchases",
    "seed_users",
    "seed_wholesaler",
]


def seed_demo(password: str = DEFAULT_PASSWORD) -> dict[str, int]:
    """Seed everything; returns counts for the command to print."""
    geography = load_geography()
    load_commune_centres(
        path=FARMS_FILE,
        code_column="code_insee_commune",
        lat_column="latitude",
        lon_column="longitude",
    )
    canteens = seed_canteens()
    producers = seed_producers()
    users = seed_users(canteens, producers, password)
    nutrition = seed_nutrition(canteens[0])
    offers = seed_offers(producers)
    offers += seed_wholesaler(canteens[0])
    seed_food_prices(canteens)
    menus = seed_menus(canteens[0])
    purchases = seed_purchases(canteens, producers)
    return {
        "dishes": nutrition["dishes"],
        "planned_meals": menus,
        "communes": geography["communes"],
        "canteens": len(canteens),
        "producers": len(producers),
        "users": len(users),
        "offers": offers,
        "purchases": purchases,
    }
