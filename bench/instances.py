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
