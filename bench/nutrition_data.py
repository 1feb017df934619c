"""Time the nutrition data layer: CIQUAL/AGRIBALYSE/seasons parsing and tag classification.

.venv/bin/python -m bench.nutrition_data
"""

import time
from decimal import Decimal

from nutrition.ciqual import import_ciqual, read_agribalyse, read_seasons
from nutrition.classification import COMPONENTS, DishComposition, Ingredient, classify
from nutrition.presets import load_preset


def best_of(function, repeat=3):
    timings, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        timings.append(time.perf_counter() - started)
    return min(timings), result


def main() -> None:
    rows = []
    seconds, ciqual = best_of(import_ciqual)
    rows.append(("import_ciqual (3,484 foods x 13 nutrients)", seconds, len(ciqual.foods)))
    seconds, agribalyse = best_of(read_agribalyse)
    rows.append(("read_agribalyse (2,480 rows)", seconds, len(agribalyse)))
    seconds, seasons = best_of(read_seasons)
    rows.append(("read_seasons", seconds, len(seasons)))
    seconds, preset = best_of(lambda: load_preset("gemrcn_school_2011"))
    rows.append(("load_preset gemrcn_school_2011", seconds, len(preset.rules)))
    foods = ciqual.foods
    dishes = [
        DishComposition(
            food.name,
            component,
            [
                Ingredient.from_food(food, Decimal(100)),
                Ingredient.from_food(foods[0], Decimal(20)),
            ],
        )
        for food in foods
        for component in COMPONENTS
    ]
    seconds, decisions = best_of(lambda: [classify(dish) for dish in dishes], repeat=1)
    rows.append(
        (f"classify {len(dishes):,} two-ingredient dishes", seconds, sum(map(len, decisions)))
    )
    print("| step | best time (s) | items |\n|---|---|---|")
    for name, seconds, count in rows:
        print(f"| {name} | {seconds:.3f} | {count:,} |")


if __name__ == "__main__":
    main()
