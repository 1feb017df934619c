"""Sourcing: the producers able to answer a consultation's lot, so a buyer designs lots that
local farms can win (products of the family they sell, in season or not at the delivery
dates, weekly capacity, distance, labels, and how they answered before).

The map is a server-rendered SVG (no tiles, no JavaScript): producers placed by their
coordinates around the kitchen (equirectangular projection, fine at a department's scale),
within the consultation's notification radius.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.db.models import Count, Q

from cantine.local import distance_km
from orders.models import Answer, Consultation
from producers.models import Offer, Producer

KM_PER_DEGREE = 111.2
SHOWN = 4  # products listed per producer before "and N others"


@dataclass
class Product:
    name: str
    unit: str
    weekly_capacity: float | None
    in_season: bool | None  # None when the food has no season recorded
    asked: bool  # one of the consultation's products


@dataclass
class SourcingRow:
    producer: Producer
    distance_km: float | None
    products: list[Product] = field(default_factory=list)
    answers: int = 0
    awarded: int = 0
    x: float = 0.0
    y: float = 0.0

    @property
    def sells_asked(self) -> bool:
        return any(p.asked for p in self.products)

    @property
    def shown(self) -> list[Product]:
        """The lot's own products first, then a few others of the family (in season first)."""
        ordered = sorted(self.products, key=lambda p: (not p.asked, p.in_season is False, p.name))
        return ordered[: max(SHOWN, sum(p.asked for p in ordered))]

    @property
    def more(self) -> int:
        return len(self.products) - len(self.shown)


def sourcing(consultation: Consultation, size: int = 320) -> list[SourcingRow]:
    """Producers with an active offer in the family within the radius, those selling the
    lot's own products first, then by distance."""
    kitchen = consultation.canteen
    centre = kitchen.place
    items = list(consultation.items.select_related("food"))
    asked_foods = {i.food_id for i in items}
    months = {i.delivery_date.month for i in items}
    rows: dict[int, SourcingRow] = {}
    offers = (
        Offer.objects.filter(active=True)
        .select_related("food", "producer__commune__department")
        .order_by("producer__name", "product_label")
    )
    for offer in offers:
        if offer.food.family != consultation.family:
            continue
        producer = offer.producer
        row = rows.get(producer.pk)
        if row is None:
            distance = distance_km(centre, producer.place)
            if distance is not None and distance > consultation.radius_km:
                continue
            row = rows[producer.pk] = SourcingRow(producer, distance)
        season = offer.food.season_months
        row.products.append(
            Product(
                name=offer.product_label,
                unit=offer.unit,
                weekly_capacity=float(offer.weekly_capacity)
                if offer.weekly_capacity is not None
                else None,
                in_season=bool(months & set(season)) if season else None,
                asked=offer.food_id in asked_foods,
            )
        )
    _history(rows)
    _place(rows.values(), centre, consultation.radius_km, size)
    return sorted(
        rows.values(), key=lambda r: (not r.sells_asked, r.distance_km is None, r.distance_km or 0)
    )


def _history(rows: dict[int, SourcingRow]) -> None:
    """Past answers each producer took part in, and how many were at least partly awarded."""
    counts = (
        Answer.objects.filter(members__in=list(rows))
        .values("members")
        .annotate(
            answers=Count("pk", distinct=True),
            awarded=Count("pk", distinct=True, filter=Q(status__in=["awarded", "partly"])),
        )
    )
    for row in counts:
        target = rows.get(row["members"])
        if target is not None:
            target.answers, target.awarded = row["answers"], row["awarded"]


def _place(rows, centre, radius_km: float, size: int) -> None:
    half = size / 2
    scale = (half - 12) / max(radius_km, 1)
    cos_lat = math.cos(math.radians(centre.latitude or 0))
    for row in rows:
        place = row.producer.place
        if None in (place.latitude, place.longitude, centre.latitude, centre.longitude):
            row.x = row.y = half
            continue
        east = (place.longitude - centre.longitude) * KM_PER_DEGREE * cos_lat
        north = (place.latitude - centre.latitude) * KM_PER_DEGREE
        row.x = round(half + east * scale, 1)
        row.y = round(half - north * scale, 1)


def map_geometry(size: int = 320) -> dict:
    """The SVG's frame: the kitchen at the centre, the radius as a circle."""
    half = size / 2
    return {"size": size, "half": half, "radius": half - 12, "corner": half - 5}
