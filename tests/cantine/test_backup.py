"""Backup then restore into an empty database finds every record: the whole demo, or one
canteen's data with what it needs."""

import pytest
from django.apps import apps
from django.core import serializers
from django.core.management import CommandError, call_command

from cantine import backup
from cantine.models import Canteen
from menus.models import Meal
from purchases.models import Purchase

pytestmark = pytest.mark.django_db(transaction=True)  # the database is emptied in between


def rows_of(model, pks=None) -> list[dict]:
    queryset = model._base_manager.order_by("pk")
    if pks is not None:
        queryset = queryset.filter(pk__in=pks)
    return serializers.serialize("python", queryset)


def every_record() -> dict[str, list[dict]]:
    return {
        model._meta.label: rows_of(model)
        for model in apps.get_models()
        if not backup._skipped(model)
    }


def empty_the_database():
    call_command("flush", interactive=False, verbosity=0)
    assert not backup.tables_with_data()


@pytest.fixture
def demo(settings):
    call_command("seed_demo", verbosity=0)


def test_the_whole_database_comes_back(demo, tmp_path):
    before = every_record()
    assert len(before["menus.Meal"]) > 0 and len(before["purchases.Purchase"]) > 0
    path = tmp_path / "cantine.json.gz"
    call_command("backup", str(path), verbosity=0)
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(path), verbosity=0)
    empty_the_database()

    call_command("restore", str(path), verbosity=0)
    assert every_record() == before
    call_command("restore", str(path), merge=True, verbosity=0)  # the same rows again
    assert every_record() == before
    # sequences follow the restored ids: the next row gets a new id, not a clash
    canteen = Canteen.objects.first()
    Meal.objects.create(canteen=canteen, date="2031-01-06")


def test_one_canteen_comes_back_with_what_it_needs(demo, tmp_path):
    kitchen = Canteen.objects.get(kind=Canteen.Kind.CENTRAL_KITCHEN)
    others = list(Canteen.objects.exclude(pk=kitchen.pk).exclude(central_kitchen=kitchen))
    rows = backup.canteen_rows(kitchen)
    before = {model._meta.label: rows_of(model, pks) for model, pks in rows.items()}
    assert before["menus.Meal"] and before["cantine.Membership"] and before["cantine.User"]
    path = tmp_path / "kitchen.json"
    call_command("backup", str(path), canteen=kitchen.pk, verbosity=0)
    empty_the_database()

    call_command("restore", str(path), verbosity=0)
    after = {model._meta.label: rows_of(model, pks) for model, pks in rows.items()}
    assert after == before
    assert Meal.objects.filter(canteen=kitchen).count() == len(before["menus.Meal"])
    assert Purchase.objects.exclude(canteen=kitchen).count() == 0
    # canteens it does not depend on stay out of its backup
    assert not Canteen.objects.filter(pk__in=[c.pk for c in others if c.pk not in rows[Canteen]])


def test_bad_arguments_are_explained(db, tmp_path):
    with pytest.raises(CommandError, match="No canteen"):
        call_command("backup", str(tmp_path / "x.json"), canteen=999_999)
    with pytest.raises(CommandError, match=".json"):
        call_command("backup", str(tmp_path / "x.txt"))
    with pytest.raises(CommandError, match="No such backup"):
        call_command("restore", str(tmp_path / "missing.json"))
