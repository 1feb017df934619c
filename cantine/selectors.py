"""Reads about canteens, shaped for pages and the API."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import OuterRef, Prefetch, Subquery, Sum

from cantine.models import AgeGroup, Canteen, CoverForecast, Role, Weekday
from cantine.roles import canteens_for, kitchens_for

SERVICE_DAYS = [
    Weekday.MONDAY,
    Weekday.TUESDAY,
    Weekday.WEDNESDAY,
    Weekday.THURSDAY,
    Weekday.FRIDAY,
]


def visible_canteens(user, *roles: Role):
    """Canteens a user may open, with what list pages show, in one query each.

    ``weekly_covers`` are the canteen's own meals; ``satellite_covers`` those a central
    kitchen cooks for its satellites (a subquery: a second join would multiply the sums)."""
    for_satellites = (
        CoverForecast.objects.filter(canteen__central_kitchen=OuterRef("pk"))
        .values("canteen__central_kitchen")
        .annotate(total=Sum("covers"))
        .values("total")
    )
    return (
        canteens_for(user, *roles)
        .select_related("commune__department__region", "central_kitchen")
        .annotate(
            weekly_covers=Sum("cover_forecasts__covers"),
            satellite_covers=Subquery(for_satellites),
        )
        .order_by("kind", "name")
    )


def canteen_with_relations(canteen_id: int):
    return (
        Canteen.objects.select_related(
            "commune__department__region", "central_kitchen", "local_territory"
        )
        .prefetch_related(
            Prefetch("satellites", queryset=Canteen.objects.select_related("commune")),
            "cover_forecasts",
        )
        .get(pk=canteen_id)
    )


@dataclass(frozen=True)
class CoverRow:
    age_group: AgeGroup
    covers: list[int]  # one per service day

    @property
    def total(self) -> int:
        return sum(self.covers)


@dataclass(frozen=True)
class CoverGrid:
    rows: list[CoverRow]

    @property
    def daily_totals(self) -> list[int]:
        return [sum(column) for column in zip(*(row.covers for row in self.rows), strict=True)]

    @property
    def total(self) -> int:
        return sum(row.total for row in self.rows)


def cover_grid(canteen: Canteen, days=SERVICE_DAYS) -> CoverGrid:
    """Covers per age group x weekday, zero where nothing is forecast."""
    known = {(f.age_group, f.weekday): f.covers for f in canteen.cover_forecasts.all()}
    return _grid(known, days)


def covers_by_weekday(kitchen: Canteen) -> dict[int, dict[str, int]]:
    """Covers of the kitchen and its satellites, per weekday and age group (what needs and
    supply are computed from; zero rows left out)."""
    rows = (
        CoverForecast.objects.filter(Canteen.in_group_of(kitchen))
        .values_list("weekday", "age_group")
        .annotate(total=Sum("covers"))
    )
    covers: dict[int, dict[str, int]] = defaultdict(dict)
    for weekday, age_group, total in rows:
        if total:
            covers[weekday][age_group] = total
    return covers


def group_cover_grid(kitchen: Canteen, days=SERVICE_DAYS) -> CoverGrid:
    """What a central kitchen produces: its own covers plus all its satellites', summed."""
    sums = (
        CoverForecast.objects.filter(Canteen.in_group_of(kitchen))
        .values_list("age_group", "weekday")
        .annotate(total=Sum("covers"))
    )
    return _grid({(age, day): total for age, day, total in sums}, days)


def _grid(known: dict[tuple[str, int], int], days) -> CoverGrid:
    return CoverGrid(
        [
            CoverRow(age_group, [known.get((age_group.value, day.value), 0) for day in days])
            for age_group in AgeGroup
        ]
    )


def kitchens_of(user, *roles: Role, served: bool = True) -> list[Canteen]:
    """The kitchens that plan and buy for the user's canteens, central kitchens first.

    With ``served`` (menus, dishes) a satellite's staff see its central kitchen; without it
    (needs, orders) only kitchens where the user holds one of ``roles`` (``roles.kitchens_for``).
    """
    kitchens = kitchens_for(user, *roles, served=served)
    return sorted(kitchens, key=lambda c: (c.kind != Canteen.Kind.CENTRAL_KITCHEN, c.name))
