"""Purchase orders as CSV (semicolon, decimal comma: what French spreadsheets open).

One row per line with what was asked, what the producer confirmed and what was delivered,
each with its amount: a partly confirmed order never passes its asked amount off as due. The
terms are the ones frozen on the line when it was sent.

Number format: a comma before the decimals, no thousands separator, never
an exponent (``cantine.formatting.csv_number``); quantities and unit prices with the decimals
they have, amounts with two. Dates are ISO 8601 (``2026-12-04``); ``unite`` and ``labels`` hold
the codes of ``cantine.vocabulary`` (``kg``, ``L``, ``piece``; ``BIO|LABEL_ROUGE``)."""

import io
from functools import partial

from cantine import csv_export
from cantine.formatting import csv_number
from orders.models import PurchaseOrder

_number = partial(csv_number, decimal=",")  # the number format above

COLUMNS = [
    "bon_de_commande",
    "date_livraison",
    "fournisseur",
    "siret_fournisseur",
    "code_ciqual",
    "produit",
    "labels",
    "colis",
    "taille_colis",
    "quantite",
    "unite",
    "prix_unitaire_ht",
    "total_ht",
    "colis_confirmes",
    "quantite_confirmee",
    "total_confirme_ht",
    "quantite_livree",
    "total_livre_ht",
    "date_reception",
]


def purchase_order_csv(order: PurchaseOrder) -> str:
    buffer = io.StringIO()
    writer = csv_export.writer(buffer, delimiter=";")
    writer.writerow(COLUMNS)
    for line in order.lines.all():
        answered = line.confirmed_packs is not None
        writer.writerow(
            [
                order.number,
                order.delivery_date.isoformat(),
                order.producer.name,
                order.producer.siret,
                line.offer.food.code,
                line.product,
                "|".join(line.labels),
                line.packs,
                _number(line.size),
                _number(line.quantity),
                line.unit_code,
                _number(line.unit_price),
                _number(line.total, 2),
                line.confirmed_packs if answered else "",
                _number(line.confirmed_quantity) if answered else "",
                _number(line.confirmed_total, 2) if answered else "",
                _number(line.received_quantity),
                _number(line.delivered_total, 2),
                order.received_on.isoformat() if order.received_on else "",
            ]
        )
    return "\ufeff" + buffer.getvalue()
