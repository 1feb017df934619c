"""The life of a purchase order, as an explicit state machine with an audit trail.

    draft -> sent -> confirmed | partial | refused -> delivered -> invoiced -> paid
    draft, sent -> cancelled
    sent, confirmed, partial, refused -> (amended) -> sent | confirmed | partial | cancelled

Sending freezes each line's terms (product, unit, pack size, price, labels): a producer editing
the offer afterwards changes no open order. A change after sending is an *amendment* of the
same order (``amend_order``): the order keeps its number and card, the producer is told, and
only lines asked more than they confirmed wait for a new answer.

A producer answers each line of a sent order (all, fewer packs, or none with a reason); once
every line is answered the order becomes confirmed, partly confirmed or refused. What a
producer confirms can never exceed an offer's weekly capacity: each answer locks the offer's
row, so concurrent answers (two tabs, a retried request, a re-allocation) queue up and each
sees what the others committed. Answering again with the same figures changes nothing.

A service module: its writes take keyword arguments only, the acting user as ``actor``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import DecimalField, F, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from cantine import formatting
from cantine.dates import week_start
from cantine.models import Canteen, User
from cantine.refusals import DomainError
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


class OrderError(DomainError):
    """An order rule said no; the message is for the person who asked."""


class IllegalTransition(OrderError):
    pass


class CapacityExceeded(OrderError):
    pass


class NotYourOrder(OrderError):
    pass


def _record(order, action, actor: User, before=None, after=None, line=None) -> OrderEvent:
    return OrderEvent.objects.create(
        order=order, line=line, actor=actor, action=action, before=before, after=after
    )


def _check_transition(order: PurchaseOrder, target: str) -> None:
    if target not in TRANSITIONS[order.status]:
        raise IllegalTransition(
            _("An order that is “%(current)s” cannot become “%(target)s”.")
            % {"current": order.get_status_display(), "target": Status(target).label}
        )


def _move(order: PurchaseOrder, target: str, actor: User) -> None:
    _check_transition(order, target)
    before = order.status
    order.status = target
    order.save(update_fields=["status"])
    _record(order, f"status:{target}", actor, {"status": before}, {"status": target})


def _locked_order(order_id: int) -> PurchaseOrder:
    return PurchaseOrder.objects.select_for_update().get(pk=order_id)


ANSWER_WITHIN = timedelta(days=2)
CENT = Decimal("0.01")


def line_total(packs: int, pack_size: Decimal, unit_price: Decimal) -> Decimal:
    return (Decimal(packs) * pack_size * unit_price).quantize(CENT, rounding=ROUND_HALF_UP)


def _set_packs(line: PurchaseOrderLine, packs: int) -> None:
    line.packs = packs
    line.quantity = Decimal(packs) * line.size
    line.total = line_total(packs, line.size, line.unit_price)


def _refresh_goods_total(order: PurchaseOrder) -> None:
    order.goods_total = sum((line.total for line in order.lines.all()), Decimal(0))
    order.save(update_fields=["goods_total"])


def freeze_terms(*, line: PurchaseOrderLine) -> dict | None:
    """Take the offer's current terms onto a line about to be sent; the packs follow a new
    pack size so the quantity asked stays covered. Returns what changed, if anything."""
    offer = line.offer
    before = {"pack_size": str(line.size), "unit_price": str(line.unit_price)}
    quantity = line.quantity
    line.freeze()
    line.unit_price = offer.unit_price
    packs = line.packs
    if line.pack_size != Decimal(before["pack_size"]):
        packs = math.ceil(quantity / line.pack_size)
    _set_packs(line, packs)
    line.save()
    after = {"pack_size": str(line.pack_size), "unit_price": str(line.unit_price)}
    return None if after == before else {"before": before, "after": after}


@transaction.atomic
def send_order(*, order: PurchaseOrder, actor: User, answer_within: timedelta = ANSWER_WITHIN):
    order = _locked_order(order.pk)
    if not order.lines.exists():
        raise OrderError(_("An order without lines cannot be sent."))
    _move(order, Status.SENT, actor)
    for line in order.lines.select_related("offer"):
        changed = freeze_terms(line=line)
        if changed:
            _record(order, "terms", actor, changed["before"], changed["after"], line=line)
    _refresh_goods_total(order)
    order.sent_at = timezone.now()
    order.answer_deadline = order.sent_at + answer_within
    order.save(update_fields=["sent_at", "answer_deadline"])
    notifications.order_sent(order=order)
    return order


@dataclass(frozen=True)
class DraftsSent:
    """What ``send_drafts`` did: the orders it sent, and each one refused with its reason."""

    sent: list[PurchaseOrder]
    refused: list[tuple[PurchaseOrder, str]]


@transaction.atomic
def send_drafts(
    *,
    kitchen: Canteen,
    order_ids: list[int],
    actor: User,
    answer_within: timedelta = ANSWER_WITHIN,
) -> DraftsSent:
    """Send, one by one through ``send_order``, the kitchen's orders among ``order_ids`` that
    are still drafts. An order already sent (a double click, another tab) is skipped, never
    sent twice; one refused (no lines) is rolled back alone and listed with its reason."""
    drafts = list(
        PurchaseOrder.objects.select_for_update()
        .filter(canteen=kitchen, status=Status.DRAFT, pk__in=order_ids)
        .order_by("delivery_date", "pk")
    )
    sent, refused = [], []
    for order in drafts:
        try:
            with transaction.atomic():
                sent.append(send_order(order=order, actor=actor, answer_within=answer_within))
        except OrderError as refusal:
            refused.append((order, str(refusal)))
    return DraftsSent(sent=sent, refused=refused)


AMENDABLE = {Status.SENT, Status.CONFIRMED, Status.PARTIALLY_CONFIRMED, Status.REFUSED}


@dataclass(frozen=True)
class NewLine:
    """A line an amendment adds to a sent order (its terms are the offer's, frozen now)."""

    offer: Offer
    packs: int
    need_id: int | None = None
    week: date | None = None


@transaction.atomic
def amend_order(
    *,
    order: PurchaseOrder,
    actor: User,
    packs: dict[int, int] | None = None,
    add: list[NewLine] | None = None,
    answer_within: timedelta = ANSWER_WITHIN,
) -> PurchaseOrder:
    """Change the packs asked on a sent (or answered) order, or add lines to it.

    ``packs`` maps line ids to their new number of packs (0 cancels a line). A line asked
    more than its producer confirmed waits for a new answer, and the order is "sent" again
    with a new deadline; a reduction keeps the answer (the producer delivers less). The
    producer is told by e-mail (outbox) and sees the amended quantities on the same card.
    """
    order = _locked_order(order.pk)
    if order.status not in AMENDABLE:
        raise IllegalTransition(
            _("An order that is “%(status)s” can no longer be amended.")
            % {"status": order.get_status_display()}
        )
    lines = {line.pk: line for line in order.lines.select_for_update().select_related("offer")}
    changes = []
    for line_id, new_packs in (packs or {}).items():
        line = lines[line_id]
        if new_packs < 0:
            raise OrderError(_("A number of packs cannot be negative."))
        if new_packs == line.packs:
            continue
        changes.append({"product": line.product, "before": line.packs, "after": new_packs})
        line.previous_packs = line.packs
        _set_packs(line, new_packs)
        if new_packs == 0:
            line.confirmed_packs, line.refusal_reason = 0, ""
            line.answered_at = timezone.now()
        elif line.confirmed_packs is not None and new_packs > line.confirmed_packs:
            line.confirmed_packs, line.refusal_reason, line.answered_at = None, "", None
        elif line.confirmed_packs is not None:
            line.confirmed_packs = min(line.confirmed_packs, new_packs)
            if line.confirmed_packs == new_packs:
                line.refusal_reason = ""
        line.save()
    for new in add or []:
        if new.offer.producer_id != order.producer_id:
            raise OrderError(_("An order only holds its own producer's offers."))
        line = PurchaseOrderLine(
            order=order,
            offer=new.offer,
            need_id=new.need_id,
            week=new.week,
            packs=new.packs,
            previous_packs=0,
            quantity=Decimal(0),
            unit_price=new.offer.unit_price,
            total=Decimal(0),
        )
        line.freeze()
        _set_packs(line, new.packs)
        line.save()
        changes.append({"product": line.product, "before": 0, "after": new.packs})
    if not changes:
        return order
    _refresh_goods_total(order)
    order.revision += 1
    order.amended_at = timezone.now()
    order.save(update_fields=["revision", "amended_at"])
    _record(order, "amended", actor, None, {"revision": order.revision, "lines": changes})
    _after_amendment(order, actor, answer_within)
    notifications.order_amended(order=order, changes=changes)
    return order


def _after_amendment(order: PurchaseOrder, actor: User, answer_within: timedelta) -> None:
    """The status an amended order is in: waiting again, settled, or cancelled."""
    lines = [line for line in order.lines.all() if not line.cancelled]
    if not lines:
        target = Status.CANCELLED
    elif any(line.confirmed_packs is None for line in lines):
        target = Status.SENT
        order.answer_deadline = timezone.now() + answer_within
        order.save(update_fields=["answer_deadline"])
    else:
        target = _settled_status(lines)
    if target != order.status:
        before = order.status
        order.status = target
        order.save(update_fields=["status"])
        _record(order, f"status:{target}", actor, {"status": before}, {"status": target})


@transaction.atomic
def cancel_order(*, order: PurchaseOrder, actor: User) -> PurchaseOrder:
    order = _locked_order(order.pk)
    _move(order, Status.CANCELLED, actor)
    return order


def _week(day: date) -> tuple[date, date]:
    monday = week_start(day)
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
    return lines.aggregate(quantity=quantity_of("confirmed_packs"))["quantity"] or Decimal(0)


def quantity_of(packs_field: str):
    """Sum of packs x each line's own (frozen) pack size, as an aggregate expression."""
    size = Coalesce(F("pack_size"), F("offer__pack_size"))
    return Sum(F(packs_field) * size, output_field=DecimalField(max_digits=14, decimal_places=3))


@transaction.atomic
def answer_line(
    *, line: PurchaseOrderLine, packs: int, actor: User, reason: str = ""
) -> PurchaseOrderLine:
    """The producer confirms ``packs`` of a line (0 refuses it; fewer confirms part of it)."""
    order = _locked_order(line.order_id)
    if producer_of(actor) is None or producer_of(actor).pk != order.producer_id:
        raise NotYourOrder(_("Only the producer of this order can answer it."))
    line = PurchaseOrderLine.objects.select_for_update().get(pk=line.pk)
    if line.confirmed_packs == packs and line.refusal_reason == reason.strip():
        return line  # the same answer again (double click, retried request): nothing changes
    if line.cancelled:
        raise OrderError(_("This line was cancelled by the buyer."))
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
        if taken + Decimal(packs) * line.size > offer.weekly_capacity:
            free = max(Decimal(0), offer.weekly_capacity - taken)
            raise CapacityExceeded(
                _("Only %(free)s of “%(product)s” are left for that week.")
                % {"free": formatting.quantity(free, offer.unit), "product": offer.product_label}
            )
    before = {"confirmed_packs": line.confirmed_packs, "reason": line.refusal_reason}
    line.confirmed_packs = packs
    line.refusal_reason = reason.strip()
    line.answered_at = timezone.now()
    line.save(update_fields=["confirmed_packs", "refusal_reason", "answered_at"])
    after = {"confirmed_packs": packs, "reason": line.refusal_reason}
    _record(order, "answer", actor, before, after, line=line)
    settle(order=order, actor=actor)
    return line


def _settled_status(lines: list[PurchaseOrderLine]) -> str:
    if all(line.confirmed_packs == line.packs for line in lines):
        return Status.CONFIRMED
    if all(line.confirmed_packs == 0 for line in lines):
        return Status.REFUSED
    return Status.PARTIALLY_CONFIRMED


def settle(*, order: PurchaseOrder, actor: User) -> None:
    """Once every line is answered, the order is confirmed, partly confirmed or refused
    (lines cancelled by an amendment do not count)."""
    lines = [line for line in order.lines.all() if not line.cancelled]
    if not lines or any(line.confirmed_packs is None for line in lines):
        return
    _move(order, _settled_status(lines), actor)
    notifications.producer_answered(order=order)


def confirm_all(*, order: PurchaseOrder, actor: User) -> PurchaseOrder:
    """Two taps on a phone: every unanswered line confirmed in full."""
    for line in order.lines.filter(confirmed_packs__isnull=True, packs__gt=0):
        answer_line(line=line, packs=line.packs, actor=actor)
    order.refresh_from_db()
    return order


class ReceiptDateError(OrderError):
    pass


def check_receipt_date(order: PurchaseOrder, received_on: date, today: date | None = None):
    """A delivery is recorded on the day it arrived: not in the future, not before sending."""
    today = today or timezone.localdate()
    if received_on > today:
        raise ReceiptDateError(
            _(
                "A delivery cannot be recorded for a day to come (%(day)s): record it once it "
                "has arrived."
            )
            % {"day": received_on.strftime("%d/%m/%Y")}
        )
    if order.sent_at and received_on < timezone.localdate(order.sent_at):
        raise ReceiptDateError(
            _("The delivery cannot have arrived before the order was sent (%(day)s).")
            % {"day": timezone.localdate(order.sent_at).strftime("%d/%m/%Y")}
        )


def default_receipt_date(order: PurchaseOrder, today: date | None = None) -> date | None:
    """The planned day once it has come; none before (the cook says when it arrived)."""
    today = today or timezone.localdate()
    return order.delivery_date if order.delivery_date <= today else None


@transaction.atomic
def record_delivery(
    *,
    order: PurchaseOrder,
    received: dict[int, tuple[Decimal, str]],
    actor: User,
    insertion_hours: Decimal | None = None,
    received_on: date | None = None,
) -> PurchaseOrder:
    """The cook records what arrived, on the day it arrived (``received_on``; by default the
    planned day, once it has come): quantity and a quality remark per line; what was received
    enters the purchases ledger at that date."""
    order = _locked_order(order.pk)
    _check_transition(order, Status.DELIVERED)
    if received_on is None:
        received_on = default_receipt_date(order)
    if received_on is None:
        raise ReceiptDateError(
            _(
                "This delivery is planned for %(day)s: it cannot be recorded before it arrives "
                "(if it came early, give the day it arrived)."
            )
            % {"day": order.delivery_date.strftime("%d/%m/%Y")}
        )
    check_receipt_date(order, received_on)
    lines = {line.pk: line for line in order.lines.all()}
    for line_id, (quantity, remark) in received.items():
        line = lines.get(line_id)
        if line is None:
            raise OrderError(_("This line is not part of the order."))
        if quantity < 0:
            raise OrderError(_("A received quantity cannot be negative."))
        line.received_quantity, line.quality_remark = quantity, remark
        line.save(update_fields=["received_quantity", "quality_remark"])
        _record(order, "received", actor, None, {"quantity": str(quantity), "remark": remark}, line)
    _move(order, Status.DELIVERED, actor)
    order.received_on = received_on
    order.save(update_fields=["received_on"])
    receipts.purchases_from_receipt(order=order)
    receipts.record_insertion_hours(order=order, hours=insertion_hours)
    return order


def _check_not_to_come(day: date, message: str) -> None:
    """Invoices and payments are recorded once they happened: a date to come is a typo."""
    if day > timezone.localdate():
        raise OrderError(message % {"day": day.strftime("%d/%m/%Y")})


@transaction.atomic
def record_invoice(*, order: PurchaseOrder, invoiced_on: date, actor: User) -> PurchaseOrder:
    """The day the invoice arrived: not a day to come, not before the delivery it bills."""
    order = _locked_order(order.pk)
    _check_not_to_come(
        invoiced_on, _("An invoice is recorded once it has arrived: %(day)s is still to come.")
    )
    if order.received_on and invoiced_on < order.received_on:
        raise OrderError(
            _("The invoice cannot come before the delivery (%(day)s).")
            % {"day": order.received_on.strftime("%d/%m/%Y")}
        )
    _move(order, Status.INVOICED, actor)
    order.invoiced_on = invoiced_on
    order.save(update_fields=["invoiced_on"])
    return order


@transaction.atomic
def record_payment(*, order: PurchaseOrder, paid_on: date, actor: User) -> PurchaseOrder:
    """Payment date recorded, so the payment delay per producer is known."""
    order = _locked_order(order.pk)
    _check_not_to_come(
        paid_on, _("A payment is recorded once it has been made: %(day)s is still to come.")
    )
    if order.invoiced_on and paid_on < order.invoiced_on:
        raise OrderError(_("The payment cannot come before the invoice."))
    _move(order, Status.PAID, actor)
    order.paid_on = paid_on
    order.save(update_fields=["paid_on"])
    return order


def refused_quantities(order: PurchaseOrder) -> list[tuple[PurchaseOrderLine, Decimal]]:
    """What is still to buy elsewhere: the packs a producer did not confirm, per line."""
    return [
        (line, Decimal(line.packs - line.confirmed_packs) * line.size)
        for line in order.lines.select_related("offer").filter(confirmed_packs__lt=F("packs"))
    ]
