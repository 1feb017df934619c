"""Read a purchases file in the national "ma cantine" SIRET format and check every row.

The format is the Table Schema in ``purchases/data/macantine_schema_import_achats_siret.json``
(MIT, beta.gouv.fr). Its users' top complaints are files rejected for one extra column and
errors they cannot understand (domain.md §3), so this reader is tolerant where the meaning is
clear and precise where it is not:

- separators ``,`` ``;`` or tab are sniffed from the header; UTF-8 (with or without BOM), with a
  Windows-1252 fallback; XLSX read with openpyxl;
- columns are matched by name: extra columns are ignored and reordered columns read by name,
  each with a notice; a missing optional column is a notice, a missing required one an error;
- booleans: ``OUI``/``oui``/``x`` (any case) mean yes; per the schema's description any other
  value means no (a notice lists values that were not ``non``/``NON``/empty);
- prices: the schema asks for a decimal point; a lone decimal comma (``90,11``) is read as
  such, since spreadsheets in French write it; anything else is an error, as is a negative one;
- ``definition_local`` is required when ``est_local`` is yes (the platform's own rule), and
  ``definition_local_km`` only goes with the ``KM`` definition.

Every bad row is reported with its line number in the file (the header is line 1), its column
and the reason; callers import nothing unless every row is valid.

``categories_egalim`` codes map one-to-one onto :class:`cantine.labels.Label`: cantine chose the
platform's codes for its labels (BIO includes "en conversion"), so ``CATEGORY_TO_LABEL`` below
is the identity on the twelve codes of ``macantine_achats_categories_labels.json``, built from
that file so that a code added upstream fails loudly here rather than silently.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

from django.utils.translation import gettext as _

from cantine.labels import Label
from cantine.local import LocalScope
from purchases.models import Family, Origin

DATA = Path(__file__).resolve().parent / "data"
SCHEMA = json.loads((DATA / "macantine_schema_import_achats_siret.json").read_text("utf-8"))
CATEGORIES = json.loads((DATA / "macantine_achats_categories_labels.json").read_text("utf-8"))

COLUMNS = [f["name"] for f in SCHEMA["fields"]]
REQUIRED = {f["name"] for f in SCHEMA["fields"] if f.get("constraints", {}).get("required")}
_BOOLEAN = next(f for f in SCHEMA["fields"] if f["type"] == "boolean")
TRUE_VALUES = {v.lower() for v in _BOOLEAN["trueValues"]}
FALSE_VALUES = {v.lower() for v in _BOOLEAN["falseValues"]}

CATEGORY_TO_LABEL = {
    entry["value"]: Label(entry["value"]) for entry in CATEGORIES["categoriesEgalim"].values()
}
FAMILIES = set(Family.values)
ORIGINS = {entry["value"] for entry in CATEGORIES["categoriesOrigines"].values()}
LOCAL_DEFINITIONS = {entry["value"] for entry in CATEGORIES["definitionLocal"].values()}
assert set(LocalScope) == LOCAL_DEFINITIONS, "local definitions drifted from cantine.local"
assert set(Origin.values) >= ORIGINS

DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")
NUMBER_PATTERN = re.compile(r"^-?\d+(\.\d+)?$")
CENT = Decimal("0.01")
MAX_PRICE = Decimal("9999999999.99")
XLSX_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class RowError:
    line: int  # 0 for the file as a whole
    column: str
    code: str  # stable, for programs and tests
    message: str  # for people
    value: str = ""


@dataclass
class ParsedRow:
    line: int
    siret: str
    values: dict  # Purchase field -> value, canteen excluded


@dataclass
class ParseResult:
    file_name: str
    sha256: str
    rows: list[ParsedRow] = field(default_factory=list)
    sirets: dict[int, str] = field(default_factory=dict)  # line -> SIRET, valid rows or not
    errors: list[RowError] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def error_lines(self) -> list[int]:
        return sorted({e.line for e in self.errors})


class FileError(Exception):
    """The file as a whole cannot be read; nothing row by row makes sense."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def parse(file_name: str, content: bytes) -> ParseResult:
    """Check every row of a file; resolve nothing in the database (see ``services``)."""
    result = ParseResult(file_name=file_name, sha256=sha256_of(content))
    try:
        header, records = _read_table(file_name, content, result.notices)
        positions = _map_header(header, result.notices)
    except FileError as error:
        result.errors.append(RowError(0, "", error.code, error.message))
        return result
    checker = _RowChecker(result)
    blank = 0
    for line, cells in records:
        if not any(c.strip() for c in cells):
            blank += 1
            continue
        if len(cells) < len(header) or any(c.strip() for c in cells[len(header) :]):
            result.errors.append(
                RowError(
                    line,
                    "",
                    "cell_count",
                    _("This line has %(found)s cells but the header has %(expected)s.")
                    % {"found": len(cells), "expected": len(header)},
                )
            )
            continue
        checker.check(
            line, {c: "" if i is None else cells[i].strip() for c, i in positions.items()}
        )
    checker.finish()
    if blank:
        result.notices.append(_("%(count)s empty lines were skipped.") % {"count": blank})
    if not result.rows and not result.errors:
        result.errors.append(RowError(0, "", "empty", _("The file has no purchase line.")))
    return result


# Reading -------------------------------------------------------------------------------------


def _read_table(file_name: str, content: bytes, notices: list[str]):
    if content.startswith(XLSX_MAGIC) or file_name.lower().endswith(".xlsx"):
        return _read_xlsx(content)
    if file_name.lower().endswith(".xls") or content.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileError("format", _("Old Excel files (.xls) cannot be read: save as .xlsx or CSV."))
    return _read_csv(_decode(content, notices))


def _decode(content: bytes, notices: list[str]) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        notices.append(_("The file is not UTF-8; it was read as Windows-1252 (Excel's default)."))
        return content.decode("cp1252", errors="replace")


def _read_csv(text: str):
    first_line = text.split("\n", 1)[0].rstrip("\r")
    delimiter = max(
        ",;\t", key=lambda d: _known_columns(next(csv.reader([first_line], delimiter=d)))
    )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise FileError("empty", _("The file is empty.")) from None

    def records():
        start = reader.line_num + 1
        for cells in reader:
            yield start, cells
            start = reader.line_num + 1

    return header, records()


def _read_xlsx(content: bytes):
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise FileError("format", _("This Excel file cannot be read.")) from error
    rows = book.worksheets[0].iter_rows(values_only=True)
    try:
        header = [_cell_text(v) for v in next(rows)]
    except StopIteration:
        raise FileError("empty", _("The file is empty.")) from None
    while header and not header[-1]:
        header.pop()

    def records():
        for line, values in enumerate(rows, start=2):
            cells = [_cell_text(v) for v in values]
            cells += [""] * (len(header) - len(cells))
            yield line, cells

    return header, records()


def _cell_text(value) -> str:
    """Spreadsheet cells as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "OUI" if value else "NON"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _known_columns(names) -> int:
    return sum(1 for name in names if _normalise(name) in COLUMNS)


def _normalise(name: str) -> str:
    return name.strip().strip("\ufeff").strip().lower()


def _map_header(header: list[str], notices: list[str]) -> dict[str, int]:
    names = [_normalise(n) for n in header]
    if _known_columns(header) == 0:
        raise FileError(
            "header",
            _("The first line must name the columns: %(columns)s.")
            % {"columns": ", ".join(COLUMNS)},
        )
    duplicated = sorted({n for n in names if n and names.count(n) > 1})
    if duplicated:
        raise FileError(
            "header",
            _("These columns appear twice: %(columns)s.") % {"columns": ", ".join(duplicated)},
        )
    positions = {name: i for i, name in enumerate(names) if name in COLUMNS}
    missing_required = [c for c in COLUMNS if c in REQUIRED and c not in positions]
    if missing_required:
        raise FileError(
            "missing_column",
            _("Required columns are missing: %(columns)s.")
            % {"columns": ", ".join(missing_required)},
        )
    extra = [header[i].strip() for i, n in enumerate(names) if n not in COLUMNS and n]
    if extra:
        notices.append(
            _("Columns not in the ma cantine format were ignored: %(columns)s.")
            % {"columns": ", ".join(extra)}
        )
    missing = [c for c in COLUMNS if c not in positions]
    if missing:
        notices.append(
            _("Optional columns are absent and were read as empty: %(columns)s.")
            % {"columns": ", ".join(missing)}
        )
    present = [n for n in names if n in COLUMNS]
    if present != [c for c in COLUMNS if c in positions]:
        notices.append(_("Columns are in another order than the ma cantine format: read by name."))
    return positions | dict.fromkeys(missing)


# Checking ------------------------------------------------------------------------------------


class _RowChecker:
    def __init__(self, result: ParseResult):
        self.result = result
        self.odd_booleans: dict[str, set[str]] = defaultdict(set)
        self.rounded = 0

    def error(self, line, column, code, message, value=""):
        self.result.errors.append(RowError(line, column, code, message, value))

    def check(self, line: int, raw: dict[str, str]) -> None:
        before = len(self.result.errors)
        siret = self._siret(line, raw["siret"])
        if siret:
            self.result.sirets[line] = siret
        values = {
            "description": self._text(line, "description", raw["description"], 255),
            "supplier": self._text(line, "fournisseur", raw["fournisseur"], 200),
            "date": self._date(line, raw["date"]),
            "price_ht": self._price(line, raw["prix_ht"]),
            "family": self._choice(line, "famille_produits", raw["famille_produits"], FAMILIES),
            "labels": self._labels(line, raw["categories_egalim"]),
            "origin": self._choice(line, "origine", raw["origine"], ORIGINS),
            "is_short_chain": self._boolean("est_circuit_court", raw["est_circuit_court"]),
            "is_local": self._boolean("est_local", raw["est_local"]),
            "local_definition": self._choice(
                line, "definition_local", raw["definition_local"], LOCAL_DEFINITIONS
            ),
            "local_definition_km": self._km(line, raw["definition_local_km"]),
        }
        if values["is_local"] and not raw["definition_local"]:
            self.error(
                line,
                "definition_local",
                "local_definition_required",
                _(
                    "The purchase is marked local: say what local means (PAT, COMMUNE, "
                    "DEPARTEMENT, REGION or KM)."
                ),
            )
        km = values["local_definition_km"]
        if km is not None and values["local_definition"] not in (None, LocalScope.KM):
            self.error(
                line,
                "definition_local_km",
                "km_without_km",
                _("A distance in km only goes with the local definition KM."),
                raw["definition_local_km"],
            )
        if len(self.result.errors) == before:
            self.result.rows.append(ParsedRow(line, siret, values))

    def finish(self) -> None:
        for column, odd in sorted(self.odd_booleans.items()):
            self.result.notices.append(
                _("In %(column)s, these values were read as “no”: %(values)s.")
                % {"column": column, "values": ", ".join(sorted(odd)[:10])}
            )
        if self.rounded:
            self.result.notices.append(
                _("%(count)s prices had more than two decimals and were rounded to the cent.")
                % {"count": self.rounded}
            )

    def _required(self, line, column, value) -> bool:
        if value:
            return True
        self.error(line, column, "required", _("This value is required."))
        return False

    def _siret(self, line, value):
        value = value.replace(" ", "").replace("\u00a0", "")
        if not self._required(line, "siret", value):
            return None
        if len(value) != 14 or not value.isdigit():
            self.error(line, "siret", "invalid_siret", _("A SIRET is made of 14 digits."), value)
            return None
        return value

    def _text(self, line, column, value, max_length):
        if column in REQUIRED and not self._required(line, column, value):
            return None
        if len(value) > max_length:
            self.error(
                line,
                column,
                "too_long",
                _("At most %(max)s characters.") % {"max": max_length},
                value[:40] + "…",
            )
        return value

    def _date(self, line, value):
        if not self._required(line, "date", value):
            return None
        if not DATE_PATTERN.match(value):
            self.error(
                line,
                "date",
                "date_format",
                _("Write the date as YYYY-MM-DD, e.g. 2022-01-30."),
                value,
            )
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.error(line, "date", "invalid_date", _("This date does not exist."), value)
            return None

    def _number(self, line, column, value):
        text = value.replace(" ", "").replace("\u00a0", "").replace("\u202f", "")
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")
        if not NUMBER_PATTERN.match(text):
            self.error(
                line,
                column,
                "invalid_number",
                _("This is not a number: write digits with a decimal point, e.g. 1234.99."),
                value,
            )
            return None
        try:
            return Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern already guarantees it
            return None

    def _price(self, line, value):
        if not self._required(line, "prix_ht", value):
            return None
        price = self._number(line, "prix_ht", value)
        if price is None:
            return None
        if price < 0:
            self.error(line, "prix_ht", "negative_price", _("A price cannot be negative."), value)
            return None
        rounded = price.quantize(CENT, rounding=ROUND_HALF_UP)
        if rounded > MAX_PRICE:
            self.error(line, "prix_ht", "too_large", _("This price is too large."), value)
            return None
        if rounded != price:
            self.rounded += 1
        return rounded

    def _choice(self, line, column, value, allowed):
        if column in REQUIRED and not self._required(line, column, value):
            return None
        if value and value not in allowed:
            self.error(
                line,
                column,
                f"unknown_{_CHOICE_CODES[column]}",
                _("Unknown value; expected one of: %(allowed)s.")
                % {"allowed": ", ".join(sorted(allowed))},
                value,
            )
            return None
        return value

    def _labels(self, line, value):
        if not value:
            return []
        codes = [code.strip() for code in value.split(",")]
        unknown = [code for code in codes if code not in CATEGORY_TO_LABEL]
        if unknown:
            self.error(
                line,
                "categories_egalim",
                "unknown_category",
                _("Unknown EGalim categories: %(codes)s (separate codes with commas).")
                % {"codes": ", ".join(code or "«»" for code in unknown)},
                value,
            )
            return None
        return list(dict.fromkeys(CATEGORY_TO_LABEL[code].value for code in codes))

    def _boolean(self, column, value):
        lowered = value.lower()
        if lowered in TRUE_VALUES:
            return True
        if lowered not in FALSE_VALUES:
            self.odd_booleans[column].add(value)
        return False

    def _km(self, line, value):
        if not value:
            return None
        km = self._number(line, "definition_local_km", value)
        if km is not None and not 0 < km < 100000:
            self.error(
                line,
                "definition_local_km",
                "invalid_number",
                _("A distance must be above 0 and below 100,000 km."),
                value,
            )
            return None
        return km if km is None else km.quantize(CENT, rounding=ROUND_HALF_UP)


_CHOICE_CODES = {
    "famille_produits": "family",
    "origine": "origin",
    "definition_local": "local_definition",
}
