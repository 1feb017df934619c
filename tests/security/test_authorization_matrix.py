"""The authorization matrix: every route of the URL configuration and the API router, every
method, every role, against the expected answers of ``authorization_table.EXPECTED``.

The routes come from the resolver, not from the table: a route added without its row fails
``test_every_route_has_its_row``, and a row left after its route went fails too.
"""

import pytest
from django.db import transaction
from django.test import Client

from tests.security.authorization_table import EXPECTED
from tests.security.probe import (
    METHODS,
    admin_paths,
    ask,
    body_for,
    is_canteen_route,
    routes,
    url_for,
)
from tests.security.world import ROLES

REFUSED = {"405", "403", "login"}  # what a method the route does not take may answer


def _rows():
    """(row name, route, target) for every route, twice for routes naming a canteen."""
    for route in routes():
        yield route.name, route, "kitchen"
        if is_canteen_route(route):
            yield f"{route.name}@satellite", route, "satellite"


ROWS = list(_rows())


def test_every_route_has_its_row():
    names = {name for name, _route, _target in ROWS}
    assert sorted(names - EXPECTED.keys()) == [], "routes without a row in EXPECTED"
    assert sorted(EXPECTED.keys() - names) == [], "rows of routes that no longer exist"


@pytest.mark.parametrize(("name", "route", "target"), ROWS, ids=[row[0] for row in ROWS])
def test_route(sworld, name, route, target):
    """Each role gets the expected answer for each method (one rolled-back request each)."""
    url = url_for(route, sworld, target)
    expected_row = EXPECTED.get(name, {})
    got, want = {}, {}
    for method in METHODS:
        codes = [
            str(ask(sworld, role, method, url, body_for(name, method, sworld))) for role in ROLES
        ]
        if method in expected_row:
            expected = expected_row[method].split()
            assert len(expected) == len(ROLES), f"{name} {method}: one answer per role"
            got[method], want[method] = " ".join(codes), " ".join(expected)
        else:
            unexpected = [f"{r}={c}" for r, c in zip(ROLES, codes, strict=True) if c not in REFUSED]
            got[method], want[method] = unexpected, []
    assert got == want


def test_admin_is_staff_only(sworld):
    """Every admin page sends every role of the world (none is staff) to the admin login."""
    clients = {}
    for role in ROLES:
        clients[role] = Client()
        if role != "anonymous":
            clients[role].force_login(sworld.users[role])
    for path in admin_paths():
        for role, client in clients.items():
            with transaction.atomic():
                response = client.get(path)
                transaction.set_rollback(True)
            assert response.status_code == 302, (path, role)
            assert "/admin/login/" in response["Location"], (path, role)
