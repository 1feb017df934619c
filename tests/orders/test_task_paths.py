"""Jobs queued before the tasks moved next to their use cases name them ``orders.tasks.X``:
a worker that imports that path after an upgrade must still find the same task."""

import importlib

import pytest

from orders import lots, notifications, reallocation, services


@pytest.mark.parametrize(
    ("name", "home"),
    [
        ("solve_allocation_run", services),
        ("deliver_notification", notifications),
        ("reallocate_order", reallocation),
        ("run_lot_simulation", lots),
    ],
)
def test_an_old_job_path_still_finds_its_task(name, home):
    old = getattr(importlib.import_module("orders.tasks"), name)
    assert old is getattr(home, name)
    assert old.module_path == f"{home.__name__}.{name}"


def test_an_old_plan_run_job_path_still_finds_its_task():
    from menus import services

    old = importlib.import_module("menus.tasks").solve_plan_run
    assert old is services.solve_plan_run
    assert old.module_path == "menus.services.solve_plan_run"
