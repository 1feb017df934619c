"""The import commands on the real files: all foods, honest counts, all or nothing."""

import shutil
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from nutrition import ciqual
from nutrition.models import Food, RuleSet


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_import_loads_all_3484_foods_and_reports_unknown_values():
    output = run("import_ciqual")
    assert Food.objects.count() == 3484
    assert "3484 foods loaded (3484 new, 0 updated)" in output
    # the counts of the real table, per nutrient (see nutrition.ciqual's report)
    assert "calcium        missing   784  traces    1  below limit   23" in output
    assert Food.objects.filter(calcium__isnull=True).count() == 784
    assert Food.objects.filter(nutrient_kinds__fat="below_limit").count() == 166
    emmental = Food.objects.get(code="12115")
    assert emmental.calcium == 978
    assert emmental.co2e_per_kg is not None
    tomato = Food.objects.get(code="20119")  # "Tomate verte, crue": May to October
    assert tomato.season_months == [5, 6, 7, 8, 9, 10]
    assert Food.objects.get(code="20009").season_months == list(range(1, 13))  # carrots
    assert Food.objects.get(code="13039").season_months  # an apple
    assert Food.objects.get(name="Carotte, surgelée, crue").season_months == []  # frozen


@pytest.mark.django_db
def test_import_twice_updates_in_place():
    run("import_ciqual")
    Food.objects.filter(code="12115").update(name="changed by hand", calcium=None)
    output = run("import_ciqual")
    assert "(0 new, 3484 updated)" in output
    assert Food.objects.count() == 3484
    emmental = Food.objects.get(code="12115")
    assert (emmental.name, emmental.calcium) == ("Emmental ou emmenthal", 978)


@pytest.mark.django_db
def test_a_bad_row_imports_nothing_and_names_the_line(tmp_path):
    run("import_ciqual", "--no-agribalyse", "--no-seasons")
    Food.objects.filter(code="12115").update(name="kept")
    broken = tmp_path / "ciqual.csv"
    shutil.copy(ciqual.CIQUAL_PATH, broken)
    text = broken.read_text(encoding="utf-8").replace('"39,1', '"3 9,1', 1)
    broken.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError) as error:
        run("import_ciqual", "--ciqual", str(broken))
    assert "nothing imported" in str(error.value)
    assert "line " in str(error.value)
    assert Food.objects.get(code="12115").name == "kept"


@pytest.mark.django_db
def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        run("import_ciqual", "--ciqual", str(tmp_path / "absent.csv"))
    assert not Food.objects.exists()


@pytest.mark.django_db
def test_load_rule_presets_is_idempotent():
    first = run("load_rule_presets")
    run("load_rule_presets")
    assert RuleSet.objects.filter(is_preset=True).count() == 2
    assert ": 15 rules" in first and ": 5 rules" in first
