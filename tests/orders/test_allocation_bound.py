"""The Lagrangian bound by delivery date (orders.allocation.bound): never above the optimum
(below it under max_local), never weaker than the LP relaxation, and stronger where fixed
delivery costs and minimum orders make the LP weak."""

import time

from bench.instances import allocation_instance
from orders.allocation import _Index, _Model, parse_instance


def bounds(data):
    """LP bound, Lagrangian bound (every date solved) and the proven optimum."""
    inst = parse_instance(data)
    idx = _Index(inst)
    model = _Model(inst, idx)
    lp = model.relaxation(30)
    reported = []
    lagrangian = model.lagrangian_bound(time.perf_counter() + 60, lambda: False, reported.append)
    proof = _Model(inst, idx)
    assert proof.solve(60, 0.0) == "optimal"
    optimum = proof.result.objective_value()
    return lp, lagrangian, optimum, reported


def test_min_cost_bound_lies_between_the_lp_and_the_optimum():
    # a 40 % local target and no producer above 20 % of the value: the cap rows tie every
    # date together through the total value, so they are all priced, not kept
    data = allocation_instance("cap", 30, 20, seed=1)
    lp, lagrangian, optimum, reported = bounds(data)
    assert lp - 1e-6 <= lagrangian <= optimum + 1e-6
    # dates as MIPs (whole packs, fixed deliveries): 390,467 -> 444,588 EUR, optimum 471,850
    assert lagrangian > lp + 0.05 * abs(lp)
    # anytime: every date solved raises the reported bound, the last one is the answer
    assert reported == sorted(reported) and reported[-1] == lagrangian


def test_max_local_bound_lies_between_the_optimum_and_the_lp():
    # maximised local value: the bound is an upper one (7,021 -> 6,704, optimum 6,659)
    data = allocation_instance("max_local", 40, 25, seed=2)
    lp, lagrangian, optimum, reported = bounds(data)
    assert optimum - 1e-6 <= lagrangian < lp - 1e-6
    assert reported == sorted(reported, reverse=True)


def test_the_smaller_lp_of_large_models_still_bounds_and_starts_the_lagrangian(monkeypatch):
    """Large max_local models solve the LP with one linking row per delivery (a relaxation of the
    per-pair rows): its bound is weaker than the full LP's but still valid, and the
    Lagrangian bound started from its duals and solution stays between it and the optimum."""
    import orders.allocation as allocation

    for shape, size, seed in (("cap", (30, 20), 1), ("max_local", (40, 25), 2)):
        data = allocation_instance(shape, *size, seed=seed)
        full_lp, _, optimum, _ = bounds(data)
        monkeypatch.setattr(allocation._Model, "_small_lp", lambda self: True)
        small_lp, lagrangian, _, reported = bounds(data)
        monkeypatch.undo()
        if shape == "max_local":  # upper bounds
            assert optimum - 1e-6 <= lagrangian <= small_lp + 1e-6
            assert small_lp >= full_lp - 1e-6
            assert reported == sorted(reported, reverse=True)
        else:
            assert small_lp - 1e-6 <= lagrangian <= optimum + 1e-6
            assert small_lp <= full_lp + 1e-6
            assert reported == sorted(reported)
        # the dates' MIPs recover what the smaller LP gives away
        assert abs(lagrangian - optimum) < abs(small_lp - optimum)
