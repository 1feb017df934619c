"""The world the every-page crawl reads (``test_every_page``): the demo, a satellite's staff,
the kitchen's buying of last week, and each solver's result after it ran (a solved plan run, a
solved allocation with an organic target, an infeasible plan run), so that every page and
fragment has something to show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

# Rows crawled twice: once as the matrix has them, once ("row#solved") with the solver's result
# after it ran (a plan run that found its menus, an allocation with an organic target).
SOLVED_VARIANTS = {"menu_plan_status", "orders_run", "orders_run_status"}


def with_solved_variants(rows: list[str]) -> list[str]:
    return rows + [f"{row}#solved" for row in rows if row.split("@")[0] in SOLVED_VARIANTS]


@dataclass
class World:
    kitchen: object
    satellite: object
    objects: dict

    def url(self, row: str) -> str:
        row, _, variant = row.partition("#")
        name, _, target = row.partition("@")
        canteen = self.satellite if target == "satellite" else self.kitchen
        o = self.objects
        if variant == "solved":
            o = {**o, "plan_run": o["solved_plan_run"], "run": o["target_run"]}
        by_prefix = {
            "dish_": o["dish"],
            "rule_set_": o["rule_set"],
            "menu_plan_status": o["plan_run"],
        }
        kwargs = {}
        from tests.security.probe import routes

        params = next(r.params for r in routes() if r.name == name)
        for param in params:
            if param == "pk":
                kwargs["pk"] = next(
                    (obj.pk for prefix, obj in by_prefix.items() if name.startswith(prefix)),
                    canteen.pk,
                )
            elif param == "run_pk":
                kwargs[param] = (o["plan_run"] if name.startswith("menu_") else o["run"]).pk
            elif param == "cpk":
                key = "awarded_consultation" if name == "consultation_report" else "consultation"
                kwargs[param] = o[key].pk
            elif param == "po_pk":
                kwargs[param] = o["order"].pk
            elif param == "ipk":
                kwargs[param] = o["invoice"].pk
            elif param == "meal_pk":
                kwargs[param] = o["meal"].pk
            elif param == "component":
                kwargs[param] = "main"
            elif param == "uidb64":
                kwargs[param] = "MQ"
            elif param == "token":
                kwargs[param] = "set-password"
            else:
                raise AssertionError(f"{row}: no value for {param}")
        url = reverse(name, kwargs=kwargs or None)
        period = o["period"]
        if name in {"menu_calendar", "menu_compliance", "orders_needs", "orders_lots"}:
            url += period  # the demo's planned week, not an empty one
        return url


def build_world() -> World:
    """The demo, a satellite's staff, and the kitchen's buying of last week."""
    from io import StringIO

    from django.core.management import call_command

    from cantine.models import Canteen, Membership, Role, User
    from menus.models import Meal, PlanRun
    from nutrition.models import Dish, RuleSet
    from orders import lifecycle, needs, services
    from orders.models import PurchaseOrder
    from producers.models import Offer
    from tests.security.world import _consultations, _order

    call_command("seed_demo", stdout=StringIO())
    kitchen = Canteen.objects.get(kind=Canteen.Kind.CENTRAL_KITCHEN)
    satellite = Canteen.objects.filter(central_kitchen=kitchen).order_by("pk").first()
    staff = User.objects.create_user("satellite", password="cantine-demo-2026")
    for role in (Role.COOK, Role.DIETITIAN):
        Membership.objects.create(user=staff, canteen=satellite, role=role)

    cook = User.objects.get(username="cuisinier")
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday() + 7)
    needs.compute_needs(kitchen=kitchen, start=monday, end=monday + timedelta(days=6))
    run = services.request_allocation(
        canteen=kitchen, start=monday, end=monday + timedelta(days=6), actor=cook
    )
    run = services.execute_allocation_run(run_id=run.pk, time_limit_s=5)
    services.accept_allocation(run=run, actor=cook)
    farm = User.objects.get(username="producteur").producer_membership.producer
    order = _order(kitchen, Offer.objects.filter(producer=farm).order_by("pk").first())
    order.status = PurchaseOrder.Status.DRAFT
    order.save(update_fields=["status"])
    lifecycle.send_order(order=order, actor=cook)
    rule_set = RuleSet.objects.filter(owner=kitchen).order_by("pk").first()
    meal = Meal.objects.filter(canteen=kitchen, date__gte=monday).order_by("date").first()
    plan_run = PlanRun.objects.create(
        canteen=kitchen,
        start=monday,
        end=monday + timedelta(days=4),
        preset="cheapest",
        rule_set=rule_set,
        status="infeasible",
        conflicts=[{"locks": [{"date": f"{monday:%Y-%m-%d}", "component": "main"}]}],
    )
    solved_plan_run = PlanRun.objects.create(
        canteen=kitchen,
        start=monday,
        end=monday + timedelta(days=4),
        preset="cheapest",
        rule_set=rule_set,
        status="feasible",
        objective=34.04,
        bound=33.9,
        changed_slots=5,
        solve_seconds=2.5,
        finished_at=timezone.now(),
    )
    target_run = services.request_allocation(
        canteen=kitchen,
        start=monday,
        end=monday + timedelta(days=6),
        targets={"bio_min_share": 0.2},
        actor=cook,
    )
    target_run = services.execute_allocation_run(run_id=target_run.pk, time_limit_s=5)
    assert target_run.is_solved, target_run.message
    objects = {
        "solved_plan_run": solved_plan_run,
        "target_run": target_run,
        "dish": Dish.objects.filter(kitchen=kitchen).order_by("pk").first(),
        "rule_set": rule_set,
        "meal": meal,
        "run": run,
        "plan_run": plan_run,
        "order": order,
        "period": f"?start={monday:%Y-%m-%d}&weeks=1",
    }
    food = order.lines.first().offer.food
    objects.update(_consultations(kitchen, farm, food, order))
    return World(kitchen, satellite, objects)
