"""EGalim targets by territory and campaign rules by year, as data (code rural L230-5-1).

Shares are of purchases by value, excluding VAT, per calendar year. Two tables hold every
rule that depends on where or when, so no figure is computed under an ``if year`` branch:

- ``TERRITORIES``: organic and EGalim thresholds per territory, as ma cantine applies them
  (``macantine/utils.py::EGALIM_OBJECTIVES`` upstream: Guadeloupe, Martinique, Guyane,
  La Réunion and Saint-Martin 5 % / 20 %, Mayotte 2 % / 5 %, Saint-Pierre-et-Miquelon
  10 % / 30 %, everywhere else in France 20 % / 50 %). The Pacific and southern
  collectivities (Saint-Barthélemy 977, TAAF 984, Wallis-et-Futuna 986, Polynésie 987,
  Nouvelle-Calédonie 988, Clipperton 989), where EGalim does not apply as such, get no target:
  pages say so rather than invent one. (ma cantine lists them with the Hexagone, its code says
  "TODO: improve"; no canteen of the demo or the tests is there.)
- ``CAMPAIGNS``: what each declaration year counts, after ma cantine's
  ``Purchase._complete_diag_data`` (``data/models/purchase.py``): before 2025 "France" is the
  lines of French origin; in 2025 only it is French origin ∪ short chain ∪ local; from 2026
  French origin again, and the European origin is reported beside it. The meat-and-fish
  target (≥ 60 % EGalim among meat and fish, 100 % in the State's own restaurants) is in
  force from 2024 (loi Climat et résilience art. 257), in the Hexagone only.

Percentages are stored with two decimals, rounded as ma cantine's ``round(100 * part / total,
2)`` on ``Decimal`` does (``Diagnostic.compute_pourcentage_bio``: ``ROUND_HALF_EVEN``, Python's
default context), and a target is met when that two-decimal figure is at least the threshold
(``objectifs_egalim_atteints``): 19.95 % organic is not 20 %.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import ROUND_HALF_EVEN, Decimal

from cantine.vocabulary import HEXAGONE_TARGETS_PCT

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Target:
    territory: str
    bio: Decimal  # percent
    egalim: Decimal  # percent, organic included
    meat_fish: Decimal | None  # percent EGalim among meat and fish, None where not set


@dataclass(frozen=True)
class Campaign:
    """What one declaration year counts (one row per year; later years keep the last row)."""

    year: int
    france: tuple[str, ...]  # the share sums that "France" is the union of
    europe_reported: bool  # ma cantine asks for the European origin (from 2026)
    meat_fish_target: bool  # the meat-and-fish target is in force
    rounding: str = ROUND_HALF_EVEN  # of the two-decimal percentages
    percent_places: Decimal = CENT


FRANCE_ORIGIN = ("france",)
FRANCE_2025 = ("france_2025",)  # French origin, short chain or local (one sum, each line once)

CAMPAIGNS: dict[int, Campaign] = {
    campaign.year: campaign
    for campaign in (
        Campaign(2022, FRANCE_ORIGIN, europe_reported=False, meat_fish_target=False),
        Campaign(2023, FRANCE_ORIGIN, europe_reported=False, meat_fish_target=False),
        Campaign(2024, FRANCE_ORIGIN, europe_reported=False, meat_fish_target=True),
        Campaign(2025, FRANCE_2025, europe_reported=False, meat_fish_target=True),
        Campaign(2026, FRANCE_ORIGIN, europe_reported=True, meat_fish_target=True),
    )
}


def campaign(year: int | None) -> Campaign:
    """The rules of ``year``'s declaration; a year after the last row keeps the last rules,
    a year before the first keeps the first, and no year means the latest."""
    years = sorted(CAMPAIGNS)
    if year is None:
        return CAMPAIGNS[years[-1]]
    return CAMPAIGNS[min(max(year, years[0]), years[-1])]


def percent(part, whole, year: int | None = None) -> Decimal | None:
    """``100 * part / whole`` with two decimals, as ma cantine stores it; None when whole is 0."""
    if not whole:
        return None
    rules = campaign(year)
    return (Decimal(100) * Decimal(part) / Decimal(whole)).quantize(
        rules.percent_places, rounding=rules.rounding
    )


def met(pct: Decimal | None, threshold: Decimal | None) -> bool | None:
    """ma cantine's verdict: the two-decimal figure at least the threshold; None: no target."""
    if threshold is None or pct is None:
        return None
    return pct >= threshold


HEXAGONE = Target(
    "Hexagone et Corse",
    Decimal(HEXAGONE_TARGETS_PCT["organic"]),
    Decimal(HEXAGONE_TARGETS_PCT["egalim"]),
    Decimal(60),
)
STATE_MEAT_FISH = Decimal(100)  # the State's own restaurants: all their meat and fish
_GROUP_1 = (Decimal(5), Decimal(20), None)

# Keys are COG region codes (the collectivities are their own region in the COG).
TERRITORIES: dict[str, Target | None] = {
    "01": Target("Guadeloupe", *_GROUP_1),
    "02": Target("Martinique", *_GROUP_1),
    "03": Target("Guyane", *_GROUP_1),
    "04": Target("La Réunion", *_GROUP_1),
    "978": Target("Saint-Martin", *_GROUP_1),
    "06": Target("Mayotte", Decimal(2), Decimal(5), None),
    "975": Target("Saint-Pierre-et-Miquelon", Decimal(10), Decimal(30), None),
    "977": None,  # Saint-Barthélemy
    "984": None,  # Terres australes et antarctiques françaises
    "986": None,  # Wallis-et-Futuna
    "987": None,  # Polynésie française
    "988": None,  # Nouvelle-Calédonie
    "989": None,  # Île de Clipperton
}
BY_REGION = TERRITORIES  # the name earlier code used


def target_for_region(
    region_code: str,
    zone: str = "metro",
    year: int | None = None,
    state_restaurant: bool = False,
) -> Target | None:
    target = TERRITORIES.get(region_code, HEXAGONE if zone == "metro" else None)
    if target is None or target.meat_fish is None:
        return target
    if not campaign(year).meat_fish_target:
        return replace(target, meat_fish=None)
    if state_restaurant:
        return replace(target, meat_fish=STATE_MEAT_FISH)
    return target


def is_state_restaurant(canteen) -> bool:
    """Declared on the canteen's ma cantine account (``MaCantineLink.state_restaurant``)."""
    from django.core.exceptions import ObjectDoesNotExist

    try:
        return bool(canteen.macantine_link.state_restaurant)
    except (ObjectDoesNotExist, AttributeError):
        return False


def target_for(canteen, year: int | None = None) -> Target | None:
    """The canteen's territory and year decide; ``commune__department__region`` is read once."""
    region = canteen.commune.department.region
    return target_for_region(region.code, region.zone, year, is_state_restaurant(canteen))
