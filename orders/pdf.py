"""A purchase order the producer can print, as a one-page PDF (reportlab stays at this edge)."""

from io import BytesIO

from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from cantine.formatting import day, money, price, quantity
from cantine.pdf import LIGHT, styles
from orders.models import PurchaseOrder


def purchase_order_pdf(order: PurchaseOrder) -> bytes:
    """Buyer, supplier, delivery date, lines with packs and prices HT, totals; in French."""
    with translation.override("fr"):
        return _render(order)


def _render(order: PurchaseOrder) -> bytes:
    style = styles()
    buffer = BytesIO()
    title = _("Purchase order %(number)s") % {"number": order.number}
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=1.5 * cm,
        rightMargin=1.5 * cm,
        topMargin=1.5 * cm,
        bottomMargin=1.5 * cm,
        title=title,
        author=order.canteen.name,
    )
    canteen, producer = order.canteen, order.producer
    buyer, supplier = _("Buyer"), _("Supplier")  # outside the f-strings: makemessages reads them
    delivery_hours = (
        _("Delivery hours: %(hours)s") % {"hours": canteen.delivery_window}
        if canteen.delivery_window
        else ""
    )
    parties = Table(
        [
            [
                Paragraph(f"<b>{escape(buyer)}</b>", style["body"]),
                Paragraph(f"<b>{escape(supplier)}</b>", style["body"]),
            ],
            [
                Paragraph(
                    "<br/>".join(
                        escape(x)
                        for x in (
                            canteen.name,
                            canteen.address,
                            canteen.commune.name,
                            canteen.phone,
                            delivery_hours,
                        )
                        if x
                    )
                    + f"<br/>SIRET {escape(canteen.siret)}",
                    style["body"],
                ),
                Paragraph(
                    "<br/>".join(
                        escape(x)
                        for x in (
                            producer.name,
                            producer.contact_name,
                            producer.commune.name,
                            producer.email,
                            producer.phone,
                        )
                        if x
                    )
                    + f"<br/>SIRET {escape(producer.siret)}",
                    style["body"],
                ),
            ],
        ],
        colWidths=[doc.width / 2] * 2,
    )
    head = [
        _("Product"),
        _("Labels"),
        _("Asked"),
        _("Confirmed"),
        _("Delivered"),
        _("Unit price HT"),
        _("Asked HT"),
    ]
    rows = [[Paragraph(f"<b>{escape(h)}</b>", style["body"]) for h in head]]
    for line in order.lines.all():
        unit = line.unit_code
        rows.append(
            [
                Paragraph(escape(line.product), style["body"]),
                Paragraph(
                    escape(", ".join(short for short, _full in line.get_labels_display())),
                    style["small"],
                ),
                f"{line.packs} × {quantity(line.size, unit)}",
                "—" if line.confirmed_packs is None else quantity(line.confirmed_quantity, unit),
                quantity(line.received_quantity, unit),
                price(line.unit_price),
                money(line.total),
            ]
        )
    amounts = order.amounts
    totals = [
        (_("Goods asked HT"), amounts.asked_goods),
        (_("Delivery HT"), amounts.delivery_cost),
        (_("Asked HT"), amounts.asked),
        (_("Confirmed HT"), amounts.confirmed),
        (_("Delivered HT"), amounts.delivered),
    ]
    for label, value in totals:
        shown = _("not yet") if value is None else money(value)
        rows.append(["", "", "", "", "", label, shown])
    table = Table(
        rows,
        colWidths=[4.4 * cm, 2.2 * cm, 2.4 * cm, 2.0 * cm, 2.0 * cm, 2.6 * cm, 2.4 * cm],
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), "Vera"),
                ("FONTSIZE", (0, 0), (-1, -1), 8.5),
                ("BACKGROUND", (0, 0), (-1, 0), LIGHT),
                ("GRID", (0, 0), (-1, -(len(totals) + 1)), 0.4, colors.HexColor("#c9d6cd")),
                ("ALIGN", (2, 1), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    delivery = _("Delivery on %(date)s") % {"date": day(order.delivery_date)}
    story = [
        Paragraph(escape(title), style["title"]),
        Paragraph(escape(delivery), style["heading"]),
        Paragraph(
            escape(_("Status: %(status)s") % {"status": order.get_status_display()}), style["small"]
        ),
        Spacer(1, 0.4 * cm),
        parties,
        Spacer(1, 0.5 * cm),
        table,
        Spacer(1, 0.4 * cm),
        Paragraph(
            escape(_("Prices excluding VAT. Please confirm quantities and delivery date.")),
            style["small"],
        ),
    ]
    doc.build(story)
    return buffer.getvalue()
