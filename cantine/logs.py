"""Structured logs: one JSON line per request and per background job, each carrying a
request id (or the job's id) and the user, so that an operator follows one request through
gunicorn, the database and the worker that solved what it asked.

- ``RequestLogMiddleware`` (first in ``MIDDLEWARE``) takes the request id from
  ``X-Request-ID`` when a proxy set a sane one, otherwise makes one, answers it in the same
  header and logs ``request`` with method, path, status, duration and user;
- ``job_started`` / ``job_finished`` (django-tasks signals, for every backend) log ``job``
  with the task, its id, its status and duration;
- ``ContextFilter`` puts ``request_id`` and ``user`` on every record logged meanwhile, and
  ``JsonFormatter`` (python-json-logger) writes each record as one JSON object.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from contextvars import ContextVar

from pythonjsonlogger.json import JsonFormatter as BaseJsonFormatter

request_id: ContextVar[str] = ContextVar("request_id", default="-")
current_user: ContextVar[str] = ContextVar("current_user", default="-")

requests_logger = logging.getLogger("cantine.requests")
jobs_logger = logging.getLogger("cantine.jobs")

# What a request id from outside may look like: letters, digits and dashes, not too long (a
# header is the client's word, and it lands in every log line).
SANE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class ContextFilter(logging.Filter):
    """Adds ``request_id`` and ``user`` to every record (``-`` outside requests and jobs)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        if not hasattr(record, "user"):
            record.user = current_user.get()
        return True


class JsonFormatter(BaseJsonFormatter):
    """One JSON object per line: time, level, logger, message, then the record's extras."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("timestamp", True)
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        super().__init__("%(levelname)s %(name)s %(message)s %(request_id)s %(user)s", **kwargs)


def _user_label(request) -> str:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return "anonymous"
    return user.get_username()


class RequestLogMiddleware:
    """Request id in, request id out, and one ``request`` line per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        rid = given if SANE_ID.match(given) else uuid.uuid4().hex
        request.request_id = rid
        # Not reset on the way out: Django logs a 4xx/5xx ("Not Found: ...") after the last
        # middleware has returned, and that line belongs to this request too. The next request
        # on this thread sets its own.
        request_id.set(rid)
        current_user.set("anonymous")
        started = time.perf_counter()
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            response["X-Request-ID"] = rid
            return response
        finally:
            user = _user_label(request)
            current_user.set(user)
            level = logging.ERROR if status >= 500 else logging.INFO
            requests_logger.log(
                level,
                "request",
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": status,
                    "duration_ms": round(1000 * (time.perf_counter() - started), 1),
                    "user": user,
                },
            )


# job id -> when it started and the context it replaced (a job run inside a request, by the
# immediate backend, gives the request its id back when it ends)
_jobs: dict[str, tuple[float, object, object]] = {}


def connect_job_signals() -> None:
    """Called once the apps are ready (``CantineConfig.ready``): logging is configured
    before django-tasks can be imported."""
    from django_tasks.signals import task_finished, task_started

    task_started.connect(job_started, dispatch_uid="cantine.logs.job_started")
    task_finished.connect(job_finished, dispatch_uid="cantine.logs.job_finished")


def job_started(sender, task_result, **kwargs) -> None:
    """A job's lines carry its id as their request id."""
    job = str(task_result.id)
    _jobs[job] = (time.perf_counter(), request_id.set(job), current_user.set("worker"))


def job_finished(sender, task_result, **kwargs) -> None:
    started, rid_token, user_token = _jobs.pop(str(task_result.id), (None, None, None))
    failed = str(task_result.status) == "FAILED"
    jobs_logger.log(
        logging.ERROR if failed else logging.INFO,
        "job",
        extra={
            "request_id": str(task_result.id),
            "user": "worker",
            "task": task_result.task.module_path,
            "task_args": list(task_result.args),
            "status": str(task_result.status),
            "backend": task_result.backend,
            "duration_ms": round(1000 * (time.perf_counter() - started), 1) if started else None,
        },
    )
    if rid_token is not None:
        request_id.reset(rid_token)
        current_user.reset(user_token)
