"""A food's reference price is per the unit it is bought in (kg, L or piece), not per kg."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("nutrition", "0003_food_prices"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="foodprice", name="food_price_positive"),
        migrations.RenameField(model_name="foodprice", old_name="price_per_kg", new_name="unit_price"),
        migrations.AlterField(
            model_name="foodprice",
            name="unit_price",
            field=models.DecimalField(
                decimal_places=3, max_digits=9, verbose_name="price per unit bought (€ HT)"
            ),
        ),
        migrations.AddConstraint(
            model_name="foodprice",
            constraint=models.CheckConstraint(
                condition=models.Q(unit_price__gt=0), name="food_price_positive"
            ),
        ),
    ]
