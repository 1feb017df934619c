"""SCDL "menus collectifs" CSV: publish the menus, bring past menus in, lose nothing."""

import csv
import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from menus import scdl, services
from menus.models import Meal, MealDish
from nutrition.models import Allergen, Dish
from tests.menus.conftest import MONDAY

HEADER = "menuDate,menuRepasType,menuPlatType,menuPlatNom,menuPlatLabel\n"
SCHEMA = Path(scdl.SCHEMA_PATH)


def frictionless_errors(text: str, tmp_path) -> list:
    """Validate an SCDL CSV with frictionless against the shipped v1.2.3 schema."""
    from frictionless import Resource, Schema

    path = tmp_path / "menus.csv"
    path.write_text(text, encoding="utf-8")
    resource = Resource(
        path=path.name,
        basepath=str(tmp_path),
        schema=Schema.from_descriptor(json.loads(SCHEMA.read_text("utf-8"))),
        format="csv",
        encoding="utf-8",
    )
    report = resource.validate()
    return report.flatten(["rowNumber", "fieldName", "type", "note"])


def serve_week(kitchen):
    services.ensure_meals(canteen=kitchen, start=MONDAY, end=MONDAY + timedelta(days=4))
    for offset in range(5):
        meal = Meal.objects.get(canteen=kitchen, date=MONDAY + timedelta(days=offset))
        for component, dishes in kitchen.catalogue.items():
            services.set_course(meal=meal, component=component, dish=dishes[offset])


def test_export_writes_one_row_per_dish_in_the_schema_columns(kitchen):
    serve_week(kitchen)
    text = scdl.export_menus(kitchen, MONDAY, MONDAY + timedelta(days=4))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == scdl.COLUMNS
    assert len(rows) == 25
    first = rows[0]
    assert (first["menuDate"], first["menuPlatType"], first["menuRepasType"]) == (
        "2027-01-04",
        "entrée",
        "déjeuner",
    )
    assert first["menuCollSiret"] == kitchen.siret
    mains = [r for r in rows if r["menuPlatType"] == "plat principal"]
    assert [r["menuPlatNom"] for r in mains][:2] == ["Dos de colin 1", "Dos de colin 2"]


def test_export_validates_against_the_schema_with_frictionless(kitchen, tmp_path):
    serve_week(kitchen)
    text = scdl.export_menus(kitchen, MONDAY, MONDAY + timedelta(days=4))
    assert frictionless_errors(text, tmp_path) == []


def test_export_follows_the_schema_field_by_field(world, kitchen):
    serve_week(kitchen)
    dish = kitchen.catalogue["main"][0]
    dish.name = "Dos de colin " + "très " * 35 + "frais"
    dish.allergens = [Allergen.FISH, Allergen.MILK, Allergen.NUTS]
    dish.save()
    rows = list(
        csv.DictReader(io.StringIO(scdl.export_menus(kitchen, MONDAY, MONDAY + timedelta(days=4))))
    )
    assert {r["menuRestaurantType"] for r in rows} <= set(scdl.RESTAURANT_TYPE_VALUES)
    assert {r["menuRestaurantConvive"] for r in rows} == {"tous"}
    assert max(len(r["menuPlatNom"]) for r in rows) <= 160
    colin = next(r for r in rows if r["menuPlatCode"] == f"D{dish.pk}")
    assert len(colin["menuPlatNom"]) == 160 and colin["menuPlatNom"].endswith("…")
    assert json.loads(colin["menuPlatAllergene"]) == ["poissons", "lait", "fruits à coques"]
    regimes = {r["menuPlatRegime"] for r in rows}
    assert regimes <= {"", '["végétarien"]'}
    # The kitchen cooks, the satellite serves: the satellite is the restaurant and names the
    # central kitchen as the establishment that produced the meal.
    assert {(r["menuRestaurantNom"], r["menuRestaurantId"]) for r in rows} == {
        (world.satellite.name, world.satellite.siret)
    }
    assert {(r["menuEtablissementNom"], r["menuEtablissementSiret"]) for r in rows} == {
        (kitchen.name, kitchen.siret)
    }
    assert {r["menuRestaurantType"] for r in rows} == {"élémentaire"}  # its covers' age group


def test_a_satellite_page_exports_that_satellite(client, world, kitchen):
    serve_week(kitchen)
    client.force_login(world.users["cook"])
    url = reverse("menu_scdl_export", kwargs={"pk": world.satellite.pk})
    rows = list(
        csv.DictReader(io.StringIO(client.get(url + f"?start={MONDAY}&weeks=1").content.decode()))
    )
    assert len(rows) == 25
    assert {r["menuRestaurantNom"] for r in rows} == {world.satellite.name}
    assert {r["menuEtablissementSiret"] for r in rows} == {kitchen.siret}


def test_restaurant_types_come_from_the_schema_list(world):
    from cantine.models import Canteen

    assert scdl.restaurant_type(world.other_canteen) in scdl.RESTAURANT_TYPE_VALUES
    for kind in Canteen.Kind:
        world.other_canteen.kind = kind
        assert scdl.restaurant_type(world.other_canteen) in scdl.RESTAURANT_TYPE_VALUES


def test_the_shipped_schema_names_its_source():
    source = (SCHEMA.parent / "SOURCE_scdl.md").read_text()
    assert "1.2.3" in source and "documentation.md" in source


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("2027-01-04,brunch,dessert,Pomme 1,", "type de repas"),
        ("2027-01-04,déjeuner,plat,Pomme 1,", "type de plat"),
        ("2027-01-04,déjeuner,dessert," + "P" * 161 + ",", "161 caractères"),
    ],
)
def test_import_checks_values_against_the_schema(kitchen, row, message):
    report = scdl.import_menus(canteen=kitchen, text=HEADER + row + "\n")
    assert not report.ok
    assert message in report.errors[0]


def test_import_reads_allergens_in_the_schema_s_list_format(kitchen):
    header = "menuDate,menuRepasType,menuPlatType,menuPlatNom,menuPlatAllergene\n"
    text = header + '2027-01-04,déjeuner,dessert,Tarte aux noix,"[""lait"",""Fruits à coques""]"\n'
    report = scdl.import_menus(canteen=kitchen, text=text)
    assert report.ok, report.errors
    assert Dish.objects.get(name="Tarte aux noix").allergens == [Allergen.MILK, Allergen.NUTS]
    bad = header + '2027-01-05,déjeuner,dessert,Tarte,"[""milk""]"\n'
    report = scdl.import_menus(canteen=kitchen, text=bad)
    assert not report.ok and "milk" in report.errors[0]


def test_export_then_import_elsewhere_rebuilds_the_same_menus(world, kitchen):
    serve_week(kitchen)
    text = scdl.export_menus(kitchen, MONDAY, MONDAY + timedelta(days=4))
    report = scdl.import_menus(canteen=world.other_canteen, text=text)
    assert report.ok, report.errors
    assert report.courses == 25
    assert len(report.new_dishes) == 25
    drafts = Dish.objects.filter(kitchen=world.other_canteen, status="draft")
    assert drafts.count() == 25

    def menus(canteen):
        return sorted(
            (c.meal.date, c.component, c.dish.name)
            for c in MealDish.objects.filter(meal__canteen=canteen).select_related("meal", "dish")
        )

    assert menus(world.other_canteen) == menus(kitchen)


def test_import_matches_known_dishes_by_name_ignoring_case_and_accents(kitchen):
    text = HEADER + "2027-01-04,Déjeuner,Plat principal,DOS DE COLIN 1,\n"
    report = scdl.import_menus(canteen=kitchen, text=text)
    assert report.ok and report.new_dishes == []
    course = MealDish.objects.get(meal__date=MONDAY, component="main")
    assert course.dish == kitchen.catalogue["main"][0]


def test_a_bad_file_is_refused_whole_with_each_line_named(kitchen):
    text = HEADER + (
        "2027-01-04,déjeuner,plat principal,Dos de colin 1,\n"
        "04/01/2027,déjeuner,dessert,Pomme 1,\n"
        "2027-01-05,déjeuner,boisson,Jus,\n"
        "2027-01-04,déjeuner,plat principal,Omelette 1,\n"
        "2027-01-06,déjeuner,dessert,,\n"
        "2027-01-06,déjeuner,dessert,Carottes râpées 1,\n"
    )
    dishes_before = Dish.objects.count()
    report = scdl.import_menus(canteen=kitchen, text=text)
    assert not report.ok
    joined = "\n".join(report.errors)
    for line in (3, 4, 5, 6, 7):
        assert f"ligne {line} :" in joined
    assert "ligne 2 :" not in joined
    assert not MealDish.objects.exists()
    assert Dish.objects.count() == dishes_before


def test_bread_and_other_meals_are_reported_not_dropped_silently(kitchen):
    text = HEADER + (
        "2027-01-04,déjeuner,pain,Pain de campagne,\n"
        "2027-01-04,goûter,dessert,Pomme 1,\n"
        "2027-01-04,déjeuner,dessert,Pomme 1,\n"
    )
    report = scdl.import_menus(canteen=kitchen, text=text)
    assert report.ok and report.courses == 1
    assert any("ligne 2" in n and "Pain de campagne" in n for n in report.notices)
    assert any("ligne 3" in n for n in report.notices)


def test_missing_columns_are_named(kitchen):
    report = scdl.import_menus(canteen=kitchen, text="date,plat\n2027-01-04,Pomme\n")
    assert not report.ok
    assert "menuDate" in report.errors[0] and "menuPlatNom" in report.errors[0]


def test_cook_imports_through_the_page_and_others_cannot(client, world, kitchen):
    url = reverse("menu_scdl_import", kwargs={"pk": kitchen.pk})
    upload = SimpleUploadedFile(
        "menus.csv", (HEADER + "2027-01-04,déjeuner,dessert,Tarte maison,\n").encode("cp1252")
    )
    client.force_login(world.users["dietitian"])
    assert client.post(url, {"file": upload}).status_code == 403
    client.force_login(world.users["outsider_cook"])
    assert client.get(url).status_code == 404
    client.force_login(world.users["cook"])
    upload.seek(0)
    response = client.post(url, {"file": upload})
    assert response.status_code == 200
    assert response.context["report"].new_dishes == ["Tarte maison"]


def test_export_is_read_by_canteen_staff_only(client, world, kitchen):
    serve_week(kitchen)
    url = reverse("menu_scdl_export", kwargs={"pk": kitchen.pk}) + f"?start={MONDAY}&weeks=1"
    for role, status in [("manager", 200), ("producer", 403), ("outsider_cook", 404)]:
        client.force_login(world.users[role])
        assert client.get(url).status_code == status, role
    client.logout()
    assert client.get(url).status_code == 302


def test_frictionless_does_catch_what_the_schema_forbids(kitchen, tmp_path):
    serve_week(kitchen)
    text = scdl.export_menus(kitchen, MONDAY, MONDAY)
    broken = text.replace(",élémentaire,tous,", ",restaurant scolaire,,")
    assert broken != text
    errors = frictionless_errors(broken, tmp_path)
    assert {(e[1], e[2]) for e in errors} == {
        ("menuRestaurantType", "constraint-error"),
        ("menuRestaurantConvive", "constraint-error"),
    }


def test_the_demo_s_export_validates_against_the_schema(db, tmp_path):
    """The demo territory (``manage.py seed_demo``): its kitchen's four planned weeks."""

    from cantine.models import Canteen
    from demo.seed import seed_demo

    seed_demo()
    kitchen = Canteen.objects.get(kind=Canteen.Kind.CENTRAL_KITCHEN)
    meals = Meal.objects.filter(canteen=kitchen, courses__isnull=False)
    start, end = meals.order_by("date").first().date, timezone.localdate() + timedelta(days=60)
    text = scdl.export_menus(kitchen, start, end)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) > 100
    assert len({r["menuRestaurantNom"] for r in rows}) == kitchen.satellites.count()
    assert frictionless_errors(text, tmp_path) == []
