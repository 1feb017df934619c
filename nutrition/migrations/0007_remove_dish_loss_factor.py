"""The loss factor moved from the dish to each ingredient's yield (migration 0006)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("nutrition", "0006_recipes_buy_products"),
    ]

    operations = [migrations.RemoveField(model_name="dish", name="loss_factor")]
