"""EGalim targets by territory, as data (code rural L230-5-1; domain.md §3).

Shares are of purchases by value, excluding VAT, per calendar year. Overseas territories have
their own thresholds and no separate meat-and-fish target. Keys are COG region codes; a
territory not listed here (e.g. the Pacific collectivities, where EGalim does not apply as such)
has no target, and pages say so rather than invent one.
"""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Target:
    territory: str
    bio: Decimal  # percent
    egalim: Decimal  # percent, organic included
    meat_fish: Decimal | None  # percent EGalim among meat and fish, None where not set


HEXAGONE = Target("Hexagone et Corse", Decimal(20), Decimal(50), Decimal(60))
_ANTILLES_GUYANE_REUNION = (Decimal(5), Decimal(20), None)

BY_REGION: dict[str, Target] = {
    "01": Target("Guadeloupe", *_ANTILLES_GUYANE_REUNION),
    "02": Target("Martinique", *_ANTILLES_GUYANE_REUNION),
    "03": Target("Guyane", *_ANTILLES_GUYANE_REUNION),
    "04": Target("La Réunion", *_ANTILLES_GUYANE_REUNION),
    "978": Target("Saint-Martin", *_ANTILLES_GUYANE_REUNION),
    "06": Target("Mayotte", Decimal(2), Decimal(5), None),
    "975": Target("Saint-Pierre-et-Miquelon", Decimal(10), Decimal(30), None),
}


def target_for_region(region_code: str, zone: str = "metro") -> Target | None:
    if region_code in BY_REGION:
        return BY_REGION[region_code]
    return HEXAGONE if zone == "metro" else None


def target_for(canteen) -> Target | None:
    """The canteen's territory decides; ``commune__department__region`` is read once."""
    region = canteen.commune.department.region
    return target_for_region(region.code, region.zone)
