"""Invoices producers can send: a Factur-X PDF from a delivered purchase order.

Factur-X is the French e-invoicing standard (EN 16931 semantic model, CII syntax, embedded in
a PDF/A-3). The ``factur-x`` package builds the XML from EN 16931 business terms and embeds it
in the PDF, checking it against the official XSD on the way: what it refuses never reaches a
buyer. Chorus Pro, where public buyers receive invoices, reads in it:
- the buyer's SIRET (BT-47, scheme 0009) and its service code (BT-10, "code service");
- the order number (BT-13, "numéro d'engagement"), here the purchase order's;
- the delivered quantities (the receipt the cook recorded), not the quantities asked.

VAT: food products are taxed at the reduced rate of 5.5 % (CGI art. 278-0 bis); delivery is
accessory to the goods and follows their rate. The payment term is 30 days from receipt for
local authorities and the State (code de la commande publique R2192-10).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from io import BytesIO

from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from cantine.formatting import day, money, percent, price, quantity
from cantine.pdf import styles

VAT_FOOD = Decimal("5.5")
PAYMENT_DAYS = 30
CENT = Decimal("0.01")
# UN/ECE recommendation 20 unit codes, as EN 16931 asks (BT-130).
UNIT_CODES = {"kg": "KGM", "L": "LTR", "piece": "H87"}


class InvoiceError(Exception):
    """The invoice cannot be issued; the message says why."""


@dataclass(frozen=True)
class InvoiceLine:
    name: str
    quantity: Decimal
    unit: str
    unit_price: Decimal

    @property
    def net(self) -> Decimal:
        return (self.quantity * self.unit_price).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class InvoiceData:
    number: str
    issued_on: date
    due_on: date
    delivered_on: date
    order_number: str
    service_code: str
    seller_name: str
    seller_siret: str
    seller_postcode: str
    seller_city: str
    buyer_name: str
    buyer_siret: str
    buyer_postcode: str
    buyer_city: str
    lines: tuple[InvoiceLine, ...]
    delivery_cost: Decimal
    vat_rate: Decimal = VAT_FOOD

    @property
    def goods(self) -> Decimal:
        return sum((line.net for line in self.lines), Decimal(0))

    @property
    def net(self) -> Decimal:
        return self.goods + self.delivery_cost

    @property
    def vat(self) -> Decimal:
        return (self.net * self.vat_rate / 100).quantize(CENT, rounding=ROUND_HALF_UP)

    @property
    def total(self) -> Decimal:
        return self.net + self.vat


def due_date(received_on: date) -> date:
    return received_on + timedelta(days=PAYMENT_DAYS)


def vat_number(siret: str) -> str:
    """The French intra-community VAT number of a SIREN (its first 9 SIRET digits)."""
    siren = int(siret[:9])
    return f"FR{(12 + 3 * (siren % 97)) % 97:02d}{siret[:9]}"


def from_order(order, *, number: str, issued_on: date) -> InvoiceData:
    """What a delivered order is invoiced: the quantities received at the frozen prices."""
    if order.received_on is None:
        raise InvoiceError(_("Only a delivered order can be invoiced."))
    lines = tuple(
        InvoiceLine(
            name=line.product,
            quantity=line.received_quantity,
            unit=line.unit_code,
            unit_price=line.unit_price,
        )
        for line in order.lines.select_related("offer")
        if line.received_quantity
    )
    if not lines:
        raise InvoiceError(_("Nothing was received on this order: there is nothing to invoice."))
    canteen, producer = order.canteen, order.producer
    return InvoiceData(
        number=number,
        issued_on=issued_on,
        due_on=due_date(issued_on),
        delivered_on=order.received_on,
        order_number=order.number,
        service_code=canteen.service_code,
        seller_name=producer.name,
        seller_siret=producer.siret,
        seller_postcode=(producer.commune.postal_codes or "").split(" ")[0][:5],
        seller_city=producer.commune.name,
        buyer_name=canteen.name,
        buyer_siret=canteen.siret,
        buyer_postcode=(canteen.commune.postal_codes or "").split(" ")[0][:5],
        buyer_city=canteen.commune.name,
        lines=lines,
        delivery_cost=order.delivery_cost,
    )


def _money(value: Decimal) -> str:
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


def xml_dict(data: InvoiceData) -> dict:
    """The invoice as EN 16931 business terms, as ``facturx.generate_xml`` takes them."""
    rate = str(data.vat_rate)
    seller = {
        "name": data.seller_name,
        "legal_identifier": data.seller_siret,
        "legal_identifier_schemeid": "0009",
        "vat_identifier": vat_number(data.seller_siret),
        "country_code": "FR",
        "postcode": data.seller_postcode,
        "city": data.seller_city,
    }
    buyer = {
        "name": data.buyer_name,
        "legal_identifier": data.buyer_siret,
        "legal_identifier_schemeid": "0009",
        "country_code": "FR",
        "postcode": data.buyer_postcode,
        "city": data.buyer_city,
    }
    result = {
        "BT-1": data.number,
        "BT-2": data.issued_on,
        "BT-3": "380",
        "BT-5": "EUR",
        "BT-9": data.due_on,
        "BT-13": data.order_number,
        "BT-20": f"{PAYMENT_DAYS} jours à réception (code de la commande publique R2192-10)",
        "BT-72": data.delivered_on,
        "BG-4": {k: v for k, v in seller.items() if v},
        "BG-7": {k: v for k, v in buyer.items() if v},
        "BG-25": [
            {
                "BT-126": str(index),
                "BT-129": str(line.quantity),
                "BT-130": UNIT_CODES.get(line.unit, "C62"),
                "BT-131": _money(line.net),
                "BT-146": str(line.unit_price),
                "BT-151": "S",
                "BT-152": rate,
                "BT-153": line.name[:200],
            }
            for index, line in enumerate(data.lines, start=1)
        ],
        "BG-23": [
            {
                "BT-116": _money(data.net),
                "BT-117": _money(data.vat),
                "BT-118": "S",
                "BT-119": rate,
            }
        ],
        "BT-106": _money(data.goods),
        "BT-109": _money(data.net),
        "BT-110": _money(data.vat),
        "BT-112": _money(data.total),
        "BT-115": _money(data.total),
    }
    if data.service_code:
        result["BT-10"] = data.service_code
    if data.delivery_cost:
        result["BT-108"] = _money(data.delivery_cost)
        result["BG-21"] = [
            {
                "amount": _money(data.delivery_cost),
                "reason": "Livraison",
                "vat_category_code": "S",
                "vat_rate": rate,
            }
        ]
    return result


def factur_x(data: InvoiceData) -> tuple[bytes, bytes]:
    """The Factur-X PDF and its XML; ``factur-x`` checks the XML against the XSD."""
    from facturx import generate_from_binary, generate_xml

    xml = generate_xml(xml_dict(data), flavor="factur-x", level="en16931", check_schematron=False)
    if not isinstance(xml, bytes):
        xml = xml.encode("utf-8") if isinstance(xml, str) else bytes(xml)
    pdf = generate_from_binary(
        _visible_pdf(data),
        xml,
        flavor="factur-x",
        level="en16931",
        check_xsd=True,
        pdf_metadata={
            "author": data.seller_name,
            "keywords": "Factur-X",
            "title": f"Facture {data.number}",
            "subject": f"Facture {data.number} — bon de commande {data.order_number}",
        },
        lang="fr-FR",
    )
    return pdf, xml


def _visible_pdf(data: InvoiceData) -> bytes:
    """The human-readable invoice (reportlab, as the project's other PDFs), in French."""
    with translation.override("fr"):
        return _render_visible(data)


def _render_visible(data: InvoiceData) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    style = styles()
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        title=f"Facture {data.number}",
        author=data.seller_name,
    )

    def para(text, key="body"):
        return Paragraph(text, style[key])

    story = [
        para(f"Facture {data.number}", "title"),
        para(
            f"<b>{escape(data.seller_name)}</b> — SIRET {data.seller_siret} — TVA "
            f"{vat_number(data.seller_siret)} — {data.seller_postcode} {escape(data.seller_city)}"
        ),
        para(
            f"Client : <b>{escape(data.buyer_name)}</b> — SIRET {data.buyer_siret}"
            + (f" — code service {escape(data.service_code)}" if data.service_code else "")
        ),
        para(
            f"Bon de commande {data.order_number} — livré le {day(data.delivered_on, 'short')} — "
            f"facture du {day(data.issued_on, 'short')}, "
            f"à payer avant le {day(data.due_on, 'short')}"
        ),
        Spacer(1, 6 * mm),
    ]
    rows = [["Produit", "Quantité livrée", "Prix unitaire HT", "Total HT"]]
    for line in data.lines:
        rows.append(
            [
                para(line.name),
                quantity(line.quantity, line.unit),
                price(line.unit_price),
                money(line.net),
            ]
        )
    if data.delivery_cost:
        rows.append(["Livraison", "", "", money(data.delivery_cost)])
    rows += [
        ["", "", "Total HT", money(data.net)],
        ["", "", f"TVA {percent(data.vat_rate, 2, trim=True)}", money(data.vat)],
        ["", "", "Total TTC", money(data.total)],
    ]
    table = Table(rows, colWidths=[80 * mm, 35 * mm, 35 * mm, 30 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), "Vera", 9),
                ("FONT", (0, 0), (-1, 0), "Vera-Bold", 9),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.grey),
                ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
            ]
        )
    )
    story += [
        table,
        Spacer(1, 6 * mm),
        para(
            f"Paiement à {PAYMENT_DAYS} jours à réception de la facture (code de la commande "
            "publique, art. R2192-10). Facture électronique Factur-X (EN 16931).",
            "small",
        ),
    ]
    doc.build(story)
    return buffer.getvalue()
