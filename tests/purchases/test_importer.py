"""The ma cantine import: every row of the reference files, tolerance, all-or-nothing."""

import io
import json
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import Workbook

from cantine.labels import Family, Label
from cantine.local import LocalScope
from purchases import exporter, importer, services
from purchases.models import ImportBatch, Origin, Purchase, Source
from tests.purchases.conftest import (
    BAD,
    DATA,
    EXAMPLE,
    GOOD,
    MANAGED_SIRET,
    SEMICOLON,
    read,
)

# Every row of the bad file, checked against the schema text: (line, column, reason).
# Line 6 lacks a supplier too, but the schema makes ``fournisseur`` optional; line 14 is local
# without a definition, which ma cantine accepts since its #6845.
BAD_ROWS = {
    (2, "siret", "required"),
    (3, "siret", "unknown_siret"),
    (4, "siret", "not_manager"),
    (5, "description", "required"),
    (6, "famille_produits", "required"),
    (7, "date", "required"),
    (8, "date", "invalid_date"),
    (9, "date", "date_format"),
    (10, "prix_ht", "required"),
    (11, "prix_ht", "invalid_number"),
    (12, "famille_produits", "unknown_family"),
    (13, "categories_egalim", "unknown_category"),
    (15, "", "cell_count"),
}

# (description, family, labels, is_local, local definition, km) per line of the good file.
GOOD_ROWS = [
    ("Pommes, rouges, local", "PRODUITS_LAITIERS", ["BIO"], True, "DEPARTEMENT", None),
    ("Pommes, vertes 1", "AUTRES", [], False, "", None),
    ("Pommes, vertes 2", "PRODUITS_LAITIERS", ["RUP"], False, "", None),
    ("Pommes, vertes 3", "BOISSONS", ["BIO"], False, "", None),
    ("Pommes, vertes 4", "AUTRES", ["AOCAOP"], False, "", None),
    ("Pommes, vertes 5", "AUTRES", [], True, "COMMUNE", None),
    ("Pommes, vertes 6", "AUTRES", [], True, "KM", None),
    ("Pommes, vertes 7", "AUTRES", [], True, "KM", Decimal("200")),
]

HEADER = ",".join(importer.COLUMNS)
ROW = f"{MANAGED_SIRET},Carottes,Ferme,2024-03-01,12.50,FRUITS_ET_LEGUMES,BIO,FRANCE,x,OUI,KM,30"


def run(sirets, name, content):
    return services.import_purchases(actor=sirets["manager"], file_name=name, content=content)


def reasons(outcome):
    return {(e.line, e.column, e.code) for e in outcome.result.errors}


def line_set(canteen):
    """A canteen's lines as comparable tuples: what a round trip must keep."""
    return sorted(
        (
            p.date,
            p.description,
            p.supplier,
            p.price_ht,
            p.family,
            tuple(p.labels),
            p.origin,
            p.is_short_chain,
            p.is_local,
            p.local_definition,
            p.local_definition_km,
        )
        for p in Purchase.objects.filter(canteen=canteen)
    )


def test_bad_file_rejects_every_row_with_its_reason_and_imports_nothing(sirets):
    outcome = run(sirets, BAD, read(BAD))
    assert not outcome.ok
    assert reasons(outcome) == BAD_ROWS
    assert Purchase.objects.count() == 0
    assert ImportBatch.objects.count() == 0


def test_bad_file_errors_come_in_line_order_with_the_offending_value(sirets):
    errors = run(sirets, BAD, read(BAD)).result.errors
    assert [e.line for e in errors] == sorted(e.line for e in errors)
    by_line = {e.line: e for e in errors}
    assert by_line[8].value == "2022-02-31"
    assert by_line[11].value == "A price"
    assert by_line[12].value == "NOPE"
    assert "NOPE" in by_line[13].message and "BIO" not in by_line[13].message.split(":")[-1]
    assert by_line[3].value == "86180597100897"


def test_good_file_imports_every_row_as_written(sirets):
    outcome = run(sirets, GOOD, read(GOOD))
    assert outcome.ok, outcome.result.errors
    assert outcome.imported == 8
    lines = {p.description: p for p in Purchase.objects.filter(canteen=sirets["managed"])}
    assert len(lines) == 8
    for description, family, labels, is_local, definition, km in GOOD_ROWS:
        line = lines[description]
        assert (line.family, line.labels, line.is_local) == (family, labels, is_local)
        assert (line.local_definition, line.local_definition_km) == (definition, km)
        assert line.supplier == "Le bon traiteur"  # trailing space trimmed
        assert line.source == Source.IMPORT
    first = lines["Pommes, rouges, local"]
    assert (first.date, first.price_ht) == (date(2022, 5, 2), Decimal("90.11"))
    assert lines["Pommes, vertes 1"].price_ht == Decimal("910.11")
    batch = ImportBatch.objects.get()
    assert (batch.canteen, batch.rows, batch.imported_by) == (
        sirets["managed"],
        8,
        sirets["manager"],
    )
    assert batch.sha256 == importer.sha256_of(read(GOOD))


def test_semicolon_file(sirets):
    outcome = run(sirets, SEMICOLON, read(SEMICOLON))
    assert outcome.ok, outcome.result.errors
    line = Purchase.objects.get()
    assert (line.description, line.supplier, line.family) == (
        "Pommes vertes",
        "Le bon traiteur",
        "PRODUITS_LAITIERS",
    )
    assert (line.is_local, line.local_definition, line.labels) == (True, "DEPARTEMENT", ["BIO"])


def test_example_file_with_its_missing_km_column(sirets):
    outcome = run(sirets, EXAMPLE, read(EXAMPLE))
    assert outcome.ok, outcome.result.errors
    assert any("definition_local_km" in notice for notice in outcome.result.notices)
    lines = {p.description: p for p in Purchase.objects.filter(canteen=sirets["example"])}
    assert len(lines) == 6
    pommes = lines["Pommes"]
    assert pommes.labels == ["BIO", "COMMERCE_EQUITABLE"]
    assert (pommes.origin, pommes.is_short_chain, pommes.is_local) == ("FRANCE", True, True)
    assert pommes.local_definition == "REGION"
    poires = lines["Poires"]
    assert (poires.origin, poires.is_local, poires.price_ht) == ("EUROPE", False, Decimal("200"))
    assert lines["Fraises"].supplier == "Les fruits rouges"


def test_tab_separated_file(sirets):
    content = (HEADER + "\n" + ROW).replace(",", "\t").encode()
    outcome = run(sirets, "achats.tsv", content)
    assert outcome.ok, outcome.result.errors
    line = Purchase.objects.get()
    assert (line.price_ht, line.local_definition_km, line.is_short_chain) == (
        Decimal("12.50"),
        Decimal("30"),
        True,
    )


def _xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_xlsx_with_typed_cells_reads_like_csv(sirets):
    content = _xlsx(
        [
            importer.COLUMNS,
            [int(MANAGED_SIRET), "Yaourts", "Laiterie", date(2024, 2, 1), 35.5,
             "PRODUITS_LAITIERS", "BIO,IGP", "FRANCE", None, "x", "REGION", None],
            [MANAGED_SIRET, "Pain", None, "2024-02-02", 12, "BOULANGERIE",
             None, None, None, None, None, None],
        ]
    )  # fmt: skip
    outcome = run(sirets, "achats.xlsx", content)
    assert outcome.ok, outcome.result.errors
    yaourts = Purchase.objects.get(description="Yaourts")
    assert (yaourts.date, yaourts.price_ht, yaourts.labels) == (
        date(2024, 2, 1),
        Decimal("35.50"),
        ["BIO", "IGP"],
    )
    assert (yaourts.is_local, yaourts.local_definition) == (True, "REGION")
    assert Purchase.objects.get(description="Pain").price_ht == Decimal("12")


def test_xlsx_errors_name_spreadsheet_rows(sirets):
    content = _xlsx(
        [importer.COLUMNS, [MANAGED_SIRET, "Pain", "", "2024-02-30", -3, "BOULANGERIE"]]
    )
    outcome = run(sirets, "achats.xlsx", content)
    assert reasons(outcome) == {(2, "date", "invalid_date"), (2, "prix_ht", "negative_price")}


@pytest.mark.parametrize(
    ("columns", "code"),
    [(["commentaire", *importer.COLUMNS], "wrong_column"),
     ([*importer.COLUMNS, "commentaire"], "extra_columns"),
     ([*reversed(importer.COLUMNS)], "wrong_column")],
    ids=["extra-first", "extra-last", "reordered"],
)  # fmt: skip
def test_extra_and_reordered_columns_are_refused_as_ma_cantine_does(sirets, columns, code):
    """ma cantine's header check (common/api/validata.py::process_header_errors)."""
    content = (",".join(columns) + "\n" + ROW).encode()
    outcome = run(sirets, "achats.csv", content)
    assert code in {e.code for e in outcome.result.errors}
    assert {e.line for e in outcome.result.errors} == {1}
    assert Purchase.objects.count() == 0


def test_header_case_and_spaces_are_a_tolerance_with_a_notice(sirets):
    content = (", ".join(c.upper() for c in importer.COLUMNS) + "\n" + ROW).encode()
    assert not importer.parse("achats.csv", content, strict=True).ok
    outcome = run(sirets, "achats.csv", content)
    assert outcome.ok, outcome.result.errors
    assert len(outcome.result.notices) == 1


@pytest.mark.parametrize(
    ("price", "expected"),
    [("90,11", Decimal("90.11")), ("1 234.5", Decimal("1234.50")), ("0", Decimal("0"))],
)
def test_prices_written_the_french_way_are_read(sirets, price, expected):
    content = f"{HEADER}\n{ROW.replace('12.50', chr(34) + price + chr(34))}".encode()
    outcome = run(sirets, "achats.csv", content)
    assert outcome.ok, outcome.result.errors
    assert Purchase.objects.get().price_ht == expected


@pytest.mark.parametrize(
    ("price", "code"),
    [("-12.50", "negative_price"), ("12.5.1", "invalid_number"), ("1,234.50", "invalid_number"),
     ("12 €", "invalid_number"), ("1e3", "invalid_number")],
)  # fmt: skip
def test_bad_prices_are_rejected(sirets, price, code):
    content = f"{HEADER}\n{ROW.replace('12.50', chr(34) + price + chr(34))}".encode()
    assert reasons(run(sirets, "achats.csv", content)) == {(2, "prix_ht", code)}


@pytest.mark.parametrize(
    ("value", "expected"), [("OUI", True), ("oui", True), ("x", True),
                            ("non", False), ("NON", False), ("", False)]
)  # fmt: skip
def test_booleans_per_the_schema(sirets, value, expected):
    content = f"{HEADER}\n{ROW.replace(',x,OUI,KM,30', f',{value},NON,,')}".encode()
    assert importer.parse("achats.csv", content, strict=True).ok
    outcome = run(sirets, "achats.csv", content)
    assert outcome.ok, outcome.result.errors
    assert Purchase.objects.get().is_short_chain is expected
    assert outcome.result.notices == []


@pytest.mark.parametrize(("value", "expected"), [("X", True), ("Oui", True), ("Non", False)])
def test_other_spellings_of_oui_and_non_are_a_tolerance_with_a_notice(sirets, value, expected):
    content = f"{HEADER}\n{ROW.replace(',x,OUI,KM,30', f',{value},NON,,')}".encode()
    assert {e.code for e in importer.parse("a.csv", content, strict=True).errors} == {
        "invalid_boolean"
    }
    outcome = run(sirets, "achats.csv", content)
    assert outcome.ok, outcome.result.errors
    assert Purchase.objects.get().is_short_chain is expected
    assert any(value in notice for notice in outcome.result.notices)


@pytest.mark.parametrize("value", ["yes", "1", "true", "oui!"])
def test_a_boolean_that_is_not_oui_or_non_is_refused(sirets, value):
    """Table Schema booleans: a value outside trueValues/falseValues is a type error."""
    content = f"{HEADER}\n{ROW.replace(',x,OUI,KM,30', f',{value},NON,,')}".encode()
    assert reasons(run(sirets, "achats.csv", content)) == {
        (2, "est_circuit_court", "invalid_boolean")
    }


def test_a_future_date_is_refused(sirets):
    """ma cantine data/validators/purchase.py::validate_purchase_date."""
    content = f"{HEADER}\n{ROW.replace('2024-03-01', '2099-01-01')}".encode()
    assert reasons(run(sirets, "achats.csv", content)) == {(2, "date", "future_date")}


@pytest.mark.parametrize(
    ("tail", "column", "code"),
    [(",x,NON,REGION,", "definition_local", "local_definition_not_local"),
     (",x,NON,KM,30", "definition_local", "local_definition_not_local"),
     (",x,NON,,30", "definition_local_km", "km_not_local"),
     (",x,OUI,KM,12.5", "definition_local_km", "km_not_integer"),
     (",x,OUI,KM,-3", "definition_local_km", "km_not_integer")],
)  # fmt: skip
def test_local_fields_follow_ma_cantine_s_validator(sirets, tail, column, code):
    """validate_purchase_definition_local and the PositiveIntegerField of the distance."""
    content = f"{HEADER}\n{ROW.replace(',x,OUI,KM,30', tail)}".encode()
    assert (2, column, code) in reasons(run(sirets, "achats.csv", content))


def test_a_local_line_without_definition_is_accepted(sirets):
    """ma cantine #6845: the local definition is optional."""
    content = f"{HEADER}\n{ROW.replace(',x,OUI,KM,30', ',x,OUI,,')}".encode()
    assert importer.parse("achats.csv", content, strict=True).ok
    assert run(sirets, "achats.csv", content).ok
    line = Purchase.objects.get()
    assert (line.is_local, line.local_definition) == (True, "")


@pytest.mark.parametrize(
    ("price", "expected"),
    [("10.005", "10.00"), ("10.015", "10.01"), ("10.0151", "10.02"), ("0.125", "0.12")],
)
def test_prices_round_half_down_like_ma_cantine(price, expected):
    """api/views/purchase_import_base.py: quantize(Decimal(".01"), rounding=ROUND_HALF_DOWN)."""
    content = f"{HEADER}\n{ROW.replace('12.50', price)}".encode()
    result = importer.parse("achats.csv", content, strict=True)
    assert result.rows[0].values["price_ht"] == Decimal(expected)


def test_old_format_keeps_its_labels_local_and_origin(sirets):
    """api/views/purchase_import_old.py: caracteristiques, AUTOUR_SERVICE = KM 200 km."""
    header = "siret,description,fournisseur,date,prix_ht,famille_produits,caracteristiques,definition_local"
    rows = [
        f'{MANAGED_SIRET},Pommes,F,2024-01-02,10,{Family.FRUITS_ET_LEGUMES},"{Label.BIO}, LOCAL, FRANCE, CIRCUIT_COURT",AUTOUR_SERVICE',
        f"{MANAGED_SIRET},Lait,F,2024-01-02,10,{Family.PRODUITS_LAITIERS},{Label.IGP},",
    ]
    outcome = run(sirets, "old.csv", "\n".join([header, *rows]).encode())
    assert outcome.ok, outcome.result.errors
    assert outcome.result.old_format
    pommes = Purchase.objects.get(description="Pommes")
    assert (pommes.labels, pommes.origin, pommes.is_short_chain, pommes.is_local) == (
        [Label.BIO],
        Origin.FRANCE,
        True,
        True,
    )
    assert (pommes.local_definition, pommes.local_definition_km) == (LocalScope.KM, Decimal(200))
    lait = Purchase.objects.get(description="Lait")
    assert (lait.labels, lait.is_local, lait.local_definition) == ([Label.IGP], False, "")


def test_old_format_refuses_europe_with_france(sirets):
    """validate_purchase_caracteristiques."""
    header = "siret,description,fournisseur,date,prix_ht,famille_produits,caracteristiques,definition_local"
    row = f'{MANAGED_SIRET},Pommes,F,2024-01-02,10,{Family.AUTRES},"FRANCE,EUROPE",'
    assert reasons(run(sirets, "old.csv", f"{header}\n{row}".encode())) == {
        (2, "caracteristiques", "origin_conflict")
    }


def test_one_bad_row_among_good_ones_imports_nothing(sirets):
    rows = [ROW] * 5 + [ROW.replace("FRUITS_ET_LEGUMES", "LEGUMES")] + [ROW] * 3
    outcome = run(sirets, "achats.csv", "\n".join([HEADER, *rows]).encode())
    assert reasons(outcome) == {(7, "famille_produits", "unknown_family")}
    assert Purchase.objects.count() == 0


def test_km_needs_the_km_definition(sirets):
    content = f"{HEADER}\n{ROW.replace(',KM,30', ',REGION,30')}".encode()
    assert reasons(run(sirets, "achats.csv", content)) == {
        (2, "definition_local_km", "km_without_km")
    }


def test_unknown_origin_and_local_definition(sirets):
    content = f"{HEADER}\n{ROW.replace('FRANCE,x,OUI,KM', 'ESPAGNE,x,OUI,CANTON')}".encode()
    assert reasons(run(sirets, "achats.csv", content)) == {
        (2, "origine", "unknown_origin"),
        (2, "definition_local", "unknown_local_definition"),
    }


def test_quoted_newline_keeps_line_numbers_of_the_file(sirets):
    rows = [ROW.replace("Carottes", '"Carottes\nnouvelles"'), ROW.replace("2024-03-01", "hier")]
    outcome = run(sirets, "achats.csv", "\n".join([HEADER, *rows]).encode())
    assert reasons(outcome) == {(4, "date", "date_format")}


def test_windows_1252_file_is_read_with_a_notice(sirets):
    content = f"{HEADER}\n{ROW.replace('Carottes', 'Pâtes')}".encode("cp1252")
    outcome = run(sirets, "achats.csv", content)
    assert outcome.ok
    assert Purchase.objects.get().description == "Pâtes"
    assert outcome.result.notices


def test_blank_lines_are_skipped(sirets):
    outcome = run(sirets, "achats.csv", f"{HEADER}\n{ROW}\n,,,,,,,,,,,\n\n".encode())
    assert outcome.ok
    assert Purchase.objects.count() == 1


@pytest.mark.parametrize(
    ("content", "line", "code"),
    [
        (b"", 0, "empty"),
        (ROW.encode(), 1, "wrong_column"),
        (HEADER.replace("prix_ht,", "").encode() + b"\n", 1, "header"),
        (f"{HEADER}\n".encode(), 0, "empty"),
        ((HEADER + ",siret\n" + ROW + ",1").encode(), 1, "extra_columns"),
    ],
    ids=["empty", "no-header", "missing-required-column", "header-only", "duplicate-column"],
)
def test_file_level_problems(sirets, content, line, code):
    outcome = run(sirets, "achats.csv", content)
    assert (line, code) == (outcome.result.errors[0].line, outcome.result.errors[0].code)
    assert {e.line for e in outcome.result.errors} == {line}
    assert Purchase.objects.count() == 0


def test_same_file_twice_is_refused(sirets):
    assert run(sirets, GOOD, read(GOOD)).ok
    again = run(sirets, "renamed.csv", read(GOOD))
    assert not again.ok
    assert again.duplicate_of == ImportBatch.objects.get()
    assert Purchase.objects.count() == 8


def test_undo_then_reimport(sirets):
    run(sirets, GOOD, read(GOOD))
    assert services.undo_import(batch=ImportBatch.objects.get()) == 8
    assert Purchase.objects.count() == 0
    assert run(sirets, GOOD, read(GOOD)).ok


def test_a_kitchen_manager_imports_for_its_satellite(world, sirets):
    content = f"{HEADER}\n{ROW.replace(MANAGED_SIRET, world.satellite.siret)}".encode()
    outcome = run(sirets, "achats.csv", content)
    assert outcome.ok, outcome.result.errors
    assert Purchase.objects.get().canteen == world.satellite


def test_a_cook_cannot_import_for_their_canteen(world, sirets):
    content = f"{HEADER}\n{ROW.replace(MANAGED_SIRET, world.kitchen.siret)}".encode()
    outcome = services.import_purchases(
        actor=world.users["cook"], file_name="achats.csv", content=content
    )
    assert reasons(outcome) == {(2, "siret", "not_manager")}


def test_export_then_import_is_lossless(sirets):
    run(sirets, GOOD, read(GOOD))
    canteen = sirets["managed"]
    before = line_set(canteen)
    exported = exporter.to_csv_bytes(
        Purchase.objects.filter(canteen=canteen).select_related("canteen").order_by("pk")
    )
    header, *rows = exported.decode().splitlines()
    assert header.split(",") == importer.COLUMNS
    assert len(rows) == 8
    Purchase.objects.all().delete()
    outcome = run(sirets, "export.csv", exported)
    assert outcome.ok, outcome.result.errors
    assert line_set(canteen) == before
    # And the export of the re-imported lines is byte for byte the same file.
    again = exporter.to_csv_bytes(
        Purchase.objects.filter(canteen=canteen).select_related("canteen").order_by("pk")
    )
    assert again == exported


def test_every_ma_cantine_category_is_a_cantine_label():
    categories = json.loads((DATA / "macantine_achats_categories_labels.json").read_text())
    values = {entry["value"] for entry in categories["categoriesEgalim"].values()}
    assert values == set(Label.values)
    assert all(importer.CATEGORY_TO_LABEL[v] == Label(v) for v in values)


def test_columns_follow_the_schema_order():
    schema = json.loads((DATA / "macantine_schema_import_achats_siret.json").read_text())
    assert [f["name"] for f in schema["fields"]] == importer.COLUMNS
    assert {"siret", "description", "date", "prix_ht", "famille_produits"} == importer.REQUIRED


def test_long_descriptions_and_large_prices_are_accepted_as_ma_cantine_does(sirets):
    """ma cantine's description and fournisseur are TextFields, prix_ht has 20 digits."""
    long = "Carottes " * 60
    content = (
        f"{HEADER}\n{ROW.replace('Carottes', long.strip()).replace('12.50', '1234567890123.45')}"
    )
    outcome = run(sirets, "achats.csv", content.encode())
    assert outcome.ok, outcome.result.errors
    line = Purchase.objects.get()
    assert (len(line.description), line.price_ht) == (
        len(long.strip()),
        Decimal("1234567890123.45"),
    )
