"""Reading a CSV or XLSX file into a header and records, and matching its columns to the
format (current, old, with the canteen's id)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

from django.utils.translation import gettext as _

from cantine import tables
from purchases.importer.checking import _RowChecker
from purchases.importer.schema import (
    COLUMNS,
    ID_COLUMN,
    LATE_COLUMN,
    MAX_ROWS,
    OLD_COLUMNS,
    XLSX_MAGIC,
    FileError,
    ParseResult,
    RowError,
)


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
