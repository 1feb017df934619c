"""Reads for the orders pages: needs of a period, a run's per-need table, purchase orders."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch

from cantine.dates import week_start
from cantine.models import Canteen
from cantine.solver_runs import fresh
from orders.models import (
    AllocationLine,
    AllocationRun,
    Need,
    PurchaseOrder,
    PurchaseOrderLine,
)
from producers.models import Producer

LEGAL_TARGETS = {"egalim": 0.5, "bio": 0.2}  # EGalim law, mainland France (domain.md §3)


def needs_for_period(kitchen: Canteen, start: date, end: date):
    return (
        Need.objects.filter(canteen=kitchen, week__range=(week_start(start), end))
        .select_related("food")
        .order_by("delivery_date", "food__name")
    )


def latest_run(kitchen: Canteen, start: date, end: date) -> AllocationRun | None:
    """The period's last run; one whose worker died reads as failed (``solver_runs.fresh``)."""
    return fresh(AllocationRun.objects.filter(canteen=kitchen, start=start, end=end).first())


@dataclass
class NeedRow:
    need: Need
    lines: list[AllocationLine] = field(default_factory=list)
    unmet: float = 0.0

    @property
    def bought(self) -> Decimal:
        return sum((line.quantity for line in self.lines), Decimal(0))


def allocation_rows(run: AllocationRun) -> list[NeedRow]:
    """Each need of the run's period with the lines serving it and what stays unmet."""
    lines = run.lines.select_related("offer__producer", "need__food")
    rows = {n.pk: NeedRow(n) for n in needs_for_period(run.canteen, run.start, run.end)}
    for line in lines:
        rows.setdefault(line.need_id, NeedRow(line.need)).lines.append(line)
    for unmet in run.unmet:
        if unmet["need"] in rows:
            rows[unmet["need"]].unmet = unmet["quantity"]
    return sorted(
        (r for r in rows.values() if r.need.quantity > 0 or r.lines),
        key=lambda r: (r.need.delivery_date, r.need.food.name),
    )


@dataclass(frozen=True)
class ShareRow:
    key: str
    share: float
    target: float | None
    legal: float | None

    @property
    def met(self) -> bool | None:
        return None if self.target is None else self.share >= self.target - 1e-6


def share_rows(run: AllocationRun) -> list[ShareRow]:
    return [
        ShareRow(
            key,
            run.shares.get(key, 0.0),
            run.targets.get(f"{key}_min_share"),
            LEGAL_TARGETS.get(key),
        )
        for key in ("bio", "egalim", "local")
    ]


def purchase_orders(kitchen: Canteen):
    """The kitchen's orders, lines prefetched so each shows asked, confirmed and delivered."""
    return (
        PurchaseOrder.objects.filter(canteen=kitchen)
        .select_related("producer", "run")
        .prefetch_related("lines")
        .order_by("-delivery_date", "producer__name")
    )


def purchase_order_with_lines(pk: int) -> PurchaseOrder:
    return (
        PurchaseOrder.objects.select_related("producer__commune", "canteen__commune")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=PurchaseOrderLine.objects.select_related("offer__food", "need"),
            )
        )
        .get(pk=pk)
    )


PAYMENT_LIMIT_DAYS = (
    30  # code de la commande publique, R2192-10: 30 days for the State and local authorities
)


def payment_delays(kitchen: Canteen, year: int | None = None, canteens=None):
    """Per producer: orders paid, average days from invoice to payment, and how many were late."""
    paid = PurchaseOrder.objects.filter(
        canteen__in=canteens if canteens is not None else [kitchen],
        invoiced_on__isnull=False,
        paid_on__isnull=False,
    ).select_related("producer")
    if year is not None:
        paid = paid.filter(paid_on__year=year)
    by_producer: dict[int, list] = {}
    for order in paid:
        by_producer.setdefault(order.producer_id, [order.producer, []])[1].append(
            order.payment_delay
        )
    rows = [
        {
            "producer": producer,
            "orders": len(delays),
            "average_days": sum(delays) / len(delays),
            "late": sum(1 for d in delays if d > PAYMENT_LIMIT_DAYS),
        }
        for producer, delays in by_producer.values()
    ]
    return sorted(rows, key=lambda row: -row["average_days"])


def planned_purchases(canteens, after: date, until: date):
    """Order lines planned (drafts), sent or confirmed but not received, as ``PlannedLine``s."""
    from purchases.projection import PlannedLine

    live = [
        PurchaseOrder.Status.DRAFT,
        PurchaseOrder.Status.SENT,
        PurchaseOrder.Status.CONFIRMED,
        PurchaseOrder.Status.PARTIALLY_CONFIRMED,
    ]
    lines = (
        PurchaseOrderLine.objects.filter(
            order__canteen__in=canteens,
            order__status__in=live,
            order__delivery_date__gt=after,
            order__delivery_date__lte=until,
        )
        .select_related(
            "offer__food",
            "order__producer__commune__department",
            # what each canteen's local definition reads (``Canteen.local_definition``)
            "order__canteen__commune__department__region",
            "order__canteen__local_territory",
        )
        .prefetch_related("order__canteen__local_territory__communes")
    )
    planned, local_definitions = [], {}
    for line in lines:
        canteen = line.order.canteen
        if canteen.pk not in local_definitions:
            local_definitions[canteen.pk] = canteen.local_definition()
        packs = line.packs if line.confirmed_packs is None else line.confirmed_packs
        amount = (Decimal(packs) * line.size * line.unit_price).quantize(Decimal("0.01"))
        if not amount:
            continue
        producer = line.order.producer
        planned.append(
            PlannedLine(
                amount=amount,
                labels=tuple(line.labels),
                family=line.offer.food.family,
                is_local=local_definitions[canteen.pk].is_local(producer.place),
                is_short_chain=producer.status != Producer.Status.WHOLESALER,
                is_france=True,
            )
        )
    return planned


def payment_delays_for_year(canteens, year: int) -> list[dict]:
    """The same rows for the purchases report (producer as a name, limit included)."""
    return [
        {**row, "producer": row["producer"].name, "limit": PAYMENT_LIMIT_DAYS}
        for row in payment_delays(None, year=year, canteens=canteens)
    ]
