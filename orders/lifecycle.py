"""The life of a purchase order, as an explicit state machine with an audit trail.

    draft -> sent -> confirmed | partial | refused -> delivered -> invoiced -> paid
    draft, sent -> cancelled

A producer answers each line of a sent order (all, fewer packs, or none with a reason); once
every line is answered the order becomes confirmed, partly confirmed or refused. What a
producer confirms can never exceed an offer's weekly capacity: each answer locks the offer's
row, so concurrent answers (two tabs, a retried request, a re-allocation) queue up and each
sees what the others committed. Answering again with the same figures changes nothing.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from cantine.roles import producer_of
from orders import notifications, receipts
from orders.models import OrderEvent, PurchaseOrder, PurchaseOrderLine
from producers.models import Offer

Status = PurchaseOrder.Status

TRANSITIONS: dict[str, set[str]] = {
    Status.DRAFT: {Status.SENT, Status.CANCELLED},
    Status.SENT: {
        Status.CONFIRMED,
        Status.PARTIALLY_CONFIRMED,
        Status.REFUSED,
        Status.CANCELLED,
    },
    Status.CONFIRMED: {Status.DELIVERED},
    Status.PARTIALLY_CONFIRMED: {Status.DELIVERED},
    Status.REFUSED: set(),
    Status.DELIVERED: {Status.INVOICED},
    Status.INVOICED: {Status.PAID},
    Status.PAID: set(),
    Status.CANCELLED: set(),
}


class OrderError(Exception):
    """A domain rule said no; the message is for the person who asked."""


class IllegalTransition(OrderError):
    pass


class CapacityExceeded(OrderError):
    pass


class NotYourOrder(OrderError):
    pass


def _record(order, action, actor, before=None, after=None, line=None) -> OrderEvent:
    return OrderEvent.objects.create(
        order=order, line=line, actor=actor, action=action, before=before, after=after
    )


def _move(order: PurchaseOrder, target: str, actor) -> None:
    if target not in TRANSITIONS[order.status]:
        raise IllegalTransition(
            _("An order that is “%(current)s” cannot become “%(target)s”.")
            % {"current": order.get_status_display(), "target": Status(target).label}
        )
    before = order.status
    order.status = target
    order.save(update_fields=["status"])
    _record(order, f"status:{target}", actor, {"status": before}, {"status": target})


def _locked_order(order_id: int) -> PurchaseOrder:
    return PurchaseOrder.objects.select_for_update().get(pk=order_id)


@transaction.atomic
def send_order(order: PurchaseOrder, actor, answer_within: timedelta = timedelta(days=2)):
    order = _locked_order(order.pk)
    if not order.lines.exists():
        raise OrderError(_("An order without lines cannot be sent."))
    _move(order, Status.SENT, actor)
    order.sent_at = timezone.now()
    order.answer_deadline = order.sent_at + answer_within
    order.save(update_fields=["sent_at", "answer_deadline"])
    notifications.order_sent(order)
    return order


@transaction.atomic
def cancel_order(order: PurchaseOrder, actor) -> PurchaseOrder:
    order = _locked_order(order.pk)
    _move(order, Status.CANCELLED, actor)
    return order


def _week(day: date) -> tuple[date, date]:
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def committed_quantity(offer: Offer, day: date, exclude_line: int | None = None) -> Decimal:
    """What producers have confirmed on this offer for the week of ``day``."""
    monday, sunday = _week(day)
    lines = PurchaseOrderLine.objects.filter(
        offer=offer,
        confirmed_packs__isnull=False,
        order__delivery_date__range=(monday, sunday),
    ).exclude(order__status=Status.CANCELLED)
    if exclude_line is not None:
        lines = lines.exclude(pk=exclude_line)
    packs = lines.aggregate(packs=Sum("confirmed_packs"))["packs"] or 0
    return Decimal(packs) * offer.pack_size


@transaction.atomic
def answer_line(line: PurchaseOrderLine, packs: int, actor, reason: str = "") -> PurchaseOrderLine:
    """The producer confirms ``packs`` of a line (0 refuses it; fewer confirms part of it)."""
    order = _locked_order(line.order_id)
    if producer_of(actor) is None or producer_of(actor).pk != order.producer_id:
        raise NotYourOrder(_("Only the producer of this order can answer it."))
    line = PurchaseOrderLine.objects.select_for_update().get(pk=line.pk)
    if line.confirmed_packs == packs and line.refusal_reason == reason.strip():
        return line  # the same answer again (double click, retried request): nothing changes
    if order.status != Status.SENT:
        raise IllegalTransition(
            _("This order is “%(status)s”: it can no longer be answered.")
            % {"status": order.get_status_display()}
        )
    if order.answer_deadline and timezone.now() > order.answer_deadline:
        raise OrderError(_("The deadline to answer this order has passed."))
    if not 0 <= packs <= line.packs:
        raise OrderError(_("Confirm between 0 and %(packs)s packs.") % {"packs": line.packs})
    if packs < line.packs and not reason.strip():
        raise OrderError(_("Say why you cannot deliver everything."))
    # Lock the offer: every answer about it queues here, so capacity is read after the others.
    # Locks are always taken in the order order -> line -> offer.
    offer = Offer.objects.select_for_update().get(pk=line.offer_id)
    if offer.weekly_capacity is not None:
        taken = committed_quantity(offer, order.delivery_date, exclude_line=line.pk)
        if taken + Decimal(packs) * offer.pack_size > offer.weekly_capacity:
            free = max(Decimal(0), offer.weekly_capacity - taken)
            raise CapacityExceeded(
                _("Only %(free)s %(unit)s of “%(product)s” are left for that week.")
                % {"free": f"{free:g}", "unit": offer.unit, "product": offer.product_label}
            )
    before = {"confirmed_packs": line.confirmed_packs, "reason": line.refusal_reason}
    line.confirmed_packs = packs
    line.refusal_reason = reason.strip()
    line.answered_at = timezone.now()
    line.save(update_fields=["confirmed_packs", "refusal_reason", "answered_at"])
    after = {"confirmed_packs": packs, "reason": line.refusal_reason}
    _record(order, "answer", actor, before, after, line=line)
    settle(order, actor)
    return line


def settle(order: PurchaseOrder, actor) -> None:
    """Once every line is answered, the order is confirmed, partly confirmed or refused."""
    lines = list(order.lines.all())
    if any(line.confirmed_packs is None for line in lines):
        return
    if all(line.confirmed_packs == line.packs for line in lines):
        _move(order, Status.CONFIRMED, actor)
    elif all(line.confirmed_packs == 0 for line in lines):
        _move(order, Status.REFUSED, actor)
    else:
        _move(order, Status.PARTIALLY_CONFIRMED, actor)
    notifications.producer_answered(order)


def confirm_all(order: PurchaseOrder, actor) -> PurchaseOrder:
    """Two taps on a phone: every unanswered line confirmed in full."""
    for line in order.lines.filter(confirmed_packs__isnull=True):
        answer_line(line, line.packs, actor)
    order.refresh_from_db()
    return order


@transaction.atomic
def record_delivery(
    order: PurchaseOrder,
    received: dict[int, tuple[Decimal, str]],
    actor,
    insertion_hours: Decimal | None = None,
) -> PurchaseOrder:
    """The cook records what arrived: quantity and a quality remark per line; what was
    received enters the purchases ledger."""
    order = _locked_order(order.pk)
    lines = {line.pk: line for line in order.lines.all()}
    for line_id, (quantity, remark) in received.items():
        line = lines[line_id]
        if quantity < 0:
            raise OrderError(_("A received quantity cannot be negative."))
        line.received_quantity, line.quality_remark = quantity, remark
        line.save(update_fields=["received_quantity", "quality_remark"])
        _record(order, "received", actor, None, {"quantity": str(quantity), "remark": remark}, line)
    _move(order, Status.DELIVERED, actor)
    receipts.purchases_from_receipt(order)
    receipts.record_insertion_hours(order, insertion_hours)
    return order


@transaction.atomic
def record_invoice(order: PurchaseOrder, invoiced_on: date, actor) -> PurchaseOrder:
    order = _locked_order(order.pk)
    _move(order, Status.INVOICED, actor)
    order.invoiced_on = invoiced_on
    order.save(update_fields=["invoiced_on"])
    return order


@transaction.atomic
def record_payment(order: PurchaseOrder, paid_on: date, actor) -> PurchaseOrder:
    """Payment date recorded, so the payment delay per producer is known."""
    order = _locked_order(order.pk)
    if order.invoiced_on and paid_on < order.invoiced_on:
        raise OrderError(_("The payment cannot come before the invoice."))
    _move(order, Status.PAID, actor)
    order.paid_on = paid_on
    order.save(update_fields=["paid_on"])
    return order


def refused_quantities(order: PurchaseOrder) -> list[tuple[PurchaseOrderLine, Decimal]]:
    """What is still to buy elsewhere: the packs a producer did not confirm, per line."""
    return [
        (line, Decimal(line.packs - line.confirmed_packs) * line.offer.pack_size)
        for line in order.lines.select_related("offer").filter(confirmed_packs__lt=F("packs"))
    ]
