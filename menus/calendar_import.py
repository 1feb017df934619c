"""Import school holidays from the Ministry's official calendar export.

The file is the "Calendrier scolaire" dataset of data.education.gouv.fr
(``fr-en-calendrier-scolaire``, CSV with ``;``): one row per académie and holiday, with
Description, Population, Date de début, Date de fin, Académies, Zones, annee_scolaire.
"Date de fin" is the day classes resume, so the last day off is the day before. Rows for
teachers only are left out (pupils are who eats); zones outside the canteens' départements
(Polynésie, Nouvelle-Calédonie...) too. Importing twice changes nothing.

A service module: its writes take keyword arguments only, the acting user as ``actor``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction

from menus.models import SchoolHolidayPeriod
from menus.school_calendar import DATASET_ZONES

PARIS = ZoneInfo("Europe/Paris")
PUPILS = {"", "-", "Élèves"}
COLUMNS = ("Description", "Date de début", "Date de fin", "Zones")


@dataclass
class ImportReport:
    created: int = 0
    kept: int = 0
    skipped: int = 0
    problems: list[str] = field(default_factory=list)


def _day(value: str) -> date:
    """A date of the export: a bare date, or a timestamp read in Paris time."""
    moment = datetime.fromisoformat(value.strip())
    if moment.tzinfo is not None:
        moment = moment.astimezone(PARIS)
    return moment.date()


@transaction.atomic
def import_calendar(*, text: str, source: str) -> ImportReport:
    report = ImportReport()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=";")
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        report.problems.append(f"missing columns: {', '.join(missing)}")
        return report
    for line, row in enumerate(reader, start=2):
        zone = DATASET_ZONES.get((row.get("Zones") or "").strip())
        if zone is None or (row.get("Population") or "").strip() not in PUPILS:
            report.skipped += 1
            continue
        try:
            first, resume = _day(row["Date de début"]), _day(row["Date de fin"])
        except ValueError:
            report.problems.append(f"line {line}: unreadable dates")
            continue
        last = max(first, resume - timedelta(days=1))
        _period, created = SchoolHolidayPeriod.objects.get_or_create(
            zone=zone,
            name=row["Description"].strip(),
            first_day=first,
            defaults={"last_day": last, "source": source[:300]},
        )
        report.created += int(created)
        report.kept += int(not created)
    return report
