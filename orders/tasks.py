"""Background jobs: the allocation optimiser runs outside the request that asked for it."""

from django_tasks import task

from orders.services import execute_allocation_run


@task()
def solve_allocation_run(run_id: int) -> str:
    return execute_allocation_run(run_id).status
