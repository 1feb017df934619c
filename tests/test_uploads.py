"""Hostile uploads (issue 12): every import refuses oversized bodies, tables and XML bombs
quickly, with a clear message, keeps its error list short, and refuses formula cells.

The speed targets (under a second) are measured by ``bench/uploads.py``; these tests only
check that refusals come well within a few seconds so they cannot hang the suite."""

import csv
import io
import time

import openpyxl.xml
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from menus import scdl
from nutrition.models import Food
from producers import offers
from producers.models import Offer
from purchases import importer, services
from purchases.models import Purchase
from tests import hostile_files

OFFER_HEADER = ["ciqual_code", "product", "unit", "pack_size", "unit_price"]
SCDL_HEADER = ["menuDate", "menuRepasType", "menuPlatType", "menuPlatNom"]
# A purchase line wrong in four ways (no description, no date, no price, unknown family).
BAD_PURCHASE = ["21010034300016", "", "", "", "", "x", "", "", "", "", "", ""]
LOOSE_SECONDS = 5  # a refusal, on a loaded 2-core machine; bench/uploads.py has the figures


@pytest.fixture(autouse=True)
def french():
    with translation.override("fr"):
        yield


def csv_file(header, *rows) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    return out.getvalue().encode()


def timed(call):
    start = time.perf_counter()
    value = call()
    elapsed = time.perf_counter() - start
    assert elapsed < LOOSE_SECONDS, f"took {elapsed:.1f} s"
    return value


def test_openpyxl_parses_through_defusedxml():
    assert openpyxl.xml.DEFUSEDXML


# Purchases ledger ------------------------------------------------------------------------------


@pytest.mark.parametrize("dimension", ["declared", "understated", "absent"])
def test_a_tiny_xlsx_with_a_cell_at_row_five_million_is_refused(dimension):
    content = hostile_files.far_cell_xlsx(importer.COLUMNS, dimension=dimension)
    assert len(content) < 6000

    result = timed(lambda: importer.parse("achats.xlsx", content))

    assert [e.code for e in result.errors] == ["too_large"]
    assert "100\u202f000" in result.errors[0].message and "lignes" in result.errors[0].message
    assert not result.rows


def test_the_declared_dimension_is_checked_before_any_row_is_read(monkeypatch):
    from cantine import tables

    def no_rows(*args, **kwargs):  # pragma: no cover - reached only if the check is missing
        raise AssertionError("rows were read")

    monkeypatch.setattr(tables, "_capped_rows", no_rows)
    content = hostile_files.far_cell_xlsx(importer.COLUMNS, dimension="declared")
    result = importer.parse("achats.xlsx", content)
    assert result.errors[0].message.startswith("Le fichier a 4\u202f999\u202f999 lignes")


def test_an_understated_dimension_does_not_hide_rows(monkeypatch):
    """openpyxl stops at the declared dimension; the importer reads every row anyway."""
    monkeypatch.setattr(importer.reading, "MAX_ROWS", 10)
    good = [*importer.COLUMNS]
    content = hostile_files.xlsx(good, [BAD_PURCHASE] * 3)

    def understate(body):
        import re

        return re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:L2"/>', body)

    content = hostile_files._rewrite_sheet(content, understate)
    result = importer.parse("achats.xlsx", content)
    assert {e.line for e in result.errors} == {2, 3, 4}


def test_an_xml_bomb_is_refused_as_unreadable():
    content = hostile_files.billion_laughs_xlsx(importer.COLUMNS)
    result = timed(lambda: importer.parse("achats.xlsx", content))
    assert [e.code for e in result.errors] == ["format"]


def test_a_csv_of_200000_bad_lines_is_refused_without_checking_them():
    content = hostile_files.bad_csv(importer.COLUMNS, BAD_PURCHASE, 200_000)

    result = timed(lambda: importer.parse("achats.csv", content))

    assert [e.code for e in result.errors] == ["too_large"]
    assert result.errors[0].message == (
        "Le fichier a 200\u202f000 lignes ; au plus 100\u202f000 peuvent être importées en une "
        "fois : découpez-le en plusieurs fichiers."
    )


def test_a_quoted_line_break_does_not_count_as_a_line(monkeypatch):
    monkeypatch.setattr(importer.reading, "MAX_ROWS", 3)
    row = '21010034300016,"Carottes\nrâpées",Ferme,2024-03-01,1,AUTRES,,,,,,'
    content = ("\n".join([",".join(importer.COLUMNS), row, row, row]) + "\n").encode()
    result = importer.parse("achats.csv", content)
    assert "too_large" not in {e.code for e in result.errors}


def test_only_the_first_hundred_problems_are_kept_and_the_rest_counted():
    content = hostile_files.bad_csv(importer.COLUMNS, BAD_PURCHASE, 300)
    result = importer.parse("achats.csv", content)
    assert len(result.errors) == 100
    assert result.error_count == 1200 and result.more_errors == 1100


def test_the_import_page_shows_a_hundred_problems_and_counts_the_others(client, world):
    client.force_login(world.users["manager"])
    content = hostile_files.bad_csv(importer.COLUMNS, BAD_PURCHASE, 300)
    response = client.post(
        reverse("purchase_import"), {"file": SimpleUploadedFile("achats.csv", content)}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert page.count("<tr data-line=") == 100
    # Four problems a line, and a SIRET the manager does not manage: 1,500 in all.
    assert "1500 problèmes trouvés" in page
    assert "et 1400 autres problèmes, non affichés" in page
    assert len(page) < 100_000


def test_a_body_over_the_limit_is_refused_before_it_is_read(client, world):
    """The declared length is over 50 MB: the payload is never read (the fake one is tiny,
    and Django's test payload raises if anyone reads past it)."""
    client.force_login(world.users["manager"])
    response = client.post(
        reverse("purchase_import"),
        data=b"--x--",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(60 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert "Le fichier dépasse 50 Mo : découpez-le en plusieurs fichiers." in (
        response.content.decode()
    )


def test_other_pages_and_the_api_accept_small_bodies_only(client, world):
    client.force_login(world.users["cook"])
    response = client.generic(
        "POST",
        "/api/needs/",
        data=b"{}",
        content_type="application/json",
        CONTENT_LENGTH=str(3 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert response.json()["detail"].startswith("Le fichier dépasse 2,5 Mo")


def test_formula_cells_are_refused_in_the_ledger_import(world):
    line = ["21010034300016", '=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0"]
    line += ["2024-03-01", "12.50", "AUTRES", "", "", "", "", "", ""]
    result = importer.parse("achats.csv", csv_file(importer.COLUMNS, line))
    assert {(e.column, e.code) for e in result.errors} == {
        ("description", "formula"),
        ("fournisseur", "formula"),
    }
    assert "un tableur" in result.errors[0].message


def test_a_negative_looking_text_that_is_no_formula_is_kept(world):
    line = ["21010034300016", "Carottes -3,5 kg", "Ferme", "2024-03-01", "12.50", "AUTRES"]
    line += [""] * 6
    result = importer.parse("achats.csv", csv_file(importer.COLUMNS, line))
    assert result.ok, result.errors


def test_nothing_is_saved_when_the_file_is_refused(world):
    content = hostile_files.bad_csv(importer.COLUMNS, BAD_PURCHASE, 200_000)
    outcome = services.import_purchases(
        actor=world.users["manager"], file_name="achats.csv", content=content
    )
    assert not outcome.ok and Purchase.objects.count() == 0


# Producers' price lists ------------------------------------------------------------------------


@pytest.fixture
def carrot(db):
    return Food.objects.create(code="20009", name="Carotte, crue", search_name="carotte")


def refused(producer, content, name):
    with pytest.raises(offers.OfferImportError) as caught:
        timed(lambda: offers.import_offers(producer=producer, content=content, filename=name))
    return [str(e) for e in caught.value.errors]


@pytest.mark.parametrize("dimension", ["declared", "absent"])
def test_a_price_list_with_a_cell_at_row_five_million_is_refused(world, dimension):
    content = hostile_files.far_cell_xlsx(OFFER_HEADER, dimension=dimension)
    errors = refused(world.producer, content, "tarifs.xlsx")
    assert len(errors) == 1 and "10\u202f000" in errors[0] and "lignes" in errors[0]


def test_a_price_list_of_200000_lines_is_refused(world):
    content = hostile_files.bad_csv(OFFER_HEADER, ["x", "", "", "", ""], 200_000)
    errors = refused(world.producer, content, "tarifs.csv")
    assert errors == [
        "fichier: Le fichier a 200\u202f000 lignes ; au plus 10\u202f000 peuvent être importées "
        "en une fois : découpez-le en plusieurs fichiers."
    ]


def test_a_price_list_xml_bomb_is_unreadable(world):
    errors = refused(world.producer, hostile_files.billion_laughs_xlsx(OFFER_HEADER), "t.xlsx")
    assert len(errors) == 1 and "illisible" in errors[0]


def test_a_streamed_price_list_still_imports_and_names_lines(world, carrot):
    content = hostile_files.xlsx(
        OFFER_HEADER,
        [["20009", "Carottes", "kg", 10, 1.2], [None] * 5, ["20009", "Carottes", "kg", 0, 1]],
    )
    errors = refused(world.producer, content, "tarifs.xlsx")
    assert errors == [
        "ligne 4, pack_size: doit être positif",
        "ligne 4, product: même produit qu'à la ligne 2",
    ]
    good = hostile_files.xlsx(OFFER_HEADER, [["20009", "Carottes", "kg", 10, 1.2]])
    assert (
        offers.import_offers(producer=world.producer, content=good, filename="tarifs.xlsx").created
        == 1
    )


def test_a_formula_product_name_is_refused(world, carrot):
    content = hostile_files.xlsx(OFFER_HEADER, [["20009", '=HYPERLINK("http://x")', "kg", 1, 1]])
    errors = refused(world.producer, content, "tarifs.xlsx")
    assert len(errors) == 1 and "formule" in errors[0]
    assert not Offer.objects.exists()


def test_the_offers_page_shows_a_hundred_problems_and_counts_the_others(client, world, carrot):
    client.force_login(world.users["producer"])
    content = hostile_files.bad_csv(OFFER_HEADER, ["99999", "x", "kg", "1", "1"], 150, ";")
    response = client.post(
        reverse("producer_offers"), {"file": SimpleUploadedFile("tarifs.csv", content)}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert page.count("code CIQUAL inconnu") == 100
    assert "et 50 autres problèmes" in page


def test_the_offers_page_refuses_a_body_over_5_mb_before_reading_it(client, world):
    client.force_login(world.users["producer"])
    response = client.post(
        reverse("producer_offers"),
        data=b"--x--",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(6 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert "Le fichier dépasse 5 Mo" in response.content.decode()


# SCDL menus ------------------------------------------------------------------------------------


def scdl_text(rows: list[list[str]]) -> str:
    return "\n".join(",".join(r) for r in [SCDL_HEADER, *rows]) + "\n"


def test_an_scdl_file_of_200000_lines_is_refused(world):
    text = scdl_text([["pas une date", "déjeuner", "entrée", "x"]] * 200_000)
    report = timed(lambda: scdl.import_menus(canteen=world.kitchen, text=text))
    assert report.errors == [
        "Le fichier a 200\u202f000 lignes ; au plus 50\u202f000 peuvent être importées en une "
        "fois : découpez-le en plusieurs fichiers."
    ]


def test_an_scdl_formula_dish_name_is_refused(world):
    report = scdl.import_menus(
        canteen=world.kitchen,
        text=scdl_text([["2024-03-04", "déjeuner", "entrée", "@SUM(1+1)*cmd|' /C calc'!A0"]]),
    )
    assert len(report.errors) == 1 and "formule" in report.errors[0]


def test_the_scdl_page_shows_a_hundred_problems_and_counts_the_others(client, world):
    client.force_login(world.users["cook"])
    text = scdl_text([["pas une date", "déjeuner", "entrée", "x"]] * 130)
    response = client.post(
        reverse("menu_scdl_import", kwargs={"pk": world.kitchen.pk}),
        {"file": SimpleUploadedFile("menus.csv", text.encode())},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert page.count("invalide (AAAA-MM-JJ)") == 100 and "et 30 autres problèmes" in page
