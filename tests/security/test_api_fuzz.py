"""Schemathesis over the API's own OpenAPI schema, for every role, in process (WSGI).

The schema comes from drf-spectacular (no network, no server); each operation is called with
generated inputs as the kitchen's cook, dietitian and manager, the producer, the satellite's
staff and another canteen's staff of ``tests.security.world`` (a session cookie and its CSRF
token), with ids of the world's own objects half of the time so the answers are not all 404. A test fails on any 5xx and on any
answer whose body does not match the schema for its status. Each request runs in a savepoint
rolled back after it, so a generated write never changes the next case's world.

Bounded: ``EXAMPLES`` cases per operation and role: 324 tests, about 50 s of CPU (2 min 10 s
of wall time on the shared 2-core machine at load 8).
"""

import json
import secrets

import hypothesis
import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck
from hypothesis import strategies as st
from rest_framework.utils.encoders import JSONEncoder
from schemathesis import GenerationMode, checks

EXAMPLES = 6
ROLES = ["cook", "dietitian", "manager", "producer", "satellite", "other_canteen"]

# The world's object named by "/api/<collection>/{id}/".
OBJECTS = {
    "canteens": lambda w: w.kitchen,
    "producers": lambda w: w.objects["producer"],
    "offers": lambda w: w.objects["offer"],
    "needs": lambda w: w.objects["need"],
    "allocation-runs": lambda w: w.objects["run"],
    "purchase-orders": lambda w: w.objects["order"],
    "my-orders": lambda w: w.objects["order"],
    "purchases": lambda w: w.objects["purchase"],
    "foods": lambda w: w.objects["food"],
    "dishes": lambda w: w.objects["dish"],
    "rule-sets": lambda w: w.objects["rule_set"],
    "meals": lambda w: w.objects["meal"],
    "plan-runs": lambda w: w.objects["plan_run"],
}


def _schema():
    document = SchemaGenerator().get_schema(request=None, public=True)
    schema = schemathesis.openapi.from_dict(json.loads(json.dumps(document, cls=JSONEncoder)))
    schema.app = get_wsgi_application()
    return schema


SCHEMA = _schema()
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


@pytest.fixture
def wsgi_in_test_transaction():
    """Requests run in the test's transaction: Django must not close the connection after
    each one (its test client disconnects the same handler)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _session(world, role) -> tuple[dict, dict]:
    client = Client()
    client.force_login(world.users[role])
    csrf = secrets.token_hex(16)  # 32 characters: a valid unmasked CSRF secret
    cookies = {"sessionid": client.cookies["sessionid"].value, "csrftoken": csrf}
    return cookies, {"X-CSRFToken": csrf}


def _path_parameters(operation, world) -> dict:
    collection = operation.path.split("/")[2]
    params = {}
    names = {p.name for p in operation.path_parameters}
    if "id" in names and collection in OBJECTS:
        params["id"] = OBJECTS[collection](world).pk
    if "line" in names:
        params["line"] = world.objects["order"].lines.get().pk
    return params


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("operation", OPERATIONS, ids=[o.label for o in OPERATIONS])
def test_no_server_error_and_every_answer_matches_the_schema(
    sworld, wsgi_in_test_transaction, operation, role
):
    cookies, headers = _session(sworld, role)
    known = _path_parameters(operation, sworld)
    strategies = [
        operation.as_strategy(generation_mode=mode, path_parameters=ids)
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        for ids in ([None, known] if known else [None])
    ]

    @hypothesis.settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @hypothesis.given(case=st.one_of(strategies))
    def call(case):
        with transaction.atomic():
            case.call_and_validate(
                cookies=cookies,
                headers=headers,
                checks=[checks.not_a_server_error, checks.response_schema_conformance],
            )
            transaction.set_rollback(True)

    call()
