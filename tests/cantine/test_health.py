"""``/healthz`` tells a probe whether this instance can serve, and why not."""

import os
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from orders.models import LotSimulation

pytestmark = pytest.mark.django_db


def health(client):
    response = client.get(reverse("healthz"))
    assert response["Content-Type"] == "application/json"
    return response.status_code, response.json()


def test_a_healthy_instance_answers_ok_without_login(client, settings):
    settings.REDIS_URL = ""
    status, body = health(client)
    assert status == 200
    assert body["status"] == "ok"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["queue"]["status"] == "ok"
    assert "redis" not in body["checks"]  # no REDIS_URL: the queue is the database's


def test_redis_down_makes_the_instance_unhealthy(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    status, body = health(client)
    assert status == 503
    assert body["status"] == "error"
    assert body["checks"]["redis"]["status"] == "error"
    assert "Unable to connect to Redis" in body["checks"]["redis"]["error"]
    assert body["checks"]["database"]["status"] == "ok"


def test_the_database_queue_counts_waiting_jobs(client, settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    from orders.notifications import deliver_notification

    deliver_notification.enqueue(1)
    deliver_notification.enqueue(2)
    status, body = health(client)
    assert status == 200
    assert body["checks"]["queue"]["backend"] == "DatabaseBackend"
    assert body["checks"]["queue"]["queued"] == 2


def test_runs_left_by_a_dead_worker_are_counted(client, world):
    LotSimulation.objects.create(
        canteen=world.kitchen,
        start=date(2027, 1, 4),
        end=date(2027, 1, 10),
        status=LotSimulation.Status.RUNNING,
        heartbeat_at=timezone.now() - timedelta(hours=1),
    )
    _status, body = health(client)
    assert body["checks"]["queue"]["stale_runs"] == 1


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs a Redis (REDIS_URL)")
def test_an_rq_queue_without_workers_is_reported(client, settings):
    """Run with REDIS_URL set to a Redis database no worker listens to (.ci/smoke-prod)."""
    settings.REDIS_URL = os.environ["REDIS_URL"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    status, body = health(client)
    queue = body["checks"]["queue"]
    assert body["checks"]["redis"]["status"] == "ok"
    assert queue["backend"] == "RQBackend"
    if queue["workers"] == 0:
        assert status == 503 and "no worker" in queue["error"]
    else:
        assert status == 200 and queue["status"] == "ok"
