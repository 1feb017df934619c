"""Writes to the ledger: imports (all or nothing) and lines entered by hand."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cantine.models import Canteen, Role
from cantine.roles import canteens_for
from purchases import importer
from purchases.models import ImportBatch, Purchase, Source

BULK_SIZE = 2000


@dataclass
class ImportOutcome:
    """What the import page and the API show: either errors (nothing saved) or a summary."""

    result: importer.ParseResult
    batches: list[ImportBatch] = field(default_factory=list)
    duplicate_of: ImportBatch | None = None

    @property
    def ok(self) -> bool:
        return self.result.ok and self.duplicate_of is None

    @property
    def imported(self) -> int:
        return sum(batch.rows for batch in self.batches)


def import_purchases(user, file_name: str, content: bytes) -> ImportOutcome:
    """Import a ma cantine file for canteens the user manages, or nothing at all."""
    result = importer.parse(file_name, content)
    outcome = ImportOutcome(result)
    canteens = _resolve_canteens(result, user)
    result.errors.sort(key=lambda e: (e.line, _column_rank(e.column)))
    if not result.ok:
        return outcome
    outcome.duplicate_of = (
        ImportBatch.objects.filter(sha256=result.sha256, canteen__in=canteens.values())
        .select_related("canteen", "imported_by")
        .first()
    )
    if outcome.duplicate_of is not None:
        return outcome
    with transaction.atomic():
        outcome.batches = _save(result, canteens, user)
    return outcome


def _resolve_canteens(result: importer.ParseResult, user) -> dict[str, Canteen]:
    """Each SIRET must be a known canteen that this user manages (directly or as a kitchen)."""
    sirets = set(result.sirets.values())
    known = {c.siret: c for c in Canteen.objects.filter(siret__in=sirets)}
    managed = set(
        canteens_for(user, Role.MANAGER).filter(siret__in=sirets).values_list("siret", flat=True)
    )
    for line, siret in sorted(result.sirets.items()):
        if siret not in known:
            result.errors.append(
                importer.RowError(
                    line,
                    "siret",
                    "unknown_siret",
                    _("No canteen has this SIRET in cantine."),
                    siret,
                )
            )
        elif siret not in managed:
            result.errors.append(
                importer.RowError(
                    line,
                    "siret",
                    "not_manager",
                    _("You are not a manager of this canteen."),
                    siret,
                )
            )
    return {siret: known[siret] for siret in managed}


def _column_rank(column: str) -> int:
    return importer.COLUMNS.index(column) if column in importer.COLUMNS else -1


def _save(result: importer.ParseResult, canteens: dict[str, Canteen], user) -> list[ImportBatch]:
    counts = Counter(row.siret for row in result.rows)
    batches = {
        siret: ImportBatch.objects.create(
            canteen=canteens[siret],
            file_name=result.file_name[:255],
            sha256=result.sha256,
            rows=count,
            imported_by=user,
        )
        for siret, count in counts.items()
    }
    lines = [(canteens[row.siret].pk, batches[row.siret].pk, row.values) for row in result.rows]
    if connection.vendor == "postgresql":
        _copy(lines)
    else:
        Purchase.objects.bulk_create(
            (
                Purchase(canteen_id=canteen, import_batch_id=batch, source=Source.IMPORT, **values)
                for canteen, batch, values in lines
            ),
            batch_size=BULK_SIZE,
        )
    return list(batches.values())


def _copy(lines) -> None:
    """PostgreSQL's COPY: an import of 100,000 lines in a second or two, not ten.

    Values were checked by the importer and the table's constraints still apply.
    """
    fields = list(lines[0][2]) if lines else []
    columns = [Purchase._meta.get_field(name).column for name in fields]
    columns += ["canteen_id", "import_batch_id", "source", "unit", "created_at"]
    now = timezone.now()
    labels_at = fields.index("labels") if fields else 0
    table = connection.ops.quote_name(Purchase._meta.db_table)
    with connection.cursor() as cursor:
        sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            for canteen, batch, values in lines:
                row = [values[name] for name in fields]
                row[labels_at] = json.dumps(row[labels_at])
                copy.write_row([*row, canteen, batch, Source.IMPORT, "", now])


def undo_import(batch: ImportBatch) -> int:
    """Remove an import's lines and its record, so a corrected file can be imported again."""
    with transaction.atomic():
        count = batch.purchases.count()
        batch.delete()
    return count


def create_purchase(**fields) -> Purchase:
    """A line entered by hand (API); validated like any model."""
    purchase = Purchase(source=fields.pop("source", Source.MANUAL), **fields)
    purchase.full_clean()
    purchase.save()
    return purchase
