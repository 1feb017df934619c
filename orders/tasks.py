"""Where jobs queued before each task moved next to its use case still find it.

A queued job names its task by path (``orders.tasks.solve_allocation_run``); jobs written by
an earlier release keep that path until they run, so the names stay importable here. New code
imports the task from its module: ``orders.services``, ``orders.notifications``,
``orders.reallocation``, ``orders.lots``.
"""

from orders.lots import run_lot_simulation
from orders.notifications import deliver_notification
from orders.reallocation import reallocate_order
from orders.services import solve_allocation_run

__all__ = ["deliver_notification", "reallocate_order", "run_lot_simulation", "solve_allocation_run"]
