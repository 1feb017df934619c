"""Buy elsewhere what a producer refused, or did not confirm before the deadline.

The refused quantities become the needs of a small allocation over the other producers'
remaining capacity (what they have not yet confirmed or been asked for that week). The new
lines go to draft orders, one per producer and date, that the cook sends; a producer who
already has an order for that day gets the lines on it instead (added to its draft, or as an
amendment of the order already sent: never a second card for the same day). The original
order records what moved where, so the cook sees what changed.

A service module: its writes take keyword arguments only, the acting user as ``actor``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from cantine.dates import week_start
from cantine.models import Canteen, User
from nutrition.models import Food
from orders import allocation, lifecycle
from orders.instances import (
    build_instance,
    candidate_offers,
    line_key,
    line_pk,
    offer_key,
    offer_pk,
)
from orders.models import OrderEvent, PurchaseOrder, PurchaseOrderLine
from producers.models import Offer

REALLOCATION_TIME_LIMIT_S = 5.0
NO_ANSWER = "sans réponse avant la date limite"


@dataclass(frozen=True)
class RefusedNeed:
    """A refused quantity, shaped like a Need for ``build_instance`` (pk = the line's, named
    with ``line_key``)."""

    pk: int
    food: Food
    quantity: Decimal
    delivery_date: date
    unit: str

    @property
    def food_id(self) -> int:
        return self.food.pk


def _asked_quantity(offer: Offer, day: date) -> Decimal:
    """Confirmed or still awaiting an answer, that week: what the offer cannot promise again."""
    monday = week_start(day)
    lines = PurchaseOrderLine.objects.filter(
        offer=offer, order__delivery_date__range=(monday, monday + timedelta(days=6))
    ).exclude(order__status__in=[PurchaseOrder.Status.CANCELLED, PurchaseOrder.Status.REFUSED])
    confirmed = lines.filter(confirmed_packs__isnull=False).aggregate(
        q=lifecycle.quantity_of("confirmed_packs")
    )
    waiting = lines.filter(confirmed_packs__isnull=True).aggregate(q=lifecycle.quantity_of("packs"))
    return (confirmed["q"] or Decimal(0)) + (waiting["q"] or Decimal(0))


def _remaining(offers: list[Offer], day: date) -> dict[str, float]:
    remaining = {}
    for offer in offers:
        if offer.weekly_capacity is not None:
            left = max(Decimal(0), offer.weekly_capacity - _asked_quantity(offer, day))
            remaining[offer_key(offer.pk)] = float(left)
    return remaining


class NothingRefused(Exception):
    """Raised when an order has no refused quantity to buy elsewhere."""


REALLOCATABLE = (PurchaseOrder.Status.PARTIALLY_CONFIRMED, PurchaseOrder.Status.REFUSED)


def request_reallocation(*, order: PurchaseOrder, actor: User) -> None:
    """Queue buying elsewhere what ``order``'s producer refused (``reallocate_refusals``, in
    the background once the request commits). Only an order refused in whole or in part has
    refused quantities; any other raises ``NothingRefused``."""
    if order.status not in REALLOCATABLE:
        raise NothingRefused(_("Only refused quantities can be bought elsewhere."))
    transaction.on_commit(lambda: reallocate_order.enqueue(order.pk, actor.pk))


@task()
def reallocate_order(order_id: int, actor_id: int | None = None) -> int:
    """The job behind ``request_reallocation``: how many orders it created or changed."""
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    return len(reallocate_refusals(order=PurchaseOrder.objects.get(pk=order_id), actor=actor))


@transaction.atomic
def reallocate_refusals(*, order: PurchaseOrder, actor: User | None = None) -> list[PurchaseOrder]:
    """New draft orders for what ``order``'s producer did not confirm; returns them."""
    order = PurchaseOrder.objects.select_for_update().get(pk=order.pk)
    if already_handled(order):
        return []  # already done: a retried click must not buy twice
    refused = lifecycle.refused_quantities(order)
    if not refused:
        return []
    needs = [
        RefusedNeed(line.pk, line.offer.food, quantity, order.delivery_date, line.unit_code)
        for line, quantity in refused
    ]
    offers = [o for o in candidate_offers(needs) if o.producer_id != order.producer_id]
    # What other producers already deliver that day counts towards their minimum order and
    # delivery cost: those lines enter the model as fixed lines.
    ordered = list(_ordered_the_same_day(order))
    fixed_needs = [
        RefusedNeed(line.pk, line.offer.food, line.quantity, order.delivery_date, line.unit_code)
        for line in ordered
    ]
    offers += [line.offer for line in ordered if line.offer not in offers]
    instance = build_instance(
        order.canteen,
        needs + fixed_needs,
        offers,
        time_limit_s=REALLOCATION_TIME_LIMIT_S,
        key=line_key,
    )
    remaining = _remaining(offers, order.delivery_date)
    instance = replace(
        instance,
        offers=tuple(_with_remaining(o, remaining.get(o.id)) for o in instance.offers),
        fixed_lines=tuple(
            allocation.FixedLine(
                line_key(line.pk),
                offer_key(line.offer_id),
                line.packs if line.confirmed_packs is None else line.confirmed_packs,
            )
            for line in ordered
        ),
    )
    solution = allocation.solve(instance)
    created = _orders_from(order, solution, {o.pk: o for o in offers}, actor)
    OrderEvent.objects.create(
        order=order,
        actor=actor,
        action="reallocated",
        before={"refused": [[line.pk, str(q)] for line, q in refused]},
        after={"orders": [o.pk for o in created], "unmet": _unbought(refused, solution)},
    )
    return created


def _unbought(refused, solution) -> list[list]:
    """[[line key, quantity]] of each refusal not bought elsewhere, counted from the lines the
    solution buys rather than from its own unmet list, so that no refused quantity can vanish
    from the record whatever the solver answered (a timeout, an error, an empty answer)."""
    bought: dict[str, float] = {}
    for line in solution.lines:
        if not line.fixed:
            bought[line.need] = bought.get(line.need, 0.0) + line.quantity
    missing = []
    for line, quantity in refused:
        left = round(float(quantity) - bought.get(line_key(line.pk), 0.0), 3)
        if left > 0:
            missing.append([line_key(line.pk), left])
    return missing


def already_handled(order: PurchaseOrder) -> bool:
    """Refusals already bought elsewhere, here or by accepting a newer allocation."""
    return OrderEvent.objects.filter(order=order, action__in=["reallocated", "replanned"]).exists()


def _ordered_the_same_day(order: PurchaseOrder):
    """Lines of the kitchen's other live orders for that delivery date."""
    live = [
        PurchaseOrder.Status.DRAFT,
        PurchaseOrder.Status.SENT,
        PurchaseOrder.Status.CONFIRMED,
        PurchaseOrder.Status.PARTIALLY_CONFIRMED,
    ]
    return (
        PurchaseOrderLine.objects.filter(
            order__canteen=order.canteen,
            order__delivery_date=order.delivery_date,
            order__status__in=live,
        )
        .exclude(order__producer=order.producer)
        .exclude(confirmed_packs=0)
        .select_related("offer__producer__commune__department", "offer__food")
    )


def _with_remaining(offer: allocation.Offer, remaining: float | None) -> allocation.Offer:
    return offer if remaining is None else replace(offer, remaining_capacity=remaining)


def _orders_from(source: PurchaseOrder, solution, offers: dict[int, Offer], actor: User):
    """The solution's new lines, on one card per producer: its open order that day (draft:
    lines added; sent: an amendment), else a new draft."""
    lines_by_pk = {line.pk: line for line in source.lines.all()}
    wanted: dict[int, list[tuple[Offer, int, PurchaseOrderLine]]] = {}
    for line in solution.lines:
        if line.fixed or line_pk(line.need) not in lines_by_pk:
            continue  # already ordered: it only counted towards minimum orders
        offer = offers[offer_pk(line.offer)]
        original = lines_by_pk[line_pk(line.need)]
        wanted.setdefault(offer.producer_id, []).append((offer, line.packs, original))
    touched = []
    for producer_id, lines in wanted.items():
        existing = (
            PurchaseOrder.objects.select_for_update()
            .filter(
                canteen=source.canteen,
                producer_id=producer_id,
                delivery_date=source.delivery_date,
                status__in=[PurchaseOrder.Status.DRAFT, *lifecycle.AMENDABLE],
            )
            .exclude(pk=source.pk)
            .order_by("pk")
        )
        target = next((o for o in existing if o.status != PurchaseOrder.Status.REFUSED), None)
        target = target or next(iter(existing), None)
        if target is not None and target.status != PurchaseOrder.Status.DRAFT:
            lifecycle.amend_order(
                order=target,
                actor=actor,
                add=[
                    lifecycle.NewLine(offer, packs, original.need_id, _week_of(original))
                    for offer, packs, original in lines
                ],
            )
            touched.append(target)
            continue
        if target is None:
            offer = lines[0][0]
            target = PurchaseOrder.objects.create(
                canteen=source.canteen,
                producer=offer.producer,
                delivery_date=source.delivery_date,
                delivery_cost=offer.producer.delivery_cost,
                created_by=actor,
            )
            OrderEvent.objects.create(
                order=target,
                actor=actor,
                action="created_by_reallocation",
                after={"replaces_refusals_of": source.pk},
            )
        for offer, packs, original in lines:
            PurchaseOrderLine.objects.create(
                order=target,
                offer=offer,
                need=original.need,
                week=_week_of(original),
                packs=packs,
                quantity=Decimal(packs) * offer.pack_size,
                unit_price=offer.unit_price,
                total=lifecycle.line_total(packs, offer.pack_size, offer.unit_price),
            )
        target.goods_total = sum((line.total for line in target.lines.all()), Decimal(0))
        target.save(update_fields=["goods_total"])
        touched.append(target)
    return touched


def _week_of(line: PurchaseOrderLine) -> date | None:
    if line.week is not None:
        return line.week
    return line.need.week if line.need_id else None


def expire_unanswered(
    *, canteen: Canteen | None = None, now: datetime | None = None
) -> list[PurchaseOrder]:
    """Lines still unanswered after the deadline count as refused; the orders then settle."""
    now = now or timezone.now()
    overdue = PurchaseOrder.objects.filter(
        status=PurchaseOrder.Status.SENT, answer_deadline__lt=now
    )
    if canteen is not None:
        overdue = overdue.filter(canteen=canteen)
    settled = []
    for order in overdue:
        with transaction.atomic():
            locked = PurchaseOrder.objects.select_for_update().get(pk=order.pk)
            if locked.status != PurchaseOrder.Status.SENT:
                continue
            for line in locked.lines.filter(confirmed_packs__isnull=True, packs__gt=0):
                line.confirmed_packs, line.refusal_reason = 0, NO_ANSWER
                line.answered_at = now
                line.save(update_fields=["confirmed_packs", "refusal_reason", "answered_at"])
                OrderEvent.objects.create(
                    order=locked, line=line, action="expired", after={"reason": NO_ANSWER}
                )
            lifecycle.settle(order=locked, actor=None)
            settled.append(locked)
    return settled
