"""Seeded generator of realistic order-allocation territories (orders/allocation.py instances).

Producers sit at real HVE-certified farms (producers/data/hve_food_farms_by_commune.csv: commune
coordinates and main activities; names were removed from the data on purpose). A department is
drawn, the canteen is put in one of its farm communes, and the producers are the farms nearest
to it. "Local" = within 50 km or in the same department. Products follow each farm's activity,
with seasonal capacities, pack sizes, prices, labels and delivery days drawn from plausible
ranges; two regional wholesalers (not local, everything, large capacity, higher minimum order)
make sure every need can be bought somewhere, as in real procurement.

    >>> from bench.territory import generate_territory
    >>> instance = generate_territory(n_needs=300, n_producers=200, seed=1)
"""

from __future__ import annotations

import csv
import math
import random
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from cantine.vocabulary import Family, Label, Unit

FARMS_CSV = Path(__file__).resolve().parent.parent / "producers/data/hve_food_farms_by_commune.csv"
LOCAL_KM = 50.0
SUMMER = frozenset({6, 7, 8, 9})
LATE_SPRING_SUMMER = frozenset({5, 6, 7, 8, 9})
WINTER_STORE = frozenset({9, 10, 11, 12, 1, 2, 3, 4})

# product: (family, unit, price per unit €, pack sizes, portion per cover, months or None)
PRODUCTS: dict[str, tuple[str, str, float, tuple[float, ...], float, frozenset | None]] = {
    "carotte": (Family.FRUITS_ET_LEGUMES, Unit.KG, 1.3, (5, 10, 25), 0.08, None),
    "pomme de terre": (Family.FRUITS_ET_LEGUMES, Unit.KG, 0.9, (10, 25), 0.15, None),
    "poireau": (Family.FRUITS_ET_LEGUMES, Unit.KG, 2.2, (5, 10), 0.08, WINTER_STORE),
    "courgette": (Family.FRUITS_ET_LEGUMES, Unit.KG, 2.0, (5, 10), 0.1, SUMMER),
    "tomate": (Family.FRUITS_ET_LEGUMES, Unit.KG, 2.6, (5, 6), 0.08, SUMMER),
    "salade": (Family.FRUITS_ET_LEGUMES, Unit.PIECE, 0.9, (6, 12), 0.05, None),
    "chou": (Family.FRUITS_ET_LEGUMES, Unit.KG, 1.5, (10,), 0.08, WINTER_STORE),
    "oignon": (Family.FRUITS_ET_LEGUMES, Unit.KG, 1.2, (5, 10, 25), 0.02, None),
    "potiron": (Family.FRUITS_ET_LEGUMES, Unit.KG, 1.6, (10,), 0.1, WINTER_STORE),
    "haricot vert": (Family.FRUITS_ET_LEGUMES, Unit.KG, 3.8, (5,), 0.08, SUMMER),
    "betterave": (Family.FRUITS_ET_LEGUMES, Unit.KG, 1.8, (5, 10), 0.06, None),
    "épinard": (Family.FRUITS_ET_LEGUMES, Unit.KG, 4.0, (2.5, 5), 0.08, None),
    "pomme": (Family.FRUITS_ET_LEGUMES, Unit.KG, 1.9, (6, 13, 18), 0.12, None),
    "poire": (Family.FRUITS_ET_LEGUMES, Unit.KG, 2.3, (6, 13), 0.12, WINTER_STORE),
    "kiwi": (Family.FRUITS_ET_LEGUMES, Unit.KG, 3.2, (5, 10), 0.08, WINTER_STORE),
    "prune": (Family.FRUITS_ET_LEGUMES, Unit.KG, 3.0, (5,), 0.1, SUMMER),
    "pêche": (Family.FRUITS_ET_LEGUMES, Unit.KG, 3.1, (5, 6), 0.12, SUMMER),
    "abricot": (Family.FRUITS_ET_LEGUMES, Unit.KG, 3.5, (5,), 0.1, LATE_SPRING_SUMMER),
    "noix": (Family.FRUITS_ET_LEGUMES, Unit.KG, 9.0, (1, 5), 0.01, None),
    "lentille verte": (Family.AUTRES, Unit.KG, 3.2, (5, 25), 0.04, None),
    "farine de blé": (Family.BOULANGERIE, Unit.KG, 1.1, (5, 25), 0.02, None),
    "pois chiche": (Family.AUTRES, Unit.KG, 3.5, (5, 25), 0.04, None),
    "huile de colza": (Family.AUTRES, Unit.LITRE, 3.8, (1, 5), 0.005, None),
    "semoule": (Family.AUTRES, Unit.KG, 2.1, (5, 10), 0.05, None),
    "jus de raisin": (Family.BOISSONS, Unit.LITRE, 2.4, (1, 6), 0.02, None),
    "miel": (Family.AUTRES, Unit.KG, 11.0, (1, 5), 0.005, None),
    "bœuf haché": (Family.VIANDES_VOLAILLES, Unit.KG, 12.5, (2.5, 5), 0.07, None),
    "bœuf bourguignon": (Family.VIANDES_VOLAILLES, Unit.KG, 13.5, (2.5, 5, 10), 0.07, None),
    "rôti de veau": (Family.VIANDES_VOLAILLES, Unit.KG, 19.0, (2.5, 5), 0.07, None),
    "sauté d'agneau": (Family.VIANDES_VOLAILLES, Unit.KG, 17.0, (2.5, 5), 0.07, None),
    "filet de poulet": (Family.VIANDES_VOLAILLES, Unit.KG, 10.5, (2.5, 5), 0.07, None),
    "cuisse de poulet": (Family.VIANDES_VOLAILLES, Unit.KG, 6.5, (5, 10), 0.1, None),
    "sauté de porc": (Family.VIANDES_VOLAILLES, Unit.KG, 8.5, (2.5, 5), 0.07, None),
    "jambon blanc": (Family.CHARCUTERIE, Unit.KG, 11.0, (1, 2.5), 0.03, None),
    "lapin": (Family.VIANDES_VOLAILLES, Unit.KG, 13.0, (2.5,), 0.08, None),
    "truite": (Family.PRODUITS_DE_LA_MER, Unit.KG, 16.0, (2.5, 5), 0.07, None),
    "œufs": (Family.AUTRES, Unit.PIECE, 0.28, (30, 90, 180), 1.0, None),
    "lait": (Family.PRODUITS_LAITIERS, Unit.LITRE, 1.1, (1, 6), 0.1, None),
    "yaourt nature": (Family.PRODUITS_LAITIERS, Unit.PIECE, 0.32, (24, 48), 1.0, None),
    "fromage blanc": (Family.PRODUITS_LAITIERS, Unit.KG, 3.9, (1, 5), 0.1, None),
    "emmental": (Family.PRODUITS_LAITIERS, Unit.KG, 9.5, (1, 3), 0.03, None),
    "tomme de brebis": (Family.PRODUITS_LAITIERS, Unit.KG, 17.0, (1, 3), 0.03, None),
    "fromage de chèvre": (Family.PRODUITS_LAITIERS, Unit.KG, 16.0, (1, 2), 0.03, None),
    "yaourt de brebis": (Family.PRODUITS_LAITIERS, Unit.PIECE, 0.55, (12, 24), 1.0, None),
    "beurre": (Family.PRODUITS_LAITIERS, Unit.KG, 8.5, (1, 5), 0.01, None),
}

ACTIVITIES: dict[str, tuple[str, ...]] = {
    "Maraichage": (
        "carotte",
        "pomme de terre",
        "poireau",
        "courgette",
        "tomate",
        "salade",
        "chou",
        "oignon",
        "potiron",
        "haricot vert",
        "betterave",
        "épinard",
    ),
    "Arboriculture": (
        "pomme",
        "poire",
        "kiwi",
        "prune",
        "pêche",
        "abricot",
        "noix",
        "jus de raisin",
    ),
    "Grandes Cultures": (
        "lentille verte",
        "farine de blé",
        "pois chiche",
        "huile de colza",
        "semoule",
        "pomme de terre",
        "oignon",
    ),
    "Autres Cultures": ("lentille verte", "pois chiche", "miel", "noix"),
    "Viticulture": ("jus de raisin",),
    "Horticulture": ("salade", "épinard"),
    "Bovins Viande": ("bœuf haché", "bœuf bourguignon", "rôti de veau"),
    "Bovins Lait": ("lait", "yaourt nature", "fromage blanc", "emmental", "beurre"),
    "Ovins": ("sauté d'agneau", "tomme de brebis", "yaourt de brebis"),
    "Caprins": ("fromage de chèvre", "lait"),
    "Volailles": ("filet de poulet", "cuisse de poulet", "œufs"),
    "Oeufs": ("œufs",),
    "Porcins": ("sauté de porc", "jambon blanc"),
    "Lapins": ("lapin",),
    "Poissons": ("truite",),
    "Apiculteur": ("miel",),
}
SIQO_FAMILIES = {
    Family.VIANDES_VOLAILLES: Label.LABEL_ROUGE,
    Family.CHARCUTERIE: Label.LABEL_ROUGE,
    Family.PRODUITS_LAITIERS: Label.AOCAOP,
    Family.PRODUITS_DE_LA_MER: Label.LABEL_ROUGE,
}
WEEKDAY_PATTERNS = ((0, 3), (1, 4), (0, 2, 4), (0, 1, 3), (0, 1, 2, 3), (1, 2, 4), (0, 2, 3, 4))


@lru_cache(maxsize=1)
def load_farms() -> tuple[dict, ...]:
    """Farms with coordinates and at least one activity the catalogue knows."""
    with FARMS_CSV.open(encoding="utf-8") as handle:
        rows = []
        for row in csv.DictReader(handle):
            products = _farm_products(row)
            if products and row["latitude"] and row["longitude"]:
                rows.append(
                    {
                        **row,
                        "lat": float(row["latitude"]),
                        "lon": float(row["longitude"]),
                        "products": products,
                    }
                )
    return tuple(rows)


def _farm_products(row: dict) -> tuple[str, ...]:
    products: list[str] = []
    for key in ("activite_vegetale_principale", "activite_animale_principale"):
        for product in ACTIVITIES.get(row.get(key) or "", ()):
            if product not in products:
                products.append(product)
    return tuple(products)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    rlat1, rlat2 = math.radians(lat1), math.radians(lat2)
    dlat, dlon = rlat2 - rlat1, math.radians(lon2 - lon1)
    a = math.sin(dlat / 2) ** 2 + math.cos(rlat1) * math.cos(rlat2) * math.sin(dlon / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def _in_season(product: str, month: int) -> float:
    """Capacity factor: 1 in season, 0 out of it (stored produce covers the shoulder)."""
    months = PRODUCTS[product][5]
    return 1.0 if months is None or month in months else 0.0


def generate_territory(
    n_needs: int = 300,
    n_producers: int = 200,
    seed: int = 0,
    department: str | None = None,
    start: date | None = None,
    targets: dict | None = None,
    time_limit_s: float = 10.0,
    allow_unmet: bool = True,
) -> dict:
    """An allocation instance dict (JSON contract) for a canteen in a real department."""
    rng = random.Random(seed)
    farms = load_farms()
    departments = sorted({f["departement"] for f in farms})
    department = department or rng.choice(
        [d for d in departments if sum(f["departement"] == d for f in farms) >= 40]
    )
    home = rng.choice([f for f in farms if f["departement"] == department])
    start = start or _monday(date(2027, 1, 4) + timedelta(weeks=rng.randrange(52)))
    days = _working_days(start, max(5, n_needs // 40))
    covers = rng.randrange(150, 1200, 10)
    nearest = sorted(
        farms, key=lambda f: haversine_km(home["lat"], home["lon"], f["lat"], f["lon"])
    )
    producers, offers = [], []
    for k, farm in enumerate(nearest[: max(1, n_producers - 2)]):
        producer, farm_offers = _farm_producer(rng, k, farm, home, department, days, covers)
        producers.append(producer)
        offers += farm_offers
    for w in range(min(2, n_producers - len(producers))):
        producer, wholesale = _wholesaler(rng, w, days, covers, start.month)
        producers.append(producer)
        offers += wholesale
    needs = _needs(rng, n_needs, offers, days, covers)
    return {
        "needs": needs,
        "producers": producers,
        "offers": offers,
        "targets": targets
        if targets is not None
        else {"bio_min_share": 0.2, "egalim_min_share": 0.5, "local_min_share": None},
        "max_share_per_producer": None,
        "allow_unmet": allow_unmet,
        "unmet_penalty_per_unit": 1000.0,
        "objective": "min_cost",
        "budget": None,
        "time_limit_s": time_limit_s,
        "meta": {
            "department": department,
            "commune": home["commune"],
            "covers": covers,
            "seed": seed,
            "first_day": days[0].isoformat(),
            "last_day": days[-1].isoformat(),
        },
    }


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _working_days(start: date, count: int) -> list[date]:
    days, day = [], start
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def _farm_producer(rng, k, farm, home, department, days, covers):
    distance = haversine_km(home["lat"], home["lon"], farm["lat"], farm["lon"])
    pid = f"P{k + 1}"
    producer = {
        "id": pid,
        "name": f"Ferme de {farm['commune']}",
        "commune": farm["commune"],
        "delivery_cost": float(rng.choice([0, 5, 8, 10, 12, 15, 18, 20, 25])),
        "min_order_value": float(rng.choice([0, 50, 60, 80, 80, 80, 100, 120])),
        "local": distance <= LOCAL_KM or farm["departement"] == department,
        "distance_km": round(distance, 1),
    }
    bio = rng.random() < 0.25
    weekdays = rng.choice(WEEKDAY_PATTERNS)
    dates = [d.isoformat() for d in days if d.weekday() in weekdays]
    weeks = max(1, len(days) / 5)
    month = days[0].month
    products = [p for p in farm["products"] if _in_season(p, month) > 0]
    rng.shuffle(products)
    offers = []
    for j, product in enumerate(products[: rng.randint(6, 12)]):
        family, unit, price, packs, portion, _ = PRODUCTS[product]
        labels = [Label.BIO] if bio else []
        if rng.random() < 0.4:
            labels.append(Label.HVE)
        if family in SIQO_FAMILIES and rng.random() < 0.3:
            labels.append(SIQO_FAMILIES[family])
        if rng.random() < 0.1:
            labels.append(Label.FERMIER)
        premium = (1.25 if bio else 1.0) * (1.05 if Label.LABEL_ROUGE in labels else 1.0)
        weekly = portion * covers * rng.uniform(0.3, 1.6)
        pack = float(rng.choice(packs))
        offers.append(
            {
                "id": f"{pid}-O{j + 1}",
                "producer": pid,
                "product": product,
                "unit": unit,
                "unit_price": round(price * premium * rng.uniform(0.85, 1.2), 2),
                "pack_size": pack,
                "capacity": round(max(pack, weekly * weeks), 1),
                "labels": labels,
                "delivery_dates": dates,
            }
        )
    return producer, offers


def _wholesaler(rng, w, days, covers, month):
    pid = f"G{w + 1}"
    producer = {
        "id": pid,
        "name": f"Grossiste régional {w + 1}",
        "delivery_cost": 0.0,
        "min_order_value": 250.0,
        "local": False,
        "distance_km": round(rng.uniform(80, 250), 1),
    }
    dates = [d.isoformat() for d in days]
    offers = []
    for j, (product, (_, unit, price, packs, _portion, _m)) in enumerate(PRODUCTS.items()):
        if _in_season(product, month) == 0:
            continue
        offers.append(
            {
                "id": f"{pid}-O{j + 1}",
                "producer": pid,
                "product": product,
                "unit": unit,
                "unit_price": round(price * rng.uniform(0.95, 1.3), 2),
                "pack_size": float(max(packs)),
                "capacity": None,
                "labels": [Label.HVE] if rng.random() < 0.2 else [],
                "delivery_dates": dates,
            }
        )
    return producer, offers


def _needs(rng, n_needs, offers, days, covers):
    """Needs on products the territory sells, one per (product, day) at most."""
    products = sorted({o["product"] for o in offers})
    slots = [(p, d) for d in days for p in products]
    rng.shuffle(slots)
    needs = []
    for k, (product, day) in enumerate(slots[:n_needs]):
        family, unit, _, packs, portion, _ = PRODUCTS[product]
        quantity = portion * covers * rng.uniform(0.5, 1.2)
        quantity = round(quantity) if unit == Unit.PIECE else round(quantity * 2) / 2
        needs.append(
            {
                "id": f"N{k + 1}",
                "product": product,
                "family": family,
                "quantity": float(max(quantity, 0.5)),
                "unit": unit,
                "delivery_date": day.isoformat(),
            }
        )
    return needs
