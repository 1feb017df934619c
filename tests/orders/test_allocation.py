"""Order allocation: hand-made instances whose optimum is known, one per constraint, plus
seeded territories checked against the greedy baseline. Every answer ``solve`` gives here is
checked by the independent verifier (``orders.allocation_verify``)."""

import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from bench.territory import generate_territory
from orders.allocation import InstanceError, greedy_allocation, parse_instance
from orders.allocation import solve as _solve
from orders.allocation_verify import verify

ROOT = Path(__file__).resolve().parents[2]
D1, D2 = "2027-01-04", "2027-01-05"


def solve(data, **options):
    """The optimiser's answer, checked by the independent verifier."""
    sol = _solve(data, **options)
    assert verify(data, sol.to_dict()) == [], sol.method
    return sol


def need(ident, product, quantity, when=D1):
    return {
        "id": ident,
        "product": product,
        "quantity": quantity,
        "unit": "kg",
        "delivery_date": when,
        "family": "FRUITS_ET_LEGUMES",
    }


def producer(ident, delivery=0.0, min_order=0.0, local=False):
    return {
        "id": ident,
        "delivery_cost": delivery,
        "min_order_value": min_order,
        "local": local,
        "distance_km": 10.0,
    }


def offer(ident, prod, product, price, pack=1.0, cap=None, labels=(), dates=(D1,)):
    return {
        "id": ident,
        "producer": prod,
        "product": product,
        "unit_price": price,
        "pack_size": pack,
        "capacity": cap,
        "labels": list(labels),
        "delivery_dates": list(dates),
    }


def instance(needs, producers, offers, **extra):
    data = {
        "needs": needs,
        "producers": producers,
        "offers": offers,
        "targets": {},
        "allow_unmet": False,
        "time_limit_s": 5,
    }
    data.update(extra)
    return data


def packs_by_offer(sol):
    out = defaultdict(int)
    for line in sol.lines:
        out[line.offer] += line.packs
    return dict(out)


def assert_respects_rules(data, sol):
    """Independent check of what a buyer and producers require of every solution line."""
    assert verify(data, sol.to_dict()) == []
    offers = {o["id"]: o for o in data["offers"]}
    producers = {p["id"]: p for p in data["producers"]}
    needs = {n["id"]: n for n in data["needs"]}
    used, orders, delivered = defaultdict(float), defaultdict(float), defaultdict(float)
    for line in sol.lines:
        o, n = offers[line.offer], needs[line.need]
        assert line.packs >= 1
        assert line.quantity == pytest.approx(line.packs * o["pack_size"])
        assert o["product"] == n["product"] and n["delivery_date"] in o["delivery_dates"]
        used[o["id"]] += line.quantity
        orders[(o["producer"], n["delivery_date"])] += line.quantity * o["unit_price"]
        delivered[n["id"]] += line.quantity
    for oid, qty in used.items():
        if offers[oid]["capacity"] is not None:
            assert qty <= offers[oid]["capacity"] + 1e-6, oid
    for (pid, _), value in orders.items():
        assert value >= producers[pid]["min_order_value"] - 1e-6, pid
    unmet = {u.need: u.quantity for u in sol.unmet}
    for nid, n in needs.items():
        assert delivered[nid] + unmet.get(nid, 0.0) >= n["quantity"] - 1e-6, nid


# ------------------------------------------------------------------ one constraint at a time


def test_packs_are_whole_and_combined_to_waste_least():
    # 12 kg: 3 crates of 5 kg cost 30, 12 loose kg cost 31.2, 2 crates + 2 loose kg cost 25.2.
    data = instance(
        [need("N1", "carotte", 12)],
        [producer("P1")],
        [offer("A", "P1", "carotte", 2.0, pack=5), offer("B", "P1", "carotte", 2.6)],
    )
    sol = solve(data)
    assert sol.status == "optimal"
    assert packs_by_offer(sol) == {"A": 2, "B": 2}
    assert sol.cost == pytest.approx(25.2)
    assert_respects_rules(data, sol)


def test_minimum_order_forces_a_producer_out():
    data = instance(
        [need("N1", "carotte", 10)],
        [producer("P1", min_order=50), producer("P2")],
        [offer("O1", "P1", "carotte", 1.0), offer("O2", "P2", "carotte", 1.5)],
    )
    sol = solve(data)
    assert packs_by_offer(sol) == {"O2": 10}
    assert sol.cost == pytest.approx(15)
    assert_respects_rules(data, sol)


def test_delivery_cost_makes_consolidation_win():
    # One producer for both needs (20 + 20 delivery) beats two cheaper ones (16 + 40).
    data = instance(
        [need("N1", "carotte", 10), need("N2", "pomme", 10)],
        [producer("P1", delivery=20), producer("P2", delivery=20), producer("P3", delivery=20)],
        [
            offer("O1", "P1", "carotte", 1.0),
            offer("O2", "P1", "pomme", 1.0),
            offer("O3", "P2", "carotte", 0.8),
            offer("O4", "P3", "pomme", 0.8),
        ],
    )
    sol = solve(data)
    assert [d.producer for d in sol.deliveries] == ["P1"]
    assert sol.cost == pytest.approx(40)
    assert sol.delivery_cost == pytest.approx(20)


def test_organic_target_forces_a_dearer_offer():
    needs = [need("N1", "carotte", 10), need("N2", "pomme", 10)]
    offers = [
        offer("C", "P1", "carotte", 1.0),
        offer("CB", "P1", "carotte", 2.0, labels=["BIO"]),
        offer("P", "P1", "pomme", 1.0),
    ]
    cheap = solve(instance(needs, [producer("P1")], offers))
    assert cheap.cost == pytest.approx(20) and cheap.shares["bio"] == 0
    data = instance(needs, [producer("P1")], offers, targets={"bio_min_share": 0.4})
    sol = solve(data)
    # x kg organic: 2x >= 0.4 (2x + (10 - x) + 10) holds from x = 5: cost 25.
    assert packs_by_offer(sol) == {"C": 5, "CB": 5, "P": 10}
    assert sol.cost == pytest.approx(25)
    assert sol.shares["bio"] == pytest.approx(0.4, abs=1e-4)


def test_capacity_splits_a_need_across_producers():
    data = instance(
        [need("N1", "carotte", 30)],
        [producer("P1"), producer("P2")],
        [offer("O1", "P1", "carotte", 1.0, cap=20), offer("O2", "P2", "carotte", 1.5, cap=100)],
    )
    sol = solve(data)
    assert packs_by_offer(sol) == {"O1": 20, "O2": 10}
    assert sol.cost == pytest.approx(35)
    assert_respects_rules(data, sol)


def test_shortfall_is_reported_as_unmet_and_penalised():
    data = instance(
        [need("N1", "carotte", 30)],
        [producer("P1")],
        [offer("O1", "P1", "carotte", 1.0, cap=20)],
        allow_unmet=True,
        unmet_penalty_per_unit=100.0,
    )
    sol = solve(data)
    assert [(u.need, u.quantity) for u in sol.unmet] == [("N1", 10)]
    assert sol.cost == pytest.approx(20 + 10 * 100)
    assert sol.unmet_penalty == pytest.approx(1000)


def test_max_share_per_producer_spreads_the_order():
    # Value P1 = a, P2 = 2b with a + b = 20 kg; a <= 0.6 total forces a = 15, b = 5: cost 25.
    needs = [need("N1", "carotte", 10), need("N2", "pomme", 10)]
    offers = [
        offer("A1", "P1", "carotte", 1.0),
        offer("B1", "P1", "pomme", 1.0),
        offer("A2", "P2", "carotte", 2.0),
        offer("B2", "P2", "pomme", 2.0),
    ]
    data = instance(needs, [producer("P1"), producer("P2")], offers, max_share_per_producer=0.6)
    sol = solve(data)
    assert sol.cost == pytest.approx(25)
    per = defaultdict(float)
    for d in sol.deliveries:
        per[d.producer] += d.value
    assert max(per.values()) <= 0.6 * sol.goods_cost + 1e-6


def test_max_local_spends_the_budget_on_local_produce():
    # 10 kg: local at 2 €/kg, other at 1 €/kg, budget 15 € -> 5 kg local (10 € local value).
    data = instance(
        [need("N1", "carotte", 10)],
        [producer("L", local=True), producer("F")],
        [offer("OL", "L", "carotte", 2.0), offer("OF", "F", "carotte", 1.0)],
        objective="max_local",
        budget=15.0,
    )
    sol = solve(data)
    assert packs_by_offer(sol) == {"OL": 5, "OF": 5}
    assert sol.local_value == pytest.approx(10)
    assert sol.goods_cost <= 15 + 1e-6


def test_impossible_organic_target_is_explained():
    # Only 2 kg of organic for 10 kg needed: 20 % organic at most, 50 % asked.
    data = instance(
        [need("N1", "carotte", 10)],
        [producer("P1"), producer("P2")],
        [offer("B", "P1", "carotte", 1.0, cap=2, labels=["BIO"]), offer("C", "P2", "carotte", 1.0)],
        targets={"bio_min_share": 0.5},
    )
    sol = solve(data)
    assert sol.status == "infeasible"
    assert sol.conflicts[0]["rules"] == ["bio"]
    assert "objectif bio 50 %" in sol.conflicts[0]["why"]
    assert "20 %" in sol.conflicts[0]["why"]


def test_uncoverable_need_is_named_when_unmet_is_forbidden():
    data = instance(
        [need("N1", "carotte", 10), need("N2", "navet", 5)],
        [producer("P1")],
        [offer("C", "P1", "carotte", 1.0)],
    )
    sol = solve(data)
    assert sol.status == "infeasible"
    whys = " ".join(c["why"] for c in sol.conflicts)
    assert "N2" in whys and "navet" in whys and "N1" not in whys


def test_offer_not_delivering_that_day_is_not_used():
    data = instance(
        [need("N1", "carotte", 10, when=D1)],
        [producer("P1"), producer("P2")],
        [
            offer("WRONG_DAY", "P1", "carotte", 0.5, dates=[D2]),
            offer("RIGHT_DAY", "P2", "carotte", 1.0, dates=[D1, D2]),
        ],
    )
    sol = solve(data)
    assert packs_by_offer(sol) == {"RIGHT_DAY": 10}


def test_fixed_lines_stay_and_consume_capacity():
    needs = [need("N1", "carotte", 20), need("N2", "carotte", 10)]
    offers = [
        offer("O1", "P1", "carotte", 1.0, pack=10, cap=20),
        offer("O2", "P2", "carotte", 2.0, pack=10, cap=100),
    ]
    data = instance(
        needs,
        [producer("P1"), producer("P2")],
        offers,
        fixed_lines=[{"need": "N1", "offer": "O2", "packs": 1}],
    )
    sol = solve(data)
    fixed = [(line.need, line.offer, line.packs) for line in sol.lines if line.fixed]
    assert fixed == [("N1", "O2", 1)]
    assert packs_by_offer(sol) == {"O1": 2, "O2": 1}  # O1's 20 kg cover the rest
    assert sol.cost == pytest.approx(40)
    # remaining_capacity: O1 has already shipped elsewhere and has only 10 kg left.
    offers[0]["remaining_capacity"] = 10
    sol = solve(data)
    assert packs_by_offer(sol) == {"O1": 1, "O2": 2}
    assert sol.cost == pytest.approx(50)


def test_aoc_label_counts_for_egalim():
    data = instance(
        [need("N1", "comté", 2)],
        [producer("P1")],
        [offer("O1", "P1", "comté", 12.0, labels=["AOC"])],
    )
    assert parse_instance(data).offers[0].labels == ("AOCAOP",)
    assert solve(data).shares["egalim"] == pytest.approx(1.0)


# ------------------------------------------------------------------ validation and CLI


def test_validation_lists_every_problem_with_its_path():
    data = instance(
        [need("N1", "carotte", -3)],
        [producer("P1")],
        [offer("O1", "P9", "carotte", 1.0, labels=["BIOO"], dates=["2027-13-01"])],
        targets={"organic": 0.2},
    )
    with pytest.raises(InstanceError) as err:
        parse_instance(data)
    problems = err.value.problems
    assert "offers[0].producer: unknown producer 'P9'" in problems
    assert any(p.startswith("needs[0].quantity: must be > 0") for p in problems)
    assert any(p.startswith("offers[0].labels[0]: unknown label 'BIOO'") for p in problems)
    assert any(p.startswith("offers[0].delivery_dates[0]: invalid ISO date") for p in problems)
    assert any(p.startswith("targets.organic: unknown target") for p in problems)


def run_cli(arg, stdin=None):
    return subprocess.run(
        [sys.executable, "-m", "orders.allocation", arg],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cli_writes_the_solution_document(tmp_path):
    data = instance(
        [need("N1", "carotte", 120)],
        [producer("P1", delivery=15, min_order=80)],
        [offer("O1", "P1", "carotte", 1.2, pack=10, cap=300, labels=["BIO"])],
    )
    path = tmp_path / "instance.json"
    path.write_text(json.dumps(data))
    done = run_cli(str(path))
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["status"] == "optimal"
    assert doc["cost"] == pytest.approx(159.0)
    assert doc["lines"][0]["packs"] == 12
    assert doc["deliveries"] == [
        {"producer": "P1", "date": D1, "value": 144.0, "delivery_cost": 15.0}
    ]
    assert json.loads(run_cli("-", stdin=json.dumps(data)).stdout)["cost"] == pytest.approx(159)


def test_cli_rejects_a_malformed_file_without_traceback(tmp_path):
    data = instance(
        [need("N1", "carotte", 10)], [producer("P1")], [offer("O1", "P9", "carotte", 1.0)]
    )
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    done = run_cli(str(path))
    assert done.returncode == 2
    assert "offers[0].producer: unknown producer 'P9'" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    path.write_text("{not json")
    done = run_cli(str(path))
    assert done.returncode == 2 and "not valid JSON" in done.stderr
    assert "Traceback" not in done.stderr


# ------------------------------------------------------------------ generated territories


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_generated_territory_beats_greedy_and_keeps_every_rule(seed):
    data = generate_territory(n_needs=40, n_producers=25, seed=seed, time_limit_s=3)
    data["targets"] = {"bio_min_share": 0.1, "egalim_min_share": 0.3}
    greedy = greedy_allocation(parse_instance(data))
    sol = solve(data)
    assert sol.status in ("optimal", "feasible")
    if greedy.status == "feasible":
        assert sol.cost <= greedy.cost + 1e-6
    assert_respects_rules(data, sol)
    assert sol.shares["bio"] >= 0.1 - 1e-4 and sol.shares["egalim"] >= 0.3 - 1e-4
    assert sol.bound is not None and sol.bound <= sol.cost + 1e-6


def test_greedy_respects_capacity_packs_and_minimum_orders():
    data = generate_territory(n_needs=60, n_producers=30, seed=7)
    data["targets"] = {}
    greedy = greedy_allocation(parse_instance(data))
    assert greedy.status == "feasible", greedy.violations
    assert_respects_rules(data, greedy)
