"""What every optimiser run shares: a request for a canteen and a period, solved in the
background, followed by the page while it runs.

Menu planning, order allocation and lot simulation runs derive from ``SolverRun``; one active
run per canteen and period is enforced by each concrete model's constraint, and ``request``
creates a run or names the active one (``AlreadyRunning``), the same way for all three.

Jobs never get stuck (see ``claim``, ``reap_stale`` and ``retry``): a worker takes a run with a
conditional update, so two workers never solve the same run; while solving it writes a
heartbeat; a run whose heartbeat is older than ``SOLVER_STALE_SECONDS`` belonged to a worker
that died (``kill -9``, out of memory, a lost machine) and is marked failed, to be tried again.
Each claim numbers its attempt, and a worker writes only while the run is still its attempt,
so a late or duplicate job never writes its effects twice.
"""

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

T = TypeVar("T")
S = TypeVar("S", bound="SolverRun | None")


class SolverRun(models.Model):
    """An optimiser run asked for a canteen and a period (abstract: plan runs, allocation runs
    and lot simulations derive from it): its status, the attempt and worker that hold it, the
    heartbeat that shows it alive, its progress, objective, bound and message. ``request``,
    ``claim``, ``reap_stale`` and ``retry`` below are the only ways its status moves."""

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
    # A concrete run's own progress fields and the values ``retry`` puts back (e.g. a plan
    # run's meals planned so far): the next attempt starts from nothing, like ``progress``.
    RETRY_RESETS: dict = {}

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
    # Job running (see the module docstring): which claim of the run this is, the worker
    # that holds it, and when that worker last showed it was alive.
    attempt = models.PositiveIntegerField(_("attempt"), default=0)
    worker = models.CharField(_("worker"), max_length=200, blank=True)
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)

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
    heartbeat: Callable[[], object] | None = None,
) -> T:
    """Run ``solve(report)`` in a worker thread and save its progress from this thread.

    Solvers report from their own threads (CP-SAT calls back from its workers). Database
    writes must stay on the calling thread's connection and transaction, so ``report`` only
    records figures, and this thread saves what arrived every ``every`` seconds, and calls
    ``heartbeat`` every ``SOLVER_HEARTBEAT_SECONDS`` to show the run is still being solved.
    """
    beat_every = settings.SOLVER_HEARTBEAT_SECONDS
    last_beat = time.monotonic()
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
                if heartbeat is not None and time.monotonic() - last_beat >= beat_every:
                    heartbeat()
                    last_beat = time.monotonic()
                continue
            flush()
            return result


STALE_MESSAGE = _(
    "The worker solving this run stopped before the end (restarted, out of memory or "
    "killed). Try again."
)
UNQUEUED_MESSAGE = _("The job queue could not be reached, so the run was not started. Try again.")


def worker_name() -> str:
    """Who holds a run: machine and process, for the administrator reading a stuck run."""
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True)
class Claim:
    """A worker's hold on one attempt of a run. Every write goes through ``mine()``: once the
    run is reaped, retried or finished, this attempt writes nothing any more."""

    model: type[SolverRun]
    pk: int
    attempt: int

    def mine(self) -> models.QuerySet:
        return self.model.objects.filter(
            pk=self.pk, status=SolverRun.Status.RUNNING, attempt=self.attempt
        )

    def beat(self, **fields) -> bool:
        """Record a sign of life (and ``fields``, e.g. progress); False once the run is lost."""
        return bool(self.mine().update(heartbeat_at=timezone.now(), **fields))

    def hold(self) -> bool:
        """Lock the run for the final write, inside a transaction: True if still ours."""
        return self.mine().select_for_update().exists()

    def fail(self, message: str) -> bool:
        return bool(
            self.mine().update(
                status=SolverRun.Status.FAILED, message=str(message), finished_at=timezone.now()
            )
        )


def claim(model: type[SolverRun], pk: int) -> Claim | None:
    """Take a queued run for this worker, or None if another worker has it or it is done.

    A conditional update (``queued`` → ``running``) is atomic on every database: of two
    workers handed the same run (a duplicate job, a retry racing the original), one wins."""
    with transaction.atomic():
        taken = model.objects.filter(pk=pk, status=SolverRun.Status.QUEUED).update(
            status=SolverRun.Status.RUNNING,
            attempt=F("attempt") + 1,
            worker=worker_name()[:200],
            heartbeat_at=timezone.now(),
        )
        if not taken:
            return None
        attempt = model.objects.filter(pk=pk).values_list("attempt", flat=True).get()
    return Claim(model, pk, attempt)


def _stale(queryset: models.QuerySet) -> models.QuerySet:
    cutoff = timezone.now() - timedelta(seconds=settings.SOLVER_STALE_SECONDS)
    return queryset.filter(status=SolverRun.Status.RUNNING).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff)
    )


def reap_stale(model: type[SolverRun], **lookups) -> int:
    """Mark failed the running runs whose worker stopped beating; how many there were."""
    reaped = _stale(model.objects.filter(**lookups)).update(
        status=SolverRun.Status.FAILED, message=str(STALE_MESSAGE), finished_at=timezone.now()
    )
    if reaped:
        logger.warning("%s: %d run(s) failed, their worker stopped", model.__name__, reaped)
    return reaped


def reap_all_stale() -> int:
    """Every kind of run (a worker calls this before each job)."""
    kinds = [m for m in apps.get_models() if issubclass(m, SolverRun)]
    return sum(reap_stale(model) for model in kinds)


def fresh(run: S) -> S:
    """The run as the page should show it: failed if its worker died (no query otherwise)."""
    if run is None or run.status != SolverRun.Status.RUNNING:
        return run
    cutoff = timezone.now() - timedelta(seconds=settings.SOLVER_STALE_SECONDS)
    beat = run.heartbeat_at or run.created_at
    if beat is not None and beat < cutoff and reap_stale(type(run), pk=run.pk):
        run.refresh_from_db()
    return run


def enqueue(task, run: SolverRun) -> None:
    """Hand the run to the job queue; if the queue is down, the run fails (never waits for a
    job that does not exist) and can be tried again."""
    try:
        task.enqueue(run.pk)
    except Exception:
        logger.exception("could not enqueue %s %s", type(run).__name__, run.pk)
        type(run).objects.filter(pk=run.pk, status=SolverRun.Status.QUEUED).update(
            status=SolverRun.Status.FAILED,
            message=str(UNQUEUED_MESSAGE),
            finished_at=timezone.now(),
        )


def enqueue_on_commit(task, run: SolverRun) -> None:
    transaction.on_commit(lambda: enqueue(task, run))


class AlreadyRunning(Exception):
    """Raised with the active run (``.run``) when a run is asked for, or retried, for a canteen
    and period that already has one queued or running: the page follows that one instead."""

    def __init__(self, run: SolverRun):
        super().__init__(str(run))
        self.run = run


def active_run(model: type[S], *, canteen_id: int, start, end) -> S:
    return model.objects.filter(
        canteen_id=canteen_id, start=start, end=end, status__in=SolverRun.ACTIVE
    ).first()


def request(model: type[S], task, **fields) -> S:
    """Create a queued run of ``model`` with ``fields`` (its canteen, start and end, and its
    own settings) and hand it to ``task`` once the transaction commits.

    When the canteen already has an active run for that period, the database's constraint
    refuses the new row and ``AlreadyRunning`` carries the active one; a run that ended between
    the refused insert and the read is no obstacle, and the request is made once more."""
    for _attempt in range(2):
        try:
            with transaction.atomic():
                run = model.objects.create(**fields)
        except IntegrityError:
            active = active_run(
                model, canteen_id=fields["canteen"].pk, start=fields["start"], end=fields["end"]
            )
            if active is None:
                continue  # it ended between our insert and this read: ask again
            raise AlreadyRunning(active) from None
        enqueue_on_commit(task, run)
        return run
    raise IntegrityError(f"could not queue a {model.__name__} for {fields['start']}")


def retry(run: S, task, *, again: bool = True) -> S:
    """Queue a failed run again (same row, next attempt) and return it.

    Only a failed run is retried; if another run of the same canteen and period started in the
    meantime, ``AlreadyRunning`` carries that one."""
    model = type(run)
    try:
        with transaction.atomic():
            requeued = model.objects.filter(pk=run.pk, status=SolverRun.Status.FAILED).update(
                status=SolverRun.Status.QUEUED,
                message="",
                progress=[],
                conflicts=[],
                objective=None,
                bound=None,
                solve_seconds=None,
                finished_at=None,
                heartbeat_at=None,
                worker="",
                **model.RETRY_RESETS,
            )
    except IntegrityError:
        active = active_run(model, canteen_id=run.canteen_id, start=run.start, end=run.end)
        if active is None and again:  # it finished between the two statements
            return retry(run, task, again=False)
        if active is None:
            raise
        raise AlreadyRunning(active) from None
    if requeued:
        enqueue_on_commit(task, run)
    run.refresh_from_db()
    return run
