"""Reads about producers, seen from a canteen (distance, local under its definition)."""

from dataclasses import dataclass

from django.db.models import Q

from cantine.local import LocalDefinition, distance_km
from cantine.search import matching
from producers.models import Producer


@dataclass(frozen=True)
class ProducerSeenFromCanteen:
    producer: Producer
    distance_km: float | None
    is_local: bool


def producer_directory(
    local: LocalDefinition,
    *,
    search: str = "",
    activity: str = "",
    label: str = "",
    local_only: bool = False,
) -> list[ProducerSeenFromCanteen]:
    """Producers matching the filters, nearest first, each flagged local or not."""
    producers = Producer.objects.select_related("commune__department")
    producers = matching(producers, search, "name", "commune__name")
    if activity:
        producers = producers.filter(
            Q(plant_activity__icontains=activity) | Q(animal_activity__icontains=activity)
        )
    seen = []
    for producer in producers:
        if label and label not in producer.labels:
            continue
        place = producer.place
        is_local = local.is_local(place)
        if local_only and not is_local:
            continue
        seen.append(ProducerSeenFromCanteen(producer, distance_km(local.centre, place), is_local))
    seen.sort(key=lambda s: (s.distance_km is None, s.distance_km or 0, s.producer.name))
    return seen


def activities() -> list[str]:
    """Distinct activities for the directory's filter."""
    values = set(Producer.objects.values_list("plant_activity", flat=True))
    values |= set(Producer.objects.values_list("animal_activity", flat=True))
    return sorted(v for v in values if v)
