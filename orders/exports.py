"""Purchase orders as CSV (semicolon, decimal comma: what French spreadsheets open).

One row per line with what was asked, what the producer confirmed and what was delivered,
each with its amount: a partly confirmed order never passes its asked amount off as due. The
terms are the ones frozen on the line when it was sent."""

import io

from cantine import csv_export
from orders.models import PurchaseOrder, plain

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


def _fr(value) -> str:
    return "" if value is None else str(value).replace(".", ",")


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
                _fr(plain(line.size)),
                _fr(plain(line.quantity)),
                line.unit_code,
                _fr(plain(line.unit_price)),
                _fr(line.total),
                line.confirmed_packs if answered else "",
                _fr(plain(line.confirmed_quantity)) if answered else "",
                _fr(line.confirmed_total) if answered else "",
                _fr(plain(line.received_quantity) if line.received_quantity is not None else None),
                _fr(line.delivered_total),
                order.received_on.isoformat() if order.received_on else "",
            ]
        )
    return "\ufeff" + buffer.getvalue()
