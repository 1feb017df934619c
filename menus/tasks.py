"""Background jobs: the optimiser runs outside the request that asked for it."""

from django_tasks import task

from cantine import solver_runs
from menus.services import execute_plan_run


@task()
def solve_plan_run(run_id: int) -> str:
    solver_runs.reap_all_stale()  # runs left "running" by a worker that died fail first
    return execute_plan_run(run_id).status
