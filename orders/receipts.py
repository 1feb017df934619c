"""A delivered order becomes purchases in the ledger, which the EGalim shares count.

One ledger line per received order line, dated the day the delivery arrived
(``PurchaseOrder.received_on``, never a planned day still to come): the price actually due
(received quantity x the unit price frozen on the order line), the labels frozen on the line, the family of its food, "local" under the canteen's own
definition (stated with the line), and short chain when bought from the producer itself.

A service module: its writes take keyword arguments only, the acting user as ``actor``.
"""

from decimal import Decimal

from cantine.local import LocalScope
from orders.models import PurchaseOrder
from producers.models import Producer
from purchases.models import InsertionHours, Origin, Purchase, Source


def record_insertion_hours(*, order: PurchaseOrder, hours: Decimal | None) -> None:
    """Hours declared by an ESS/SIAE supplier for this delivery (social clauses)."""
    if hours and hours > 0:
        InsertionHours.objects.create(
            canteen=order.canteen, producer=order.producer, date=receipt_date(order), hours=hours
        )


def receipt_date(order: PurchaseOrder):
    return order.received_on or order.delivery_date


def purchases_from_receipt(*, order: PurchaseOrder) -> list[Purchase]:
    local = order.canteen.local_definition()
    producer = order.producer
    is_local = local.is_local(producer.place)
    rows = []
    for line in order.lines.select_related("offer__food"):
        received = line.received_quantity
        if not received or received <= 0:
            continue
        rows.append(
            Purchase(
                canteen=order.canteen,
                date=receipt_date(order),
                description=line.product,
                supplier=producer.name,
                producer=producer,
                family=line.offer.food.family,
                labels=list(line.labels),
                origin=Origin.FRANCE,
                is_short_chain=producer.status != Producer.Status.WHOLESALER,
                is_local=is_local,
                local_definition=local.scope.value if is_local else "",
                local_definition_km=(
                    Decimal(str(local.radius_km))
                    if is_local and local.scope == LocalScope.KM
                    else None
                ),
                price_ht=line.delivered_total,  # the order's own cents: never a cent apart
                quantity=received,
                unit=line.unit_code,
                food=line.offer.food,
                source=Source.ORDER,
            )
        )
    return Purchase.objects.bulk_create(rows)
