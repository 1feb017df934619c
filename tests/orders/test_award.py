"""The award splits a lot to maximise the weighted score, on instances whose answer is known."""

import json
import subprocess
import sys

import pytest

from orders.award import Bid, Instance, InstanceError, Item, Supplier, Weights, evaluate, solve

PRICE_ONLY = Weights(price=100, direct_supply=0, carbon=0, freshness=0)


def lot(*bids, quantity=100.0, suppliers=None, weights=PRICE_ONLY):
    suppliers = suppliers or [Supplier(b.supplier) for b in bids]
    unique = {s.id: s for s in suppliers}
    return Instance(
        items=(Item("I1", quantity, 2.0, "2027-01-04"),),
        suppliers=tuple(unique.values()),
        bids=tuple(bids),
        weights=weights,
    )


def test_cheapest_takes_what_it_can_and_the_next_takes_the_rest():
    cheap = Bid("B", "A2", "I1", "S2", unit_price=1.0, max_quantity=60)
    dear = Bid("A", "A1", "I1", "S1", unit_price=2.0, max_quantity=100)
    solution = solve(lot(dear, cheap))
    assert solution.status == "optimal"
    assert solution.quantity("B") == 60 and solution.quantity("A") == 40
    assert solution.scores["B"]["price"] == 100 and solution.scores["A"]["price"] == 50
    assert solution.unawarded == {}


def test_weights_decide_between_a_cheap_far_answer_and_a_dear_direct_one():
    # Far wholesaler: 2 intermediaries, 300 km; the farm: direct, 10 km, 50 % dearer.
    far = Bid("W", "A1", "I1", "S1", 1.0, 100, intermediaries=2, distance_km=299)
    farm = Bid("F", "A2", "I1", "S2", 1.5, 100, intermediaries=0, distance_km=9)
    price_first = solve(lot(far, farm))
    assert price_first.quantity("W") == 100
    balanced = Weights(price=40, direct_supply=30, carbon=30, freshness=0)
    solution = solve(lot(far, farm, weights=balanced))
    # Farm: 40 x 1/1.5 + 30 + 30 = 86.7 points; wholesaler: 40 + 30/3 + 30 x 10/300 = 51.
    assert solution.scores["F"]["total"] == pytest.approx(86.6667, abs=1e-3)
    assert solution.scores["W"]["total"] == pytest.approx(51.0, abs=1e-3)
    assert solution.quantity("F") == 100 and solution.quantity("W") == 0
    assert solution.reasons["W"] == "outscored"


def test_a_minimum_order_the_rest_cannot_reach_leaves_that_supplier_out():
    cheap = Bid("B", "A2", "I1", "S2", 1.0, 100)
    small = Bid("C", "A3", "I1", "S3", 1.5, 30)
    suppliers = [Supplier("S2"), Supplier("S3", min_order_value=100)]
    # Without a minimum order the two would split; with it, 30 kg x 1.5 € = 45 € < 100 €.
    capped = Bid("B", "A2", "I1", "S2", 1.0, 80)
    solution = solve(lot(capped, small, suppliers=suppliers))
    assert solution.quantity("B") == 80 and solution.quantity("C") == 0
    assert solution.unawarded == {"I1": 20}
    assert solution.reasons["C"] == "minimum_order"
    assert solve(lot(cheap, small, suppliers=suppliers)).quantity("C") == 0


def test_a_delivery_cost_can_outweigh_a_better_score():
    # Two equal-scored bids; one supplier charges delivery: all goes to the other.
    free = Bid("A", "A1", "I1", "S1", 1.0, 100)
    charging = Bid("B", "A2", "I1", "S2", 1.0, 100)
    suppliers = [Supplier("S1"), Supplier("S2", delivery_cost=30)]
    solution = solve(lot(free, charging, suppliers=suppliers))
    assert solution.quantity("A") == 100 and solution.quantity("B") == 0
    # Capped at 60, the free one cannot cover the lot: the charging one delivers the rest,
    # since 40 kg scoring 100 points outweigh 30 € of delivery on a 200 € lot.
    capped = Bid("A", "A1", "I1", "S1", 1.0, 60)
    split = solve(lot(capped, charging, suppliers=suppliers))
    assert (split.quantity("A"), split.quantity("B")) == (60, 40)
    assert split.delivery_cost == 30


def test_a_group_answer_splits_across_its_members_and_the_optimum_beats_any_other_split():
    weights = Weights(price=50, direct_supply=20, carbon=20, freshness=10)
    bids = (
        Bid("G1", "G", "I1", "farm1", 1.6, 50, distance_km=12, freshness_days=1),
        Bid("G2", "G", "I1", "farm2", 1.7, 50, distance_km=20, freshness_days=1),
        Bid("W", "W", "I1", "wholesaler", 1.2, 200, intermediaries=2, distance_km=180),
    )
    inst = lot(*bids, weights=weights)
    solution = solve(inst)
    best = evaluate(inst, {line.bid: line.quantity for line in solution.lines})
    assert solution.quantity("G1") == 50 and solution.quantity("G2") == 50
    for g1 in range(0, 51, 10):
        for g2 in range(0, 51, 10):
            rest = 100 - g1 - g2
            assert evaluate(inst, {"G1": g1, "G2": g2, "W": rest}) <= best + 1e-9


def test_a_malformed_instance_is_refused_with_a_clear_message():
    with pytest.raises(InstanceError, match="unknown item"):
        solve(lot(Bid("A", "A1", "nope", "S1", 1.0, 10)))
    run = subprocess.run(
        [sys.executable, "-m", "orders.award", "-"],
        input=json.dumps({"items": []}),
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 2 and "malformed" in run.stderr


def test_the_command_writes_a_solution():
    data = {
        "items": [
            {"id": "I1", "quantity": 10, "reference_price": 2, "delivery_date": "2027-01-04"}
        ],
        "suppliers": [{"id": "S1"}],
        "bids": [
            {
                "id": "B1",
                "answer": "A1",
                "item": "I1",
                "supplier": "S1",
                "unit_price": 2.0,
                "max_quantity": 10,
            }
        ],
    }
    run = subprocess.run(
        [sys.executable, "-m", "orders.award", "-"],
        input=json.dumps(data),
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(run.stdout)["lines"] == [{"bid": "B1", "quantity": 10.0}]
