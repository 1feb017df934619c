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

import hashlib

from django.utils.translation import gettext as _

from cantine import tables
from purchases.importer.checking import _RowChecker
from purchases.importer.reading import _Layout, _read_table
from purchases.importer.schema import (
    CATEGORY_TO_LABEL,
    CIRCUIT_COURT,
    COLUMNS,
    ID_COLUMN,
    LOCAL,
    REQUIRED,
    FileError,
    ParseResult,
    RowError,
)


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


__all__ = [
    "CATEGORY_TO_LABEL",
    "CIRCUIT_COURT",
    "COLUMNS",
    "ID_COLUMN",
    "LOCAL",
    "ParseResult",
    "REQUIRED",
    "RowError",
    "parse",
    "sha256_of",
]
