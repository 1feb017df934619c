"""Award model (``orders.award``): solve time of a consultation's split by size.

    .venv/bin/python -m bench.award [--seed 1] [--sizes 5x6 20x15 40x30 80x40]

A size is ITEMSxANSWERS: every answer offers 70 % of the items, one in three answers is a
group of 2-3 farms sharing the items, each line offers 20-100 % of the item's quantity, with
minimum orders (0-150 €) and delivery costs (0-20 €) per supplier and 1-3 delivery dates.
Prints the status, the value-weighted score, its bound-free check (no single-answer award
scores more) and the seconds. A consultation of an Agrilocal-like buyer has a few products
and a handful of answers; the larger sizes show the margin.
"""

from __future__ import annotations

import argparse
import random
import time

from orders.award import Bid, Instance, Item, Supplier, Weights, evaluate, solve

DATES = ("2027-01-05", "2027-01-07", "2027-01-12")


def instance(items: int, answers: int, seed: int) -> Instance:
    rng = random.Random(seed * 1000 + items * 10 + answers)
    rows = [
        Item(
            f"I{i}",
            float(rng.randrange(20, 400, 10)),
            round(rng.uniform(0.8, 6), 2),
            rng.choice(DATES),
        )
        for i in range(items)
    ]
    suppliers, bids = [], []
    for a in range(answers):
        members = [f"S{a}_{m}" for m in range(rng.choice([2, 3]) if a % 3 == 0 else 1)]
        suppliers += [
            Supplier(s, float(rng.choice([0, 0, 8, 12, 20])), float(rng.choice([0, 50, 80, 150])))
            for s in members
        ]
        inter, distance, fresh = rng.choice([0, 0, 1, 2]), rng.uniform(3, 150), rng.randint(0, 4)
        for item in rows:
            if rng.random() > 0.7:
                continue
            bids.append(
                Bid(
                    f"B{a}_{item.id}",
                    f"A{a}",
                    item.id,
                    rng.choice(members),
                    round(item.reference_price * rng.uniform(0.7, 1.4), 2),
                    float(max(1, round(item.quantity * rng.uniform(0.2, 1.0)))),
                    inter,
                    round(distance, 1),
                    fresh,
                )
            )
    return Instance(tuple(rows), tuple(suppliers), tuple(bids), Weights(40, 20, 20, 20), 30.0)


def single_answer_best(inst: Instance) -> float:
    """The best award to one answer alone (as buyers usually do by hand): the split must beat it."""
    best = 0.0
    for answer in {b.answer for b in inst.bids}:
        mine = [b for b in inst.bids if b.answer == answer]
        left = {i.id: i.quantity for i in inst.items}
        quantities = {}
        for bid in mine:
            take = min(bid.max_quantity, left[bid.item])
            left[bid.item] -= take
            quantities[bid.id] = float(int(take))
        best = max(best, evaluate(inst, quantities))
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sizes", nargs="*", default=["5x6", "20x15", "40x30", "80x40"])
    args = parser.parse_args()
    print("| items | answers | bids | status | score | best single answer | s |")
    print("|---|---|---|---|---|---|---|")
    for size in args.sizes:
        items, answers = map(int, size.split("x"))
        inst = instance(items, answers, args.seed)
        started = time.perf_counter()
        solution = solve(inst)
        seconds = time.perf_counter() - started
        print(
            f"| {items} | {answers} | {len(inst.bids)} | {solution.status} | "
            f"{solution.objective:.2f} | {single_answer_best(inst):.2f} | {seconds:.2f} |"
        )


if __name__ == "__main__":
    main()
