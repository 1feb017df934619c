"""Purchase orders keep their terms, dates and amendments.

- Order lines freeze the offer's product, unit, pack size and labels (the price already was),
  and remember the week whose needs they buy; existing lines are filled from their offer.
- An order has the date it was actually received (existing deliveries: their delivery date),
  and counts its amendments.
- Duplicate drafts left by the old acceptance (several open orders for one producer and day)
  are removed: the newest is kept, none when a sent order exists for that producer and day.
  0007 then allows one open order per kitchen, producer and day (a separate migration, so
  that PostgreSQL does not alter the table in the transaction that deleted rows).
"""

from django.db import migrations, models
from django.db.models import Count

OPEN = ["draft", "sent", "confirmed", "partial"]
RECEIVED = ["delivered", "invoiced", "paid"]


def freeze_lines(apps, schema_editor):
    Line = apps.get_model("orders", "PurchaseOrderLine")
    for line in Line.objects.select_related("offer", "need").iterator():
        offer = line.offer
        line.product_label = offer.product_label
        line.unit = offer.unit
        line.pack_size = offer.pack_size
        line.labels = list(offer.labels or [])
        line.week = line.need.week if line.need_id else None
        line.save(update_fields=["product_label", "unit", "pack_size", "labels", "week"])
    Order = apps.get_model("orders", "PurchaseOrder")
    for order in Order.objects.filter(status__in=RECEIVED, received_on__isnull=True):
        order.received_on = order.delivery_date
        order.save(update_fields=["received_on"])


def drop_duplicate_drafts(apps, schema_editor):
    Order = apps.get_model("orders", "PurchaseOrder")
    duplicated = (
        Order.objects.filter(status__in=OPEN)
        .values("canteen", "producer", "delivery_date")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    for row in duplicated:
        same = Order.objects.filter(
            status__in=OPEN,
            canteen=row["canteen"],
            producer=row["producer"],
            delivery_date=row["delivery_date"],
        )
        drafts = same.filter(status="draft").order_by("-created_at", "-pk")
        keep = 0 if same.exclude(status="draft").exists() else 1
        for draft in drafts[keep:]:
            draft.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0005_allocation_goal_and_budget"),
    ]

    operations = [
        migrations.AddField(
            model_name="purchaseorder",
            name="amended_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="last amended at"),
        ),
        migrations.AddField(
            model_name="purchaseorder",
            name="received_on",
            field=models.DateField(
                blank=True,
                help_text="The day the delivery actually arrived: its ledger lines carry this date.",
                null=True,
                verbose_name="received on",
            ),
        ),
        migrations.AddField(
            model_name="purchaseorder",
            name="revision",
            field=models.PositiveSmallIntegerField(
                default=0,
                help_text="How many times the order was amended once sent.",
                verbose_name="revision",
            ),
        ),
        migrations.AddField(
            model_name="purchaseorderline",
            name="labels",
            field=models.JSONField(blank=True, default=list, verbose_name="labels"),
        ),
        migrations.AddField(
            model_name="purchaseorderline",
            name="pack_size",
            field=models.DecimalField(
                blank=True, decimal_places=3, max_digits=10, null=True, verbose_name="pack size"
            ),
        ),
        migrations.AddField(
            model_name="purchaseorderline",
            name="previous_packs",
            field=models.PositiveIntegerField(
                blank=True, null=True, verbose_name="packs before the last amendment"
            ),
        ),
        migrations.AddField(
            model_name="purchaseorderline",
            name="product_label",
            field=models.CharField(blank=True, default="", max_length=200, verbose_name="product"),
        ),
        migrations.AddField(
            model_name="purchaseorderline",
            name="unit",
            field=models.CharField(
                blank=True,
                choices=[("kg", "kg"), ("L", "litre"), ("piece", "piece")],
                default="",
                max_length=5,
                verbose_name="unit",
            ),
        ),
        migrations.AddField(
            model_name="purchaseorderline",
            name="week",
            field=models.DateField(
                blank=True,
                help_text="Monday of the week whose needs the line buys (kept if the need goes).",
                null=True,
                verbose_name="week of",
            ),
        ),
        migrations.RunPython(freeze_lines, migrations.RunPython.noop),
        migrations.RunPython(drop_duplicate_drafts, migrations.RunPython.noop),
    ]
