"""One way to ask for an optimiser run (``cantine.solver_runs.request``), for plans,
allocations and lot simulations alike: a second request for the same canteen and period
names the active run instead of queueing a twin, a finished run is no obstacle, and the job
is handed to the queue once, when the request's transaction commits."""

from datetime import date

import pytest

from cantine import solver_runs
from menus.models import PlanRun
from nutrition.models import RuleSet
from orders.models import AllocationRun, LotSimulation

START, END = date(2027, 3, 1), date(2027, 3, 5)


class Queue:
    def __init__(self):
        self.queued = []

    def enqueue(self, run_id):
        self.queued.append(run_id)


def fields_for(model, world):
    fields = {"canteen": world.kitchen, "start": START, "end": END}
    if model is PlanRun:
        fields |= {
            "preset": "cheapest",
            "rule_set": RuleSet.objects.create(name="Règles", owner=world.kitchen),
        }
    return fields


@pytest.mark.parametrize("model", [PlanRun, AllocationRun, LotSimulation])
def test_a_second_request_names_the_active_run(model, world, django_capture_on_commit_callbacks):
    queue = Queue()
    fields = fields_for(model, world)
    with django_capture_on_commit_callbacks(execute=True):
        first = solver_runs.request(model, queue, **fields)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(solver_runs.AlreadyRunning) as running,
    ):
        solver_runs.request(model, queue, **fields)
    assert running.value.run == first
    assert queue.queued == [first.pk]  # queued once, after the commit
    assert model.objects.count() == 1

    model.objects.filter(pk=first.pk).update(status=solver_runs.SolverRun.Status.OPTIMAL)
    with django_capture_on_commit_callbacks(execute=True):
        again = solver_runs.request(model, queue, **fields)
    assert again.pk != first.pk
    assert queue.queued == [first.pk, again.pk]


def test_another_period_or_canteen_is_its_own_run(world, django_capture_on_commit_callbacks):
    queue = Queue()
    with django_capture_on_commit_callbacks(execute=True):
        solver_runs.request(AllocationRun, queue, **fields_for(AllocationRun, world))
        solver_runs.request(AllocationRun, queue, canteen=world.other_canteen, start=START, end=END)
        solver_runs.request(
            AllocationRun, queue, canteen=world.kitchen, start=START, end=date(2027, 3, 12)
        )
    assert len(queue.queued) == 3
