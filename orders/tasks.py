"""Background jobs: allocation runs and e-mails, outside the request that caused them."""

from django_tasks import task

from orders.notifications import deliver
from orders.services import execute_allocation_run


@task()
def solve_allocation_run(run_id: int) -> str:
    return execute_allocation_run(run_id).status


@task()
def deliver_notification(notification_id: int) -> str:
    return deliver(notification_id).status
