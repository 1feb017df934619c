"""Year-end shares projected from what was bought so far, plus what is planned.

The honest part of a projection is small, so it is spelt out: the rest of the year is assumed
to be bought at the year-to-date pace (€ per day) and with the year-to-date mix, except for
planned purchases (orders placed but not received yet), whose labels are known and replace
that much of the assumed spend. What a manager can act on is the last figure: how much of the
remaining spend must be organic (or EGalim) for the year to reach its target.

Planned lines come in as plain values (``PlannedLine``): this app does not read orders, so any
caller that knows of planned purchases passes them in.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal

from cantine.labels import EgalimGroup, Family, Label, egalim_group
from purchases.models import MEAT_AND_FISH
from purchases.selectors import Shares

CENT = Decimal("0.01")


@dataclass(frozen=True)
class PlannedLine:
    """A purchase not received yet: its amount excl. VAT and what it will count for."""

    amount: Decimal
    labels: tuple[str, ...] = ()
    family: str = ""
    is_local: bool = False
    is_short_chain: bool = False
    is_france: bool = False


def planned_shares(lines, year: int | None = None) -> Shares:
    """The same figures as ``selectors.shares``, for lines that are not in the ledger yet."""
    sums = {f.name: Decimal(0) for f in fields(Shares) if f.name not in ("lines", "year")}
    count = 0
    names = {
        EgalimGroup.BIO: "bio",
        EgalimGroup.SIQO: "siqo",
        EgalimGroup.OTHER: "other_egalim",
        EgalimGroup.EXTERNALITIES: "externalities",
    }
    for line in lines:
        count += 1
        amount = Decimal(line.amount)
        group = egalim_group(line.labels)
        sums["total"] += amount
        egalim = group != EgalimGroup.NONE
        fair_trade = Label.COMMERCE_EQUITABLE in line.labels
        if egalim:
            sums[names[group]] += amount
            sums["egalim"] += amount
        if fair_trade and group in (EgalimGroup.BIO, EgalimGroup.OTHER):
            sums["bio_fair_trade" if group == EgalimGroup.BIO else "other_fair_trade"] += amount
        for family, prefix in (
            (Family.VIANDES_VOLAILLES, "meat"),
            (Family.PRODUITS_DE_LA_MER, "fish"),
        ):
            if line.family == family:
                sums[f"{prefix}_total"] += amount
                sums[f"{prefix}_egalim"] += amount if egalim else 0
        if line.family == Family.VIANDES_VOLAILLES and line.is_france:
            sums["meat_france"] += amount
        if line.family in MEAT_AND_FISH:
            sums["meat_fish_total"] += amount
            if egalim:
                sums["meat_fish_egalim"] += amount
        sums["local"] += amount if line.is_local else 0
        sums["short_chain"] += amount if line.is_short_chain else 0
        sums["france"] += amount if line.is_france else 0
        if line.is_france or line.is_local or line.is_short_chain:
            sums["france_2025"] += amount
    return Shares(lines=count, year=year, **sums)


def _combine(*parts: tuple[Shares, Decimal]) -> Shares:
    """Sum of ``shares x factor`` over parts, field by field, rounded to the cent."""
    values = {"year": parts[0][0].year if parts else None}
    for f in fields(Shares):
        if f.name == "year":
            continue
        total = sum((Decimal(getattr(s, f.name)) * factor for s, factor in parts), Decimal(0))
        values[f.name] = int(total) if f.name == "lines" else total.quantize(CENT)
    return Shares(**values)


def added(*parts: Shares) -> Shares:
    """The sum of these figures, field by field (the first one's year reads them)."""
    if not parts:
        return Shares()
    return _combine(*((part, Decimal(1)) for part in parts))


@dataclass(frozen=True)
class Projection:
    as_of: date
    days_elapsed: int
    days_in_year: int
    bought: Shares
    planned: Shares
    assumed: Shares  # the rest of the year at the year-to-date pace and mix
    year_end: Shares

    @property
    def closed(self) -> bool:
        return self.days_elapsed >= self.days_in_year

    @property
    def remaining_spend(self) -> Decimal:
        """Spend still to come: planned plus assumed."""
        return self.planned.total + self.assumed.total

    def needed(self, part: str, whole: str, target_pct) -> Decimal | None:
        """€ of ``part`` the assumed (unplanned) spend must hold for the year to reach
        ``target_pct`` of ``whole``; 0 when already reached, None when out of reach."""
        if target_pct is None:
            return None
        goal = Decimal(target_pct) / 100 * getattr(self.year_end, whole)
        known = getattr(self.bought, part) + getattr(self.planned, part)
        need = max(goal - known, Decimal(0)).quantize(CENT)
        available = getattr(self.assumed, whole)
        if need > available:
            return None
        return need

    def on_track(self, part: str, whole: str, target_pct) -> bool:
        """Does the year-to-date mix, kept for the rest of the year, reach the target?"""
        need = self.needed(part, whole, target_pct)
        return need is not None and need <= getattr(self.assumed, part)


def project_year_end(
    bought: Shares, as_of: date, year: int, planned: Shares | None = None
) -> Projection:
    """Project ``year``'s shares on ``as_of`` (bought = that year's lines up to that day)."""
    planned = planned or Shares(year=year)
    days_in_year = 366 if calendar.isleap(year) else 365
    if as_of < date(year, 1, 1):
        elapsed = 0
    else:
        elapsed = min((as_of - date(year, 1, 1)).days + 1, days_in_year)
    remaining_days = days_in_year - elapsed
    if elapsed == 0 or not bought.total or remaining_days == 0:
        assumed = Shares(year=year)
    else:
        pace = bought.total / elapsed  # € per day so far
        unplanned = max(pace * remaining_days - planned.total, Decimal(0))
        assumed = _combine((bought, unplanned / bought.total))
        assumed = Shares(**{**assumed.__dict__, "lines": 0})
    year_end = _combine((bought, Decimal(1)), (planned, Decimal(1)), (assumed, Decimal(1)))
    return Projection(as_of, elapsed, days_in_year, bought, planned, assumed, year_end)
