"""Writing rows through PostgreSQL COPY, with the ids assigned here (nothing is read back)."""

from __future__ import annotations

import json
from datetime import date, datetime


def _text(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, (list, dict)):
        value = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, (date, datetime)):
        return value.isoformat()
    else:
        value = str(value)
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        value = (
            value.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return value


def _defaults_left_out(model, fields: list[str]) -> dict[str, object]:
    """Django's default for each NOT NULL column of ``model`` that ``fields`` leave out.

    Generated columns are the database's to compute (COPY refuses them)."""
    given = {model._meta.get_field(name).column for name in fields}
    defaults = {}
    for field in model._meta.concrete_fields:
        if field.primary_key or field.null or field.generated or field.column in given:
            continue
        value = field.get_default()
        if value is not None:
            defaults[field.name] = value
    return defaults


class Copier:
    """COPY rows (dicts of field names) into a model's table, ids assigned from ``next_id``."""

    def __init__(self, connection):
        self.connection = connection
        self.counts: dict[str, int] = {}

    def next_id(self, model) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute(f'SELECT coalesce(max(id), 0) + 1 FROM "{model._meta.db_table}"')
            return cursor.fetchone()[0]

    def copy(self, model, fields: list[str], rows) -> int:
        """COPY ``rows`` (sequences in the order of ``fields``) into ``model``'s table.

        Columns left out get the value Django would give them (``Field.get_default``: a
        field's default, "" for a text field without one), as ``Model()`` would, since Django
        keeps defaults in Python, not in the database: a field added to a model later does not
        break the load with a NOT NULL violation.
        """
        defaults = _defaults_left_out(model, fields)
        fields = list(fields) + list(defaults)
        tail = list(defaults.values())
        if tail:
            rows = (list(row) + tail for row in rows)
        columns = [model._meta.get_field(name).column for name in fields]
        table = model._meta.db_table
        quoted = ", ".join(f'"{c}"' for c in columns)
        sql = f'COPY "{table}" ({quoted}) FROM STDIN'
        count = 0
        buffer: list[str] = []
        with self.connection.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                buffer.append("\t".join(_text(v) for v in row) + "\n")
                count += 1
                if len(buffer) >= 5000:
                    copy.write("".join(buffer))
                    buffer.clear()
            if buffer:
                copy.write("".join(buffer))
        if "id" in fields:
            with self.connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                    f'(SELECT max(id) FROM "{table}"))'
                )
        self.counts[model._meta.label] = self.counts.get(model._meta.label, 0) + count
        return count
