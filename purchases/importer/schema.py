"""ma cantine's import format as data (its Table Schema and categories, shipped in
``purchases/data``), and what a parse answers: rows, row errors, notices."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from cantine.labels import Label
from cantine.local import LocalScope
from cantine.uploads import MAX_ERRORS
from purchases.models import Family, Origin

DATA = Path(__file__).resolve().parent.parent / "data"
SCHEMA = json.loads((DATA / "macantine_schema_import_achats_siret.json").read_text("utf-8"))
CATEGORIES = json.loads((DATA / "macantine_achats_categories_labels.json").read_text("utf-8"))

COLUMNS = [f["name"] for f in SCHEMA["fields"]]
REQUIRED = {f["name"] for f in SCHEMA["fields"] if f.get("constraints", {}).get("required")}
_BOOLEAN = next(f for f in SCHEMA["fields"] if f["type"] == "boolean")
TRUE_VALUES = set(_BOOLEAN["trueValues"])  # exact, as Table Schema compares them
FALSE_VALUES = set(_BOOLEAN["falseValues"])

# The old format (``data/schemas/imports/achats_siret_old.json`` upstream): one
# ``caracteristiques`` column instead of the four of the current format, no distance.
OLD_COLUMNS = [*COLUMNS[:6], "caracteristiques", "definition_local"]
ID_COLUMN = "cantine_id"  # ``achats_id.json`` / ``achats_id_old.json``: the canteen's ma cantine id
LATE_COLUMN = "definition_local_km"  # added last upstream; ma cantine's example files lack it

CATEGORY_TO_LABEL = {
    entry["value"]: Label(entry["value"]) for entry in CATEGORIES["categoriesEgalim"].values()
}
FAMILIES = set(Family.values)
ORIGINS = {entry["value"] for entry in CATEGORIES["categoriesOrigines"].values()}
LOCAL_DEFINITIONS = {entry["value"] for entry in CATEGORIES["definitionLocal"].values()}
assert set(LocalScope) == LOCAL_DEFINITIONS, "local definitions drifted from cantine.local"
assert set(Origin.values) >= ORIGINS

# ma cantine's ``Purchase.Characteristic`` codes that are not EGalim labels (old format only).
CIRCUIT_COURT = "CIRCUIT_COURT"
LOCAL = "LOCAL"
OLD_CHARACTERISTICS = {*CATEGORY_TO_LABEL, *ORIGINS, CIRCUIT_COURT, LOCAL}
# Old ``definition_local`` values and what ma cantine's old import makes of them
# (``PurchasesImportOldView._get_definition_local`` / ``_get_definition_local_km``).
OLD_LOCAL_DEFINITIONS = {
    "AUTOUR_SERVICE": (LocalScope.KM, 200),
    "AUTRE": (LocalScope.KM, None),
    **{scope.value: (scope, None) for scope in LocalScope if scope != LocalScope.KM},
}

DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")
NUMBER_PATTERN = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
INTEGER_PATTERN = re.compile(r"^\+?\d+$")
CENT = Decimal("0.01")
MAX_PRICE = Decimal("999999999999999999.99")  # ma cantine's prix_ht: 20 digits, 2 decimals
XLSX_MAGIC = b"PK\x03\x04"
# Issue 7 imports 100,000 lines in a few seconds; a year of a large central kitchen is less.
MAX_ROWS = 100_000


@dataclass(frozen=True)
class RowError:
    line: int  # 0 for the file as a whole, 1 for the header
    column: str
    code: str  # stable, for programs and tests
    message: str  # for people
    value: str = ""


@dataclass
class ParsedRow:
    line: int
    siret: str  # the canteen's key: a SIRET, or its ma cantine id in a ``cantine_id`` file
    values: dict  # Purchase field -> value, canteen excluded


@dataclass
class ParseResult:
    file_name: str
    sha256: str
    rows: list[ParsedRow] = field(default_factory=list)
    sirets: dict[int, str] = field(default_factory=dict)  # line -> canteen key, valid or not
    errors: list[RowError] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    identifier: str = "siret"  # or ID_COLUMN
    old_format: bool = False
    error_count: int = 0  # every problem found; ``errors`` keeps the first MAX_ERRORS

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def more_errors(self) -> int:
        return self.error_count - len(self.errors)

    def add_error(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(error)

    def error_lines(self) -> list[int]:
        return sorted({e.line for e in self.errors})


class FileError(Exception):
    """The file as a whole cannot be read; nothing row by row makes sense."""

    def __init__(self, code: str, message: str, errors: list[RowError] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.errors = errors or [RowError(0, "", code, message)]
