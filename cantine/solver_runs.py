"""What every optimiser run shares: a request for a canteen and a period, solved in the
background, followed by the page while it runs.

Menu planning and order allocation runs both derive from ``SolverRun``; one active run per
canteen and period is enforced by each concrete model's constraint.
"""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout
from typing import TypeVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

T = TypeVar("T")


class SolverRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        OPTIMAL = "optimal", _("Optimal")
        FEASIBLE = "feasible", _("Feasible (time limit reached)")
        INFEASIBLE = "infeasible", _("Rules cannot all hold")
        UNKNOWN = "unknown", _("No plan found in time")
        FAILED = "failed", _("Failed")

    ACTIVE = (Status.QUEUED, Status.RUNNING)
    SOLVED = (Status.OPTIMAL, Status.FEASIBLE)

    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default="queued")
    objective = models.FloatField(_("objective"), null=True, blank=True)
    bound = models.FloatField(_("bound"), null=True, blank=True)
    solve_seconds = models.FloatField(_("solve time (s)"), null=True, blank=True)
    progress = models.JSONField(_("progress"), default=list, blank=True)
    conflicts = models.JSONField(_("conflicts"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def is_solved(self) -> bool:
        return self.status in self.SOLVED

    @property
    def gap(self) -> float | None:
        """Relative distance between the answer found and the best possible, 0 when proven."""
        if self.objective is None or self.bound is None:
            return None
        return abs(self.objective - self.bound) / max(abs(self.objective), 1e-9)


def solve_with_progress(
    solve: Callable[[Callable[..., None]], T],
    save_progress: Callable[[list[tuple]], None],
    every: float = 0.5,
) -> T:
    """Run ``solve(report)`` in a worker thread and save its progress from this thread.

    Solvers report from their own threads (CP-SAT calls back from its workers). Database
    writes must stay on the calling thread's connection and transaction, so ``report`` only
    records figures, and this thread saves what arrived every ``every`` seconds.
    """
    arrived: list[tuple] = []
    lock = threading.Lock()

    def report(*figures) -> None:
        with lock:
            arrived.append(figures)

    def flush() -> None:
        with lock:
            batch = arrived[:]
            arrived.clear()
        if batch:
            save_progress(batch)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="solver") as pool:
        future = pool.submit(solve, report)
        while True:
            try:
                result = future.result(timeout=every)
            except FuturesTimeout:
                flush()
                continue
            flush()
            return result
