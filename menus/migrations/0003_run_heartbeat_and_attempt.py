# Job running (issue 16): a plan run's attempt number, its worker and heartbeat.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("menus", "0002_plan_budget"),
    ]

    operations = [
        migrations.AddField(
            model_name="planrun",
            name="attempt",
            field=models.PositiveIntegerField(default=0, verbose_name="attempt"),
        ),
        migrations.AddField(
            model_name="planrun",
            name="heartbeat_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="last heartbeat"),
        ),
        migrations.AddField(
            model_name="planrun",
            name="worker",
            field=models.CharField(blank=True, max_length=200, verbose_name="worker"),
        ),
    ]
