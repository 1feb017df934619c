"""Logs an operator can search: one JSON line per request and per job, with a request id and
the user on every line written meanwhile."""

import io
import json
import logging
from datetime import date

import pytest

from cantine.logs import ContextFilter, JsonFormatter
from orders.lots import run_lot_simulation
from orders.models import LotSimulation


@pytest.fixture
def log_lines():
    """Every record, formatted as production does (JSON), read back as dicts."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    previous = root.level
    root.setLevel(logging.INFO)

    def lines() -> list[dict]:
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    yield lines
    root.removeHandler(handler)
    root.setLevel(previous)


def test_a_request_writes_one_line_with_its_id_and_user(client, world, log_lines):
    client.force_login(world.users["cook"])
    response = client.get("/canteens/")
    requests = [line for line in log_lines() if line["message"] == "request"]
    assert len(requests) == 1
    line = requests[0]
    assert line["logger"] == "cantine.requests" and line["level"] == "INFO"
    assert line["method"] == "GET" and line["path"] == "/canteens/"
    assert line["status"] == response.status_code == 200
    assert line["user"] == "cook"
    assert line["duration_ms"] >= 0 and "timestamp" in line
    assert line["request_id"] == response["X-Request-ID"]


def test_every_line_of_a_request_carries_its_id(client, log_lines):
    response = client.get("/no-such-page/", headers={"X-Request-ID": "proxy-id-12345678"})
    assert response["X-Request-ID"] == "proxy-id-12345678"  # a sane id from the proxy is kept
    lines = log_lines()
    not_found = next(line for line in lines if line["logger"] == "django.request")
    assert not_found["request_id"] == "proxy-id-12345678"
    request = next(line for line in lines if line["message"] == "request")
    assert request["status"] == 404 and request["user"] == "anonymous"


def test_a_forged_request_id_is_replaced(client, log_lines):
    response = client.get("/accounts/login/", headers={"X-Request-ID": 'x"\n{"admin": true}'})
    assert response["X-Request-ID"] != 'x"\n{"admin": true}'
    assert len(response["X-Request-ID"]) == 32
    assert [line["request_id"] for line in log_lines() if line["message"] == "request"] == [
        response["X-Request-ID"]
    ]


def test_a_job_writes_one_line_with_its_task_status_and_id(world, log_lines):
    simulation = LotSimulation.objects.create(
        canteen=world.kitchen,
        start=date(2027, 1, 4),
        end=date(2027, 1, 10),
        status=LotSimulation.Status.OPTIMAL,  # already done: the job has nothing to solve
    )
    result = run_lot_simulation.enqueue(simulation.pk)
    jobs = [line for line in log_lines() if line["message"] == "job"]
    assert len(jobs) == 1
    job = jobs[0]
    assert job["logger"] == "cantine.jobs" and job["level"] == "INFO"
    assert job["task"] == "orders.lots.run_lot_simulation"
    assert job["task_args"] == [simulation.pk]
    assert job["status"] == "SUCCESSFUL"
    assert job["request_id"] == str(result.id) and job["user"] == "worker"


def test_a_failed_job_is_logged_as_an_error(db, log_lines):
    run_lot_simulation.enqueue(999_999)  # no such simulation
    job = next(line for line in log_lines() if line["message"] == "job")
    assert job["level"] == "ERROR" and job["status"] == "FAILED"
