"""Purchase orders as CSV (semicolon, decimal comma: what French spreadsheets open)."""

import csv
import io

from orders.models import PurchaseOrder

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
]


def _fr(value) -> str:
    return str(value).replace(".", ",")


def purchase_order_csv(order: PurchaseOrder) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(COLUMNS)
    for line in order.lines.all():
        offer = line.offer
        writer.writerow(
            [
                order.number,
                order.delivery_date.isoformat(),
                order.producer.name,
                order.producer.siret,
                offer.food.code,
                offer.product_label,
                "|".join(offer.labels),
                line.packs,
                _fr(offer.pack_size.normalize()),
                _fr(line.quantity.normalize()),
                offer.unit,
                _fr(line.unit_price.normalize()),
                _fr(line.total),
            ]
        )
    return "\ufeff" + buffer.getvalue()
