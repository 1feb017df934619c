"""Background jobs: the optimiser runs outside the request that asked for it."""

from django_tasks import task

from menus.services import execute_plan_run


@task()
def solve_plan_run(run_id: int) -> str:
    return execute_plan_run(run_id).status
