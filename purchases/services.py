"""Writes to the ledger: imports (all or nothing) and lines entered by hand."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cantine.models import Canteen, Role, User
from cantine.roles import canteens_for
from purchases import importer
from purchases.models import ImportBatch, MaCantineLink, Purchase, Source

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


def import_purchases(
    *, actor: User, file_name: str, content: bytes, strict: bool = False
) -> ImportOutcome:
    """Import a ma cantine file for canteens the actor manages, or nothing at all.

    ``strict``: ma cantine's rules with none of cantine's tolerances (``purchases.importer``).
    """
    result = importer.parse(file_name, content, strict=strict)
    outcome = ImportOutcome(result)
    canteens = _resolve_canteens(result, actor)
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
        outcome.batches = _save(result, canteens, actor)
    return outcome


def _resolve_canteens(result: importer.ParseResult, user) -> dict[str, Canteen]:
    """Each canteen named must be known and managed by this user (directly or as a kitchen).

    A ``siret`` file names canteens by SIRET, a ``cantine_id`` file by their ma cantine id
    (``MaCantineLink``), as ma cantine's own import does (``api/views/purchase_import_base.py``).
    """
    keys = set(result.sirets.values())
    if result.identifier == importer.ID_COLUMN:
        links = MaCantineLink.objects.filter(macantine_id__in=[int(k) for k in keys])
        known = {str(link.macantine_id): link.canteen for link in links.select_related("canteen")}
        column, unknown_message = (
            importer.ID_COLUMN,
            _("No canteen of cantine has this ma cantine id."),
        )
    else:
        known = {c.siret: c for c in Canteen.objects.filter(siret__in=keys)}
        column, unknown_message = "siret", _("No canteen has this SIRET in cantine.")
    managed_pks = set(
        canteens_for(user, Role.MANAGER)
        .filter(pk__in=[c.pk for c in known.values()])
        .values_list("pk", flat=True)
    )
    for line, key in sorted(result.sirets.items()):
        if key not in known:
            result.add_error(importer.RowError(line, column, "unknown_siret", unknown_message, key))
        elif known[key].pk not in managed_pks:
            result.add_error(
                importer.RowError(
                    line,
                    column,
                    "not_manager",
                    _("You are not a manager of this canteen."),
                    key,
                )
            )
    return {key: canteen for key, canteen in known.items() if canteen.pk in managed_pks}


def _column_rank(column: str) -> int:
    order = [importer.ID_COLUMN, *importer.COLUMNS, "caracteristiques"]
    return order.index(column) if column in order else -1


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


def undo_import(*, batch: ImportBatch) -> int:
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
