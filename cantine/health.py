"""``/healthz``: is this instance able to serve? Database, Redis and the job queue, as JSON.

A load balancer or a monitoring probe asks it without logging in; it answers 200 when every
check passes and 503 otherwise, with figures an operator reads at a glance (how many jobs
wait, how many workers listen, how many runs a dead worker left). The checks run through
django-health-check; only the answer's shape is ours.
"""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta

from asgiref.sync import sync_to_async
from django.apps import apps
from django.conf import settings
from django.http import JsonResponse
from django.utils import timezone
from health_check.base import HealthCheck
from health_check.checks import Database
from health_check.contrib.redis import Redis
from health_check.exceptions import ServiceUnavailable, ServiceWarning
from health_check.views import HealthCheckView
from redis.asyncio import Redis as AsyncRedis

from cantine.solver_runs import SolverRun

RQ_BACKEND = "django_tasks_rq.RQBackend"
DB_BACKEND = "django_tasks_db.DatabaseBackend"


def _backend() -> str:
    return settings.TASKS["default"]["BACKEND"]


class InRequestThread:
    """Run a synchronous check on the request's own thread and database connection
    (``sync_to_async``), not on an executor thread with a connection of its own: one
    connection per probe, and a test's transaction sees what it wrote."""

    async def run(self) -> None:
        await sync_to_async(self.check)()


@dataclasses.dataclass
class DatabaseCheck(InRequestThread, Database):
    def __repr__(self) -> str:
        return "database"

    def check(self) -> None:
        Database.run(self)


@dataclasses.dataclass
class JobQueue(InRequestThread, HealthCheck):
    """The background job queue: its backend, jobs waiting, workers listening, and solver
    runs left "running" by a worker that died (reaped on the next read or job)."""

    figures: dict = dataclasses.field(default_factory=dict, repr=False)

    def __repr__(self) -> str:
        return "queue"

    def check(self) -> None:
        backend = _backend()
        self.figures["backend"] = backend.rsplit(".", 1)[-1]
        if backend == RQ_BACKEND:
            self._rq()
        elif backend == DB_BACKEND:
            self._database()
        cutoff = timezone.now() - timedelta(seconds=settings.SOLVER_STALE_SECONDS)
        stale = 0
        for model in apps.get_models():
            if issubclass(model, SolverRun):
                stale += model.objects.filter(
                    status=SolverRun.Status.RUNNING, heartbeat_at__lt=cutoff
                ).count()
        self.figures["stale_runs"] = stale
        if self.figures.get("workers") == 0:
            raise ServiceWarning("no worker listens to the queue: jobs wait")

    def _rq(self) -> None:
        import django_rq
        from redis.exceptions import RedisError
        from rq import Worker
        from rq.registry import FailedJobRegistry, StartedJobRegistry

        try:
            queue = django_rq.get_queue("default")
            self.figures["queued"] = queue.count
            self.figures["started"] = StartedJobRegistry(queue=queue).count
            self.figures["failed"] = FailedJobRegistry(queue=queue).count
            self.figures["workers"] = Worker.count(queue=queue)
        except RedisError as error:
            raise ServiceUnavailable("the job queue's Redis does not answer") from error

    def _database(self) -> None:
        from django_tasks.base import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        waiting = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
        self.figures["queued"] = waiting.count()
        self.figures["started"] = DBTaskResult.objects.filter(
            status=TaskResultStatus.RUNNING
        ).count()


def checks() -> list:
    """The database always; Redis when the job queue lives there (``REDIS_URL``)."""
    found: list = [DatabaseCheck, JobQueue]
    if settings.REDIS_URL:
        url = settings.REDIS_URL
        found.insert(1, (Redis, {"client_factory": lambda: AsyncRedis.from_url(url)}))
    return found


NAMES = {"DatabaseCheck": "database", "Redis": "redis", "JobQueue": "queue"}


class HealthView(HealthCheckView):
    """Always JSON: ``{"status": "ok", "checks": {"database": {"status": "ok", ...}}}``."""

    async def get(self, request, *args, **kwargs):
        self.checks = checks()
        with self.get_executor() as executor:
            self.results = await asyncio.gather(
                *(check.get_result(executor) for check in self.get_checks())
            )
        return self.render_to_response_json(503 if any(r.error for r in self.results) else 200)

    def render_to_response_json(self, status):
        body = {}
        for result in self.results:
            name = NAMES.get(type(result.check).__name__, type(result.check).__name__)
            entry = {
                "status": "error" if result.error else "ok",
                "seconds": round(result.time_taken, 4),
            }
            if result.error:
                entry["error"] = str(result.error)
            entry.update(getattr(result.check, "figures", {}))
            body[name] = entry
        return JsonResponse(
            {"status": "error" if status != 200 else "ok", "checks": body}, status=status
        )


healthz = HealthView.as_view()
