"""One canteen's year, as the shares page and the yearly PDF both show it.

Gathering it in one place keeps the page and the paper in agreement: same figures, same charts
(``purchases.charts``), same projection and carbon, same wording of the local definition.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone
from django.utils.dates import MONTHS_AP
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from cantine import formatting
from cantine.models import Canteen
from purchases import charts, selectors
from purchases.carbon import Carbon, carbon
from purchases.models import InsertionHours
from purchases.projection import Projection, planned_shares, project_year_end
from purchases.selectors import LedgerFilter, ShareRow, Shares
from purchases.targets import Target, target_for

TOP_LOCAL = 5


def _chart_percent(value) -> str:
    return formatting.percent(value, 1)


@dataclass(frozen=True)
class YearReport:
    canteen: Canteen
    year: int
    scope: list[int]
    totals: Shares
    target: Target | None
    local_definition: str
    months: list[Shares | None]  # index 0 = January; None for a month with no purchase
    top_local: list[ShareRow]
    projection: Projection
    carbon: Carbon
    insertion_hours: list[tuple[str, Decimal]] = field(default_factory=list)
    payment_delays: list[dict] = field(default_factory=list)

    @property
    def insertion_hours_total(self) -> Decimal:
        return sum((hours for _, hours in self.insertion_hours), Decimal(0))

    def share_bars(self) -> list[charts.Bar]:
        """The figures that have a percentage, with the territory's target where there is one."""
        totals, target = self.totals, self.target
        return [
            charts.Bar(_("Organic"), totals.bio_pct, target and target.bio),
            charts.Bar(_("EGalim"), totals.egalim_pct, target and target.egalim),
            charts.Bar(
                _("EGalim meat and fish"), totals.meat_fish_pct, target and target.meat_fish
            ),
            charts.Bar(_("Local"), totals.local_pct),
            charts.Bar(_("Short chain"), totals.short_chain_pct),
            charts.Bar(_("Origin France"), totals.france_pct),
        ]

    def shares_chart(self) -> charts.Chart:
        return charts.bar_chart(
            self.share_bars(),
            _("Shares of purchases in %(year)s against the targets") % {"year": self.year},
            _("target"),
            percent=_chart_percent,
        )

    def trend_chart(self) -> charts.Chart:
        def series(label, attribute):
            values = tuple(getattr(m, attribute) if m else None for m in self.months)
            return charts.Series(label, values)

        return charts.trend_chart(
            [str(MONTHS_AP[m]) for m in range(1, 13)],
            [
                series(_("Organic"), "bio_pct"),
                series(_("EGalim"), "egalim_pct"),
                series(_("Local"), "local_pct"),
            ],
            _("Shares month by month in %(year)s") % {"year": self.year},
            percent=_chart_percent,
        )

    def needed(self) -> list[Need]:
        """For each share with a target: what the rest of the year must hold to reach it."""
        if self.target is None or self.projection.closed:
            return []
        wanted = [
            (_("Organic"), "bio", "total", self.target.bio),
            (_("EGalim"), "egalim", "total", self.target.egalim),
            (
                _("EGalim meat and fish"),
                "meat_fish_egalim",
                "meat_fish_total",
                self.target.meat_fish,
            ),
        ]
        projection = self.projection
        return [
            Need(
                label,
                target,
                projection.needed(part, whole, target),
                projection.on_track(part, whole, target),
            )
            for label, part, whole, target in wanted
            # No meat or fish bought so far: nothing to project the share of.
            if target is not None and getattr(projection.year_end, whole)
        ]


@dataclass(frozen=True)
class Need:
    label: str
    target: Decimal
    amount: Decimal | None  # € of the remaining purchases; None: out of reach
    on_track: bool  # the year-to-date mix, kept up, gets there


def monthly(lines, year: int | None = None) -> list[Shares | None]:
    rows = selectors.shares_by(lines, "month", year=year)
    by_month = {row.key: row.shares for row in rows if row.shares.lines}
    return [by_month.get(month) for month in range(1, 13)]  # None: nothing bought that month


def year_report(canteen: Canteen, year: int, today: date | None = None) -> YearReport:
    """All the figures of ``canteen`` (with its satellites) for ``year``; a handful of queries."""
    today = today or timezone.localdate()
    scope = selectors.group_of(canteen)
    lines = selectors.ledger(scope, LedgerFilter(year=year))
    months = monthly(lines, year)
    # The year's lines are all in its months: their sums are the year's (one scan fewer).
    totals = Shares.total_of([m for m in months if m], year)
    as_of = min(today, date(year, 12, 31))
    bought = selectors.shares(lines.filter(date__lte=as_of), year) if as_of.year == year else totals
    local_lines = lines.filter(selectors.FLAG_FILTERS["local"])
    return YearReport(
        canteen=canteen,
        year=year,
        scope=scope,
        totals=totals,
        target=target_for(canteen, year),
        local_definition=canteen.local_definition().label,
        months=months,
        top_local=selectors.shares_by(local_lines, "supplier", limit=TOP_LOCAL, year=year),
        projection=project_year_end(
            bought, as_of, year, planned=planned_shares(planned_lines(scope, as_of, year), year)
        ),
        carbon=carbon(lines),
        insertion_hours=insertion_hours(scope, year),
        payment_delays=payment_delays(scope, year),
    )


def planned_lines(canteens, after: date, year: int) -> list:
    """Purchases ordered but not received yet, from the apps that know them.

    The ledger does not import the orders app (orders feeds the ledger); each provider named
    in ``settings.PURCHASES_PLANNED_PROVIDERS`` returns ``PlannedLine``s for the canteens,
    delivered after ``after`` and within ``year``.
    """
    lines = []
    for path in getattr(settings, "PURCHASES_PLANNED_PROVIDERS", ()):
        lines.extend(import_string(path)(canteens, after, date(year, 12, 31)))
    return lines


def insertion_hours(canteens, year: int) -> list[tuple[str, Decimal]]:
    """Hours of insertion work declared by ESS/SIAE suppliers, per supplier, for the year."""
    rows = (
        InsertionHours.objects.filter(canteen__in=canteens, date__year=year)
        .values("producer__name")
        .annotate(total=Sum("hours"))
        .order_by("-total")
    )
    return [(row["producer__name"], row["total"]) for row in rows]


def payment_delays(canteens, year: int) -> list[dict]:
    """Invoice-to-payment delays per producer, from the apps that record payments."""
    rows = []
    for path in getattr(settings, "PURCHASES_PAYMENT_DELAY_PROVIDERS", ()):
        rows.extend(import_string(path)(canteens, year))
    return rows
