"""No N+1: a list page or endpoint asks the database as many times for 50 rows as for 1.

Each case counts the queries of one request with one row, then allows no more with fifty
(``django_assert_max_num_queries``), and finds the last row made in the answer, so a case
cannot pass on an empty list. A loop that reads a related row per item fails here. Every
route of the URL confs that lists rows (``tests.security.authorization_table``) is covered:

- canteens (home, list, API; satellites; the territories offered as "local"), producers (directory, with offers; API), offers (the
  producer's "Mes offres", the API for producers and for buyers);
- needs (page, API, and the lots offered on the consultations page); allocation runs (API),
  a run's lines (page, API) and its acceptance (page, API; new orders and amended ones);
- purchase orders (cook's and manager's page with payment delays, API; sent, invoiced,
  paid), an order's lines (page, API, CSV and PDF), its history, receipts (confirmed and
  delivered lines); the producer portal and ``/api/my-orders/`` (sent and answered, and one
  order's lines);
- consultations (list, detail: items and invitations, sourcing, answers ranked, of one
  producer or of a group, awarded answers and their orders, draft; analysis PDF), the
  producer's open consultations, answers (its own and as a group's partner), deliveries to
  invoice and invoices (portal and API), invoices of the kitchen;
- dishes (list, detail with ingredients and overrides, editor, API), foods (search, API),
  rule sets (list, detail with rules and the canteens using them, editor, history,
  portion sizes, API);
- menus: the calendar and the compliance report over two weeks of five courses a day under
  a rule set with a nutrient bound, the week's PDF, the SCDL export, the course picker,
  ``/api/meals/`` and its compliance; the satellite's staff reading their kitchen's;
- purchases: the ledger (page, API, CSV; lines tied to producers, foods and imports), imports,
  the shares page, its tables and PDF and the shares API for a group of satellites (local by
  a territory) with planned orders and paid orders (payment delays); plan runs (API);
- the admin's lists, among them the outbox of notifications.

Lists capped by design (the course picker and the food search show 30 rows, the top
suppliers 20) make their last row sort first. The lots simulator and the run and plan
status fragments read one stored row, not a list.
"""

import pytest
from django.core.cache import cache

from cantine.models import Role
from menus.models import Meal
from tests.factories import MembershipFactory, UserFactory
from tests.query_counts.cases import CASES
from tests.query_counts.support import (
    MONDAY,
    NEXT_YEAR,
    _dish_of,
    _first_consultation,
    _first_order,
    _portal_order,
    _rule_set,
    _run,
    content,
    queries,
)


@pytest.mark.parametrize(
    ("role", "url", "add"), CASES, ids=[f"{c[0]}:{c[1]}:{c[2].__name__}" for c in CASES]
)
def test_a_list_asks_the_same_for_50_rows_as_for_1(
    role, url, add, client, world, django_assert_max_num_queries
):
    if role == "admin":
        world.users["admin"] = UserFactory(username="admin", is_staff=True, is_superuser=True)
    if role == "satellite":  # the satellite's own staff read what their kitchen serves them
        world.users["satellite"] = UserFactory(username="satellite_staff")
        for staff in (Role.COOK, Role.DIETITIAN):
            MembershipFactory(user=world.users["satellite"], canteen=world.satellite, role=staff)
    client.force_login(world.users[role])
    add(world, 1)
    url = url.format(
        kitchen=world.kitchen.pk,
        order=_first_order(world).pk if "{order}" in url else "",
        consultation=_first_consultation(world).pk if "{consultation}" in url else "",
        next_year=NEXT_YEAR,
        run=_run(world).pk if "{run}" in url else "",
        portal_order=_portal_order(world).pk if "{portal_order}" in url else "",
        dish=_dish_of(world).pk if "{dish}" in url else "",
        rule_set=_rule_set(world).pk if "{rule_set}" in url else "",
        meal=Meal.objects.get_or_create(canteen=world.kitchen, date=MONDAY)[0].pk
        if "{meal}" in url
        else "",
    )
    client.get(url)  # caches warmed (content types, sessions) as in a running server
    # Both reads are cache misses (the kitchen's planner catalogue, keyed by a fingerprint of
    # its rows, misses anyway once rows are added): the worst case is the one compared.
    cache.clear()
    with_one = queries(client, url)
    last = add(world, 49)
    cache.clear()
    with django_assert_max_num_queries(with_one):
        response = client.get(url)
        body = content(response)
    assert response.status_code == 200
    assert last in body  # the fifty rows are listed, not a page of one
