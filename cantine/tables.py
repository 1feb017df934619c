"""Uploaded spreadsheets read row by row, refused early when they are too big to be a real list.

Why: a 1.7 KB XLSX whose only cell sits at row 5,000,000 made openpyxl fill in five million
empty rows (12 s), and a CSV of 200,000 bad lines was checked line by line before anyone said it
was too long. Here the size of a table is known before its rows are checked:

- CSV: the lines are counted first (C speed; quoted line breaks only make the count exact in a
  second pass when the quick one is over the cap);
- XLSX: the archive's declared sizes and the sheet's declared dimension (``<dimension
  ref="A1:M5000000">``) are checked before any row is read; the dimension is then ignored
  (files written by other tools often understate it, and openpyxl would silently stop there)
  and the rows read in streaming mode (``read_only``) stop at the cap anyway.

openpyxl parses the archive's XML through defusedxml when it is installed (it is pinned in
requirements.txt; ``openpyxl.xml.DEFUSEDXML`` says so), so entity expansion ("billion laughs")
and external entities are refused.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator

from django.utils.translation import gettext as _

# What an XLSX may hold once unzipped; a real 100,000-line purchases file is about 40 MB.
MAX_XLSX_UNCOMPRESSED = 256 * 1024 * 1024
MAX_COLUMNS = 200


class TableTooLarge(Exception):
    """The table has more rows or columns than the import accepts; nothing was checked."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def too_many_rows(found: int | None, limit: int) -> TableTooLarge:
    if found is None:
        text = _("The file has more than %(limit)s lines: split it into smaller files.")
    else:
        text = _(
            "The file has %(found)s lines; at most %(limit)s can be imported at once: "
            "split it into smaller files."
        )
    return TableTooLarge(text % {"found": _grouped(found or 0), "limit": _grouped(limit)})


def _grouped(number: int) -> str:
    """12 345 as French writes it (a narrow no-break space between thousands)."""
    return f"{number:,}".replace(",", "\u202f")


def check_csv_lines(text: str, max_rows: int, delimiter: str = ",") -> None:
    """Refuse a CSV text of more than ``max_rows`` records after its header."""
    if text.count("\n") <= max_rows + 1:
        return
    records = sum(1 for _ in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    # A last line without its line break is a record too; the header is not.
    if records - 1 > max_rows:
        raise too_many_rows(records - 1, max_rows)


class SheetError(Exception):
    """The workbook cannot be opened (damaged, encrypted, not an XLSX)."""


def xlsx_rows(content: bytes, *, max_rows: int, max_columns: int = MAX_COLUMNS) -> Iterator:
    """The first sheet's rows as tuples of values, header first; ``max_rows`` after it.

    Raises :class:`SheetError` for a file openpyxl cannot open and :class:`TableTooLarge`
    before reading when the sheet declares too many rows or columns, or as soon as a row past
    the cap (or a row too wide) is met.
    """
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as error:
        raise SheetError(str(error)) from error
    if unzipped > MAX_XLSX_UNCOMPRESSED:
        raise TableTooLarge(
            _("The Excel file holds %(size)s MB once unzipped: split it into smaller files.")
            % {"size": unzipped // (1024 * 1024)}
        )
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = book.worksheets[0]
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise SheetError(str(error)) from error
    try:
        declared_rows, declared_columns = sheet.max_row, sheet.max_column
        if declared_rows is not None and declared_rows - 1 > max_rows:
            raise too_many_rows(declared_rows - 1, max_rows)
        if declared_columns is not None and declared_columns > max_columns:
            raise too_many_columns(declared_columns, max_columns)
        sheet.reset_dimensions()
        yield from _capped_rows(sheet.iter_rows(values_only=True), max_rows, max_columns)
    finally:
        book.close()


def _capped_rows(rows, max_rows: int, max_columns: int):
    for index, values in enumerate(rows):
        if index > max_rows:
            if any(v is not None and str(v).strip() for v in values):
                raise too_many_rows(None, max_rows)
            # Trailing empty rows (formatting left far down a sheet) are not lines; but an
            # empty row past the cap is not read further either: a sheet of millions of empty
            # rows is refused the same way.
            if index > 2 * max_rows:
                raise too_many_rows(None, max_rows)
            continue
        if len(values) > max_columns:
            if any(v is not None and str(v).strip() for v in values[max_columns:]):
                raise too_many_columns(len(values), max_columns)
            values = values[:max_columns]
        yield values


def too_many_columns(found: int, limit: int) -> TableTooLarge:
    return TableTooLarge(
        _("The sheet has %(found)s columns; at most %(limit)s are read: delete the others.")
        % {"found": found, "limit": limit}
    )
