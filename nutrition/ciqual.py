"""Import edge for the CIQUAL, AGRIBALYSE and seasonality files shipped in ``nutrition/data``.

Everything is read as text (the stdlib ``csv`` module never coerces a cell) so that the official
strings survive until they are parsed here, on purpose, one quirk at a time:

- decimal comma (``"18,2"``), the CIQUAL convention;
- ``-`` or an empty cell: the value is *missing* (unknown), never zero;
- ``traces``: present but not quantified;
- ``< 0,5`` (sometimes with a line break after ``<``): below the quantification limit.

For computation, ``traces`` and ``below_limit`` count as 0 (with ``kind`` kept as the flag)
while ``missing`` stays ``None`` so that callers must decide what unknown means.

The stdlib reader is used rather than pandas because it reports the physical line number of each
record (a few CIQUAL cells contain line breaks, so record index != line number), which is what a
person fixing a file needs.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
CIQUAL_PATH = DATA_DIR / "ciqual_2025_canteen_subset.csv"
AGRIBALYSE_PATH = DATA_DIR / "agribalyse_3.0.1_synthese.csv"
SEASONS_PATH = DATA_DIR / "fruits_legumes_saisons.csv"


class NutrientKind(StrEnum):
    EXACT = "exact"
    TRACES = "traces"
    BELOW_LIMIT = "below_limit"
    MISSING = "missing"


@dataclass(frozen=True)
class NutrientValue:
    """One CIQUAL cell: the amount to compute with, what kind of value it is, and the raw text.

    ``amount`` is the value for ``exact``, 0 for ``traces`` and ``below_limit`` and ``None`` for
    ``missing``. ``limit`` keeps the quantification limit of a ``< x`` cell.
    """

    amount: Decimal | None
    kind: NutrientKind
    raw: str
    limit: Decimal | None = None

    @property
    def is_estimate(self) -> bool:
        """True when the amount 0 stands for traces or a value below the quantification limit."""
        return self.kind in (NutrientKind.TRACES, NutrientKind.BELOW_LIMIT)


_NUMBER = re.compile(r"^\d+(?:[.,]\d+)?$")
_BELOW = re.compile(r"^<\s*(\d+(?:[.,]\d+)?)$")


def parse_decimal(text: str) -> Decimal:
    """Parse a non-negative French-style number ("18,2" or "18.2"); raise ValueError otherwise."""
    cleaned = text.strip()
    if not _NUMBER.match(cleaned):
        raise ValueError(f"not a number: {text!r}")
    return Decimal(cleaned.replace(",", "."))


def parse_nutrient(raw: str) -> NutrientValue:
    """Parse one official CIQUAL cell; raise ValueError on anything that is not a known form."""
    text = " ".join(raw.split())  # collapses the line break seen in "<\n0,03"
    lowered = text.lower()
    if lowered in ("", "-"):
        return NutrientValue(None, NutrientKind.MISSING, raw)
    if lowered == "traces":
        return NutrientValue(Decimal(0), NutrientKind.TRACES, raw)
    below = _BELOW.match(text)
    if below:
        limit = Decimal(below.group(1).replace(",", "."))
        return NutrientValue(Decimal(0), NutrientKind.BELOW_LIMIT, raw, limit=limit)
    if _NUMBER.match(text):
        return NutrientValue(parse_decimal(text), NutrientKind.EXACT, raw)
    raise ValueError(f"unreadable value {raw!r}")


# Stable English keys -> exact CIQUAL 2025 column headers (see ciqual_2025_constituents.csv).
NUTRIENT_COLUMNS: dict[str, str] = {
    "energy_kcal": "Energie, Règlement UE N° 1169/2011 (kcal/100 g)",
    "energy_kj": "Energie, Règlement UE N° 1169/2011 (kJ/100 g)",
    "water": "Eau (g/100 g)",
    "protein": "Protéines, N x facteur de Jones (g/100 g)",
    "fat": "Lipides (g/100 g)",
    "saturated_fat": "AG saturés (g/100 g)",
    "carbohydrate": "Glucides (g/100 g)",
    "sugars": "Sucres (g/100 g)",
    "fibre": "Fibres alimentaires (g/100 g)",
    "salt": "Sel chlorure de sodium (g/100 g)",
    "calcium": "Calcium (mg/100 g)",
    "iron": "Fer (mg/100 g)",
    "vitamin_c": "Vitamine C (mg/100 g)",
}
NUTRIENT_UNITS: dict[str, str] = {
    key: column.rsplit("(", 1)[1].split("/")[0] for key, column in NUTRIENT_COLUMNS.items()
}
ID_COLUMNS: dict[str, str] = {
    "code": "alim_code",
    "name": "alim_nom_fr",
    "group_code": "alim_grp_code",
    "group_name": "alim_grp_nom_fr",
    "subgroup_name": "alim_ssgrp_nom_fr",
    "subsubgroup_name": "alim_ssssgrp_nom_fr",
}


@dataclass(frozen=True)
class CiqualFood:
    """One food of the table; nutrients are per 100 g, keyed by ``NUTRIENT_COLUMNS`` keys."""

    code: str
    name: str
    group_code: str
    group_name: str | None
    subgroup_name: str | None
    subsubgroup_name: str | None
    nutrients: Mapping[str, NutrientValue]

    def amount(self, key: str) -> Decimal | None:
        """Amount per 100 g to compute with (0 for traces/below limit, None when missing)."""
        return self.nutrients[key].amount

    def amounts(self) -> dict[str, Decimal | None]:
        return {key: value.amount for key, value in self.nutrients.items()}


@dataclass(frozen=True)
class RowError:
    line: int
    message: str
    column: str | None = None

    def __str__(self) -> str:
        where = f"line {self.line}"
        if self.column:
            where += f", column {self.column!r}"
        return f"{where}: {self.message}"


@dataclass
class CiqualImportReport:
    """What an import read: how many foods and, per nutrient, how many values of each kind."""

    path: str
    foods_read: int = 0
    counts: dict[str, dict[NutrientKind, int]] = field(
        default_factory=lambda: {key: dict.fromkeys(NutrientKind, 0) for key in NUTRIENT_COLUMNS}
    )
    row_errors: list[RowError] = field(default_factory=list)

    def count(self, nutrient: str, kind: NutrientKind | str) -> int:
        return self.counts[nutrient][NutrientKind(kind)]

    def total(self, kind: NutrientKind | str) -> int:
        return sum(per_kind[NutrientKind(kind)] for per_kind in self.counts.values())

    def summary(self) -> str:
        """One line per nutrient, for management commands to print."""
        lines = [f"{self.foods_read} foods read from {self.path}"]
        for key, per_kind in self.counts.items():
            parts = ", ".join(f"{kind.value} {n}" for kind, n in per_kind.items())
            lines.append(f"  {key}: {parts}")
        return "\n".join(lines)


class DataFormatError(ValueError):
    """A data file cannot be imported; ``errors`` lists every bad row with its line number."""

    def __init__(self, path: str | Path, errors: list[RowError]):
        self.path = str(path)
        self.errors = list(errors)
        listed = "\n".join(f"  {error}" for error in self.errors)
        super().__init__(f"{self.path}: {len(self.errors)} problem(s), nothing imported:\n{listed}")


class CiqualFormatError(DataFormatError):
    def __init__(self, path: str | Path, errors: list[RowError], report: CiqualImportReport):
        self.report = report
        super().__init__(path, errors)


@dataclass(frozen=True)
class CiqualImport:
    foods: list[CiqualFood]
    report: CiqualImportReport


def _records(path: Path) -> Iterator[tuple[int, list[str], list[str]]]:
    """Yield (first physical line, header, cells) for each non-blank record."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            raise DataFormatError(path, [RowError(1, "empty file")])
        header = [column.strip() for column in header]
        next_line = reader.line_num + 1
        for cells in reader:
            line, next_line = next_line, reader.line_num + 1
            if any(cell.strip() for cell in cells):
                yield line, header, cells


def _check_header(path: Path, header: list[str], required: list[str]) -> None:
    missing = [column for column in required if column not in header]
    if missing:
        errors = [RowError(1, "required column is absent", column) for column in missing]
        raise DataFormatError(path, errors)


def _read_header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle), None)
    if header is None:
        raise DataFormatError(path, [RowError(1, "empty file")])
    return [column.strip() for column in header]


def _optional_name(text: str) -> str | None:
    cleaned = text.strip()
    return None if cleaned in ("", "-") else cleaned


def _parse_food(
    line: int, row: dict[str, str], errors: list[RowError]
) -> tuple[CiqualFood | None, dict[str, NutrientValue]]:
    before = len(errors)
    code = row[ID_COLUMNS["code"]].strip()
    name = row[ID_COLUMNS["name"]].strip()
    if not code.isdigit():
        errors.append(RowError(line, f"food code {code!r} is not a number", ID_COLUMNS["code"]))
    if not name:
        errors.append(RowError(line, "food name is empty", ID_COLUMNS["name"]))
    nutrients: dict[str, NutrientValue] = {}
    for key, column in NUTRIENT_COLUMNS.items():
        try:
            nutrients[key] = parse_nutrient(row[column])
        except ValueError as exc:
            errors.append(RowError(line, str(exc), column))
    if len(errors) > before:
        return None, nutrients
    food = CiqualFood(
        code=code,
        name=name,
        group_code=row[ID_COLUMNS["group_code"]].strip(),
        group_name=_optional_name(row[ID_COLUMNS["group_name"]]),
        subgroup_name=_optional_name(row[ID_COLUMNS["subgroup_name"]]),
        subsubgroup_name=_optional_name(row[ID_COLUMNS["subsubgroup_name"]]),
        nutrients=nutrients,
    )
    return food, nutrients


def import_ciqual(path: str | Path = CIQUAL_PATH) -> CiqualImport:
    """Read the whole table or nothing: any bad row raises CiqualFormatError listing all of them."""
    path = Path(path)
    required = list(ID_COLUMNS.values()) + list(NUTRIENT_COLUMNS.values())
    _check_header(path, _read_header(path), required)
    report = CiqualImportReport(path=str(path))
    foods: list[CiqualFood] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for line, header, cells in _records(path):
        if len(cells) != len(header):
            errors.append(RowError(line, f"{len(cells)} cells, expected {len(header)}"))
            continue
        row = dict(zip(header, cells, strict=True))
        food, nutrients = _parse_food(line, row, errors)
        if food is None:
            continue
        if food.code in seen:
            errors.append(
                RowError(line, f"food code {food.code} already on line {seen[food.code]}")
            )
            continue
        seen[food.code] = line
        foods.append(food)
        for key, value in nutrients.items():
            report.counts[key][value.kind] += 1
    report.foods_read = len(foods)
    report.row_errors = errors
    if errors:
        raise CiqualFormatError(path, errors, report)
    return CiqualImport(foods=foods, report=report)


def read_ciqual(path: str | Path = CIQUAL_PATH) -> list[CiqualFood]:
    """All foods of a CIQUAL file (see ``import_ciqual`` for the report)."""
    return import_ciqual(path).foods


# --- AGRIBALYSE -------------------------------------------------------------------------------

AGB_CODE = "Code AGB"
AGB_CIQUAL_CODE = "Code CIQUAL"
AGB_CLIMATE = "Changement climatique (kg CO2 eq/kg de produit)"
AGB_SEASONALITY = "Saisonnalité"
AGB_AIR = "Transport par avion (1 : par avion)"


def _agribalyse_preference(row: dict[str, str]) -> tuple[int, int]:
    """Lower is preferred: the French consumption mix, not flown in.

    Four CIQUAL codes have several AGRIBALYSE variants (strawberry and tomato in/out of season,
    mango and green beans by air or not); the mix that a canteen buys by default is kept.
    """
    not_mix = 0 if row[AGB_SEASONALITY].strip() == "mix de consommation FR" else 1
    by_air = 1 if row[AGB_AIR].strip() == "1" else 0
    return (by_air, not_mix)


def read_agribalyse(path: str | Path = AGRIBALYSE_PATH) -> dict[str, Decimal]:
    """kg CO2e per kg of product, keyed by CIQUAL code; missing values are left out, not zeroed."""
    path = Path(path)
    _check_header(path, _read_header(path), [AGB_CODE, AGB_CIQUAL_CODE, AGB_CLIMATE])
    chosen: dict[str, tuple[tuple[int, int], Decimal]] = {}
    errors: list[RowError] = []
    for line, header, cells in _records(path):
        if len(cells) != len(header):
            errors.append(RowError(line, f"{len(cells)} cells, expected {len(header)}"))
            continue
        row = dict(zip(header, cells, strict=True))
        row.setdefault(AGB_SEASONALITY, "mix de consommation FR")
        row.setdefault(AGB_AIR, "0")
        code = row[AGB_CIQUAL_CODE].strip()
        raw = row[AGB_CLIMATE].strip()
        if not code.isdigit():
            errors.append(RowError(line, f"CIQUAL code {code!r} is not a number", AGB_CIQUAL_CODE))
            continue
        if raw in ("", "-"):
            continue
        try:
            value = parse_decimal(raw)
        except ValueError as exc:
            errors.append(RowError(line, str(exc), AGB_CLIMATE))
            continue
        rank = _agribalyse_preference(row)
        if code not in chosen or rank < chosen[code][0]:
            chosen[code] = (rank, value)
    if errors:
        raise DataFormatError(path, errors)
    return {code: value for code, (_rank, value) in chosen.items()}


# --- Seasons ----------------------------------------------------------------------------------

MONTHS_FR = {
    "janvier": 1,
    "fevrier": 2,
    "mars": 3,
    "avril": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "aout": 8,
    "septembre": 9,
    "octobre": 10,
    "novembre": 11,
    "decembre": 12,
}


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def read_seasons(path: str | Path = SEASONS_PATH) -> dict[str, frozenset[int]]:
    """Months (1-12) in season for each fruit or vegetable name.

    The month number is authoritative; the month name must agree with it (accents optional:
    the file spells both "decembre" and "décembre").
    """
    path = Path(path)
    _check_header(path, _read_header(path), ["aliment", "mois", "int_mois"])
    months: dict[str, set[int]] = {}
    errors: list[RowError] = []
    for line, header, cells in _records(path):
        if len(cells) != len(header):
            errors.append(RowError(line, f"{len(cells)} cells, expected {len(header)}"))
            continue
        row = dict(zip(header, cells, strict=True))
        name = row["aliment"].strip()
        number = row["int_mois"].strip()
        if not name:
            errors.append(RowError(line, "empty name", "aliment"))
            continue
        if not number.isdigit() or not 1 <= int(number) <= 12:
            errors.append(RowError(line, f"month {number!r} is not 1-12", "int_mois"))
            continue
        month_name = row["mois"].strip()
        named = MONTHS_FR.get(_strip_accents(month_name.lower()))
        if month_name and named is None:
            errors.append(RowError(line, f"unknown month name {month_name!r}", "mois"))
            continue
        if named is not None and named != int(number):
            errors.append(RowError(line, f"{row['mois']!r} is not month {number}", "mois"))
            continue
        months.setdefault(name, set()).add(int(number))
    if errors:
        raise DataFormatError(path, errors)
    return {name: frozenset(values) for name, values in months.items()}
