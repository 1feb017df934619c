"""Food search keys spell ligatures out ("Bœuf" -> "boeuf"), so "boeuf" finds it."""

from django.db import migrations


def rekey(apps, schema_editor):
    from cantine.search import search_key

    Food = apps.get_model("nutrition", "Food")
    changed = []
    for food in Food.objects.only("pk", "name", "search_name").iterator():
        key = search_key(food.name)
        if key != food.search_name:
            food.search_name = key
            changed.append(food)
    Food.objects.bulk_update(changed, ["search_name"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("nutrition", "0007_remove_dish_loss_factor")]

    operations = [migrations.RunPython(rekey, migrations.RunPython.noop)]
