"""Every PDF and CSV export writes numbers one way (issue 18, ``cantine.formatting``).

PDFs are read by people: no exponent ("5e+1 kg"), no unit or label code ("piece",
"LABEL_ROUGE"), thousands separated ("6 794,43 €", never "6794,43 €"). CSV files are read by
programs: every number cell in the one format its export declares (no exponent, no thousands
separator, the decimals it promises), codes in their code columns only.
"""

import csv
import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from menus import scdl
from orders import consultations as cs
from orders.models import Consultation
from purchases.models import Purchase
from tests.orders.test_lifecycle import make_order
from tests.orders.test_support import clock, food, offer  # noqa: F401 (fixture)
from tests.pdf import pdf_text
from tests.purchases.factories import PurchaseFactory

SEPARATORS = " \u00a0\u202f"
EXPONENT = re.compile(r"\d[eE][+-]?\d")
RAW_CODE = re.compile(r"\bpieces?\b|\b[A-Z]{2,}(?:_[A-Z]+)+\b|\bFERMIER\b")
# An amount in euros: digits (with separators) and decimals, then €.
AMOUNT = re.compile(rf"(\d[\d{SEPARATORS}]*)(?:,\d+)?[{SEPARATORS}]?€")


def assert_reads_like_french(text: str, at_least: int = 1000) -> None:
    """No exponent, no code, every amount of 1,000 € or more with its thousands separated."""
    assert not EXPONENT.search(text), EXPONENT.search(text)
    assert not RAW_CODE.search(text), text[max(0, RAW_CODE.search(text).start() - 80) :][:160]
    amounts = [m.group(1) for m in AMOUNT.finditer(text)]
    big = [a for a in amounts if int(re.sub(f"[{SEPARATORS}]", "", a)) >= at_least]
    assert big, f"no amount of {at_least} € or more in {amounts}"
    for amount in big:
        assert re.fullmatch(rf"\d{{1,3}}(?:[{SEPARATORS}]\d{{3}})+", amount.strip()), amount


def number_cells(rows, skip=()):
    """The cells a spreadsheet would read as numbers, with their column names."""
    header = rows[0]
    for row in rows[1:]:
        for name, cell in zip(header, row, strict=True):
            if name not in skip and re.fullmatch(
                rf"[-+]?\d[\d{SEPARATORS}.,]*(?:[eE][-+]?\d+)?", cell
            ):
                yield name, cell


def assert_machine_numbers(rows, pattern: str, skip=()) -> None:
    cells = list(number_cells(rows, skip))
    assert cells
    for name, cell in cells:
        assert re.fullmatch(pattern, cell), (name, cell)


@pytest.fixture
def big_order(world):
    """300 pieces of Label Rouge farm eggs at 12.345 € each: 3,703.50 €."""
    eggs = offer(
        world.producer,
        food("E1", "Œufs fermiers"),
        price="12.345",
        pack="100",
        labels=["LABEL_ROUGE", "FERMIER"],
        unit="piece",
    )
    return make_order(world, eggs, packs=3)


def test_the_order_pdf_and_csv(client, world, big_order):
    client.force_login(world.users["manager"])
    pdf = pdf_text(client.get(reverse("orders_po_pdf", args=[big_order.pk])).content)
    assert_reads_like_french(pdf)
    assert "pièces" in pdf and "12,345" in pdf

    text = client.get(reverse("orders_po_csv", args=[big_order.pk])).content.decode()
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert not EXPONENT.search(text)
    # Decimal comma, no thousands separator; amounts with two decimals.
    assert_machine_numbers(rows, r"-?\d+(,\d+)?", skip={"labels", "unite"})
    values = dict(zip(rows[0], rows[1], strict=True))
    assert values["total_ht"] == "3703,50" and values["quantite"] == "300"
    assert values["prix_unitaire_ht"] == "12,345"
    assert values["labels"] == "LABEL_ROUGE|FERMIER" and values["unite"] == "piece"  # codes


def test_the_consultation_analysis_pdf(client, world, clock):  # noqa: F811
    clock(date(2027, 1, 1))
    lettuces = food("S1", "Salade batavia")
    offer(world.producer, lettuces, "0.40", 100, unit="piece")
    consultation = cs.create_consultation(
        kitchen=world.kitchen,
        actor=world.users["cook"],
        title="Salades",
        family="FRUITS_ET_LEGUMES",
        items=[
            cs.ItemSpec(
                lettuces,
                Decimal("5E+3"),
                date(2027, 1, 7),
                unit="piece",
                estimated_unit_price=Decimal("0.45"),
            )
        ],
        answer_deadline=timezone.now() + timedelta(days=2),
    )
    cs.publish(consultation=consultation, actor=world.users["cook"])
    item = consultation.items.get()
    cs.submit_answer(
        consultation=consultation,
        actor=world.users["producer"],
        lines=[cs.LineSpec(item.pk, Decimal("0.40"), Decimal("5E+3"))],
    )
    clock(date(2027, 1, 4))
    client.force_login(world.users["cook"])
    assert client.post(reverse("consultation_award", args=[consultation.pk])).status_code == 302
    consultation.refresh_from_db()
    assert consultation.status == Consultation.Status.AWARDED
    pdf = pdf_text(client.get(reverse("consultation_report", args=[consultation.pk])).content)
    assert_reads_like_french(pdf)
    assert re.search(rf"5[{SEPARATORS}]000[{SEPARATORS}]?pièces", pdf)
    assert "07/01/2027" in pdf


@pytest.fixture
def big_year(world):
    k = world.kitchen
    PurchaseFactory(canteen=k, date=date(2025, 1, 10), labels=["BIO"], price_ht=Decimal("12345.67"))
    PurchaseFactory(
        canteen=k,
        date=date(2025, 3, 5),
        labels=["LABEL_ROUGE"],
        price_ht=Decimal("9876.54"),
        supplier="Ferme du Val",
    )
    PurchaseFactory(
        canteen=world.satellite,
        date=date(2025, 8, 20),
        labels=["FERMIER"],
        price_ht=Decimal("11500.60"),
        family="VIANDES_VOLAILLES",
    )
    return world


def test_the_yearly_report_pdf(client, big_year):
    client.force_login(big_year.users["manager"])
    response = client.get(reverse("purchase_report_pdf"), {"year": 2025})
    assert response.status_code == 200
    pdf = pdf_text(response.content)
    assert_reads_like_french(pdf, at_least=10000)
    assert re.search(rf"33[{SEPARATORS}]723[{SEPARATORS}]?€", pdf)  # 33,722.81 € in whole euros


@pytest.mark.parametrize("table", ["quarter", "month", "canteen", "family", "supplier"])
def test_the_shares_tables_csv(client, big_year, table):
    client.force_login(big_year.users["manager"])
    response = client.get(
        reverse("purchase_shares"),
        {"canteen": big_year.kitchen.pk, "year": 2025, "table": table, "format": "csv"},
    )
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert not EXPONENT.search(text) and not RAW_CODE.search(text)
    # Decimal comma and exactly two decimals: amounts in € HT, shares in %.
    assert_machine_numbers(rows, r"-?\d+,\d\d", skip={table})
    if table == "canteen":
        assert sorted(row[1] for row in rows[1:]) == ["11500,60", "22222,21"]


def test_the_ledger_export_in_the_ma_cantine_format(client, big_year):
    client.force_login(big_year.users["manager"])
    response = client.get(reverse("purchase_export"), {"year": 2025})
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert not EXPONENT.search(text)
    # ma cantine's format: a decimal point and two decimals for the price, codes for labels.
    prices = sorted(row[4] for row in rows[1:])
    assert prices == ["11500.60", "12345.67", "9876.54"]
    assert Purchase.objects.count() == len(rows) - 1


def test_the_scdl_menus_export_has_no_exponent(world):
    text = scdl.export_menus(world.kitchen, date(2026, 3, 2), date(2026, 3, 6))
    assert not EXPONENT.search(text)
