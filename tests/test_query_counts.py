"""No N+1: a list page or endpoint asks the database as many times for 50 rows as for 1.

Each case counts the queries of one request with one row, then allows no more with fifty
(``django_assert_max_num_queries``). A loop that reads a related row per item fails here.
Covered so far: canteens, producers, ledger lines (pages and API), plan and allocation runs
(API). The lists of needs, orders and offers are not covered yet.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cantine.models import Role
from menus.models import PlanRun
from nutrition.models import RuleSet
from orders.models import AllocationRun
from tests.factories import CanteenFactory, MembershipFactory, ProducerFactory
from tests.purchases.factories import PurchaseFactory


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def more_canteens(world, n) -> str:
    for _ in range(n):
        canteen = CanteenFactory()
        MembershipFactory(user=world.users["manager"], canteen=canteen, role=Role.MANAGER)
    return canteen.name


def more_producers(world, n) -> str:
    return ProducerFactory.create_batch(n, labels=["BIO"])[-1].name


def more_purchases(world, n) -> str:
    made = PurchaseFactory.create_batch(
        n, canteen=world.kitchen, labels=["BIO"], price_ht=Decimal("12.50")
    )
    return made[-1].description


def more_plan_runs(world, n) -> str:
    rule_set = RuleSet.objects.get_or_create(name="Règles", defaults={"owner": world.kitchen})[0]
    for _ in range(n):
        start = date(2027, 1, 4) + timedelta(days=7 * PlanRun.objects.count())
        run = PlanRun.objects.create(
            canteen=world.kitchen,
            start=start,
            end=start + timedelta(days=6),
            preset="cheapest",
            rule_set=rule_set,
            status=PlanRun.Status.OPTIMAL,
            requested_by=world.users["cook"],
        )
    return f'"id":{run.pk}'


def more_allocation_runs(world, n) -> str:
    for _ in range(n):
        start = date(2027, 1, 4) + timedelta(days=7 * AllocationRun.objects.count())
        run = AllocationRun.objects.create(
            canteen=world.kitchen,
            start=start,
            end=start + timedelta(days=6),
            status=AllocationRun.Status.OPTIMAL,
            requested_by=world.users["cook"],
        )
    return f'"id":{run.pk}'


CASES = [
    ("manager", "/canteens/", more_canteens),
    ("manager", "/api/canteens/", more_canteens),
    ("cook", "/producers/", more_producers),
    ("cook", "/api/producers/", more_producers),
    ("manager", "/purchases/?year=2025", more_purchases),
    ("manager", "/api/purchases/", more_purchases),
    ("cook", "/api/plan-runs/", more_plan_runs),
    ("cook", "/api/allocation-runs/", more_allocation_runs),
]


@pytest.mark.parametrize(("role", "url", "add"), CASES, ids=[c[1] for c in CASES])
def test_a_list_asks_the_same_for_50_rows_as_for_1(
    role, url, add, client, world, django_assert_max_num_queries
):
    client.force_login(world.users[role])
    add(world, 1)
    client.get(url)  # caches warmed (content types, sessions) as in a running server
    with_one = queries(client, url)
    last = add(world, 49)
    with django_assert_max_num_queries(with_one):
        response = client.get(url)
    assert response.status_code == 200
    assert last in response.content.decode()  # the fifty rows are listed, not a page of one
