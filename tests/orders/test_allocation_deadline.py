"""The allocation's promises at every size (issue 13): the time limit bounds the whole call,
there is always an answer when unmet needs are allowed, and the first answer meets the
targets when greedy does not. Every answer is checked by the independent verifier."""

import json
import subprocess
import sys
import time
from pathlib import Path

from bench.instances import allocation_instance
from orders.allocation import _greedy_packs, _Index, greedy_allocation, parse_instance
from orders.allocation import solve as raw_solve
from orders.allocation_verify import verify
from tests.orders.test_allocation import instance, need, offer, producer, solve

ROOT = Path(__file__).resolve().parents[2]


def test_the_call_ends_within_its_limit_and_its_answer_holds():
    data = allocation_instance("local40", 300, 200, seed=2, time_limit_s=2.0)
    started = time.perf_counter()
    sol = solve(data)
    took = time.perf_counter() - started
    assert took <= 2.0 + 1.0
    assert sol.status in ("optimal", "feasible")
    assert sol.bound is not None and sol.gap is not None
    assert sol.shares["local"] >= 0.4 - 1e-4


def test_a_limit_shorter_than_model_building_still_gets_an_answer():
    # 1,000 x 600: building the model alone takes about 3 s; the limit is 1 s
    data = allocation_instance("local40", 1000, 600, seed=1, time_limit_s=1.0)
    inst = parse_instance(data)
    started = time.perf_counter()
    sol = raw_solve(inst, started=started)
    assert time.perf_counter() - started <= 1.0 + 1.0
    assert sol.status in ("optimal", "feasible")
    assert verify(data, sol.to_dict()) == []
    assert sol.bound is not None and sol.bound <= sol.cost


def test_the_construction_meets_a_target_greedy_misses():
    data = allocation_instance("local40", 300, 200, seed=1, time_limit_s=1.0)
    inst = parse_instance(data)
    greedy = greedy_allocation(inst)
    assert greedy.violations  # greedy alone misses the 40 % local target on this territory
    sol = solve(data)
    assert sol.status in ("optimal", "feasible")
    assert sol.shares["local"] >= 0.4 - 1e-4
    # not met by leaving many needs unmet (here one small need has no room left but at a
    # producer whose order would stay under its minimum)
    assert sol.cost <= 1.2 * greedy.cost


def test_an_unreachable_target_is_met_by_leaving_needs_unmet_not_by_no_answer():
    # 2 kg of organic for 10 kg: 50 % organic holds only with at most 2 kg of the rest
    data = instance(
        [need("N1", "carotte", 10)],
        [producer("P1"), producer("P2")],
        [offer("B", "P1", "carotte", 1.0, cap=2, labels=["BIO"]), offer("C", "P2", "carotte", 1.0)],
        targets={"bio_min_share": 0.5},
        allow_unmet=True,
        unmet_penalty_per_unit=10.0,
    )
    sol = solve(data)
    assert sol.status == "optimal"
    assert sol.shares["bio"] >= 0.5 - 1e-4
    assert sum(u.quantity for u in sol.unmet) == 6


def test_buying_nothing_is_an_answer_when_nothing_else_holds():
    # every offer is under the producer's minimum order: nothing can be bought
    data = instance(
        [need("N1", "carotte", 10)],
        [producer("P1", min_order=500)],
        [offer("O1", "P1", "carotte", 1.0)],
        allow_unmet=True,
    )
    sol = solve(data)
    assert sol.status == "optimal" and sol.lines == []
    assert sol.unmet[0].quantity == 10 and sol.cost == 10_000


def test_greedy_prices_steer_towards_labelled_offers():
    data = instance(
        [need("N1", "carotte", 10)],
        [producer("P1"), producer("P2")],
        [offer("C", "P1", "carotte", 1.0), offer("B", "P2", "carotte", 1.1, labels=["BIO"])],
    )
    inst = parse_instance(data)
    idx = _Index(inst)
    bio = [i for i, (_, o) in enumerate(idx.pairs) if inst.offers[o].is_bio]
    assert set(_greedy_packs(inst, idx)) != set(bio)
    factor = [0.8 if i in bio else 1.0 for i in range(len(idx.pairs))]
    assert set(_greedy_packs(inst, idx, factor)) == set(bio)


def test_command_answers_1000_x_600_with_a_40_percent_local_target_within_21_s(tmp_path):
    """The issue's test: 1,000 needs x 600 producers, 40 % local next to 20 % organic and
    50 % EGalim, a 20 s limit: a verified answer that meets the targets within 21 s."""
    data = allocation_instance("local40", 1000, 600, seed=1, time_limit_s=20.0)
    path = tmp_path / "instance.json"
    path.write_text(json.dumps(data))
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "orders.allocation", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    took = time.perf_counter() - started
    assert done.returncode == 0, done.stderr[-2000:]
    assert took <= 21.0, took
    answer = json.loads(done.stdout)
    assert answer["status"] in ("optimal", "feasible")
    assert verify(data, answer) == []
    assert answer["shares"]["local"] >= 0.4 - 1e-4
    assert answer["shares"]["bio"] >= 0.2 - 1e-4 and answer["shares"]["egalim"] >= 0.5 - 1e-4
    # Every need is met on a quiet machine; when other work shares the cores the 20 s may end
    # with a unit or two still unmet (seen: 1 of 108,522 units, load ~5). What is left unmet
    # is reported and checked by the verifier above; it stays a trace of the demand.
    needed = sum(need["quantity"] for need in data["needs"])
    assert sum(line["quantity"] for line in answer["unmet"]) <= 1e-3 * needed
    assert answer["bound"] is not None and answer["gap"] is not None
