"""Write ledger lines in the ma cantine SIRET import format, columns in the schema's order.

The output is what the national platform accepts (comma separator, UTF-8, decimal point with
two decimals, no thousands separator nor exponent: ``cantine.formatting.csv_number``,
``OUI``/``NON``) and what ``purchases.importer`` reads back to the same lines. The format has no
place for the producer link, quantity, unit or an origin outside Europe: those stay in cantine.

Every line passes ma cantine's row validation, not only its Table Schema
(``purchases.importer.parse(..., strict=True)``, after ma cantine's
``data/validators/purchase.py``): a line that is not local is written without a local
definition or distance (ma cantine refuses them there, and they mean nothing on such a line),
a distance goes only with ``KM`` and is written in whole kilometres (ma cantine stores a
``PositiveIntegerField``; a fraction is rounded half up).
"""

import io
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from cantine import csv_export
from cantine.formatting import csv_number
from cantine.local import LocalScope
from purchases.importer import COLUMNS
from purchases.models import Origin, Purchase

EXPORT_ORIGINS = {Origin.FRANCE.value, Origin.EUROPE.value}


def rows(purchases: Iterable[Purchase]):
    """One list of cells per line; ``purchases`` should select_related("canteen")."""
    for p in purchases:
        yield [
            p.canteen.siret,
            p.description,
            p.supplier,
            p.date.isoformat(),
            csv_number(p.price_ht, 2),
            p.family,
            ",".join(p.labels),
            p.origin if p.origin in EXPORT_ORIGINS else "",
            "OUI" if p.is_short_chain else "NON",
            "OUI" if p.is_local else "NON",
            p.local_definition if p.is_local else "",
            _km(p),
        ]


def _km(p: Purchase) -> str:
    if not p.is_local or p.local_definition != LocalScope.KM or p.local_definition_km is None:
        return ""
    return str(int(p.local_definition_km.quantize(Decimal(1), rounding=ROUND_HALF_UP)))


def write_csv(purchases: Iterable[Purchase], out) -> None:
    writer = csv_export.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows(purchases))


def to_csv_bytes(purchases: Iterable[Purchase]) -> bytes:
    buffer = io.StringIO()
    write_csv(purchases, buffer)
    return buffer.getvalue().encode("utf-8")
