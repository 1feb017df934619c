"""Menu repair: a producer refused a line and nobody else can supply the product.

A refused quantity first goes to the other producers (``orders.reallocation``). When none of
them can deliver it — the re-allocation found nothing, or no other producer even offers the
product with capacity left that day — the menus must change: the cook is offered, in one
click, to re-plan the meals that use the product (``shortages``), the dishes holding it left
out and every other meal of their weeks kept as it is, under the same rule set (a plan is
written only if it meets every rule; otherwise the planner's explanation says why). Once the
new menus are written, the needs of those weeks are recomputed (``on_plan_written``), ready
to be allocated and ordered like any other.

A service module: its writes take keyword arguments only, the acting user as ``actor``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from cantine.models import Canteen, User
from menus.models import MealDish, PlanRun
from menus.services import request_repair
from nutrition.models import Food
from nutrition.selectors import rule_set_for
from orders import lifecycle, needs
from orders.models import OrderEvent, PurchaseOrder, PurchaseOrderLine
from orders.reallocation import _asked_quantity
from producers.models import Offer

WITH_REFUSALS = (
    PurchaseOrder.Status.SENT,
    PurchaseOrder.Status.PARTIALLY_CONFIRMED,
    PurchaseOrder.Status.REFUSED,
)


@dataclass
class Shortage:
    """A refused quantity nobody else can deliver, and the meals that need it."""

    order: PurchaseOrder
    line: PurchaseOrderLine
    food: Food
    quantity: Decimal
    meals: list[date]  # the open meals whose dishes use the product
    dishes: list[str] = field(default_factory=list)
    run: PlanRun | None = None  # the latest repair asked for this line

    @property
    def start(self) -> date:
        return needs.week_start(min(self.meals))

    @property
    def end(self) -> date:
        return needs.week_start(max(self.meals)) + timedelta(days=6)

    @property
    def weeks(self) -> int:
        return (self.end - self.start).days // 7 + 1


def _unmet_lines(order: PurchaseOrder) -> dict[int, Decimal] | None:
    """What the re-allocation found nowhere, per line; None when the refusals were not
    re-allocated."""
    events = [e for e in order.events.all() if e.action in ("reallocated", "replanned")]
    if not events:
        return None
    return {
        int(re.sub(r"\D", "", need)): Decimal(str(quantity))  # the line's key ("L12")
        for e in events
        if e.action == "reallocated"
        for need, quantity in (e.after or {}).get("unmet", [])
        if quantity > 0
    }


def nobody_else_supplies(order: PurchaseOrder, line: PurchaseOrderLine) -> bool:
    """No other producer offers the product that day, in the line's unit, with capacity left
    (what is confirmed or still asked that week is not promised twice, as when re-allocating)."""
    day = order.delivery_date
    offers = (
        Offer.objects.filter(active=True, food_id=line.offer.food_id, unit=line.unit_code)
        .exclude(producer_id=order.producer_id)
        .select_related("producer")
    )
    for offer in offers:
        weekdays = offer.producer.delivery_weekdays
        delivers = (
            offer.is_valid_on(day)
            and offer.producer.is_available_on(day)
            and (not weekdays or day.weekday() in weekdays)
        )
        if delivers and (
            offer.weekly_capacity is None or offer.weekly_capacity > _asked_quantity(offer, day)
        ):
            return False
    return True


def _meals_using(kitchen: Canteen, food_id: int, line: PurchaseOrderLine, order) -> list[date]:
    """Open meals whose dishes use the product, among those the line bought for (its need's
    sources; without them, the meals of the line's week)."""
    sources = line.need.sources if line.need_id else []
    dates = {date.fromisoformat(s["date"]) for s in sources if "date" in s}
    courses = MealDish.objects.filter(
        meal__canteen=kitchen, meal__closed=False, dish__ingredients__food_id=food_id
    )
    if dates:
        courses = courses.filter(meal__date__in=dates)
    else:
        monday = line.week or needs.week_start(order.delivery_date)
        courses = courses.filter(meal__date__range=(monday, monday + timedelta(days=6)))
    return sorted(set(courses.values_list("meal__date", flat=True)))


def shortages(kitchen: Canteen, *, start: date | None = None, end: date | None = None):
    """Refused lines of the kitchen's orders (delivered in [start, end] if given) that nobody
    else can supply while meals still use the product: what a menu repair is for."""
    orders = (
        PurchaseOrder.objects.filter(canteen=kitchen, status__in=WITH_REFUSALS)
        .select_related("producer")
        .prefetch_related("events")
        .order_by("delivery_date", "pk")
    )
    if start is not None and end is not None:
        # A fresh product arrives before the meal: look a week either side of the period.
        orders = orders.filter(
            delivery_date__range=(start - timedelta(days=7), end + timedelta(days=7))
        )
    found = []
    for order in orders:
        unmet = _unmet_lines(order)
        for line, quantity in lifecycle.refused_quantities(order):
            if quantity <= 0:
                continue
            if unmet is not None and line.pk not in unmet:
                continue  # bought elsewhere
            if unmet is not None:
                quantity = min(quantity, unmet[line.pk])  # what is still missing
            if unmet is None and not nobody_else_supplies(order, line):
                continue  # the cook can still buy it elsewhere first
            shortage = _shortage(kitchen, order, line, quantity)
            if shortage is not None and (
                start is None or (shortage.start <= end and shortage.end >= start)
            ):
                found.append(shortage)
    return found


def _shortage(kitchen, order, line, quantity) -> Shortage | None:
    line = PurchaseOrderLine.objects.select_related("offer__food", "need").get(pk=line.pk)
    food = line.offer.food
    meals = _meals_using(kitchen, food.pk, line, order)
    if not meals:
        return None  # the menus no longer use it: nothing to repair
    dishes = (
        MealDish.objects.filter(
            meal__canteen=kitchen, meal__date__in=meals, dish__ingredients__food=food
        )
        .values_list("dish__name", flat=True)
        .distinct()
        .order_by("dish__name")
    )
    run = (
        PlanRun.objects.filter(canteen=kitchen)
        .filter(Q(repair__line=line.pk))
        .order_by("-created_at", "-pk")
        .first()
    )
    return Shortage(order, line, food, quantity, meals, list(dishes), run)


def shortage_of(line: PurchaseOrderLine) -> Shortage | None:
    order = line.order
    for shortage in shortages(order.canteen):
        if shortage.line.pk == line.pk:
            return shortage
    return None


def request_menu_repair(*, line: PurchaseOrderLine, actor: User) -> PlanRun:
    """Re-plan the meals that need a product nobody can deliver (see the module docstring).

    Refused with a reason when there is nothing to repair (another producer can still supply
    it, or the menus no longer use it) or no rule set is chosen."""
    shortage = shortage_of(line)
    if shortage is None:
        raise ValidationError(
            _(
                "Nothing to repair: another producer can still supply this product, "
                "or the menus no longer use it."
            )
        )
    kitchen = line.order.canteen
    rule_set = rule_set_for(kitchen)
    if rule_set is None:
        raise ValidationError(_("Ask the dietitian to choose this canteen's rule set."))
    return request_repair(
        canteen=kitchen,
        start=shortage.start,
        end=shortage.end,
        rule_set=rule_set,
        repair={
            "food": shortage.food.pk,
            "food_name": shortage.food.name,
            "dates": [d.isoformat() for d in shortage.meals],
            "order": shortage.order.pk,
            "line": line.pk,
        },
        actor=actor,
    )


def on_plan_written(*, sender, run: PlanRun, **kwargs) -> None:
    """A repair's menus are written: recompute the needs of its weeks, and say so on the
    order whose refusal caused it."""
    if not run.repair:
        return
    result = needs.compute_needs(kitchen=run.canteen, start=run.start, end=run.end)
    order = PurchaseOrder.objects.filter(pk=run.repair.get("order")).first()
    if order is None:
        return
    OrderEvent.objects.create(
        order=order,
        line=PurchaseOrderLine.objects.filter(pk=run.repair.get("line"), order=order).first(),
        actor=run.requested_by,
        action="menus_repaired",
        after={
            "run": run.pk,
            "product": run.repair.get("food_name", ""),
            "courses": run.changed_slots,
            "needs": {"created": result.created, "removed": result.removed},
        },
    )


def on_shortages_asked(*, sender, canteen: Canteen, start: date, end: date, **kwargs):
    """The menus calendar's question: what nobody can supply for these weeks."""
    return shortages(canteen, start=start, end=end)
