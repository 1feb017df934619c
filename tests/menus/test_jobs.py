"""Plan runs never get stuck: claimed once, failed when their worker dies, tried again once.

The worker-kill test with real processes is tests/menus/test_worker_kill.py; these tests
drive the same rules (``cantine.solver_runs``) inside the test process.
"""

import time
from datetime import timedelta

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from redis.exceptions import ConnectionError as RedisConnectionError

from cantine import solver_runs
from menus import services
from menus.models import MealDish, PlanRun
from menus.services import solve_plan_run
from tests.menus.conftest import MONDAY

FRIDAY = MONDAY + timedelta(days=4)


def queued_run(kitchen, start=MONDAY, **fields) -> PlanRun:
    services.ensure_meals(canteen=kitchen, start=start, end=start + timedelta(days=4))
    return PlanRun.objects.create(
        canteen=kitchen,
        start=start,
        end=start + timedelta(days=6),  # a week, as the calendar asks for it
        preset="cheapest",
        rule_set=kitchen.rule_set_assignment.rule_set,
        **fields,
    )


def died(run: PlanRun, seconds_ago: float = 3600) -> PlanRun:
    """The run as a worker that was killed leaves it: running, its last heartbeat long ago."""
    long_ago = timezone.now() - timedelta(seconds=seconds_ago)
    PlanRun.objects.filter(pk=run.pk).update(
        status=PlanRun.Status.RUNNING, attempt=1, worker="gone:1", heartbeat_at=long_ago
    )
    run.refresh_from_db()
    return run


def test_two_workers_handed_the_same_run_solve_it_once(kitchen):
    run = queued_run(kitchen)
    first = solver_runs.claim(PlanRun, run.pk)
    assert first is not None and first.attempt == 1
    assert solver_runs.claim(PlanRun, run.pk) is None  # the second worker gets nothing
    run.refresh_from_db()
    assert run.status == PlanRun.Status.RUNNING
    assert run.heartbeat_at is not None and run.worker


def test_a_duplicate_job_does_not_plan_twice(kitchen):
    run = queued_run(kitchen)
    done = services.execute_plan_run(run_id=run.pk)
    assert done.status in PlanRun.SOLVED
    filled = MealDish.objects.count()
    assert filled == done.changed_slots == 25

    again = services.execute_plan_run(run_id=run.pk)  # the same job delivered a second time
    assert again.status == done.status and again.attempt == 1
    assert MealDish.objects.count() == filled


def test_a_run_whose_worker_died_reads_as_failed_and_is_offered_again(client, world, kitchen):
    run = died(queued_run(kitchen))
    client.force_login(world.users["cook"])
    page = client.get(reverse("menu_plan_status", kwargs={"run_pk": run.pk})).content.decode()
    run.refresh_from_db()
    assert run.status == PlanRun.Status.FAILED
    assert "status-failed" in page
    assert str(solver_runs.STALE_MESSAGE).replace("'", "&#x27;") in page
    assert reverse("menu_plan_retry", kwargs={"run_pk": run.pk}) in page

    client.force_login(world.users["dietitian"])  # reads the menus, does not plan them
    page = client.get(reverse("menu_plan_status", kwargs={"run_pk": run.pk})).content.decode()
    assert reverse("menu_plan_retry", kwargs={"run_pk": run.pk}) not in page


def test_the_calendar_shows_a_dead_run_as_failed(client, world, kitchen):
    died(queued_run(kitchen))
    client.force_login(world.users["cook"])
    url = reverse("menu_calendar", kwargs={"pk": kitchen.pk})
    page = client.get(url, {"start": MONDAY, "weeks": 1}).content.decode()
    assert "status-failed" in page and "/retry/" in page


def test_a_run_with_a_recent_heartbeat_keeps_running(client, world, kitchen):
    run = died(queued_run(kitchen), seconds_ago=1)
    assert solver_runs.fresh(run).status == PlanRun.Status.RUNNING
    assert solver_runs.reap_all_stale() == 0


def test_trying_again_plans_the_week_once(
    client, world, kitchen, django_capture_on_commit_callbacks
):
    run = died(queued_run(kitchen))
    solver_runs.reap_all_stale()
    client.force_login(world.users["cook"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("menu_plan_retry", kwargs={"run_pk": run.pk}))
    assert response.status_code == 200
    run.refresh_from_db()
    assert run.status in PlanRun.SOLVED, run.message
    assert run.attempt == 2 and run.message == ""
    per_course = MealDish.objects.values("meal", "component").annotate(n=Count("id"))
    assert {row["n"] for row in per_course} == {1}
    assert len(per_course) == 25


def test_only_a_failed_run_is_tried_again(client, world, kitchen):
    run = queued_run(kitchen, status=PlanRun.Status.OPTIMAL)
    client.force_login(world.users["cook"])
    client.post(reverse("menu_plan_retry", kwargs={"run_pk": run.pk}))
    run.refresh_from_db()
    assert run.status == PlanRun.Status.OPTIMAL and run.attempt == 0

    client.force_login(world.users["dietitian"])
    failed = died(queued_run(kitchen, start=MONDAY + timedelta(days=7)))
    response = client.post(reverse("menu_plan_retry", kwargs={"run_pk": failed.pk}))
    assert response.status_code == 403


def test_retrying_while_another_run_of_the_period_is_active_joins_it(client, world, kitchen):
    failed = queued_run(kitchen, status=PlanRun.Status.FAILED)
    active = queued_run(kitchen)
    client.force_login(world.users["cook"])
    response = client.post(reverse("menu_plan_retry", kwargs={"run_pk": failed.pk}))
    assert response.status_code == 200
    assert reverse("menu_plan_status", kwargs={"run_pk": active.pk}) in response.content.decode()
    failed.refresh_from_db()
    assert failed.status == PlanRun.Status.FAILED


def test_a_late_attempt_writes_nothing_once_the_run_was_retried(kitchen):
    run = queued_run(kitchen)
    first = solver_runs.claim(PlanRun, run.pk)
    died(run)  # its worker froze past the stale delay
    assert solver_runs.reap_all_stale() == 1
    solver_runs.retry(run, solve_plan_run)  # queued again; enqueued on commit (not here)
    second = solver_runs.claim(PlanRun, run.pk)
    assert second.attempt == 2

    assert not first.beat(progress=[[1, 2, 3]])
    assert not first.fail("late error")
    assert not first.hold()
    run.refresh_from_db()
    assert run.status == PlanRun.Status.RUNNING and run.attempt == 2
    assert run.progress == [] and run.message == ""


class QueueDown:
    """What a task backend does when Redis is unreachable."""

    def enqueue(self, *args):
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def test_a_run_the_queue_refused_is_failed_not_left_queued(
    client, world, kitchen, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("menus.services.solve_plan_run", QueueDown())
    client.force_login(world.users["cook"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("menu_plan", kwargs={"pk": kitchen.pk}),
            {"preset": "cheapest", "keep_existing": "on", "start": MONDAY, "weeks": 1},
        )
    assert response.status_code == 200
    run = PlanRun.objects.get()
    assert run.status == PlanRun.Status.FAILED
    assert run.message == str(solver_runs.UNQUEUED_MESSAGE)


def test_the_worker_beats_while_it_solves(settings):
    """A solve longer than the heartbeat period writes heartbeats, so it is never reaped."""
    settings.SOLVER_HEARTBEAT_SECONDS = 0.05
    beats = []

    def slow_solve(report):
        time.sleep(0.6)
        return "done"

    result = solver_runs.solve_with_progress(
        slow_solve, lambda batch: None, every=0.1, heartbeat=lambda: beats.append(1)
    )
    assert result == "done"
    assert len(beats) >= 3


def test_the_api_reports_a_dead_run_as_failed(client, world, kitchen):
    run = died(queued_run(kitchen))
    client.force_login(world.users["cook"])
    body = client.get(reverse("planrun-detail", kwargs={"pk": run.pk})).json()
    assert body["status"] == "failed"
