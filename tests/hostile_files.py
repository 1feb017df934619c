"""Files built to hurt an importer (issue 12), shared by the tests and ``bench/uploads.py``."""

from __future__ import annotations

import io
import re
import zipfile

from openpyxl import Workbook

FAR_ROW = 5_000_000


def _rewrite_sheet(content: bytes, change) -> bytes:
    """The same XLSX with its first sheet's XML passed through ``change``."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = change(body)
            target.writestr(info, body)
    return out.getvalue()


def xlsx(header: list[str], rows: list[list] = ()) -> bytes:
    """A plain sheet; text starting with ``=`` stays text (a typed cell, not a formula)."""
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def far_cell_xlsx(header: list[str], *, dimension: str = "declared") -> bytes:
    """A header and one cell at row 5,000,000 (past Excel's own 1,048,576 rows).

    ``dimension``: ``declared`` (``A1:A5000000``, as a writer would say), ``understated``
    (``A1:A1``: the sheet lies) or ``absent`` (no ``<dimension>`` element at all).
    """
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    sheet.cell(row=1_048_576, column=1, value="x")
    buffer = io.BytesIO()
    book.save(buffer)

    def move(body: bytes) -> bytes:
        body = body.replace(b"1048576", str(FAR_ROW).encode())
        if dimension == "understated":
            body = re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:A1"/>', body)
        elif dimension == "absent":
            body = re.sub(rb'<dimension ref="[^"]*"\s*/>', b"", body)
        return body

    return _rewrite_sheet(buffer.getvalue(), move)


def billion_laughs_xlsx(header: list[str]) -> bytes:
    """An XLSX whose sheet declares nested entities (entity expansion, "billion laughs")."""
    dtd = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE worksheet [<!ENTITY lol "lol">'
        + b"".join(
            f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
            for i in range(1, 10)
        )
        + b"]>"
    )

    def poison(body: bytes) -> bytes:
        body = re.sub(rb"^<\?xml[^>]*\?>", b"", body)
        return dtd + body.replace(b"<v>", b"<v>&lol9;", 1)

    return _rewrite_sheet(xlsx(header, [[1] * len(header)]), poison)


def bad_csv(header: list[str], bad_row: list[str], lines: int, delimiter: str = ",") -> bytes:
    """A header and ``lines`` copies of one bad row."""
    row = delimiter.join(bad_row)
    return (delimiter.join(header) + "\n" + "\n".join([row] * lines) + "\n").encode()
