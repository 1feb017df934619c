"""Load test of ``make prod`` on the département data set (issue 16).

    .venv/bin/python -m bench.departement --database-url postgres://…/DB     # once
    make prod PORT=8101 …                                                     # same SECRET_KEY
    .venv/bin/locust -f bench/locustfile.py --headless -u 50 -r 5 -t 2m --reset-stats \\
        --host http://127.0.0.1:8101 --csv /tmp/load50

Four kinds of users, logged in as the data set made them (``bench.departement``):

- cooks (``cookNNN``) browse their kitchen's calendar, week by week, open the compliance report
  and the dish picker of a meal, and now and then ask for a plan of a week to come (at most one
  plan request every ``PLAN_EVERY_S`` seconds across all cooks: the Redis workers solve them);
- producers (``producerNNN``) open their portal, answer a line of an order in full, confirm a
  whole order, look at their offers;
- managers (``managerNNN``) read the EGalim shares page, download its PDF, page the ledger;
- API clients (the managers' API keys) list purchases, meals, shares and purchase orders.

Every request is named ``<group>: <what>``, group one of ``page``, ``api``, ``shares`` (the
shares page and its PDF) or ``login``; at the end the figures per group (p50/p95/p99,
requests per second, errors) are printed and written to ``<--csv prefix>_groups.csv`` (or
``LOCUST_GROUPS_CSV``). Those figures start ``LOCUST_WARMUP_S`` (10) seconds after the last
user has logged in, once the logins of the ramp (PBKDF2, slow on purpose) are over; locust's
own tables (``--reset-stats``: from the end of the spawning) include the end of the logins. People wait 2 to
10 s between clicks, API clients 1 to 5 s.
"""

from __future__ import annotations

import csv
import itertools
import os
import random
import re
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

from locust import HttpUser, between, events, task

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # locust -f bench/locustfile.py
from bench.departement import DEFAULT_PASSWORD, api_key, username

SEED = int(os.environ.get("DEPARTEMENT_SEED", "49"))
PASSWORD = os.environ.get("DEPARTEMENT_PASSWORD", DEFAULT_PASSWORD)
KITCHENS, FARMS = 100, 590
PLAN_EVERY_S = float(os.environ.get("PLAN_EVERY_S", "60"))
# Figures start this long after the last user is spawned: their logins are over by then.
WARMUP_S = float(os.environ.get("LOCUST_WARMUP_S", "10"))
GROUPS = ("page", "api", "shares", "login")

_numbers = {role: itertools.count(1) for role in ("cook", "producer", "manager", "api")}
_plan_lock = threading.Lock()
_last_plan = [0.0]


def _next(role: str, size: int) -> int:
    """Users take the data set's accounts in turn (1, 2, …), so none is shared before all are."""
    return (next(_numbers[role]) - 1) % size + 1


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


class _LoggedIn(HttpUser):
    abstract = True
    wait_time = between(2, 10)  # a person reads a page before the next click
    role = ""
    accounts = KITCHENS

    def on_start(self):
        self.number = _next(self.role, self.accounts)
        self.client.get("/accounts/login/", name="login: form")
        csrf = self.client.cookies.get("csrftoken", "")
        with self.client.post(
            "/accounts/login/",
            {
                "username": username(self.role, self.number),
                "password": PASSWORD,
                "csrfmiddlewaretoken": csrf,
            },
            headers={"Referer": f"{self.host}/accounts/login/"},
            name="login: post",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login refused ({response.status_code})")
        _logged_in(self.environment)

    def post(self, path: str, data: dict, name: str, **kwargs):
        data = {**data, "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", "")}
        headers = {"Referer": f"{self.host}{path}", **kwargs.pop("headers", {})}
        return self.client.post(path, data, headers=headers, name=name, **kwargs)


class Cook(_LoggedIn):
    weight = 4
    role = "cook"

    def on_start(self):
        super().on_start()
        response = self.client.get("/menus/", name="page: menus (redirect)")
        found = re.search(r"/menus/(\d+)/", response.url)
        self.kitchen = int(found.group(1)) if found else None
        self.week = _monday(date.today())

    @task(6)
    def calendar(self):
        if self.kitchen is None:
            return
        # Mostly the current weeks, sometimes back through the year's menus.
        offset = random.choice([0, 0, 0, -1, -1, -2, -4, -8, -20, 1])
        start = self.week + timedelta(weeks=offset)
        response = self.client.get(
            f"/menus/{self.kitchen}/?start={start:%Y-%m-%d}&weeks=2", name="page: calendar"
        )
        self.meals = [int(pk) for pk in re.findall(r"/menus/meals/(\d+)/", response.text)]

    @task(2)
    def course_picker(self):
        meals = getattr(self, "meals", None)
        if not meals:
            return
        component = random.choice(["entree", "main", "side", "dairy", "dessert"])
        self.client.get(
            f"/menus/meals/{random.choice(meals)}/{component}/",
            headers={"HX-Request": "true"},
            name="page: course picker",
        )

    @task(1)
    def compliance(self):
        if self.kitchen is None:
            return
        start = self.week - timedelta(weeks=4)
        self.client.get(
            f"/menus/{self.kitchen}/compliance/?start={start:%Y-%m-%d}&weeks=4",
            name="page: compliance report",
        )

    @task(1)
    def plan(self):
        """A plan of a week to come; few of them (``PLAN_EVERY_S`` across all cooks)."""
        if self.kitchen is None:
            return
        with _plan_lock:
            if time.monotonic() - _last_plan[0] < PLAN_EVERY_S:
                return
            _last_plan[0] = time.monotonic()
        start = self.week + timedelta(weeks=random.randint(1, 6))
        response = self.post(
            f"/menus/{self.kitchen}/plan/",
            {"preset": "cheapest", "keep_existing": "on", "start": f"{start:%Y-%m-%d}", "weeks": 1},
            name="page: plan request",
            headers={"HX-Request": "true"},
        )
        run = re.search(r"/menus/runs/(\d+)/", response.text)
        if run:
            self.client.get(f"/menus/runs/{run.group(1)}/", name="page: plan status")


class Producer(_LoggedIn):
    weight = 2
    role = "producer"
    accounts = FARMS

    def _portal(self):
        response = self.client.get("/orders/portal/", name="page: producer portal")
        # Each line's form: its action, then the packs field whose max is the packs asked.
        self.lines = [
            (int(pk), packs)
            for pk, packs in re.findall(
                r'/orders/portal/lines/(\d+)/answer/".*?name="packs"[^>]*max="(\d+)"',
                response.text,
                re.S,
            )
        ]
        self.orders = [
            int(pk) for pk in re.findall(r"/orders/portal/(\d+)/confirm/", response.text)
        ]
        return response

    @task(4)
    def portal(self):
        self._portal()

    @task(2)
    def answer_line(self):
        """Confirm one line in full, as the portal's form sends it."""
        if not getattr(self, "lines", None):
            self._portal()
        if not self.lines:
            return
        line, packs = self.lines.pop(random.randrange(len(self.lines)))
        self.post(
            f"/orders/portal/lines/{line}/answer/",
            {"packs": packs, "reason": ""},
            name="page: answer a line",
        )

    @task(1)
    def confirm_order(self):
        if not getattr(self, "orders", None):
            self._portal()
        if self.orders:
            order = self.orders.pop(random.randrange(len(self.orders)))
            self.post(f"/orders/portal/{order}/confirm/", {}, name="page: confirm an order")

    @task(1)
    def offers(self):
        self.client.get("/producers/my-offers/", name="page: my offers")


class Manager(_LoggedIn):
    weight = 2
    role = "manager"

    def on_start(self):
        super().on_start()
        response = self.client.get("/purchases/shares/", name="shares: page")
        found = re.search(r"report\.pdf\?canteen=(\d+)", response.text)
        self.canteen = int(found.group(1)) if found else None

    @task(5)
    def shares(self):
        if self.canteen:
            self.client.get(
                f"/purchases/shares/?canteen={self.canteen}&year={date.today().year}",
                name="shares: page",
            )

    @task(1)
    def report_pdf(self):
        if self.canteen:
            self.client.get(
                f"/purchases/shares/report.pdf?canteen={self.canteen}&year={date.today().year}",
                name="shares: PDF",
            )

    @task(2)
    def ledger(self):
        if self.canteen:
            page = random.randint(1, 20)
            self.client.get(
                f"/purchases/?canteen={self.canteen}&year={date.today().year}&page={page}",
                name="page: ledger",
            )


class ApiClient(HttpUser):
    weight = 2
    wait_time = between(1, 5)

    def on_start(self):
        self.number = _next("api", KITCHENS)
        key = api_key(SEED, username("manager", self.number))
        self.client.headers["Authorization"] = f"Token {key}"
        response = self.client.get("/api/canteens/", name="api: canteens")
        rows = response.json().get("results", []) if response.ok else []
        self.canteen = rows[0]["id"] if rows else None
        _logged_in(self.environment)

    @task(3)
    def purchases(self):
        if self.canteen:
            self.client.get(
                f"/api/purchases/?canteen={self.canteen}&year={date.today().year}"
                f"&page={random.randint(1, 10)}",
                name="api: purchases",
            )

    @task(2)
    def meals(self):
        if self.canteen:
            start = _monday(date.today()) - timedelta(weeks=random.randint(1, 40))
            end = start + timedelta(days=13)
            self.client.get(
                f"/api/meals/?canteen={self.canteen}&start={start}&end={end}", name="api: meals"
            )

    @task(2)
    def shares(self):
        if self.canteen:
            self.client.get(
                f"/api/purchase-shares/?canteen={self.canteen}&year={date.today().year}",
                name="api: shares",
            )

    @task(2)
    def purchase_orders(self):
        self.client.get(f"/api/purchase-orders/?page={random.randint(1, 5)}", name="api: orders")

    @task(1)
    def offers(self):
        self.client.get(f"/api/offers/?page={random.randint(1, 20)}", name="api: offers")


# --- figures per group ----------------------------------------------------------------------

_requests: list[tuple[float, str, float, bool, str]] = []  # (when, group, ms, failed, name)
_clock = [float("inf")]  # figures are kept from then on (monotonic clock)
_started = [time.monotonic()]


def _group(name: str) -> str:
    return name.split(":", 1)[0] if ":" in name else "page"


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception=None, **_kw):
    _requests.append((time.monotonic(), _group(name), response_time, exception is not None, name))


_ready = [0]
_ready_lock = threading.Lock()


def _logged_in(environment) -> None:
    """One more user logged in; once they all are, the figures start after ``WARMUP_S``."""
    with _ready_lock:
        _ready[0] += 1
        wanted = environment.parsed_options.num_users if environment.parsed_options else 0
        if _ready[0] == wanted and os.environ.get("LOCUST_KEEP_RAMP") != "1":
            _clock[0] = time.monotonic() + WARMUP_S
            print(f"All {wanted} users logged in: figures from {WARMUP_S:.0f} s on.", flush=True)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


@events.quitting.add_listener
def _report(environment, **_kw):
    if _clock[0] == float("inf"):  # not every user logged in: report the whole run
        _clock[0] = _started[0]
    seconds = max(time.monotonic() - _clock[0], 1e-9)
    kept = [r for r in _requests if r[0] >= _clock[0]]
    rows = []
    for group in GROUPS:
        values = [r[2] for r in kept if r[1] == group]
        if not values:
            continue
        rows.append(
            {
                "group": group,
                "requests": len(values),
                "errors": sum(1 for r in kept if r[1] == group and r[3]),
                "rps": round(len(values) / seconds, 2),
                "p50_ms": round(_percentile(values, 0.50)),
                "p95_ms": round(_percentile(values, 0.95)),
                "p99_ms": round(_percentile(values, 0.99)),
                "max_ms": round(max(values)),
            }
        )
    print(f"\nFigures per group over {seconds:.0f} s:")
    print("group    requests errors   req/s   p50   p95   p99    max (ms)")
    for row in rows:
        print(
            f"{row['group']:<8} {row['requests']:>8} {row['errors']:>6} {row['rps']:>7} "
            f"{row['p50_ms']:>5} {row['p95_ms']:>5} {row['p99_ms']:>5} {row['max_ms']:>6}"
        )
    _report_names(kept)
    prefix = environment.parsed_options.csv_prefix if environment.parsed_options else None
    path = os.environ.get("LOCUST_GROUPS_CSV") or (f"{prefix}_groups.csv" if prefix else None)
    if path and rows:
        with open(path, "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)


def _report_names(kept) -> None:
    """p50 / p95 of each request name over the same window: which page makes a group's tail."""
    print("\nrequest                          n    p50    p95 (ms)")
    for name in sorted({r[4] for r in kept}):
        values = [r[2] for r in kept if r[4] == name]
        print(
            f"{name[:30]:<30} {len(values):>4} {_percentile(values, 0.5):>6.0f} "
            f"{_percentile(values, 0.95):>6.0f}"
        )
