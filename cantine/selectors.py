"""Reads about canteens, shaped for pages and the API."""

from dataclasses import dataclass

from django.db.models import Prefetch, Sum

from cantine.models import AgeGroup, Canteen, CoverForecast, Role, Weekday
from cantine.roles import canteens_for

SERVICE_DAYS = [
    Weekday.MONDAY,
    Weekday.TUESDAY,
    Weekday.WEDNESDAY,
    Weekday.THURSDAY,
    Weekday.FRIDAY,
]


def visible_canteens(user, *roles: Role):
    """Canteens a user may open, with what list pages show, in one query each."""
    return (
        canteens_for(user, *roles)
        .select_related("commune__department__region", "central_kitchen")
        .annotate(weekly_covers=Sum("cover_forecasts__covers"))
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


def cover_grid(canteen: Canteen, days=SERVICE_DAYS) -> list[CoverRow]:
    """Covers per age group x weekday, zero where nothing is forecast."""
    known = {(f.age_group, f.weekday): f.covers for f in canteen.cover_forecasts.all()}
    return [
        CoverRow(age_group, [known.get((age_group.value, day.value), 0) for day in days])
        for age_group in AgeGroup
    ]


def daily_totals(rows: list[CoverRow]) -> list[int]:
    return [sum(column) for column in zip(*(row.covers for row in rows), strict=True)]


def group_covers(canteen: Canteen) -> int:
    """Weekly covers of a kitchen and all its satellites (what the kitchen cooks for)."""
    ids = [canteen.pk, *canteen.satellites.values_list("pk", flat=True)]
    total = CoverForecast.objects.filter(canteen_id__in=ids).aggregate(total=Sum("covers"))
    return total["total"] or 0
