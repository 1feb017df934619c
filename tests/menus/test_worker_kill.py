"""A real worker process killed in the middle of a solve (``kill -9``): the run ends failed,
the page offers to try again, and the retry plans the week once.

The workers are real ``manage.py db_worker`` / ``rqworker`` processes on the test database.
Only the solver inside the first one is replaced by one that never finishes (it reports
progress like CP-SAT does), so that the kill always lands mid-solve. PostgreSQL only: a worker
process cannot open SQLite's in-memory test database. The RQ case also needs ``REDIS_URL``
(.ci/smoke-prod sets it to a Redis database of its own).
"""

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection, connections
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from cantine import solver_runs
from menus import services
from menus.models import MealDish, PlanRun
from tests.menus.conftest import MONDAY

ROOT = Path(__file__).resolve().parents[2]
SUNDAY = MONDAY + timedelta(days=6)

HARNESS = """
import os, sys, time
import django
django.setup()
import menus.services

def never_done(instance, num_workers=2, progress=None, **options):
    while True:  # a solve far longer than the test: it is killed before the end
        if progress:
            progress(1000.0, 10.0, 0.1)
        time.sleep(0.1)

if os.environ.get("CANTINE_TEST_ENDLESS_SOLVE"):
    menus.services.plan_menus = never_done
from django.core.management import call_command
call_command(*sys.argv[1:])
"""

WORKERS = {
    "database": (
        "django_tasks_db.DatabaseBackend",
        ["db_worker", "--no-startup-delay", "--interval", "0.2", "--no-reload"],
    ),
    "redis": (
        "django_tasks_rq.RQBackend",
        ["rqworker", "default", "--job-class", "django_tasks_rq.backend.Job"],
    ),
}


@pytest.fixture
def on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("a worker process cannot share SQLite's in-memory test database")


def redis_reachable() -> bool:
    if not os.environ.get("REDIS_URL"):
        return False
    import redis

    try:
        return bool(redis.Redis.from_url(os.environ["REDIS_URL"], socket_timeout=2).ping())
    except redis.exceptions.RedisError:
        return False


class Workers:
    """Worker processes started by a test, each in its own process group, all killed after."""

    def __init__(self, backend: str, logs: Path):
        self.backend, self.command = WORKERS[backend]
        self.started: list[subprocess.Popen] = []
        self.logs = logs

    def start(self, *, endless: bool = False) -> subprocess.Popen:
        db = connection.settings_dict
        url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
        env = {
            **os.environ,
            "DATABASE_URL": url + db["NAME"],
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "TESTING": "1",
            "TASKS_BACKEND": self.backend,
            "SOLVER_HEARTBEAT_SECONDS": "0.2",
            "CONN_MAX_AGE": "0",
        }
        env.pop("CANTINE_TEST_ENDLESS_SOLVE", None)
        if endless:
            env["CANTINE_TEST_ENDLESS_SOLVE"] = "1"
        process = subprocess.Popen(
            [sys.executable, "-c", HARNESS, *self.command],
            cwd=ROOT,
            env=env,
            start_new_session=True,  # kill -9 takes the worker and any child (RQ's horse)
            stdout=(self.logs / f"worker-{len(self.started)}.log").open("w"),
            stderr=subprocess.STDOUT,
        )
        self.started.append(process)
        return process

    @staticmethod
    def kill(process: subprocess.Popen) -> None:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def kill_all(self) -> None:
        """The workers, and a work horse RQ forked in a session of its own that may still
        be solving (its pid is in the run it holds)."""
        for process in self.started:
            self.kill(process)
        holders = PlanRun.objects.filter(status=PlanRun.Status.RUNNING).exclude(worker="")
        for worker in holders.values_list("worker", flat=True):
            with contextlib.suppress(ProcessLookupError, ValueError):
                os.kill(int(worker.rsplit(":", 1)[1]), signal.SIGKILL)

    def output(self) -> str:
        """What the workers printed, shown when the test fails."""
        return "\n".join(log.read_text()[-3000:] for log in sorted(self.logs.glob("*.log")))


def wait_for(condition, timeout: float = 90.0, what: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("backend", ["database", "redis"])
def test_a_killed_worker_leaves_a_failed_run_that_is_tried_again(
    backend, on_postgresql, client, world, kitchen, settings, tmp_path
):
    if backend == "redis" and not redis_reachable():
        pytest.skip("REDIS_URL is not set or Redis does not answer")
    settings.TASKS = {"default": {"BACKEND": WORKERS[backend][0], "QUEUES": ["default"]}}
    workers = Workers(backend, tmp_path)
    try:
        doomed = workers.start(endless=True)
        run = services.request_plan(
            canteen=kitchen,
            start=MONDAY,
            end=SUNDAY,
            preset="cheapest",
            keep_existing=True,
            rule_set=kitchen.rule_set_assignment.rule_set,
            actor=world.users["cook"],
        )

        def heartbeat():
            run.refresh_from_db()
            solving = run.status == PlanRun.Status.RUNNING and run.progress
            return run.heartbeat_at if solving else None

        first = wait_for(heartbeat, what="the worker to start solving")
        wait_for(lambda: (heartbeat() or first) > first, what="a second heartbeat")
        solver_pid = int(run.worker.rsplit(":", 1)[1])  # RQ solves in a forked work horse
        os.kill(solver_pid, signal.SIGKILL)  # kill -9, mid-solve
        workers.kill(doomed)  # and the worker that ran it: the machine is gone

        run.refresh_from_db()
        assert run.status == PlanRun.Status.RUNNING  # nobody told the database
        settings.SOLVER_STALE_SECONDS = 1
        time.sleep(1.5)
        client.force_login(world.users["cook"])
        status_url = reverse("menu_plan_status", kwargs={"run_pk": run.pk})
        page = client.get(status_url).content.decode()
        run.refresh_from_db()
        assert run.status == PlanRun.Status.FAILED
        retry_url = reverse("menu_plan_retry", kwargs={"run_pk": run.pk})
        assert "status-failed" in page and retry_url in page
        assert not MealDish.objects.exists()  # the dead attempt wrote no plan

        assert client.post(retry_url).status_code == 200
        workers.start()
        wait_for(
            lambda: PlanRun.objects.get(pk=run.pk).status not in PlanRun.ACTIVE,
            what="the retried run to be solved",
        )
        run.refresh_from_db()
        assert run.status in PlanRun.SOLVED, run.message
        assert run.attempt == 2 and run.changed_slots == 25
        per_course = MealDish.objects.values("meal", "component").annotate(n=Count("id"))
        assert len(per_course) == 25 and {row["n"] for row in per_course} == {1}
    except BaseException:
        print(workers.output())
        raise
    finally:
        workers.kill_all()


@pytest.mark.django_db(transaction=True)
def test_two_workers_claiming_at_the_same_moment_get_the_run_once(on_postgresql, kitchen):
    services.ensure_meals(canteen=kitchen, start=MONDAY, end=SUNDAY)
    run = PlanRun.objects.create(
        canteen=kitchen,
        start=MONDAY,
        end=SUNDAY,
        preset="cheapest",
        rule_set=kitchen.rule_set_assignment.rule_set,
    )
    barrier = threading.Barrier(8)
    claims = []

    def worker():
        try:
            barrier.wait()
            claims.append(solver_runs.claim(PlanRun, run.pk))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    won = [c for c in claims if c is not None]
    assert len(claims) == 8 and len(won) == 1
    run.refresh_from_db()
    assert run.attempt == 1 and run.status == PlanRun.Status.RUNNING
    assert run.heartbeat_at <= timezone.now()
