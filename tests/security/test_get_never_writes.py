"""A GET writes nothing (issue 12: a manager's GET of the calendar for year 2400 created 40
meals): every route of the URL configuration, read by every role, sends no INSERT, UPDATE or
DELETE to the database. Sessions are left out (logging in writes one; reading a page that
shows a message may too)."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.security.probe import routes, url_for

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
ALLOWED_TABLES = ("django_session",)
READERS = ("cook", "dietitian", "manager", "producer", "satellite")
ROUTES = list(routes())


def writes(queries) -> list[str]:
    return [
        q["sql"][:160]
        for q in queries
        if WRITE.match(q["sql"]) and not any(table in q["sql"] for table in ALLOWED_TABLES)
    ]


@pytest.mark.parametrize("role", READERS)
def test_no_route_writes_on_get(sworld, role):
    client = Client()
    client.force_login(sworld.users[role])
    found = {}
    for route in ROUTES:
        for target in ("kitchen", "satellite"):
            url = url_for(route, sworld, target)
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            if writes(queries):
                found[f"{route.name} ({target})"] = writes(queries)
    assert found == {}


def test_the_calendar_of_the_coming_weeks_is_read_without_creating_its_meals(sworld):
    from django.urls import reverse

    from menus.models import Meal

    client = Client()
    client.force_login(sworld.users["cook"])
    before = Meal.objects.count()
    url = reverse("menu_calendar", kwargs={"pk": sworld.kitchen.pk})
    response = client.get(url, {"start": "2027-03-01", "weeks": 8})
    # 40 weekdays, less Easter Monday and the spring holidays of the kitchen's zone
    assert response.status_code == 200 and response.context["unopened"] == 29
    assert Meal.objects.count() == before
