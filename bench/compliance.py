"""Checker speed: one school year of menus (and a full calendar year) x 2,000 dishes.

python -m bench.compliance
"""

from __future__ import annotations

import json
import random
import sys
import time
from datetime import date

from bench.instances import make_catalogue, school_days
from nutrition.compliance import check_history
from nutrition.mealplan import COMPONENTS, Instance, ServedMeal, gemrcn_rules, parse_instance


def year_of_meals(n_meals: int, n_dishes: int, seed: int = 0) -> Instance:
    rng = random.Random(seed)
    dishes = make_catalogue(n_dishes, seed)
    by_comp = {c: [d.id for d in dishes.values() if d.component == c] for c in COMPONENTS}
    days = school_days(date(2026, 9, 1), n_meals, weekdays=(0, 1, 2, 3, 4, 5, 6))
    history = [ServedMeal(day, {c: rng.choice(by_comp[c]) for c in COMPONENTS}) for day in days]
    return Instance(COMPONENTS, [], history, dishes, gemrcn_rules(), 1, 10)


def main() -> int:
    for n_meals in (140, 365):
        inst = year_of_meals(n_meals, 2000)
        raw = json.loads(json.dumps(inst.to_dict()))
        t0 = time.perf_counter()
        parsed = parse_instance(raw)
        t1 = time.perf_counter()
        report = check_history(parsed)
        t2 = time.perf_counter()
        failing = sum(not r.ok for r in report.rules)
        print(
            f"{n_meals} meals x {len(inst.dishes)} dishes, {len(inst.rules)} rules: "
            f"parse {1000 * (t1 - t0):.1f} ms, check {1000 * (t2 - t1):.1f} ms "
            f"({failing} rules failing, {len(report.repeats)} repeats)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
