"""The days a school kitchen does not cook: public holidays and school holidays of its zone.

Pure Python (no Django), so the planner, the needs and the tests read one definition.

- Public holidays come from the ``holidays`` package (maintained, pinned): metropolitan
  France, with Good Friday and Saint Stephen's Day for Alsace-Moselle (départements 57, 67,
  68) and the abolition of slavery day and local holidays of each overseas département.
- School holidays of zones A, B and C come from ``vacances-scolaires-france`` (pinned), which
  ships the data.gouv.fr dataset "Vacances scolaires par zones" inside its wheel and reads it
  offline. Corse and the overseas académies have calendars set by their rectors that the
  package does not hold: their periods are imported from the Ministry's official
  "fr-en-calendrier-scolaire" export (``python manage.py import_school_calendar FILE``) and
  passed here as ``extra`` periods, never typed by hand.

Zones follow the académies (arrêté du 22 octobre 2025 fixing the calendar 2026-2027 to
2028-2029): since the 2016 regions every académie of a metropolitan region sits in the same
zone, so a canteen's zone is derived from its département's region, and stays editable.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import holidays
from vacances_scolaires_france import SchoolHolidayDates, UnsupportedYearException

# Zone codes as stored on a canteen's calendar; A, B, C are the national zones.
NATIONAL_ZONES = ("A", "B", "C")
OTHER_ZONES = ("corse", "guadeloupe", "martinique", "guyane", "reunion", "mayotte")
NO_ZONE = "none"  # a canteen that cooks through the school holidays

# Region (COG 2026 code) -> school zone, from the académies each region holds.
REGION_ZONES = {
    "11": "C",  # Île-de-France: Créteil, Paris, Versailles
    "24": "B",  # Centre-Val de Loire: Orléans-Tours
    "27": "A",  # Bourgogne-Franche-Comté: Besançon, Dijon
    "28": "B",  # Normandie
    "32": "B",  # Hauts-de-France: Amiens, Lille
    "44": "B",  # Grand Est: Nancy-Metz, Reims, Strasbourg
    "52": "B",  # Pays de la Loire: Nantes
    "53": "B",  # Bretagne: Rennes
    "75": "A",  # Nouvelle-Aquitaine: Bordeaux, Limoges, Poitiers
    "76": "C",  # Occitanie: Montpellier, Toulouse
    "84": "A",  # Auvergne-Rhône-Alpes: Clermont-Ferrand, Grenoble, Lyon
    "93": "B",  # Provence-Alpes-Côte d'Azur: Aix-Marseille, Nice
    "94": "corse",
    "01": "guadeloupe",
    "02": "martinique",
    "03": "guyane",
    "04": "reunion",
    "06": "mayotte",
}
# The official dataset names the zone of these académies after the académie itself.
DATASET_ZONES = {
    "Zone A": "A",
    "Zone B": "B",
    "Zone C": "C",
    "Corse": "corse",
    "Guadeloupe": "guadeloupe",
    "Martinique": "martinique",
    "Guyane": "guyane",
    "Réunion": "reunion",
    "Mayotte": "mayotte",
}

# Département -> subdivision of holidays.France: Alsace (67, 68) and Moselle (57) keep their
# local law holidays; the overseas départements are subdivisions under their own code.
_SUBDIVISIONS = {"57": "57", "67": "6AE", "68": "6AE"}
_OVERSEAS = ("971", "972", "973", "974", "976")


@dataclass(frozen=True)
class Period:
    """School holidays of one zone: the first and the last day without class."""

    zone: str
    name: str
    first_day: date
    last_day: date


def zone_for_region(region_code: str) -> str:
    """The school zone of a region's académies; no zone for a territory outside them."""
    return REGION_ZONES.get(region_code, NO_ZONE)


def holiday_subdivision(department_code: str) -> str | None:
    if department_code in _OVERSEAS:
        return department_code
    return _SUBDIVISIONS.get(department_code)


def _years(start: date, end: date) -> list[int]:
    return list(range(start.year, end.year + 1))


def public_holidays(department_code: str, start: date, end: date) -> dict[date, str]:
    """{day: French name} of the public holidays of a département in [start, end]."""
    table = holidays.France(
        years=_years(start, end), subdiv=holiday_subdivision(department_code), language="fr"
    )
    return {day: name for day, name in sorted(table.items()) if start <= day <= end}


@cache
def _national_dates() -> SchoolHolidayDates:
    return SchoolHolidayDates()  # reads the CSV inside the package once


def school_holidays(
    zone: str, start: date, end: date, extra: Iterable[Period] = ()
) -> dict[date, str]:
    """{day: holiday name} of a zone's school holidays in [start, end].

    Zones A, B and C read the package; every zone also takes the ``extra`` periods imported
    from the official dataset (Corse and overseas, or years the package does not hold yet).
    """
    days: dict[date, str] = {}
    if zone in NATIONAL_ZONES:
        table = _national_dates()
        for year in _years(start, end):
            try:
                rows = table.holidays_for_year_and_zone(year, zone)
            except UnsupportedYearException:
                continue
            for day, row in rows.items():
                if start <= day <= end:
                    days[day] = row["nom_vacances"]
    for period in extra:
        if period.zone != zone:
            continue
        day = max(start, period.first_day)
        while day <= min(end, period.last_day):
            days.setdefault(day, period.name)
            day += timedelta(days=1)
    return dict(sorted(days.items()))


def covered_years(zone: str) -> tuple[int, int] | None:
    """First and last calendar years the package holds for a national zone."""
    if zone not in NATIONAL_ZONES:
        return None
    table = _national_dates()
    return table.min_year, table.max_year
