"""Read a purchases file in the national "ma cantine" format and check every row as ma cantine does.

The formats are ma cantine's import Table Schemas (MIT, beta.gouv.fr): the current one in
``purchases/data/macantine_schema_import_achats_siret.json`` (``categories_egalim``, ``origine``,
``est_circuit_court``, ``est_local``, ``definition_local``, ``definition_local_km``) and the old
one with a single ``caracteristiques`` column; each with either a ``siret`` or a ``cantine_id``
(the canteen's number on ma cantine, see ``MaCantineLink``) first column.

ma cantine checks a file in two passes, and this module does both:

1. its header and cells against the Table Schema (``common/api/validata.py``: the header must be
   the schema's columns, in order, no more, no less; required cells, date format, numbers, the
   patterns of the code columns, booleans among ``trueValues``/``falseValues``, blank rows and
   rows with another number of cells are errors);
2. every row through its model (``api/views/purchase_import_base.py``,
   ``api/views/purchase_import.py``, ``api/views/purchase_import_old.py``,
   ``data/models/purchase.py``, ``data/validators/purchase.py``): the price rounded to the cent
   with ``ROUND_HALF_DOWN``; no date in the future; ``EUROPE`` and ``FRANCE`` not together; a
   local definition or a distance only on a local line; a distance only with ``KM``; the distance
   a whole number of km (a ``PositiveIntegerField``). A local line without a definition is
   accepted (ma cantine #6845).

``parse(..., strict=True)`` applies exactly these rules. The default, ``strict=False``, adds
tolerances that cannot change what a line means, each reported as a notice: blank rows skipped,
``Oui``/``X``/``Non`` in any case, a decimal comma or spaces between thousands in a price, spaces
around the commas of a code list, a header in another case or with spaces, trailing unnamed
empty columns, and the ``definition_local_km`` column absent (ma cantine's own example files,
``web/static/documents/achats_*_fichier_exemple_ma_cantine.xlsx``, were made before it existed).

Every bad row is reported with its line number in the file (the header is line 1), its column
and the reason; callers import nothing unless every row is valid. A file of more than
:data:`MAX_ROWS` lines is refused before any row is checked (``cantine.tables``), and only the
first :data:`cantine.uploads.MAX_ERRORS` problems are kept, the others counted.

Text cells that a spreadsheet would run as a formula (``=``, ``@``, ``+`` or ``-`` before
something that is not a number, a tab or a carriage return first) are refused: they would reach
ma cantine and every export of the ledger (``cantine.csv_export``).

``categories_egalim`` codes map one-to-one onto :class:`cantine.labels.Label` (cantine chose the
platform's codes for its labels), ``CATEGORY_TO_LABEL`` being built from
``macantine_achats_categories_labels.json`` so that a code added upstream fails loudly here.
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
from decimal import ROUND_HALF_DOWN, Decimal, InvalidOperation
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _

from cantine import tables
from cantine.csv_export import looks_like_formula
from cantine.labels import Label
from cantine.local import LocalScope
from cantine.uploads import MAX_ERRORS
from purchases.models import Family, Origin

DATA = Path(__file__).resolve().parent / "data"
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


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def parse(file_name: str, content: bytes, *, strict: bool = False) -> ParseResult:
    """Check every row of a file; resolve nothing in the database (see ``services``).

    ``strict``: ma cantine's rules and nothing else (used to check what we export).
    """
    result = ParseResult(file_name=file_name, sha256=sha256_of(content))
    try:
        header, records = _read_table(file_name, content, result.notices)
        layout = _Layout.of(header, result, strict)
    except FileError as error:
        for row_error in error.errors:
            result.add_error(row_error)
        return result
    checker = _RowChecker(result, strict)
    try:
        blank = _check_rows(records, layout, checker, strict)
    except tables.TableTooLarge as error:  # a sheet's rows past the cap, met while reading
        result.rows.clear()
        result.errors.clear()
        result.error_count = 0
        result.add_error(RowError(0, "", "too_large", error.message))
        return result
    checker.finish()
    if blank:
        result.notices.append(_("%(count)s empty lines were skipped.") % {"count": blank})
    if not result.rows and not result.errors:
        result.add_error(RowError(0, "", "empty", _("The file has no purchase line.")))
    return result


def _check_rows(records, layout: _Layout, checker: _RowChecker, strict: bool) -> int:
    """Check every record; the number of blank ones skipped."""
    blank = 0
    for line, cells in records:
        if not any(c.strip() for c in cells):
            if strict:
                checker.error(
                    line, "", "blank_row", _("This line is empty: delete it from the file.")
                )
            else:
                blank += 1
            continue
        raw = layout.read(line, cells, checker)
        if raw is not None:
            checker.check(line, raw)
    return blank


# Reading -------------------------------------------------------------------------------------


def _read_table(file_name: str, content: bytes, notices: list[str]):
    if content.startswith(XLSX_MAGIC) or file_name.lower().endswith(".xlsx"):
        try:
            return _read_xlsx(content)
        except tables.TableTooLarge as error:
            raise FileError("too_large", error.message) from None
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
    try:
        tables.check_csv_lines(text, MAX_ROWS, delimiter)
    except tables.TableTooLarge as error:
        raise FileError("too_large", error.message) from None
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
    rows = tables.xlsx_rows(content, max_rows=MAX_ROWS)
    try:
        header = [_cell_text(v) for v in next(rows)]
    except tables.SheetError:
        raise FileError("format", _("This Excel file cannot be read.")) from None
    except StopIteration:
        raise FileError("empty", _("The file is empty.")) from None
    while header and not header[-1]:
        header.pop()

    def records():
        # A sheet has no row length: cells past the header's are read only if filled.
        for line, values in enumerate(rows, start=2):
            cells = [_cell_text(v) for v in values]
            while len(cells) > len(header) and not cells[-1].strip():
                cells.pop()
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
    known = {*COLUMNS, *OLD_COLUMNS, ID_COLUMN}
    return sum(1 for name in names if _normalise(name) in known)


def _normalise(name: str) -> str:
    return name.strip().strip("\ufeff").strip().lower()


class _Layout:
    """Which format a header names, and how its rows' cells map onto columns.

    The header checks follow ``process_header_errors`` in ma cantine's ``common/api/validata.py``:
    fewer columns than the schema is one error for the first line, more columns is one error
    counting them, then every column whose name differs from the schema's at its place.
    """

    def __init__(self, expected: list[str], width: int):
        self.expected = expected  # the format's columns, canteen key first
        self.width = width  # cells a row must have
        self.missing_late = False

    @classmethod
    def of(cls, header: list[str], result: ParseResult, strict: bool) -> _Layout:
        names = [_normalise(n) for n in header]
        # ma cantine has one endpoint per format; one header tells them apart here: the
        # ``caracteristiques`` column, or failing any known name, the old format's width.
        old = "categories_egalim" not in names and (
            "caracteristiques" in names or len(names) == len(OLD_COLUMNS)
        )
        expected = list(OLD_COLUMNS if old else COLUMNS)
        if names and names[0] == ID_COLUMN:
            expected[0] = ID_COLUMN
        if strict:
            written = list(header)
        else:
            written = list(names)
            if written != list(header):
                result.notices.append(
                    _("Column names were read without regard to case and surrounding spaces.")
                )
            trailing = 0
            while len(written) > len(expected) and not written[-1]:
                written.pop()
                trailing += 1
            if trailing:
                result.notices.append(
                    _("%(count)s unnamed empty columns at the end of the header were ignored.")
                    % {"count": trailing}
                )
        layout = cls(expected, len(header))
        layout.keep = len(written)
        if not strict and not old and written == expected[:-1] and expected[-1] == LATE_COLUMN:
            layout.missing_late = True
            result.notices.append(
                _(
                    "The column %(column)s is absent (as in ma cantine's example files): "
                    "it was read as empty."
                )
                % {"column": LATE_COLUMN}
            )
            written = [*written, LATE_COLUMN]
        errors = []
        if len(written) < len(expected):
            errors.append(
                RowError(
                    1,
                    "",
                    "header",
                    _(
                        "The first line must name the columns of the ma cantine format, in this "
                        "order: %(columns)s. Write them in lower case, check the accents, remove "
                        "spaces before or after the names and any column that is not in the "
                        "format."
                    )
                    % {"columns": ", ".join(expected)},
                )
            )
        else:
            extra = len(written) - len(expected)
            if extra:
                errors.append(
                    RowError(
                        1,
                        "",
                        "extra_columns",
                        _(
                            "%(count)s columns too many: delete them and everything in them. "
                            "A space or an invisible character may be in the file; if in doubt, "
                            "copy and paste the data into a new document."
                        )
                        % {"count": extra},
                    )
                )
            for name, wrote in zip(expected, written, strict=False):
                if wrote != name:
                    errors.append(
                        RowError(
                            1,
                            name,
                            "wrong_column",
                            _("You wrote «%(wrote)s» instead of «%(name)s».")
                            % {"wrote": wrote, "name": name},
                            wrote,
                        )
                    )
        if errors:
            raise FileError("header", errors[0].message, errors)
        result.old_format = old
        result.identifier = expected[0]
        if old:
            result.notices.append(
                _(
                    "This file is in ma cantine's old format (one “caracteristiques” column): it "
                    "was read like ma cantine reads it (LOCAL, FRANCE, EUROPE and CIRCUIT_COURT "
                    "become the line's local, origin and short-chain fields; AUTOUR_SERVICE "
                    "means 200 km, AUTRE a distance in km). To convert it, split "
                    "“caracteristiques” into categories_egalim, origine, est_circuit_court and "
                    "est_local, and add definition_local_km."
                )
            )
        return layout

    def read(self, line: int, cells: list[str], checker: _RowChecker) -> dict[str, str] | None:
        if len(cells) != self.width:
            extra_blank = len(cells) > self.width and not any(
                c.strip() for c in cells[self.width :]
            )
            if checker.strict or not extra_blank:
                checker.error(
                    line,
                    "",
                    "cell_count",
                    _("This line has %(found)s cells but the header has %(expected)s.")
                    % {"found": len(cells), "expected": self.width},
                )
                return None
            checker.trailing_cells += 1
        if any(c.strip() for c in cells[self.keep : self.width]):
            checker.error(
                line, "", "cell_count", _("This line has values under columns with no name.")
            )
            return None
        raw = {name: cells[i].strip() for i, name in enumerate(self.expected) if i < self.keep}
        raw.setdefault(LATE_COLUMN, "")
        return raw


# Checking ------------------------------------------------------------------------------------


class _RowChecker:
    def __init__(self, result: ParseResult, strict: bool):
        self.result = result
        self.strict = strict
        self.odd_booleans: dict[str, set[str]] = defaultdict(set)
        self.rounded = 0
        self.commas = 0
        self.spaced_codes = 0
        self.trailing_cells = 0
        self.today = timezone.localdate()

    def error(self, line, column, code, message, value=""):
        self.result.add_error(RowError(line, column, code, message, value))

    def check(self, line: int, raw: dict[str, str]) -> None:
        before = self.result.error_count
        key = self._canteen_key(line, raw)
        if key:
            self.result.sirets[line] = key
        values = {
            "description": self._text(line, "description", raw["description"]),
            "supplier": self._text(line, "fournisseur", raw["fournisseur"]),
            "date": self._date(line, raw["date"]),
            "price_ht": self._price(line, raw["prix_ht"]),
            "family": self._choice(line, "famille_produits", raw["famille_produits"], FAMILIES),
        }
        if self.result.old_format:
            values |= self._characteristics(line, raw["caracteristiques"])
            values |= self._old_local_definition(line, raw["definition_local"])
        else:
            values |= {
                "labels": self._labels(line, raw["categories_egalim"]),
                "origin": self._choice(line, "origine", raw["origine"], ORIGINS) or "",
                "is_short_chain": self._boolean(
                    line, "est_circuit_court", raw["est_circuit_court"]
                ),
                "is_local": self._boolean(line, "est_local", raw["est_local"]),
                "local_definition": self._choice(
                    line, "definition_local", raw["definition_local"], LOCAL_DEFINITIONS
                )
                or "",
                "local_definition_km": self._km(line, raw["definition_local_km"]),
            }
        if self.result.error_count == before:
            self._local_rules(line, values)
        if self.result.error_count == before:
            self.result.rows.append(ParsedRow(line, key, values))

    def _local_rules(self, line, values) -> None:
        """``validate_purchase_definition_local`` (ma cantine ``data/validators/purchase.py``)."""
        km = values["local_definition_km"]
        if not values["is_local"]:
            if values["local_definition"]:
                self.error(
                    line,
                    "definition_local",
                    "local_definition_not_local",
                    _("The line is not local: leave the local definition empty."),
                    values["local_definition"],
                )
            if km is not None:
                self.error(
                    line,
                    "definition_local_km",
                    "km_not_local",
                    _("The line is not local: leave the distance empty."),
                    str(km),
                )
        elif km is not None and values["local_definition"] != LocalScope.KM:
            self.error(
                line,
                "definition_local_km",
                "km_without_km",
                _("A distance in km only goes with the local definition KM."),
                str(km),
            )

    def finish(self) -> None:
        for column, odd in sorted(self.odd_booleans.items()):
            self.result.notices.append(
                _("In %(column)s, these spellings were read as OUI/NON: %(values)s.")
                % {"column": column, "values": ", ".join(sorted(odd)[:10])}
            )
        if self.commas:
            self.result.notices.append(
                _(
                    "%(count)s numbers were written with a decimal comma or spaces between "
                    "thousands; they were read as such (ma cantine asks for a decimal point)."
                )
                % {"count": self.commas}
            )
        if self.spaced_codes:
            self.result.notices.append(
                _("%(count)s lists of codes had spaces around their commas; they were removed.")
                % {"count": self.spaced_codes}
            )
        if self.trailing_cells:
            self.result.notices.append(
                _("%(count)s lines had empty cells past the last column; they were ignored.")
                % {"count": self.trailing_cells}
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

    def _canteen_key(self, line, value_by_column):
        if self.result.identifier == ID_COLUMN:
            value = value_by_column[ID_COLUMN]
            if not self._required(line, ID_COLUMN, value):
                return None
            if not INTEGER_PATTERN.match(value):
                self.error(
                    line,
                    ID_COLUMN,
                    "invalid_canteen_id",
                    _("A ma cantine canteen id is a whole number."),
                    value,
                )
                return None
            return str(int(value))
        value = value_by_column["siret"].replace(" ", "").replace("\u00a0", "")
        if not self._required(line, "siret", value):
            return None
        if len(value) != 14 or not value.isdigit():
            self.error(line, "siret", "invalid_siret", _("A SIRET is made of 14 digits."), value)
            return None
        return value

    def _text(self, line, column, value):
        """ma cantine's description and fournisseur are text fields with no length limit."""
        if column in REQUIRED and not self._required(line, column, value):
            return None
        if looks_like_formula(value):
            self.error(
                line,
                column,
                "formula",
                _(
                    "This text starts with %(char)s: a spreadsheet would run it as a formula. "
                    "Remove that first character."
                )
                % {"char": repr(value[0])},
                value,
            )
            return None
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
            day = date.fromisoformat(value)
        except ValueError:
            self.error(line, "date", "invalid_date", _("This date does not exist."), value)
            return None
        if day > self.today:
            self.error(line, "date", "future_date", _("The date cannot be in the future."), value)
            return None
        return day

    def _number(self, line, column, value):
        text = value
        if not self.strict:
            text = value.replace(" ", "").replace("\u00a0", "").replace("\u202f", "")
            if text.count(",") == 1 and "." not in text:
                text = text.replace(",", ".")
            if text != value and NUMBER_PATTERN.match(text):
                self.commas += 1
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
        # ma cantine: Decimal(prix_ht).quantize(Decimal(".01"), rounding=ROUND_HALF_DOWN)
        rounded = price.quantize(CENT, rounding=ROUND_HALF_DOWN)
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

    def _codes(self, line, column, value, allowed, code):
        """A comma-separated list of codes: the schema's pattern, then the model's choices.

        ma cantine splits the current format's ``categories_egalim`` on bare commas, so
        ``BIO, IGP`` gives the choice `` IGP`` that its model refuses; the old format's
        ``caracteristiques`` are stripped one by one.
        """
        if not value:
            return []
        parts = value.split(",")
        codes = [part.strip() for part in parts]
        unknown = [c for c in codes if c not in allowed]
        if unknown:
            self.error(
                line,
                column,
                code,
                _("Unknown codes: %(codes)s (separate codes with commas).")
                % {"codes": ", ".join(c or "«»" for c in unknown)},
                value,
            )
            return None
        if column == "categories_egalim" and codes != parts:
            if self.strict:
                self.error(
                    line,
                    column,
                    "spaced_codes",
                    _("Remove the spaces around the commas: %(value)s.") % {"value": value},
                    value,
                )
                return None
            self.spaced_codes += 1
        return list(dict.fromkeys(codes))

    def _labels(self, line, value):
        codes = self._codes(line, "categories_egalim", value, CATEGORY_TO_LABEL, "unknown_category")
        return None if codes is None else [CATEGORY_TO_LABEL[code].value for code in codes]

    def _characteristics(self, line, value) -> dict:
        codes = self._codes(
            line, "caracteristiques", value, OLD_CHARACTERISTICS, "unknown_category"
        )
        codes = codes or []
        origins = [c for c in codes if c in ORIGINS]
        if len(origins) > 1:
            self.error(
                line,
                "caracteristiques",
                "origin_conflict",
                _("EUROPE and FRANCE cannot be selected together."),
                value,
            )
        return {
            "labels": [CATEGORY_TO_LABEL[c].value for c in codes if c in CATEGORY_TO_LABEL],
            "origin": origins[0] if len(origins) == 1 else "",
            "is_short_chain": CIRCUIT_COURT in codes,
            "is_local": LOCAL in codes,
        }

    def _old_local_definition(self, line, value) -> dict:
        if value and value not in OLD_LOCAL_DEFINITIONS:
            self.error(
                line,
                "definition_local",
                "unknown_local_definition",
                _("Unknown value; expected one of: %(allowed)s.")
                % {"allowed": ", ".join(sorted(OLD_LOCAL_DEFINITIONS))},
                value,
            )
            value = ""
        scope, km = OLD_LOCAL_DEFINITIONS.get(value, ("", None))
        return {
            "local_definition": str(scope),
            "local_definition_km": None if km is None else Decimal(km),
        }

    def _boolean(self, line, column, value):
        if value in TRUE_VALUES:
            return True
        if value in FALSE_VALUES:
            return False
        lowered = value.lower()
        if not self.strict and lowered in {v.lower() for v in TRUE_VALUES | FALSE_VALUES}:
            self.odd_booleans[column].add(value)
            return lowered in {v.lower() for v in TRUE_VALUES}
        self.error(
            line,
            column,
            "invalid_boolean",
            _("Write OUI, oui or x for yes; non, NON or nothing for no."),
            value,
        )
        return None

    def _km(self, line, value):
        if not value:
            return None
        km = self._number(line, "definition_local_km", value)
        if km is None:
            return None
        # ma cantine stores the distance in a PositiveIntegerField.
        if km < 0 or km != km.to_integral_value() or not INTEGER_PATTERN.match(value.strip()):
            if km >= 0 and km == km.to_integral_value() and not self.strict:
                return Decimal(int(km))
            self.error(
                line,
                "definition_local_km",
                "km_not_integer",
                _("The distance is a whole number of kilometres, e.g. 50."),
                value,
            )
            return None
        if km >= 100000:
            self.error(
                line,
                "definition_local_km",
                "invalid_number",
                _("A distance must be below 100,000 km."),
                value,
            )
            return None
        return Decimal(int(km))


_CHOICE_CODES = {
    "famille_produits": "family",
    "origine": "origin",
    "definition_local": "local_definition",
}
