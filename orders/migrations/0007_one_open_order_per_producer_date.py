"""One open order (draft, sent, confirmed or partly confirmed) per kitchen, producer and day:
a change after sending is an amendment of that order, never a second card."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0006_order_amendments_frozen_terms_receipt_date"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="purchaseorder",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ["draft", "sent", "confirmed", "partial"])),
                fields=("canteen", "producer", "delivery_date"),
                name="one_open_order_per_producer_date",
            ),
        ),
    ]
