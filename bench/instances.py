"""Seeded, realistic menu-planning instances for benchmarks and tests.

The catalogue mimics real school menus: per component, dish families with the GEMRCN tag
frequencies one sees in published canteen menus, costs of 0.15–2.5 € per portion, a local
share and a carbon footprint per portion (AGRIBALYSE orders of magnitude).
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from nutrition.mealplan import (
    COMPONENTS,
    Dish,
    Instance,
    Meal,
    Objective,
    ServedMeal,
    gemrcn_rules,
)

# (family name, share within the component, tags, vegetarian, cost range, co2e range, names)
FAMILIES: dict[str, list[tuple]] = {
    "entree": [
        (
            "crudites",
            0.50,
            {"raw_veg_fruit"},
            True,
            (0.20, 0.70),
            (0.05, 0.30),
            ["Carottes râpées", "Salade verte", "Concombre vinaigrette", "Chou rouge", "Radis"],
        ),
        (
            "fromage_entree",
            0.05,
            {"cheese_ca_150"},
            True,
            (0.30, 0.80),
            (0.20, 0.60),
            ["Salade au comté", "Feuilleté au fromage"],
        ),
        (
            "fromage_entree_mi",
            0.05,
            {"cheese_ca_100_150"},
            True,
            (0.30, 0.70),
            (0.20, 0.50),
            ["Salade au chèvre", "Tomate mozzarella"],
        ),
        (
            "grasse",
            0.20,
            {"fatty_entree"},
            False,
            (0.25, 0.80),
            (0.30, 0.90),
            ["Pâté de campagne", "Quiche lorraine", "Friand", "Rillettes"],
        ),
        (
            "cuite",
            0.20,
            set(),
            True,
            (0.20, 0.60),
            (0.10, 0.40),
            ["Potage de légumes", "Betteraves", "Taboulé", "Salade de lentilles"],
        ),
    ],
    "main": [
        (
            "poisson",
            0.17,
            {"fish_70"},
            False,
            (1.10, 2.50),
            (0.50, 1.60),
            ["Dos de colin", "Filet de merlu", "Saumon", "Cabillaud"],
        ),
        (
            "poisson_pane",
            0.05,
            {"low_protein_prep", "fried"},
            False,
            (0.70, 1.30),
            (0.40, 1.00),
            ["Poisson pané", "Croquettes de poisson"],
        ),
        (
            "viande_rouge",
            0.15,
            {"unground_red_meat"},
            False,
            (1.40, 2.50),
            (2.00, 5.50),
            ["Bœuf bourguignon", "Sauté de veau", "Navarin d'agneau", "Rôti de bœuf"],
        ),
        (
            "volaille_porc",
            0.20,
            set(),
            False,
            (0.80, 1.70),
            (0.50, 1.20),
            ["Poulet rôti", "Escalope de dinde", "Rôti de porc", "Cuisse de poulet"],
        ),
        (
            "preparation",
            0.10,
            {"low_protein_prep"},
            False,
            (0.60, 1.20),
            (0.60, 2.00),
            ["Lasagnes", "Hachis parmentier", "Raviolis", "Brandade"],
        ),
        (
            "gras",
            0.07,
            {"low_pl_ratio"},
            False,
            (0.60, 1.30),
            (0.60, 1.40),
            ["Saucisse de Toulouse", "Chipolatas", "Merguez"],
        ),
        (
            "veg_legumineuses",
            0.12,
            {"veg_pulses_cereals"},
            True,
            (0.45, 1.10),
            (0.10, 0.40),
            ["Dahl de lentilles", "Chili sin carne", "Couscous aux pois chiches"],
        ),
        (
            "veg_oeuf",
            0.05,
            {"veg_egg"},
            True,
            (0.50, 1.00),
            (0.30, 0.60),
            ["Omelette", "Œufs durs béchamel"],
        ),
        (
            "veg_fromage",
            0.05,
            {"veg_cheese"},
            True,
            (0.60, 1.20),
            (0.40, 0.90),
            ["Gratin de pâtes au fromage", "Croque végétarien"],
        ),
        (
            "veg_transforme",
            0.04,
            {"veg_processed"},
            True,
            (0.70, 1.40),
            (0.20, 0.50),
            ["Galette de soja", "Nuggets végétaux"],
        ),
    ],
    "side": [
        (
            "legumes",
            0.48,
            {"cooked_veg"},
            True,
            (0.15, 0.60),
            (0.05, 0.30),
            ["Haricots verts", "Carottes Vichy", "Ratatouille", "Brocolis", "Épinards"],
        ),
        (
            "feculents",
            0.40,
            {"starch_pulses"},
            True,
            (0.10, 0.45),
            (0.05, 0.25),
            ["Riz", "Pâtes", "Purée", "Semoule", "Lentilles", "Boulgour"],
        ),
        (
            "frites",
            0.06,
            {"starch_pulses", "fried"},
            True,
            (0.20, 0.50),
            (0.10, 0.30),
            ["Frites", "Pommes noisettes"],
        ),
        (
            "mixte",
            0.06,
            {"starch_pulses", "cooked_veg"},
            True,
            (0.20, 0.55),
            (0.05, 0.30),
            ["Riz aux petits légumes", "Pâtes aux courgettes"],
        ),
    ],
    "dairy": [
        (
            "fromage_150",
            0.40,
            {"cheese_ca_150"},
            True,
            (0.15, 0.50),
            (0.20, 0.60),
            ["Emmental", "Comté", "Tomme", "Saint-Paulin"],
        ),
        (
            "fromage_100",
            0.25,
            {"cheese_ca_100_150"},
            True,
            (0.15, 0.45),
            (0.15, 0.50),
            ["Camembert", "Brie", "Coulommiers"],
        ),
        (
            "laitage",
            0.30,
            {"dairy_ca100_fat5"},
            True,
            (0.12, 0.40),
            (0.10, 0.30),
            ["Yaourt nature", "Fromage blanc", "Petit suisse"],
        ),
        (
            "autre_laitier",
            0.05,
            set(),
            True,
            (0.15, 0.40),
            (0.10, 0.40),
            ["Fromage frais aromatisé", "Crème dessert"],
        ),
    ],
    "dessert": [
        (
            "fruit_cru",
            0.35,
            {"raw_fruit_dessert"},
            True,
            (0.20, 0.60),
            (0.05, 0.25),
            ["Pomme", "Poire", "Orange", "Banane", "Clémentines", "Kiwi"],
        ),
        (
            "dessert_lacte",
            0.15,
            {"dairy_ca100_fat5"},
            True,
            (0.20, 0.55),
            (0.15, 0.40),
            ["Riz au lait", "Semoule au lait", "Flan"],
        ),
        (
            "patisserie",
            0.20,
            {"fatty_dessert"},
            True,
            (0.25, 0.80),
            (0.20, 0.60),
            ["Gâteau au chocolat", "Tarte aux pommes", "Crêpe", "Beignet"],
        ),
        (
            "sucre",
            0.22,
            {"sweet_dessert"},
            True,
            (0.15, 0.55),
            (0.10, 0.40),
            ["Compote sucrée", "Fruits au sirop", "Mousse au chocolat"],
        ),
        (
            "compote",
            0.08,
            set(),
            True,
            (0.15, 0.45),
            (0.05, 0.20),
            ["Compote sans sucre ajouté", "Salade de fruits cuits"],
        ),
    ],
}
COMPONENT_SHARES = {"entree": 0.22, "main": 0.28, "side": 0.18, "dairy": 0.12, "dessert": 0.20}


def make_catalogue(n_dishes: int, seed: int = 0) -> dict[str, Dish]:
    """`n_dishes` dishes; every family gets at least one dish so rules stay satisfiable."""
    rng = random.Random(seed)
    dishes: dict[str, Dish] = {}
    per_component = _split(n_dishes, COMPONENT_SHARES)
    for comp in COMPONENTS:
        families = FAMILIES[comp]
        counts = _split(per_component[comp], {f[0]: f[1] for f in families})
        for fam, _share, tags, veg, cost_rng, co2_rng, names in families:
            for k in range(max(1, counts[fam])):
                did = f"D{len(dishes) + 1}"
                name = names[k % len(names)]
                if k >= len(names):
                    name = f"{name} ({k // len(names) + 1})"
                dishes[did] = Dish(
                    id=did,
                    name=name,
                    component=comp,
                    tags=frozenset(tags),
                    vegetarian=veg,
                    cost=round(rng.uniform(*cost_rng), 2),
                    local_share=round(rng.betavariate(1.5, 2.0), 2),
                    co2e=round(rng.uniform(*co2_rng), 3),
                )
    return dishes


def _split(total: int, shares: dict[str, float]) -> dict[str, int]:
    """Largest-remainder split of `total` by `shares`."""
    raw = {k: total * s / sum(shares.values()) for k, s in shares.items()}
    out = {k: int(v) for k, v in raw.items()}
    rest = sorted(raw, key=lambda k: raw[k] - out[k], reverse=True)
    for k in rest[: total - sum(out.values())]:
        out[k] += 1
    return out


def school_days(start: date, n: int, weekdays: tuple[int, ...] = (0, 1, 3, 4)) -> list[date]:
    """The next `n` school days from `start` (default: 4-day weeks, no Wednesday)."""
    days, day = [], start
    while len(days) < n:
        if day.weekday() in weekdays:
            days.append(day)
        day += timedelta(days=1)
    return days


def make_instance(
    n_meals: int,
    n_dishes: int,
    seed: int = 0,
    *,
    start: date = date(2027, 1, 4),
    history: list[ServedMeal] | None = None,
    spacing: int = 10,
    vegetarian_per_week: int = 1,
    objective: Objective | None = None,
    max_cost_per_meal: float | None = None,
    time_limit_s: float = 10.0,
    catalogue: dict[str, Dish] | None = None,
) -> Instance:
    """A planning instance over `n_meals` school days with the full GEMRCN + CNRC rule set."""
    dishes = catalogue if catalogue is not None else make_catalogue(n_dishes, seed)
    if history:
        start = history[-1].date + timedelta(days=1)
    meals = [Meal(d) for d in school_days(start, n_meals)]
    return Instance(
        components=COMPONENTS,
        meals=meals,
        history=list(history or []),
        dishes=dishes,
        rules=gemrcn_rules(),
        vegetarian_per_week=vegetarian_per_week,
        min_meals_between_repeats=spacing,
        max_cost_per_meal=max_cost_per_meal,
        objective=objective or Objective(cost=1.0, local_share=0.3, co2e=0.1),
        time_limit_s=time_limit_s,
    )


# --------------------------------------------------------------------------------------------
# Order allocation: territories of several shapes (issue 13)
#
# The farms, products, labels and seasons come from bench.territory (real HVE farms); the
# shapes below vary what bench.territory keeps fixed: 2 to 24 wholesalers, minimum orders of
# 0 to 120 €, delivery costs of 5 to 40 €, farms delivering 1 to 3 days a week, a 40 % local
# target, a cap per producer, the most-local-within-a-budget goal, and scarce capacity.

ALLOCATION_SHAPES: dict[str, dict] = {
    # 20 % organic, 50 % EGalim, no local target (the targets of bench.territory)
    "base": {},
    # the shape: a 40 % local target next to 20 % organic and 50 % EGalim
    "local40": {"local": 0.4},
    # and no producer above 20 % of the value (the wholesalers cannot take everything)
    "cap": {"local": 0.4, "cap": 0.2},
    # most local value a budget 12 % above the cheapest-anywhere estimate can buy
    "max_local": {"objective": "max_local", "budget_factor": 1.12},
    # farms at a third of their usual capacity, wholesalers limited: some needs go unmet
    "scarce": {"local": 0.4, "scarce": True},
}
FARM_WEEKDAYS = ((1,), (2,), (3,))  # how many days a week a farm delivers, drawn 1-3


def allocation_instance(
    shape: str,
    n_needs: int,
    n_producers: int,
    seed: int = 0,
    *,
    time_limit_s: float = 10.0,
    days: int | None = None,
) -> dict:
    """An allocation instance dict (JSON contract) of the given shape (ALLOCATION_SHAPES).

    ``days`` working days (default: 25 needs a day, at least 5); when there are more needs
    than (product, day) pairs, several canteens of the territory need the same product on
    the same day, as in a département's month."""
    from bench.territory import (
        LOCAL_KM,
        PRODUCTS,
        SIQO_FAMILIES,
        _in_season,
        haversine_km,
        load_farms,
    )
    from cantine.vocabulary import Label, Unit

    spec = ALLOCATION_SHAPES[shape]
    rng = random.Random(f"{shape}-{seed}-{n_needs}-{n_producers}")
    farms = load_farms()
    departments = sorted({f["departement"] for f in farms})
    department = rng.choice(
        [d for d in departments if sum(f["departement"] == d for f in farms) >= 40]
    )
    home = rng.choice([f for f in farms if f["departement"] == department])
    start = date(2027, 1, 4) + timedelta(weeks=rng.randrange(52))
    start -= timedelta(days=start.weekday())
    n_days = days or max(5, n_needs // 25)
    workdays, day = [], start
    while len(workdays) < n_days:
        if day.weekday() < 5:
            workdays.append(day)
        day += timedelta(days=1)
    month = workdays[0].month
    covers = rng.randrange(300, 1500, 10)
    weeks = max(1.0, len(workdays) / 5)
    scarce = 1 / 3 if spec.get("scarce") else 1.0
    n_wholesalers = min(max(1, n_producers // 4), rng.randint(2, 24))
    nearest = sorted(
        farms, key=lambda f: haversine_km(home["lat"], home["lon"], f["lat"], f["lon"])
    )
    producers, offers = [], []
    for k, farm in enumerate(nearest[: max(1, n_producers - n_wholesalers)]):
        distance = haversine_km(home["lat"], home["lon"], farm["lat"], farm["lon"])
        pid = f"P{k + 1}"
        producers.append(
            {
                "id": pid,
                "delivery_cost": float(rng.randrange(5, 41)),
                "min_order_value": float(rng.choice([0, 0, 30, 50, 60, 80, 100, 120])),
                "local": distance <= LOCAL_KM or farm["departement"] == department,
                "distance_km": round(distance, 1),
            }
        )
        bio = rng.random() < 0.25
        weekdays = rng.sample(range(5), rng.randint(1, 3))
        dates = [d.isoformat() for d in workdays if d.weekday() in weekdays]
        products = [p for p in farm["products"] if _in_season(p, month) > 0]
        rng.shuffle(products)
        for j, product in enumerate(products[: rng.randint(4, 10)]):
            family, unit, price, packs, portion, _ = PRODUCTS[product]
            labels = [Label.BIO] if bio else []
            if rng.random() < 0.4:
                labels.append(Label.HVE)
            if family in SIQO_FAMILIES and rng.random() < 0.3:
                labels.append(SIQO_FAMILIES[family])
            premium = (1.25 if bio else 1.0) * (1.05 if Label.LABEL_ROUGE in labels else 1.0)
            weekly = portion * covers * rng.uniform(0.2, 1.2) * scarce
            pack = float(rng.choice(packs))
            offers.append(
                {
                    "id": f"{pid}-O{j + 1}",
                    "producer": pid,
                    "product": product,
                    "unit": str(unit),
                    "unit_price": round(price * premium * rng.uniform(0.85, 1.2), 2),
                    "pack_size": pack,
                    "capacity": round(max(pack, weekly * weeks), 1),
                    "labels": [str(label) for label in labels],
                    "delivery_dates": dates,
                }
            )
    for w in range(n_producers - len(producers)):
        pid = f"G{w + 1}"
        producers.append(
            {
                "id": pid,
                "delivery_cost": float(rng.randrange(5, 41)),
                "min_order_value": float(rng.choice([60, 80, 100, 120])),
                "local": False,
                "distance_km": round(rng.uniform(80, 250), 1),
            }
        )
        dates = [d.isoformat() for d in workdays if rng.random() < 0.8] or [workdays[0].isoformat()]
        for j, (product, (_, unit, price, packs, portion, _m)) in enumerate(PRODUCTS.items()):
            if _in_season(product, month) == 0 or rng.random() < 0.3:
                continue
            capacity = None
            if spec.get("scarce"):
                capacity = round(portion * covers * weeks * rng.uniform(0.5, 1.5), 1)
            offers.append(
                {
                    "id": f"{pid}-O{j + 1}",
                    "producer": pid,
                    "product": product,
                    "unit": str(unit),
                    "unit_price": round(price * rng.uniform(0.95, 1.3), 2),
                    "pack_size": float(max(packs)),
                    "capacity": capacity,
                    "labels": [str(Label.HVE)] if rng.random() < 0.2 else [],
                    "delivery_dates": dates,
                }
            )
    sold = sorted({o["product"] for o in offers})
    slots = [(p, d) for d in workdays for p in sold]
    rng.shuffle(slots)
    needs = []
    for k in range(n_needs):
        product, day = slots[k % len(slots)]
        family, unit, _, _packs, portion, _ = PRODUCTS[product]
        quantity = portion * covers * rng.uniform(0.3, 1.0)
        quantity = round(quantity) if unit == Unit.PIECE else round(quantity * 2) / 2
        needs.append(
            {
                "id": f"N{k + 1}",
                "product": product,
                "family": str(family),
                "quantity": float(max(quantity, 0.5)),
                "unit": str(unit),
                "delivery_date": day.isoformat(),
            }
        )
    data = {
        "needs": needs,
        "producers": producers,
        "offers": offers,
        "targets": {
            "bio_min_share": 0.2,
            "egalim_min_share": 0.5,
            "local_min_share": spec.get("local"),
        },
        "max_share_per_producer": spec.get("cap"),
        "allow_unmet": True,
        "unmet_penalty_per_unit": 1000.0,
        "objective": spec.get("objective", "min_cost"),
        "budget": None,
        "time_limit_s": time_limit_s,
        "meta": {"shape": shape, "seed": seed, "department": department, "covers": covers},
    }
    if "budget_factor" in spec:
        data["budget"] = round(spec["budget_factor"] * _cheapest_estimate(data), 2)
    return data


def _cheapest_estimate(data: dict) -> float:
    """Each need at its cheapest compatible price, plus one delivery per (producer, day) used
    that way: a rough figure for a budget, not a bound."""
    by_slot: dict[tuple, list[dict]] = {}
    for offer in data["offers"]:
        for day in offer["delivery_dates"]:
            by_slot.setdefault((offer["product"], day), []).append(offer)
    delivery = {p["id"]: p["delivery_cost"] for p in data["producers"]}
    goods, used = 0.0, set()
    for need in data["needs"]:
        candidates = by_slot.get((need["product"], need["delivery_date"]))
        if candidates:
            best = min(candidates, key=lambda o: o["unit_price"])
            goods += best["unit_price"] * need["quantity"]
            used.add((best["producer"], need["delivery_date"]))
    return goods + sum(delivery[p] for p, _ in used)
