"""Background jobs: allocation runs and e-mails, outside the request that caused them."""

from django_tasks import task

from cantine import solver_runs
from orders.notifications import deliver
from orders.services import execute_allocation_run


@task()
def solve_allocation_run(run_id: int) -> str:
    solver_runs.reap_all_stale()  # runs left "running" by a worker that died fail first
    return execute_allocation_run(run_id).status


@task()
def deliver_notification(notification_id: int) -> str:
    return deliver(notification_id).status


@task()
def reallocate_order(order_id: int, actor_id: int | None = None) -> int:
    from cantine.models import User
    from orders.models import PurchaseOrder
    from orders.reallocation import reallocate_refusals

    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    return len(reallocate_refusals(PurchaseOrder.objects.get(pk=order_id), actor))


@task()
def run_lot_simulation(simulation_id: int) -> str:
    from orders.lots import execute_simulation

    solver_runs.reap_all_stale()
    return execute_simulation(simulation_id).status
