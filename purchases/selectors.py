"""Reads of the ledger: filtered lines and EGalim shares, computed by the database.

A line counts once, in its highest EGalim group (organic > SIQO > other EGalim >
externalities/performance, ``cantine.labels``). That rule is a SQL ``CASE`` over the line's
labels (``purchases.egalim``) that the database stores in a generated column, so every share is
one aggregate query with ``SUM(...) FILTER (...)`` per figure, however many lines the ledger
holds. Local, short chain and French origin are reported apart and do not
count for EGalim (domain.md §3).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import Decimal

from django.db.models import Count, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import ExtractMonth, ExtractQuarter, ExtractYear
from django.utils.dates import MONTHS

from cantine.labels import EgalimGroup, Label
from cantine.models import Canteen, Role
from cantine.roles import canteens_for
from purchases.models import MEAT_AND_FISH, Family, Origin, Purchase
from purchases.targets import Campaign, campaign, percent

READERS = (Role.COOK, Role.MANAGER)
# Filters a page or the API may ask for, by name.
GROUP_FILTERS = {
    "bio": Q(egalim_group=EgalimGroup.BIO),
    "siqo": Q(egalim_group=EgalimGroup.SIQO),
    "other": Q(egalim_group=EgalimGroup.OTHER),
    "externalities": Q(egalim_group=EgalimGroup.EXTERNALITIES),
    "egalim": Q(egalim_group__gt=EgalimGroup.NONE),
    "none": Q(egalim_group=EgalimGroup.NONE),
}
FLAG_FILTERS = {
    "local": Q(is_local=True),
    "short_chain": Q(is_short_chain=True),
    "france": Q(origin=Origin.FRANCE),
    # "France" as the 2025 declaration counts it (purchases.targets.CAMPAIGNS).
    "france_2025": Q(origin=Origin.FRANCE) | Q(is_short_chain=True) | Q(is_local=True),
    "europe": Q(origin=Origin.EUROPE),
    "meat_fish": Q(family__in=MEAT_AND_FISH),
}


# Scope and filters ---------------------------------------------------------------------------


def readable_canteens(user, *roles: Role):
    return canteens_for(user, *(roles or READERS)).select_related(
        "commune__department__region", "central_kitchen", "local_territory"
    )


def group_of(canteen: Canteen) -> list[int]:
    """A central kitchen buys for its satellites: its figures include theirs."""
    if canteen.kind == Canteen.Kind.CENTRAL_KITCHEN:
        return [canteen.pk, *canteen.satellites.values_list("pk", flat=True)]
    return [canteen.pk]


@dataclass(frozen=True)
class LedgerFilter:
    year: int | None = None
    quarter: int | None = None
    month: int | None = None
    family: str = ""
    group: str = ""  # a key of GROUP_FILTERS
    flag: str = ""  # a key of FLAG_FILTERS
    supplier: str = ""
    search: str = ""
    source: str = ""


def ledger(canteen_ids, filters: LedgerFilter = LedgerFilter()) -> QuerySet:
    """Lines of these canteens matching ``filters``; what the table, CSV and drill-down show."""
    purchases = Purchase.objects.filter(canteen_id__in=canteen_ids)
    if filters.year:
        start, end = f"{filters.year}-01-01", f"{filters.year}-12-31"
        purchases = purchases.filter(date__range=(start, end))
    if filters.quarter:
        purchases = purchases.filter(date__quarter=filters.quarter)
    if filters.month:
        purchases = purchases.filter(date__month=filters.month)
    if filters.family:
        purchases = purchases.filter(family=filters.family)
    if filters.group:
        purchases = purchases.filter(GROUP_FILTERS[filters.group])
    if filters.flag:
        purchases = purchases.filter(FLAG_FILTERS[filters.flag])
    if filters.supplier:
        purchases = purchases.filter(
            Q(supplier=filters.supplier) | Q(producer__name=filters.supplier)
        )
    if filters.search:
        purchases = purchases.filter(
            Q(description__icontains=filters.search) | Q(supplier__icontains=filters.search)
        )
    if filters.source:
        purchases = purchases.filter(source=filters.source)
    return purchases


def ledger_lines(canteen_ids, filters: LedgerFilter = LedgerFilter()) -> QuerySet:
    return (
        ledger(canteen_ids, filters).select_related("canteen", "producer").order_by("-date", "pk")
    )


def years(canteen_ids) -> list[int]:
    """Years from the last purchase back to the first: two index lookups, not a scan."""
    bounds = Purchase.objects.filter(canteen_id__in=canteen_ids).aggregate(
        first=Min("date"), last=Max("date")
    )
    if bounds["first"] is None:
        return []
    return list(range(bounds["last"].year, bounds["first"].year - 1, -1))


# Shares --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shares:
    """Sums in € HT; ``*_pct`` are percentages of the relevant total (None when it is 0).

    The sums are ma cantine's ``PurchaseQuerySet.aggregated_stats`` (``data/models/purchase.py``
    upstream): ``bio`` .. ``externalities`` count each line once in its highest group,
    ``bio_fair_trade`` is "bio dont commerce équitable" (organic lines also fair trade) and
    ``other_fair_trade`` "EGalim autres dont commerce équitable" (fair-trade lines whose highest
    group is the other EGalim labels); ``meat_*`` and ``fish_*`` are its
    ``valeur_viandes_volailles*`` and ``valeur_produits_de_la_mer*``, ``meat_fish_*`` their sum
    (the law's single meat-and-fish target). ``france`` is French origin, ``france_2025`` French
    origin, short chain or local; ``year``'s campaign (``purchases.targets.CAMPAIGNS``) says which
    one "France" is, and whether the European origin is reported. Percentages have two decimals,
    rounded as ma cantine does (``purchases.targets.percent``).
    """

    lines: int = 0
    total: Decimal = Decimal(0)
    bio: Decimal = Decimal(0)
    siqo: Decimal = Decimal(0)
    other_egalim: Decimal = Decimal(0)
    externalities: Decimal = Decimal(0)
    egalim: Decimal = Decimal(0)
    bio_fair_trade: Decimal = Decimal(0)
    other_fair_trade: Decimal = Decimal(0)
    meat_fish_total: Decimal = Decimal(0)
    meat_fish_egalim: Decimal = Decimal(0)
    meat_total: Decimal = Decimal(0)
    meat_egalim: Decimal = Decimal(0)
    meat_france: Decimal = Decimal(0)
    fish_total: Decimal = Decimal(0)
    fish_egalim: Decimal = Decimal(0)
    local: Decimal = Decimal(0)
    short_chain: Decimal = Decimal(0)
    france: Decimal = Decimal(0)
    france_2025: Decimal = Decimal(0)
    europe: Decimal = Decimal(0)
    year: int | None = None  # the campaign the figures are read under; not a sum

    @classmethod
    def from_row(cls, row: dict, year: int | None = None) -> Shares:
        values = {}
        for f in fields(cls):
            if f.name == "year":
                continue
            value = row.get(f.name) or 0
            values[f.name] = int(value) if f.name == "lines" else Decimal(value)
        return cls(**values, year=year)

    @classmethod
    def total_of(cls, parts, year: int | None = None) -> Shares:
        """The figures of lines split into disjoint ``parts`` (months, canteens...): every
        field is a sum, so adding the parts' gives what one query over all lines would."""
        sums = {
            f.name: sum((getattr(part, f.name) for part in parts), Decimal(0))
            for f in fields(cls)
            if f.name not in ("lines", "year")
        }
        return cls(lines=sum(part.lines for part in parts), **sums, year=year)

    @property
    def campaign(self) -> Campaign:
        return campaign(self.year)

    @property
    def france_counted(self) -> Decimal:
        """ "France" as this year's declaration counts it."""
        return sum((getattr(self, name) for name in self.campaign.france), Decimal(0))

    def _pct(self, part, whole):
        return percent(part, whole, self.year)

    @property
    def bio_pct(self):
        return self._pct(self.bio, self.total)

    @property
    def egalim_pct(self):
        return self._pct(self.egalim, self.total)

    @property
    def meat_fish_pct(self):
        return self._pct(self.meat_fish_egalim, self.meat_fish_total)

    @property
    def local_pct(self):
        return self._pct(self.local, self.total)

    @property
    def short_chain_pct(self):
        return self._pct(self.short_chain, self.total)

    @property
    def france_pct(self):
        return self._pct(self.france_counted, self.total)

    @property
    def europe_pct(self):
        return self._pct(self.europe, self.total) if self.campaign.europe_reported else None

    def as_dict(self) -> dict:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["france_counted"] = self.france_counted
        for name in ("bio", "egalim", "meat_fish", "local", "short_chain", "france", "europe"):
            data[f"{name}_pct"] = getattr(self, f"{name}_pct")
        return data


def _share_sums() -> dict:
    price = "price_ht"
    egalim = Q(egalim_group__gt=EgalimGroup.NONE)
    fair_trade = Q(labels__has_label=Label.COMMERCE_EQUITABLE)
    meat_fish = Q(family__in=MEAT_AND_FISH)
    meat = Q(family=Family.VIANDES_VOLAILLES)
    fish = Q(family=Family.PRODUITS_DE_LA_MER)
    france = Q(origin=Origin.FRANCE)
    return {
        "lines": Count("pk"),
        "total": Sum(price),
        "bio": Sum(price, filter=Q(egalim_group=EgalimGroup.BIO)),
        "siqo": Sum(price, filter=Q(egalim_group=EgalimGroup.SIQO)),
        "other_egalim": Sum(price, filter=Q(egalim_group=EgalimGroup.OTHER)),
        "externalities": Sum(price, filter=Q(egalim_group=EgalimGroup.EXTERNALITIES)),
        "egalim": Sum(price, filter=egalim),
        "bio_fair_trade": Sum(price, filter=Q(egalim_group=EgalimGroup.BIO) & fair_trade),
        "other_fair_trade": Sum(price, filter=Q(egalim_group=EgalimGroup.OTHER) & fair_trade),
        "meat_fish_total": Sum(price, filter=meat_fish),
        "meat_fish_egalim": Sum(price, filter=meat_fish & egalim),
        "meat_total": Sum(price, filter=meat),
        "meat_egalim": Sum(price, filter=meat & egalim),
        "meat_france": Sum(price, filter=meat & france),
        "fish_total": Sum(price, filter=fish),
        "fish_egalim": Sum(price, filter=fish & egalim),
        "local": Sum(price, filter=Q(is_local=True)),
        "short_chain": Sum(price, filter=Q(is_short_chain=True)),
        "france": Sum(price, filter=france),
        "france_2025": Sum(price, filter=france | Q(is_short_chain=True) | Q(is_local=True)),
        "europe": Sum(price, filter=Q(origin=Origin.EUROPE)),
    }


def shares(purchases: QuerySet, year: int | None = None) -> Shares:
    """All figures for these lines in one query; ``purchases`` comes from ``ledger``.

    ``year``: the campaign whose rules read the figures (the ledger filter's year)."""
    return Shares.from_row(purchases.aggregate(**_share_sums()), year)


DIMENSIONS = ("year", "quarter", "month", "canteen", "family", "supplier")


@dataclass(frozen=True)
class ShareRow:
    key: object
    name: str
    shares: Shares


def _grouping(dimension: str) -> tuple[list[str], dict]:
    """Columns and expressions to GROUP BY for one dimension."""
    match dimension:
        case "year":
            return [], {"key": ExtractYear("date")}
        case "quarter":
            return [], {"key": ExtractQuarter("date")}
        case "month":
            return [], {"key": ExtractMonth("date")}
        case "canteen":
            return ["canteen_id", "canteen__name"], {}
        case "family":
            return ["family"], {}
        case "supplier":
            return ["producer__name", "supplier"], {}
    raise ValueError(f"unknown dimension {dimension!r}")


def shares_by(
    purchases: QuerySet, dimension: str, limit: int | None = None, year: int | None = None
) -> list[ShareRow]:
    """Figures per year, quarter, month, canteen, family or supplier, in one query.

    Rows by year are read under their own year's campaign, the others under ``year``'s."""
    columns, expressions = _grouping(dimension)
    grouped = purchases.values(*columns, **expressions).annotate(**_share_sums())
    if dimension == "supplier":
        grouped = grouped.order_by("-total", "producer__name", "supplier")
    else:
        grouped = grouped.order_by(*(columns or expressions))
    if limit:
        grouped = grouped[:limit]
    rows = []
    for row in grouped:
        match dimension:
            case "canteen":
                key, name = row["canteen_id"], row["canteen__name"]
            case "family":
                key, name = row["family"], Family(row["family"]).label
            case "supplier":
                key = name = row["producer__name"] or row["supplier"]
            case _:
                key, name = row["key"], _period_name(dimension, row["key"])
        row_year = row["key"] if dimension == "year" else year
        rows.append(ShareRow(key, str(name), Shares.from_row(row, row_year)))
    if dimension in ("month", "quarter") and rows and not limit:
        rows = _without_gaps(rows, year, dimension)
    return rows


def _period_name(dimension: str, key) -> str:
    """A month by its name ("janvier"), in the reader's language; other periods as they are."""
    return str(MONTHS[key]) if dimension == "month" else str(key)


def _without_gaps(rows: list[ShareRow], year: int | None, dimension: str) -> list[ShareRow]:
    """Months (or quarters) with nothing bought between the first and the last that have
    purchases get an empty row: a table of the year never skips August, it says nothing was
    bought then."""
    by_key = {row.key: row for row in rows}
    return [
        by_key.get(key) or ShareRow(key, _period_name(dimension, key), Shares(year=year))
        for key in range(rows[0].key, rows[-1].key + 1)
    ]
