"""Use cases that write shared data: the geography of France."""

import csv
from pathlib import Path

from django.db import transaction

from cantine.models import Canteen, Commune, CoverForecast, Department, Region

GEO_DIR = Path(__file__).resolve().parent / "data" / "geo"
COMMUNES_FILE = "communes_cog_2026_decoupage-administratif.csv"
DEPARTMENTS_FILE = "departements_cog_2026_decoupage-administratif.csv"
REGIONS_FILE = "regions_cog_2026_decoupage-administratif.csv"


def _rows(path: Path):
    with path.open(newline="", encoding="utf-8") as handle:
        yield from csv.DictReader(handle)


@transaction.atomic
def load_geography(*, directory: Path = GEO_DIR) -> dict[str, int]:
    """Create or update regions, departments and communes from the COG files.

    Idempotent: rows are upserted by INSEE code, coordinates already known are kept.
    """
    regions = [
        Region(code=row["code"], name=row["nom"], zone=row["zone"])
        for row in _rows(directory / REGIONS_FILE)
    ]
    Region.objects.bulk_create(
        regions, update_conflicts=True, unique_fields=["code"], update_fields=["name", "zone"]
    )
    departments = [
        Department(code=row["code"], name=row["nom"], region_id=row["region"])
        for row in _rows(directory / DEPARTMENTS_FILE)
    ]
    Department.objects.bulk_create(
        departments,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "region"],
    )
    known_departments = {d.code for d in departments}
    communes = [
        Commune(
            code=row["code_insee"],
            name=row["nom"],
            department_id=row["departement"],
            postal_codes=row["codes_postaux"].replace(";", " "),
            population=int(row["population"]) if row["population"] else None,
        )
        for row in _rows(directory / COMMUNES_FILE)
        if row["departement"] in known_departments
    ]
    Commune.objects.bulk_create(
        communes,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "department", "postal_codes", "population"],
    )
    return {"regions": len(regions), "departments": len(departments), "communes": len(communes)}


@transaction.atomic
def load_commune_centres(*, path: Path, code_column: str, lat_column: str, lon_column: str) -> int:
    """Fill missing commune coordinates from a file giving each commune's centre."""
    centres: dict[str, tuple[float, float]] = {}
    for row in _rows(path):
        if row[lat_column] and row[lon_column]:
            centres[row[code_column]] = (float(row[lat_column]), float(row[lon_column]))
    to_update = list(Commune.objects.filter(code__in=centres, latitude__isnull=True))
    for commune in to_update:
        commune.latitude, commune.longitude = centres[commune.code]
    Commune.objects.bulk_update(to_update, ["latitude", "longitude"], batch_size=2000)
    return len(to_update)


@transaction.atomic
def set_cover_forecasts(*, canteen: Canteen, grid: dict[tuple[str, int], int]) -> None:
    """Replace a canteen's forecast for the given (age group, weekday) cells."""
    for (age_group, weekday), covers in grid.items():
        CoverForecast.objects.update_or_create(
            canteen=canteen,
            age_group=age_group,
            weekday=weekday,
            defaults={"covers": covers},
        )
