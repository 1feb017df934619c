"""What "local" means for one buyer, as a value object with no Django import.

Public procurement forbids geographic preference, so "local" has no legal definition: each
buyer picks one (domain.md §4). The scopes are those of the national "ma cantine" platform so
that exports carry the definition unchanged, and every figure computed with a definition can
state it next to the number.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum

EARTH_RADIUS_KM = 6371.0088


def _untranslated(message: str) -> str:
    return message


# How ``LocalDefinition.label`` translates its wording: the identity here (no Django import);
# the cantine app sets Django's ``gettext`` when it is ready, so the label reads in the
# language of the page, the PDF or the export that shows it.
translate = _untranslated


class LocalScope(StrEnum):
    PAT = "PAT"
    COMMUNE = "COMMUNE"
    DEPARTEMENT = "DEPARTEMENT"
    REGION = "REGION"
    KM = "KM"


@dataclass(frozen=True)
class Place:
    """Where a canteen or a producer is."""

    commune: str
    department: str
    region: str
    latitude: float | None = None
    longitude: float | None = None


def distance_km(a: Place, b: Place) -> float | None:
    """Great-circle distance; None when either place has no coordinates."""
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return None
    lat1, lon1, lat2, lon2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


@dataclass(frozen=True)
class LocalDefinition:
    """A buyer's definition of local, centred on the buyer's own place."""

    scope: LocalScope
    centre: Place
    radius_km: float | None = None
    territory_name: str = ""
    territory_communes: frozenset[str] = field(default_factory=frozenset)
    centre_label: str = ""

    def is_local(self, place: Place) -> bool:
        match self.scope:
            case LocalScope.COMMUNE:
                return place.commune == self.centre.commune
            case LocalScope.DEPARTEMENT:
                return place.department == self.centre.department
            case LocalScope.REGION:
                return place.region == self.centre.region
            case LocalScope.PAT:
                return place.commune in self.territory_communes
            case LocalScope.KM:
                distance = distance_km(self.centre, place)
                return distance is not None and distance <= (self.radius_km or 0)
        raise ValueError(f"unknown local scope {self.scope!r}")

    @property
    def label(self) -> str:
        """The wording shown next to every local figure, in the active language."""
        match self.scope:
            case LocalScope.COMMUNE:
                place = self.centre_label or self.centre.commune
                return translate("same commune (%(place)s)") % {"place": place}
            case LocalScope.DEPARTEMENT:
                place = self.centre_label or self.centre.department
                return translate("same department (%(place)s)") % {"place": place}
            case LocalScope.REGION:
                place = self.centre_label or self.centre.region
                return translate("same region (%(place)s)") % {"place": place}
            case LocalScope.PAT:
                name = self.territory_name or "PAT"
                return translate("territory of the %(name)s") % {"name": name}
            case LocalScope.KM:
                radius = f"{self.radius_km:g}"
                return translate("within %(radius)s km") % {"radius": radius}
        raise ValueError(f"unknown local scope {self.scope!r}")
