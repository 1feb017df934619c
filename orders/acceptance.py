"""Accepting an allocation: what is already ordered counts, only the difference is ordered.

An allocation run answers "who sells what" for all the needs of a period; it knows nothing of
the orders already sent. Accepting it compares, for every product and delivery date of the
period (a *key*: food, unit, day), the need with what the kitchen's orders already cover:

- lines of sent, confirmed and partly confirmed orders count as covered (an answered line for
  what the producer confirmed, an unanswered one for what was asked); received orders for
  what arrived. Draft orders are proposals: they are replaced;
- a shortfall is ordered from the run's lines for that key (an offer already on a sent order
  first, then a producer already delivering that day, then the others), never from a producer
  who refused that product that day;
- then packs are taken off while what is ordered exceeds the need by a whole pack (new lines
  first, then unanswered ones, then confirmed ones), so that, for every key, what is ordered
  covers the need and exceeds it by less than one pack;
- a change to a sent order is an amendment of that same order (``lifecycle.amend_order``:
  an audit event, an e-mail in the outbox, the same card in the portal); new lines for a
  producer who already has an open order that day join it; one new draft per producer and
  day otherwise.

``plan_acceptance`` computes the plan without writing (the cook's preview), with a digest;
``apply_acceptance`` applies it, refusing when the plan changed since the preview.

A service module: its writes take keyword arguments only, the acting user as ``actor``.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cantine.models import Canteen, User
from orders import lifecycle
from orders.models import (
    AllocationRun,
    Need,
    OrderEvent,
    PurchaseOrder,
    PurchaseOrderLine,
)
from orders.needs import period_weeks
from producers.models import Offer, Producer

Status = PurchaseOrder.Status
Key = tuple[int, str, date]  # food id, unit, delivery date
CENT = Decimal("0.01")

NEW, KEPT_DRAFT, AMENDMENT = "new", "draft", "amendment"
ADDED, INCREASED, REDUCED, CANCELLED, UNCHANGED = (
    "added",
    "increased",
    "reduced",
    "cancelled",
    "unchanged",
)
CHANGE_LABELS = {
    ADDED: gettext_lazy("added"),
    INCREASED: gettext_lazy("increased"),
    REDUCED: gettext_lazy("reduced"),
    CANCELLED: gettext_lazy("cancelled"),
    UNCHANGED: gettext_lazy("unchanged"),
}
ORDER_LABELS = {
    NEW: gettext_lazy("new order (draft)"),
    KEPT_DRAFT: gettext_lazy("draft replaced"),
    AMENDMENT: gettext_lazy("amendment of a sent order"),
}


class AllocationNotAcceptable(ValidationError):
    pass


class PlanChanged(AllocationNotAcceptable):
    """The orders changed between the preview and the confirmation (a producer answered...)."""


@dataclass
class Slot:
    """One line of the plan: an existing order line, or a line to create."""

    key: Key
    offer: Offer
    size: Decimal
    unit_price: Decimal
    need_id: int | None
    week: date | None
    line: PurchaseOrderLine | None = None  # an existing line of a non-draft order
    before: int = 0  # packs asked now on that card (a draft's too)
    base: int = 0  # packs that count as covered now
    packs: int = 0  # packs in the plan
    can_grow: bool = True
    answered: bool = False

    @property
    def producer_id(self) -> int:
        return self.offer.producer_id

    @property
    def is_new(self) -> bool:
        return self.line is None


@dataclass
class LineChange:
    product: str
    unit: str
    size: Decimal
    unit_price: Decimal
    before: int
    after: int

    @property
    def change(self) -> str:
        if self.before == self.after:
            return UNCHANGED
        if self.before == 0:
            return ADDED
        if self.after == 0:
            return CANCELLED
        return INCREASED if self.after > self.before else REDUCED

    @property
    def change_label(self) -> str:
        return CHANGE_LABELS[self.change]

    @property
    def quantity_before(self) -> Decimal:
        return self.before * self.size

    @property
    def quantity_after(self) -> Decimal:
        return self.after * self.size

    @property
    def total_after(self) -> Decimal:
        return lifecycle.line_total(self.after, self.size, self.unit_price)


@dataclass
class OrderChange:
    """What accepting does to one producer's card for one day."""

    producer: Producer
    delivery_date: date
    kind: str  # NEW, KEPT_DRAFT or AMENDMENT
    order: PurchaseOrder | None
    lines: list[LineChange] = field(default_factory=list)
    slots: list[Slot] = field(default_factory=list)
    removed_drafts: list[PurchaseOrderLine] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return ORDER_LABELS[self.kind]

    @property
    def changed(self) -> bool:
        return any(line.change != UNCHANGED for line in self.lines)

    @property
    def goods_after(self) -> Decimal:
        return sum((line.total_after for line in self.lines), Decimal(0))

    @property
    def below_minimum(self) -> bool:
        value = self.goods_after
        return bool(value) and value < self.producer.minimum_order_value


@dataclass(frozen=True)
class Shortfall:
    """What the plan cannot order for a key (no offer left in the run but refusing ones)."""

    food_name: str
    unit: str
    delivery_date: date
    quantity: Decimal
    refused: bool


@dataclass
class AcceptancePlan:
    run: AllocationRun
    orders: list[OrderChange]
    shortfalls: list[Shortfall]
    needs: dict[Key, Decimal]
    covered_by_received: dict[Key, Decimal]
    replanned_orders: list[int]  # orders whose refusals the plan buys elsewhere

    @property
    def changes(self) -> list[OrderChange]:
        return [o for o in self.orders if o.changed]

    @property
    def digest(self) -> str:
        rows = sorted(
            (
                o.producer.pk,
                o.delivery_date.isoformat(),
                o.order.pk if o.order else 0,
                s.offer.pk,
                s.line.pk if s.line else 0,
                s.before,
                s.packs,
            )
            for o in self.orders
            for s in o.slots
        )
        removed = sorted(line.pk for o in self.orders for line in o.removed_drafts)
        text = repr((rows, removed, [(s.food_name, s.quantity) for s in self.shortfalls]))
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def ordered(self) -> dict[Key, Decimal]:
        """What the plan orders per key (lines that count, as they will be, and receipts)."""
        total: dict[Key, Decimal] = defaultdict(Decimal, self.covered_by_received)
        for order in self.orders:
            for slot in order.slots:
                total[slot.key] += slot.packs * slot.size
        return dict(total)


def _key_of_line(line: PurchaseOrderLine) -> Key:
    return (line.offer.food_id, line.unit_code, line.order.delivery_date)


def _scope_lines(kitchen: Canteen, weeks: list[date]):
    """Lines of the kitchen's orders that buy the needs of these weeks."""
    return (
        PurchaseOrderLine.objects.filter(order__canteen=kitchen)
        .filter(Q(week__in=weeks) | Q(week__isnull=True, need__week__in=weeks))
        .exclude(order__status=Status.CANCELLED)
        .select_related("order__producer", "offer__producer", "offer__food", "need")
        .order_by("pk")
    )


def plan_acceptance(*, run: AllocationRun) -> AcceptancePlan:
    """The plan accepting ``run`` would apply (nothing is written)."""
    kitchen = run.canteen
    weeks = period_weeks(run.start, run.end)
    needs: dict[Key, Decimal] = defaultdict(Decimal)
    food_names: dict[int, str] = {}
    for need in Need.objects.filter(canteen=kitchen, week__in=weeks).select_related("food"):
        needs[(need.food_id, need.unit, need.delivery_date)] += need.quantity
        food_names[need.food_id] = need.food.name

    slots: dict[Key, list[Slot]] = defaultdict(list)
    received: dict[Key, Decimal] = defaultdict(Decimal)
    drafts: list[PurchaseOrderLine] = []
    refused: set[tuple[Key, int]] = set()  # (key, producer) that refused it
    open_orders: dict[tuple[int, date], PurchaseOrder] = {}
    for line in _scope_lines(kitchen, weeks):
        order, key = line.order, _key_of_line(line)
        food_names.setdefault(key[0], line.offer.food.name)
        if order.status == Status.DRAFT:
            drafts.append(line)
        elif order.status in PurchaseOrder.RECEIVED:
            got = line.received_quantity
            received[key] += got if got is not None else line.confirmed_quantity
        else:  # sent, confirmed, partly confirmed, refused: amendable
            base = line.packs if line.confirmed_packs is None else line.confirmed_packs
            if line.refused_packs:
                refused.add((key, order.producer_id))
            slots[key].append(
                Slot(
                    key=key,
                    offer=line.offer,
                    size=line.size,
                    unit_price=line.unit_price,
                    need_id=line.need_id,
                    week=line.week,
                    line=line,
                    before=line.packs,
                    base=base,
                    packs=base,
                    can_grow=line.refused_packs == 0 and not line.cancelled,
                    answered=line.answered,
                )
            )
    days = {k[2] for k in [*needs, *slots]} | {line.order.delivery_date for line in drafts}
    for order in _open_orders(kitchen, days):
        card = (order.producer_id, order.delivery_date)
        if card not in open_orders or open_orders[card].status == Status.REFUSED:
            open_orders[card] = order

    proposals: dict[Key, list] = defaultdict(list)
    for line in run.lines.select_related("offer__producer", "need"):
        need = line.need
        proposals[(need.food_id, need.unit, need.delivery_date)].append(line)

    shortfalls: list[Shortfall] = []
    short_keys: set[Key] = set()
    keys = sorted(set(needs) | set(slots) | set(proposals), key=lambda k: (k[2], k[0], k[1]))
    for key in keys:
        short = _plan_key(
            key,
            needs.get(key, Decimal(0)),
            received.get(key, Decimal(0)),
            slots[key],
            proposals.get(key, []),
            refused,
            open_orders,
        )
        if short > 0:
            short_keys.add(key)
            shortfalls.append(
                Shortfall(
                    food_names.get(key[0], "?"),
                    key[1],
                    key[2],
                    short,
                    refused=any((key, p) in refused for p in _producers(proposals.get(key, []))),
                )
            )

    orders = _group(slots, drafts, open_orders)
    replanned = sorted(
        {
            slot.line.order_id
            for key, key_slots in slots.items()
            for slot in key_slots
            if slot.line is not None and slot.line.refused_packs and key not in short_keys
        }
    )
    return AcceptancePlan(run, orders, shortfalls, dict(needs), dict(received), replanned)


def _producers(lines) -> set[int]:
    return {line.offer.producer_id for line in lines}


def _open_orders(kitchen: Canteen, days: set[date]):
    return (
        PurchaseOrder.objects.filter(canteen=kitchen, delivery_date__in=days)
        .filter(status__in=[Status.DRAFT, *lifecycle.AMENDABLE])
        .select_related("producer")
        .order_by("pk")
    )


def _plan_key(key, need, received, slots, proposals, refused, open_orders) -> Decimal:
    """Fill ``slots`` (existing and new) for one key; returns what could not be ordered."""
    covered = received + sum((s.base * s.size for s in slots), Decimal(0))
    remaining = need - covered
    if remaining > 0:

        def rank(line):
            on_card = any(s.offer.pk == line.offer_id and s.can_grow for s in slots)
            delivering = (line.offer.producer_id, key[2]) in open_orders
            return (not on_card, not delivering)

        for proposal in sorted(proposals, key=rank):
            if remaining <= 0:
                break
            if (key, proposal.offer.producer_id) in refused:
                continue
            slot = next((s for s in slots if s.offer.pk == proposal.offer_id and s.can_grow), None)
            if slot is None:
                slot = Slot(
                    key=key,
                    offer=proposal.offer,
                    size=proposal.offer.pack_size,
                    unit_price=proposal.offer.unit_price,
                    need_id=proposal.need_id,
                    week=proposal.need.week,
                )
                slots.append(slot)
            most = math.ceil(proposal.quantity / slot.size) if proposal.quantity else proposal.packs
            add = min(math.ceil(remaining / slot.size), max(most, 1))
            slot.packs += add
            remaining -= add * slot.size
    _trim(slots, need - received)
    ordered = received + sum((s.packs * s.size for s in slots), Decimal(0))
    return max(Decimal(0), need - ordered)


def _trim(slots: list[Slot], need: Decimal) -> None:
    """Take packs off while what is ordered exceeds ``need`` by at least one of them."""
    while True:
        excess = sum((s.packs * s.size for s in slots), Decimal(0)) - need
        candidates = [s for s in slots if s.packs > 0 and s.size <= excess]
        if not candidates:
            return
        # new lines first, then lines waiting for an answer, then confirmed ones; big packs first
        slot = min(candidates, key=lambda s: (not s.is_new, s.answered, -s.size))
        slot.packs -= 1


def _group(slots, drafts, open_orders) -> list[OrderChange]:
    """Slots grouped by producer and day, onto the card each goes to."""
    cards: dict[tuple[int, date], OrderChange] = {}

    def card(producer: Producer, day: date) -> OrderChange:
        found = cards.get((producer.pk, day))
        if found is None:
            order = open_orders.get((producer.pk, day))
            if order is None:
                kind = NEW
            elif order.status == Status.DRAFT:
                kind = KEPT_DRAFT
            else:
                kind = AMENDMENT
            found = cards[(producer.pk, day)] = OrderChange(producer, day, kind, order)
        return found

    draft_packs: dict[tuple[int, date, int], int] = defaultdict(int)
    for line in drafts:
        draft_packs[(line.order.producer_id, line.order.delivery_date, line.offer_id)] += line.packs
        card(line.order.producer, line.order.delivery_date).removed_drafts.append(line)
    for key_slots in slots.values():
        for slot in key_slots:
            if slot.is_new and slot.packs == 0:
                continue
            change = card(slot.offer.producer, slot.key[2])
            if slot.is_new and change.kind != AMENDMENT:
                slot.before = draft_packs.pop((slot.producer_id, slot.key[2], slot.offer.pk), 0)
            change.slots.append(slot)
    for (producer_id, day, offer_id), packs in draft_packs.items():  # drafts not kept
        change = cards[(producer_id, day)]
        line = next(ln for ln in change.removed_drafts if ln.offer_id == offer_id)
        change.lines.append(_line_change(line.offer, line.size, line.unit_price, packs, 0))
    for change in cards.values():
        by_offer: dict[int, LineChange] = {}
        for slot in change.slots:
            before = slot.before
            merged = by_offer.get(slot.offer.pk)
            if merged is not None and slot.is_new:
                merged.after += slot.packs
                merged.before += before
                continue
            row = _line_change(slot.offer, slot.size, slot.unit_price, before, _after(slot))
            by_offer.setdefault(slot.offer.pk, row)
            change.lines.append(row)
    return sorted(cards.values(), key=lambda c: (c.delivery_date, c.producer.name))


def _after(slot: Slot) -> int:
    """Packs asked on the card after accepting (an untouched refused line keeps its ask)."""
    if slot.line is not None and slot.packs == slot.base:
        return slot.line.packs
    return slot.packs


def _line_change(offer: Offer, size, unit_price, before: int, after: int) -> LineChange:
    return LineChange(offer.product_label, offer.unit, size, unit_price, before, after)


def _money(value) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


@transaction.atomic
def apply_acceptance(
    *, run: AllocationRun, actor: User, expected_digest: str | None = None
) -> list[PurchaseOrder]:
    """Accept ``run``: amend sent orders, replace drafts, create the missing drafts."""
    run = AllocationRun.objects.select_for_update().get(pk=run.pk)
    Canteen.objects.select_for_update().get(pk=run.canteen_id)  # one acceptance at a time
    if not run.is_solved:
        raise AllocationNotAcceptable(_("Only a finished allocation can be accepted."))
    if run.accepted_at is not None:
        raise AllocationNotAcceptable(_("This allocation was already accepted."))
    plan = plan_acceptance(run=run)
    if expected_digest is not None and plan.digest != expected_digest:
        raise PlanChanged(
            _(
                "The orders changed since the preview (a producer answered, or another "
                "allocation was accepted): check the differences again."
            )
        )
    delivery_costs = {(d["producer"], d["date"]): d["cost"] for d in run.deliveries}
    touched: list[PurchaseOrder] = []
    for change in plan.orders:
        if change.kind == AMENDMENT:
            if _amend(change, actor):
                touched.append(change.order)
            continue
        for line in change.removed_drafts:
            line.delete()
        keep = [s for s in change.slots if s.packs > 0]
        order = change.order
        if not keep:
            if order is not None and not order.lines.exists():
                order.delete()
            continue
        if order is None:
            order = PurchaseOrder.objects.create(
                canteen=run.canteen,
                producer=change.producer,
                delivery_date=change.delivery_date,
                run=run,
                created_by=actor,
            )
        else:
            order.run = run
        order.delivery_cost = _money(
            delivery_costs.get(
                (change.producer.pk, change.delivery_date.isoformat()),
                change.producer.delivery_cost,
            )
        )
        order.save(update_fields=["run", "delivery_cost"])
        for slot in keep:
            line = PurchaseOrderLine(
                order=order,
                offer=slot.offer,
                need_id=slot.need_id,
                week=slot.week,
                packs=slot.packs,
                quantity=slot.packs * slot.size,
                unit_price=slot.unit_price,
                total=lifecycle.line_total(slot.packs, slot.size, slot.unit_price),
            )
            line.freeze()
            line.pack_size, line.unit_price = slot.size, slot.unit_price
            line.save()
        order.goods_total = sum((line.total for line in order.lines.all()), Decimal(0))
        order.save(update_fields=["goods_total"])
        touched.append(order)
    for order_id in plan.replanned_orders:
        OrderEvent.objects.create(
            order_id=order_id, actor=actor, action="replanned", after={"run": run.pk}
        )
    run.accepted_at = timezone.now()
    run.save(update_fields=["accepted_at"])
    return touched


def _amend(change: OrderChange, actor: User) -> bool:
    packs = {
        slot.line.pk: slot.packs
        for slot in change.slots
        if slot.line is not None and slot.packs != slot.base
    }
    add = [
        lifecycle.NewLine(offer=s.offer, packs=s.packs, need_id=s.need_id, week=s.week)
        for s in change.slots
        if s.is_new and s.packs > 0
    ]
    if not packs and not add:
        return False
    lifecycle.amend_order(order=change.order, actor=actor, packs=packs, add=add)
    return True
