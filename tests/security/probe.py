"""How the matrix asks: every route of the URL configuration, with the world's objects.

``routes()`` walks the resolver (the pages, the DRF router, the admin) and ``ask`` sends one
request as one role inside a savepoint that is rolled back, so a write by one role never
changes what the next one sees.
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.security.world import SecurityWorld

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name" for namespaced routes
    params: frozenset[str]


def routes() -> Iterator[Route]:
    """Every named route once (the router's ``.json`` format variants share their route)."""
    seen = set()

    def walk(resolver, namespace=""):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver) and pattern.namespace == "admin":
                continue  # the admin site is staff-only as a whole: see ``admin_paths``
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern, inner)
            elif isinstance(pattern, URLPattern):
                assert pattern.name, f"unnamed route {pattern.pattern}"
                params = frozenset(pattern.pattern.regex.groupindex) - {"format"}
                name = namespace + pattern.name
                if name not in seen:
                    seen.add(name)
                    yield Route(name, params)

    yield from walk(get_resolver())


def admin_paths() -> Iterator[str]:
    """Every page of the admin site, with "1" for an object id."""
    from django.contrib import admin

    yield reverse("admin:index")
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        yield reverse(f"{prefix}_changelist")
        yield reverse(f"{prefix}_add")
        for view in ("change", "delete", "history"):
            yield reverse(f"{prefix}_{view}", args=[1])


# Which object each URL parameter names, by route (prefix) then by parameter.
OBJECT_BY_ROUTE = {
    "producer_offer_edit": "offer",
    "purchase_import_undo": "batch",
    "dish_": "dish",
    "rule_set_": "rule_set",
    "menu_plan_status": "plan_run",
    "menu_release_locks": "plan_run",
    "orders_run": "run",
    "orders_accept_run": "run",
    "canteen-": "kitchen",
    "producer-": "producer",
    "offer-": "offer",
    "need-": "need",
    "allocationrun-": "run",
    "purchaseorder-": "order",
    "myorder-": "order",
    "purchase-": "purchase",
    "food-": "food",
    "dish-": "dish",
    "ruleset-": "rule_set",
    "meal-": "meal",
    "planrun-": "plan_run",
    "myconsultation-": "consultation",
}


def kwargs_for(route: Route, world: SecurityWorld, target: str = "kitchen") -> dict:
    """URL arguments naming the kitchen's (or the first producer's) objects."""
    objects = world.objects
    owner = next((o for p, o in OBJECT_BY_ROUTE.items() if route.name.startswith(p)), None)
    values = {
        "meal_pk": objects["meal"].pk,
        "component": "main",
        "index": 0,
        "line_pk": objects["order"].lines.get().pk,
        "line": objects["order"].lines.get().pk,
        "po_pk": objects["order"].pk,
        "need_pk": objects["need"].pk,
        "run_pk": objects["plan_run" if route.name.startswith("menu_") else "run"].pk,
        "cpk": objects[
            "awarded_consultation" if route.name == "consultation_report" else "consultation"
        ].pk,
        "ipk": objects["invoice"].pk,
        "uidb64": "MQ",
        "token": "set-password",
    }
    out = {}
    for param in route.params:
        if param == "pk":
            if owner == "kitchen" or owner is None:
                out[param] = (world.satellite if target == "satellite" else world.kitchen).pk
            else:
                out[param] = objects[owner].pk
        else:
            out[param] = values[param]
    return out


def is_canteen_route(route: Route) -> bool:
    """Routes whose ``pk`` is a canteen: each is asked with the kitchen's and the satellite's."""
    if "pk" not in route.params:
        return False
    return not any(route.name.startswith(p) for p, o in OBJECT_BY_ROUTE.items() if o != "kitchen")


def url_for(route: Route, world: SecurityWorld, target: str = "kitchen") -> str:
    kwargs = kwargs_for(route, world, target)
    return reverse(route.name, kwargs=kwargs or None)


def ask(world: SecurityWorld, role: str, method: str, url: str, body=None) -> int:
    """The status ``role`` gets; anonymous redirected to a login page answers "login"."""
    client = Client()
    if role != "anonymous":
        client.force_login(world.users[role])
    with transaction.atomic():
        if url.startswith("/api/"):
            payload = json.dumps(body or {})
            response = client.generic(method, url, payload, content_type="application/json")
        elif method == "POST":
            response = client.post(url, body or {})
        else:
            response = client.generic(method, url)
        transaction.set_rollback(True)
    if response.status_code == 302 and "login/" in response["Location"]:
        return "login"
    return response.status_code


# What each write sends: a request that would succeed for its rightful user, so a refusal
# shows the rule and not a missing field. Canteen ids in bodies name the *satellite*: the
# trick of issue 12 (a satellite's staff naming their own canteen to reach the kitchen).
def _period(w):
    return {"start": "2027-01-04", "weeks": 1}


BODIES = {
    ("menu_copy_week", "POST"): lambda w: {"source": "2027-01-04", "target": "2027-01-11"},
    ("menu_plan", "POST"): lambda w: {**_period(w), "preset": "cheapest"},
    ("menu_set_course", "POST"): lambda w: {"dish": w.objects["dish"].pk},
    ("orders_compute_needs", "POST"): _period,
    ("orders_allocate", "POST"): lambda w: {**_period(w), "goal": "min_cost"},
    ("orders_adjust_need", "POST"): lambda w: {"manual_quantity": "3"},
    ("orders_portal_answer", "POST"): lambda w: {"packs": "2"},
    ("orders_po_pay", "POST"): lambda w: {"date": "2027-01-20"},
    ("rule_set_assign", "POST"): lambda w: {"canteen": w.satellite.pk},
    ("rule_set_copy", "POST"): lambda w: {"name": "Copie", "owner": w.kitchen.pk},
    ("allocationrun-list", "POST"): lambda w: {
        "canteen": w.satellite.pk,
        "start": "2027-01-04",
        "end": "2027-01-10",
    },
    ("planrun-list", "POST"): lambda w: {
        "canteen": w.satellite.pk,
        "start": "2027-01-04",
        "end": "2027-01-08",
        "preset": "cheapest",
    },
    ("dish-list", "POST"): lambda w: {
        "kitchen": w.kitchen.pk,
        "name": "Purée",
        "component": "side",
        "ingredients": [{"food": w.objects["food"].pk, "grams_elementaire": "80"}],
    },
    ("dish-detail", "PATCH"): lambda w: {"name": "Carottes glacées"},
    ("ruleset-detail", "PATCH"): lambda w: {"description": "Modifié"},
    ("ruleset-copy", "POST"): lambda w: {"name": "Copie", "owner": w.kitchen.pk},
    ("need-detail", "PATCH"): lambda w: {"manual_quantity": "3"},
    ("offer-detail", "PATCH"): lambda w: {"unit_price": "1.50"},
    ("offer-list", "POST"): lambda w: {
        "food": w.objects["food"].pk,
        "product_label": "Carottes",
        "unit": "kg",
        "pack_size": "5",
        "unit_price": "1.10",
        "valid_from": "2027-01-01",
    },
    ("purchase-list", "POST"): lambda w: {
        "canteen": w.kitchen.pk,
        "date": "2026-04-01",
        "description": "Pommes",
        "family": "FRUITS_ET_LEGUMES",
        "price_ht": "20.00",
    },
    ("purchase-detail", "PATCH"): lambda w: {"description": "Poires"},
    ("myorder-answer", "POST"): lambda w: {"packs": 2},
    ("consultation_detail", "POST"): lambda w: {},
    ("invoice_pay", "POST"): lambda w: {"paid_on": "2026-12-01"},
    ("portal_answer", "POST"): lambda w: {
        **{
            f"{field}_{item.pk}_{producer.pk}": value
            for item in w.objects["consultation"].items.all()
            for producer in (w.objects["producer"], w.others["producer"])
            for field, value in (("price", "1.30"), ("quantity", "10"))
        },
        "intermediaries": 0,
        "freshness_days": 1,
    },
    ("myconsultation-answer", "POST"): lambda w: {
        "lines": [
            {
                "item": w.objects["consultation"].items.get().pk,
                "unit_price": "1.3",
                "quantity": "10",
            }
        ]
    },
    ("purchaseorder-receive", "POST"): lambda w: {
        "received_on": "2027-01-04",
        "lines": [{"line": w.objects["order"].lines.get().pk, "quantity": "10"}],
    },
}


def body_for(name: str, method: str, world: SecurityWorld):
    make = BODIES.get((name.split("@")[0], method))
    return make(world) if make else None
