"""What the manager sees: import results, the filtered ledger and its CSV, shares vs targets."""

import csv
import io
from datetime import date
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from purchases import importer
from purchases.models import Family, ImportBatch, Purchase
from tests.factories import (
    CanteenFactory,
    CommuneFactory,
    DepartmentFactory,
    MembershipFactory,
    RegionFactory,
)
from tests.purchases.conftest import BAD, GOOD, read
from tests.purchases.factories import PurchaseFactory


def upload(client, name, content):
    return client.post(reverse("purchase_import"), {"file": SimpleUploadedFile(name, content)})


def test_import_page_imports_a_good_file_and_lists_it(client, sirets):
    client.force_login(sirets["manager"])
    response = upload(client, GOOD, read(GOOD))
    assert response.status_code == 200
    outcome = response.context["outcome"]
    assert outcome.ok and outcome.imported == 8
    assert Purchase.objects.count() == 8
    assert b'data-ok="true"' in response.content
    assert list(response.context["batches"]) == list(ImportBatch.objects.all())


def test_import_page_lists_every_bad_line_and_saves_nothing(client, sirets):
    client.force_login(sirets["manager"])
    response = upload(client, BAD, read(BAD))
    assert response.status_code == 400
    assert not Purchase.objects.exists()
    html = response.content.decode()
    for line in [*range(2, 14), 15]:  # line 14, local without a definition, is fine (#6845)
        assert f'data-line="{line}"' in html
    assert 'data-code="not_manager"' in html


def test_import_page_refuses_the_same_file_twice(client, sirets):
    client.force_login(sirets["manager"])
    upload(client, GOOD, read(GOOD))
    response = upload(client, "copie.csv", read(GOOD))
    assert response.status_code == 400
    assert b'data-error="duplicate"' in response.content
    assert Purchase.objects.count() == 8


def test_undo_removes_the_lines(client, sirets):
    client.force_login(sirets["manager"])
    upload(client, GOOD, read(GOOD))
    batch = ImportBatch.objects.get()
    response = client.post(reverse("purchase_import_undo", kwargs={"pk": batch.pk}))
    assert response.status_code == 302
    assert not Purchase.objects.exists()


@pytest.fixture
def lines(world):
    k, s = world.kitchen, world.satellite
    PurchaseFactory(
        canteen=k,
        date=date(2025, 1, 5),
        family=Family.VIANDES_VOLAILLES,
        labels=["LABEL_ROUGE"],
        price_ht=D("300"),
        description="Bœuf",
    )
    PurchaseFactory(
        canteen=s,
        date=date(2025, 6, 5),
        labels=["BIO"],
        price_ht=D("100"),
        is_local=True,
        description="Pommes",
    )
    PurchaseFactory(canteen=k, date=date(2025, 6, 9), price_ht=D("600"), description="Sel")
    PurchaseFactory(canteen=k, date=date(2024, 6, 9), labels=["BIO"], description="Ancien")
    return world  # fmt: skip


def test_ledger_filters_and_totals(client, lines):
    client.force_login(lines.users["cook"])
    response = client.get(reverse("purchase_ledger"), {"year": 2025, "group": "egalim"})
    assert response.status_code == 200
    assert {p.description for p in response.context["page"]} == {"Bœuf", "Pommes"}
    assert response.context["totals"].total == D("400")
    assert response.context["can_import"] is False


def test_ledger_htmx_returns_only_the_table(client, lines):
    client.force_login(lines.users["manager"])
    response = client.get(reverse("purchase_ledger"), {"search": "pom"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in response.content
    assert b'id="results"' in response.content
    assert response.content.count(b"data-purchase=") == 1
    assert b"Pommes" in response.content


def test_ledger_of_a_satellite_only(client, lines):
    client.force_login(lines.users["manager"])
    response = client.get(reverse("purchase_ledger"), {"canteen": lines.satellite.pk})
    assert [p.description for p in response.context["page"]] == ["Pommes"]


def test_csv_export_of_the_filtered_table_in_the_ma_cantine_format(client, lines):
    client.force_login(lines.users["cook"])
    response = client.get(reverse("purchase_export"), {"year": 2025, "group": "egalim"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == importer.COLUMNS
    assert sorted((r[1], r[4], r[6], r[9]) for r in rows[1:]) == [
        ("Bœuf", "300.00", "LABEL_ROUGE", "NON"),
        ("Pommes", "100.00", "BIO", "OUI"),
    ]
    assert {r[0] for r in rows[1:]} == {lines.kitchen.siret, lines.satellite.siret}


def test_shares_page_states_figures_targets_and_the_local_definition(client, lines):
    client.force_login(lines.users["manager"])
    response = client.get(reverse("purchase_shares"), {"year": 2025})
    assert response.status_code == 200
    figures = {f.key: f for f in response.context["figures"]}
    assert figures["bio"].pct == D("10.0") and figures["bio"].target == 20
    assert figures["bio"].met is False
    assert figures["egalim"].pct == D("40.0") and figures["egalim"].met is False
    assert figures["meat_fish"].pct == D("100.0") and figures["meat_fish"].met is True
    local = lines.kitchen.local_definition().label
    assert local in figures["local"].note
    assert figures["local"].target is None
    assert response.context["years"] == [2025, 2024]
    assert [name for name, _url in response.context["tables"]] == [
        "quarter",
        "month",
        "canteen",
        "family",
        "supplier",
    ]
    html = response.content.decode()
    assert 'data-share="bio"' in html and 'data-met="false"' in html


def test_drill_down_from_a_share_lists_its_lines(client, lines):
    client.force_login(lines.users["manager"])
    response = client.get(reverse("purchase_shares"), {"year": 2025})
    url = {f.key: f for f in response.context["figures"]}["meat_fish"].url
    drilled = client.get(url)
    assert [p.description for p in drilled.context["page"]] == ["Bœuf"]


def test_overseas_canteen_is_measured_against_its_own_targets(client, world):
    region = RegionFactory(code="01", name="Guadeloupe", zone="drom")
    commune = CommuneFactory(
        code="97105",
        name="Basse-Terre",
        department=DepartmentFactory(code="971", name="Guadeloupe", region=region),
    )
    canteen = CanteenFactory(name="Cantine de Basse-Terre", commune=commune)
    manager = MembershipFactory(canteen=canteen, role="manager").user
    PurchaseFactory(canteen=canteen, labels=["BIO"], price_ht=D("6"))
    PurchaseFactory(canteen=canteen, labels=["HVE"], price_ht=D("12"))
    PurchaseFactory(canteen=canteen, price_ht=D("82"))
    client.force_login(manager)
    response = client.get(reverse("purchase_shares"), {"canteen": canteen.pk, "year": 2025})
    figures = {f.key: f for f in response.context["figures"]}
    assert (figures["bio"].pct, figures["bio"].target, figures["bio"].met) == (D("6.0"), 5, True)
    assert (figures["egalim"].pct, figures["egalim"].target, figures["egalim"].met) == (
        D("18.0"),
        20,
        False,
    )
    assert figures["meat_fish"].target is None


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ("quarter", {1: D("300"), 2: D("700")}),
        # February to May: nothing bought, each still a row (the table skips no month).
        ("month", {1: D("300"), 2: 0, 3: 0, 4: 0, 5: 0, 6: D("700")}),
        ("family", {"VIANDES_VOLAILLES": D("300"), "AUTRES": D("700")}),
        ("supplier", {"Grossiste": D("1000")}),
    ],
)
def test_breakdown_tables_load_on_their_own(client, lines, table, expected):
    client.force_login(lines.users["cook"])
    response = client.get(
        reverse("purchase_shares"), {"year": 2025, "table": table}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert {row.key: row.shares.total for row, _url in response.context["rows"]} == expected
    if table == "month":  # rows named as people say them, not "1" … "12"
        names = [row.name for row, _url in response.context["rows"]]
        assert names == ["janvier", "février", "mars", "avril", "mai", "juin"]


def test_breakdown_by_canteen_drills_into_each_canteen(client, lines):
    client.force_login(lines.users["manager"])
    response = client.get(reverse("purchase_shares"), {"year": 2025, "table": "canteen"})
    rows = {row.key: url for row, url in response.context["rows"]}
    assert set(rows) == {lines.kitchen.pk, lines.satellite.pk}
    drilled = client.get(rows[lines.satellite.pk])
    assert [p.description for p in drilled.context["page"]] == ["Pommes"]


def test_a_satellite_has_no_breakdown_by_canteen(client, lines):
    client.force_login(lines.users["manager"])
    response = client.get(reverse("purchase_shares"), {"canteen": lines.satellite.pk})
    assert "canteen" not in [name for name, _url in response.context["tables"]]


def test_a_drill_down_to_a_year_without_lines_shows_none(client, lines):
    client.force_login(lines.users["cook"])
    response = client.get(reverse("purchase_ledger"), {"year": 2019, "family": "NOPE"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 0
