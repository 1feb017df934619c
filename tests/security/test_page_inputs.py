"""No page answers 500 to a query string it does not expect: every GET route of the URL
configuration, as each staff role and the producer, with hostile values for the parameters
pages read (dates, weeks, years, ids, pages, search terms)."""

import pytest
from django.test import Client

from tests.security.probe import is_canteen_route, routes, url_for

HOSTILE = [
    {"start": "9999-12-27", "end": "0001-01-01", "weeks": "-1", "year": "10000"},
    {
        "start": "notadate",
        "weeks": "99999999999999999999",
        "year": "abc",
        "canteen": "99999999999999999999",
        "producer": "abc",
        "q": "x" * 5000,
        "table": "nope",
        "family": "\x00",
        "page": "99999999999999999999",
    },
]
ROLES = ["cook", "dietitian", "manager", "producer"]
PAGES = [r for r in routes() if not r.name.startswith(("api", "admin")) and "-" not in r.name]


@pytest.mark.parametrize("route", PAGES, ids=[r.name for r in PAGES])
def test_a_page_never_answers_500_to_its_query(sworld, route):
    targets = ["kitchen", "satellite"] if is_canteen_route(route) else ["kitchen"]
    crashes = []
    for role in ROLES:
        client = Client(raise_request_exception=False)
        client.force_login(sworld.users[role])
        for target in targets:
            url = url_for(route, sworld, target)
            for query in HOSTILE:
                status = client.get(url, query).status_code
                if status >= 500:
                    crashes.append((role, target, sorted(query)[0], status))
    assert crashes == []
