"""The year's forecast: what the menus already planned will cost and which shares they reach.

Before buying, a manager wants to know where the calendar year is heading. Each month holds
what the ledger says was bought (``selectors.shares_by``: the shares page's own figures) plus
what the menus planned after today will buy (``ForecastLine``s), so months past show what was
bought and months to come what is planned; the year is their sum, read against the canteen's
targets (``targets.target_for``). Planned lines are summed by ``projection.planned_shares``,
the same rule as the ledger's lines, so one line counts once in its highest EGalim group here
as on the shares page.

This app does not read menus, needs or offers: the apps that know them return a
``PlannedYear`` through ``settings.PURCHASES_FORECAST_PROVIDERS`` (``orders.forecast``). What
is not planned yet is said, not guessed: the service days of the rest of the year with no
menu, and the products neither an offer nor a reference price can price.

Two what-ifs are computed, not guessed, by asking the providers again: "switch one product to
organic" (that product bought at its cheapest organic offer delivering on each date) and "a
local producer sells one product" (a ``Newcomer``: that product bought from them at their
price, up to their weekly capacity, the rest as before).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.utils.module_loading import import_string

from cantine.labels import Label
from cantine.models import Canteen
from purchases import selectors
from purchases.carbon import carbon
from purchases.projection import added, planned_shares
from purchases.selectors import Shares
from purchases.targets import Target, target_for

MONTHS = range(1, 13)
KG = Decimal("0.1")


@dataclass(frozen=True)
class ForecastLine:
    """One product delivered on one day for the planned menus, priced as it would be bought.

    ``amount`` is None when neither an offer nor a reference price is known (unpriced)."""

    day: date
    food: int
    name: str
    family: str
    quantity: Decimal
    unit: str
    amount: Decimal | None
    labels: tuple[str, ...] = ()
    is_local: bool = False
    is_short_chain: bool = False
    is_france: bool = False
    kg_co2e: Decimal = Decimal(0)  # food (AGRIBALYSE) and delivery
    priced_by: str = ""  # "offer", "reference" or "" (unpriced)
    supplier: str = ""
    switched: bool = False  # bought as the what-if asked (an organic offer, the newcomer)


@dataclass(frozen=True)
class PlannedYear:
    """What a provider knows of the rest of the year: lines, and how much of it is planned."""

    lines: tuple[ForecastLine, ...] = ()
    meals: dict[int, int] = field(default_factory=dict)  # month -> meals planned after as_of
    unplanned_days: dict[int, int] = field(default_factory=dict)  # month -> days with no menu


@dataclass(frozen=True)
class Newcomer:
    """A local producer the manager considers: sells ``food`` at ``unit_price`` (€ excl. VAT
    per the food's purchase unit), up to ``weekly_capacity`` of it a week (None: as much as
    the menus need), ``km`` from the kitchen, organic or not. Local and short chain by
    definition: that is the decision being weighed."""

    food: int
    unit_price: Decimal
    organic: bool = False
    weekly_capacity: Decimal | None = None
    km: Decimal = Decimal(20)


def planned_year(
    canteens, year: int, as_of: date, organic=frozenset(), newcomer: Newcomer | None = None
) -> PlannedYear:
    """The providers' planned years summed (``settings.PURCHASES_FORECAST_PROVIDERS``)."""
    lines, meals, unplanned = [], defaultdict(int), defaultdict(int)
    for path in getattr(settings, "PURCHASES_FORECAST_PROVIDERS", ()):
        part = import_string(path)(
            canteens, year, as_of, organic=frozenset(organic), newcomer=newcomer
        )
        lines.extend(part.lines)
        for month, count in part.meals.items():
            meals[month] += count
        for month, count in part.unplanned_days.items():
            unplanned[month] += count
    return PlannedYear(tuple(lines), dict(meals), dict(unplanned))


@dataclass(frozen=True)
class Month:
    month: int
    bought: Shares
    planned: Shares
    total: Shares
    bought_co2e: Decimal
    planned_co2e: Decimal
    meals: int
    unplanned_days: int
    unpriced: int

    @property
    def co2e(self) -> Decimal:
        return self.bought_co2e + self.planned_co2e

    @property
    def first_day(self) -> date:
        return date(self.total.year or 2000, self.month, 1)


@dataclass(frozen=True)
class Product:
    food: int
    name: str
    amount: Decimal
    organic: bool  # every priced line of it is already organic


@dataclass(frozen=True)
class Forecast:
    year: int
    as_of: date
    months: list[Month]
    bought: Shares
    planned: Shares
    total: Shares
    target: Target | None
    meals: int
    unplanned_days: int
    unpriced: int  # planned deliveries with no price
    unpriced_products: list[str]
    products: list[Product]
    switched: int = 0  # deliveries the what-if moved to an organic offer

    @property
    def co2e(self) -> Decimal:
        return sum((m.co2e for m in self.months), Decimal(0))

    @property
    def empty(self) -> bool:
        return not self.bought.lines and not self.meals and not self.planned.lines

    @property
    def planned_pct(self) -> Decimal | None:
        """Share of the rest of the year's service days with a menu."""
        days = self.meals + self.unplanned_days
        return (Decimal(100) * self.meals / days).quantize(KG) if days else None


def _products(lines) -> list[Product]:
    amounts, names, organic = defaultdict(Decimal), {}, defaultdict(lambda: True)
    for line in lines:
        names[line.food] = line.name
        if line.amount is not None:
            amounts[line.food] += line.amount
            organic[line.food] &= Label.BIO in line.labels
        else:
            organic[line.food] = False
    return sorted(
        (Product(f, names[f], amounts[f].quantize(Decimal("0.01")), organic[f]) for f in names),
        key=lambda p: (-p.amount, p.name),
    )


def forecast(
    canteen: Canteen,
    year: int,
    as_of: date,
    organic=frozenset(),
    newcomer: Newcomer | None = None,
) -> Forecast:
    """The year of ``canteen`` (with its satellites) on ``as_of``: bought plus planned."""
    scope = selectors.group_of(canteen)
    bought_lines = selectors.ledger(scope, selectors.LedgerFilter(year=year))
    bought = {row.key: row.shares for row in selectors.shares_by(bought_lines, "month", year=year)}
    plan = planned_year(scope, year, as_of, organic, newcomer)
    by_month = defaultdict(list)
    for line in plan.lines:
        by_month[line.day.month].append(line)
    months = []
    for month in MONTHS:
        lines = by_month.get(month, [])
        priced = [line for line in lines if line.amount is not None]
        done = bought.get(month, Shares(year=year))
        planned = planned_shares(priced, year)
        bought_co2e = (
            carbon(bought_lines.filter(date__month=month)).total if done.lines else Decimal(0)
        )
        months.append(
            Month(
                month=month,
                bought=done,
                planned=planned,
                total=added(done, planned),
                bought_co2e=bought_co2e,
                planned_co2e=sum((line.kg_co2e for line in lines), Decimal(0)).quantize(KG),
                meals=plan.meals.get(month, 0),
                unplanned_days=plan.unplanned_days.get(month, 0),
                unpriced=len(lines) - len(priced),
            )
        )
    all_bought = added(*(m.bought for m in months))
    all_planned = added(*(m.planned for m in months))
    unpriced = sorted({line.name for line in plan.lines if line.amount is None})
    return Forecast(
        year=year,
        as_of=as_of,
        months=months,
        bought=all_bought,
        planned=all_planned,
        total=added(all_bought, all_planned),
        target=target_for(canteen, year),
        meals=sum(plan.meals.values()),
        unplanned_days=sum(plan.unplanned_days.values()),
        unpriced=sum(m.unpriced for m in months),
        unpriced_products=unpriced,
        products=_products(plan.lines),
        switched=sum(line.switched for line in plan.lines),
    )


@dataclass(frozen=True)
class WhatIf:
    """The forecast before and after one decision about one product (bought organic, or from
    a new local producer)."""

    product: Product
    before: Forecast
    after: Forecast

    @property
    def possible(self) -> bool:
        return self.after.switched > 0

    @property
    def cost_change(self) -> Decimal:
        return self.after.total.total - self.before.total.total


def _product(before: Forecast, food: int) -> Product | None:
    return next((p for p in before.products if p.food == food), None)


def switch_to_organic(before: Forecast, canteen: Canteen, food: int) -> WhatIf | None:
    """``before`` recomputed with ``food`` bought organic; None if it is not a product of it."""
    product = _product(before, food)
    if product is None:
        return None
    return WhatIf(product, before, forecast(canteen, before.year, before.as_of, organic={food}))


def with_newcomer(before: Forecast, canteen: Canteen, newcomer: Newcomer) -> WhatIf | None:
    """``before`` recomputed with ``newcomer`` selling its product; None if the menus do not
    need that product."""
    product = _product(before, newcomer.food)
    if product is None:
        return None
    after = forecast(canteen, before.year, before.as_of, newcomer=newcomer)
    return WhatIf(product, before, after)
