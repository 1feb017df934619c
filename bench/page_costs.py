"""What each page of the load test costs alone: time and queries, in-process, no queueing.

    .venv/bin/python -m bench.page_costs --database-url postgres://postgres@127.0.0.1:5432/DB

On the département data set (``bench.departement``), as ``cook001``, ``producer001``,
``manager001`` and the API key of ``manager001``: the best of ``--repeat`` runs of each page
the locust scenario asks for (``bench/locustfile.py``), through Django's test client with the
production middleware, and the number of SQL queries. The load test's latencies are these
service times plus queueing; a page's time here is its floor on this machine.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from datetime import date, timedelta


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=49)
    args = parser.parse_args(argv)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")  # no collected static files needed
    os.environ["ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()
    import logging

    logging.disable(logging.INFO)  # one line per page here, not the request logs
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.departement import api_key
    from cantine.models import User

    today = date.today()
    monday = today - timedelta(days=today.weekday())

    def client(name=None, token=None):
        made = Client(HTTP_AUTHORIZATION=f"Token {token}") if token else Client()
        if name:
            made.force_login(User.objects.get(username=name))
        return made

    def probe(who, label, url, **headers):
        best, queries, response = None, 0, None
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                response = who.get(url, **headers)
                elapsed = time.perf_counter() - start
            if best is None or elapsed < best:
                best, queries = elapsed, len(captured.captured_queries)
        print(f"{label:<24} {response.status_code} {best * 1000:7.0f} ms {queries:4d} queries")
        return response

    cook, producer, manager = client("cook001"), client("producer001"), client("manager001")
    api = client(token=api_key(args.seed, "manager001"))
    kitchen = int(re.search(r"/menus/(\d+)/", cook.get("/menus/").url).group(1))
    page = probe(cook, "calendar", f"/menus/{kitchen}/?start={monday}&weeks=2")
    probe(cook, "calendar, 20 weeks ago", f"/menus/{kitchen}/?start={monday - timedelta(weeks=20)}")
    probe(
        cook,
        "compliance report",
        f"/menus/{kitchen}/compliance/?start={monday - timedelta(weeks=4)}&weeks=4",
    )
    meals = re.findall(r"/menus/meals/(\d+)/", page.content.decode())
    if meals:
        probe(cook, "course picker", f"/menus/meals/{meals[0]}/main/", HTTP_HX_REQUEST="true")
    probe(producer, "producer portal", "/orders/portal/")
    probe(producer, "my offers", "/producers/my-offers/")
    shares = probe(manager, "shares page", "/purchases/shares/")
    canteen = re.search(r"report\.pdf\?canteen=(\d+)", shares.content.decode()).group(1)
    year = today.year
    probe(manager, "shares PDF", f"/purchases/shares/report.pdf?canteen={canteen}&year={year}")
    probe(manager, "ledger, page 5", f"/purchases/?canteen={canteen}&year={year}&page=5")
    probe(api, "API purchases", f"/api/purchases/?canteen={canteen}&year={year}&page=3")
    start, end = monday - timedelta(weeks=10), monday - timedelta(weeks=8)
    probe(api, "API meals", f"/api/meals/?canteen={canteen}&start={start}&end={end}")
    probe(api, "API shares", f"/api/purchase-shares/?canteen={canteen}&year={year}")
    probe(api, "API purchase orders", "/api/purchase-orders/?page=2")
    probe(api, "API offers", "/api/offers/?page=5")
    probe(api, "API canteens", "/api/canteens/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
