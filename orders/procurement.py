"""Thresholds of the code de la commande publique, and what a kitchen has bought against them.

The thresholds are data (``orders/data/procurement_thresholds.csv``: level, amount HT, dates
in force, legal source), never ``if year == ...`` branches: they change every two years (EU
thresholds) and by decree (40 000 € HT until 31 March 2026, 60 000 € HT since).

The amount compared is what the law compares: the estimated value of *homogeneous supplies*
over the year, whoever supplies them (R2121-6); splitting a purchase to stay under a threshold
is forbidden (R2121-4). Here a product family (``Food.family``, the EGalim families) is the
homogeneous group, and the year's amount is every consultation of the family (not cancelled)
plus what the kitchen ordered in the family from standing price lists (orders not cancelled,
lines not already counted through a consultation).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.utils.translation import gettext as _

from cantine import formatting
from cantine.labels import Family
from cantine.models import Canteen
from orders.models import Consultation, ConsultationItem, PurchaseOrder, PurchaseOrderLine

DATA = Path(__file__).resolve().parent / "data" / "procurement_thresholds.csv"
# From the lightest procedure to the heaviest; a kind of purchase is allowed below a level.
LEVELS = ("no_publicity", "publicity_boamp", "formalised")
ALLOWED_BELOW = {
    Consultation.Kind.NO_PUBLICITY: "no_publicity",
    Consultation.Kind.ADAPTED: "formalised",
}


@dataclass(frozen=True)
class Threshold:
    level: str
    amount: Decimal
    valid_from: date
    valid_to: date | None
    source: str

    def in_force(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@cache
def all_thresholds() -> tuple[Threshold, ...]:
    with DATA.open(encoding="utf-8") as handle:
        return tuple(
            Threshold(
                level=row["level"],
                amount=Decimal(row["amount_ht"]),
                valid_from=date.fromisoformat(row["valid_from"]),
                valid_to=date.fromisoformat(row["valid_to"]) if row["valid_to"] else None,
                source=row["source"],
            )
            for row in csv.DictReader(handle)
        )


def thresholds_on(day: date) -> dict[str, Threshold]:
    """The threshold of each level in force on ``day`` (the day the consultation opens)."""
    return {t.level: t for t in all_thresholds() if t.in_force(day)}


@dataclass(frozen=True)
class FamilyYear:
    family: str
    year: int
    consultations: Decimal
    orders: Decimal

    @property
    def total(self) -> Decimal:
        return self.consultations + self.orders

    @property
    def family_label(self) -> str:
        return str(Family(self.family).label)


def family_year_amount(
    kitchen: Canteen, family: str, year: int, *, exclude: Consultation | None = None
) -> FamilyYear:
    """The kitchen's estimated amount HT for a family over a calendar year (module docstring)."""
    items = ConsultationItem.objects.filter(
        consultation__canteen=kitchen,
        consultation__family=family,
        delivery_date__year=year,
    ).exclude(consultation__status=Consultation.Status.CANCELLED)
    if exclude is not None and exclude.pk:
        items = items.exclude(consultation=exclude)
    consulted = sum((item.estimated_total for item in items), Decimal(0))
    ordered = (
        PurchaseOrderLine.objects.filter(
            order__canteen=kitchen, order__delivery_date__year=year, award_line__isnull=True
        )
        .exclude(order__status=PurchaseOrder.Status.CANCELLED)
        .select_related("offer__food")
    )
    # A food's family is computed from its CIQUAL group (``Food.family``), not stored.
    orders = sum((line.total for line in ordered if line.offer.food.family == family), Decimal(0))
    return FamilyYear(family, year, consulted, orders)


@dataclass(frozen=True)
class Warning:
    """A threshold this consultation would cross, and the procedure the law then asks for."""

    threshold: Threshold
    before: Decimal
    this: Decimal
    family: str
    year: int
    kind: str

    @property
    def total(self) -> Decimal:
        return self.before + self.this

    @property
    def text(self) -> str:
        return _(
            "%(family)s in %(year)s: %(before)s € HT already estimated or ordered, plus "
            "%(this)s € HT for this consultation, make %(total)s € HT, over the %(amount)s € HT "
            "threshold in force (%(source)s). Homogeneous supplies are counted together over the "
            "year (R2121-6): splitting the purchase does not lower the procedure required "
            "(R2121-4), and “%(kind)s” is no longer enough."
        ) % {
            "family": Family(self.family).label,
            "year": self.year,
            "before": formatting.number(self.before, 0),
            "this": formatting.number(self.this, 0),
            "total": formatting.number(self.total, 0),
            "amount": formatting.number(self.threshold.amount, 0),
            "source": self.threshold.source,
            "kind": Consultation.Kind(self.kind).label,
        }


def estimated_amount(consultation: Consultation) -> Decimal:
    return sum((item.estimated_total for item in consultation.items.all()), Decimal(0))


def warnings_for(consultation: Consultation, day: date) -> list[Warning]:
    """Thresholds the family's year would cross with this consultation, for its kind of
    purchase. An order under a framework agreement was put to competition when the framework
    was awarded, and a formalised procedure is allowed at any amount: no warning for them."""
    allowed_below = ALLOWED_BELOW.get(consultation.kind)
    if allowed_below is None:
        return []
    years = sorted({item.delivery_date.year for item in consultation.items.all()}) or [day.year]
    in_force = thresholds_on(day)
    warnings = []
    for year in years:
        before = family_year_amount(
            consultation.canteen, consultation.family, year, exclude=consultation
        ).total
        this_year = sum(
            (i.estimated_total for i in consultation.items.all() if i.delivery_date.year == year),
            Decimal(0),
        )
        threshold = in_force.get(allowed_below)
        if threshold is not None and before + this_year >= threshold.amount:
            warnings.append(
                Warning(threshold, before, this_year, consultation.family, year, consultation.kind)
            )
    return warnings
