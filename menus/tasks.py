"""Where plan runs queued before the task moved next to its use case still find it.

A queued job names its task by path (``menus.tasks.solve_plan_run``); jobs written by an earlier
release keep that path until they run. New code uses ``menus.services.solve_plan_run``.
"""

from menus.services import solve_plan_run

__all__ = ["solve_plan_run"]
