"""The yearly report a manager hands to elected officials, in French (reportlab at this edge).

Charts are the page's own (``purchases.charts``): their shapes are drawn here with reportlab's
graphics instead of being written as SVG, so screen and paper show the same figure.
"""

from io import BytesIO

from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from reportlab.graphics.shapes import Drawing, PolyLine, Rect, String
from reportlab.graphics.shapes import Line as RLine
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from cantine.formatting import day, money, number, percent, quantity
from cantine.pdf import LIGHT, styles
from cantine.vocabulary import Unit
from purchases import charts
from purchases.carbon import light_van_factor_source
from purchases.report import YearReport


def drawing(chart: charts.Chart, width: float) -> Drawing:
    """The chart's shapes in a reportlab Drawing scaled to ``width`` points."""
    scale = width / chart.width
    out = Drawing(width, chart.height * scale)

    def y(value):
        return (chart.height - value) * scale

    for shape in chart.shapes:
        match shape:
            case charts.Rect():
                out.add(
                    Rect(
                        shape.x * scale,
                        y(shape.y + shape.height),
                        shape.width * scale,
                        shape.height * scale,
                        fillColor=colors.HexColor(shape.fill),
                        strokeColor=None,
                    )
                )
            case charts.Line():
                out.add(
                    RLine(
                        shape.x1 * scale,
                        y(shape.y1),
                        shape.x2 * scale,
                        y(shape.y2),
                        strokeColor=colors.HexColor(shape.stroke),
                        strokeWidth=shape.width * scale,
                        strokeDashArray=[3, 2] if shape.dash else None,
                    )
                )
            case charts.Polyline():
                points = [c for x, py in shape.points for c in (x * scale, y(py))]
                out.add(
                    PolyLine(
                        points,
                        strokeColor=colors.HexColor(shape.stroke),
                        strokeWidth=shape.width * scale,
                    )
                )
            case charts.Text():
                out.add(
                    String(
                        shape.x * scale,
                        y(shape.y),
                        shape.text,
                        fontName="Vera-Bold" if shape.bold else "Vera",
                        fontSize=shape.size * scale,
                        fillColor=colors.HexColor(shape.fill),
                        textAnchor=shape.anchor,
                    )
                )
    return out


def year_report_pdf(report: YearReport) -> bytes:
    with translation.override("fr"):
        return _render(report)


def _table(rows, widths, header=True) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    commands = [
        ("FONTNAME", (0, 0), (-1, -1), "Vera"),
        ("FONTSIZE", (0, 0), (-1, -1), 8.5),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#c9d6cd")),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    if header:
        commands += [
            ("BACKGROUND", (0, 0), (-1, 0), LIGHT),
            ("FONTNAME", (0, 0), (-1, 0), "Vera-Bold"),
        ]
    table.setStyle(TableStyle(commands))
    return table


def _render(report: YearReport) -> bytes:
    style = styles()
    buffer = BytesIO()
    canteen, totals, target = report.canteen, report.totals, report.target
    title = _("Purchases report %(year)s") % {"year": report.year}
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=1.8 * cm,
        rightMargin=1.8 * cm,
        topMargin=1.5 * cm,
        bottomMargin=1.5 * cm,
        title=f"{title} · {canteen.name}",
        author=canteen.name,
    )

    def para(text, kind="body"):
        return Paragraph(escape(text), style[kind])

    def heading(text):
        return [Spacer(1, 0.35 * cm), para(text, "heading"), Spacer(1, 0.15 * cm)]

    story = [
        para(title, "title"),
        para(canteen.name, "heading"),
        para(
            _("%(lines)s purchase lines, %(total)s excl. VAT. Local: %(definition)s.")
            % {
                "lines": totals.lines,
                "total": money(totals.total, 0),
                "definition": report.local_definition,
            }
        ),
        para(
            _("Targets for %(territory)s.") % {"territory": target.territory}
            if target
            else _("No EGalim target is known for this territory.")
        ),
    ]
    story += heading(_("Shares against the targets"))
    rows = [[_("Share"), _("Amount excl. VAT"), _("Share"), _("Target")]]
    for bar, amount in zip(
        report.share_bars(),
        (
            totals.bio,
            totals.egalim,
            totals.meat_fish_egalim,
            totals.local,
            totals.short_chain,
            totals.france,
        ),
        strict=True,
    ):
        rows.append(
            [
                bar.label,
                money(amount, 0),
                percent(bar.pct, 2),
                "—" if bar.target is None else f"≥ {percent(bar.target, 2, trim=True)}",
            ]
        )
    story.append(_table(rows, [6 * cm, 3.6 * cm, 3 * cm, 3 * cm]))
    story.append(Spacer(1, 0.3 * cm))
    story.append(drawing(report.shares_chart(), doc.width))

    story += heading(_("Month by month"))
    story.append(drawing(report.trend_chart(), doc.width))

    projection = report.projection
    if not projection.closed:
        story += heading(_("Projected year end"))
        story.append(
            para(
                _(
                    "Bought so far: %(bought)s excl. VAT in %(days)s days. If the rest of the "
                    "year is bought at the same pace and with the same mix, the year ends at "
                    "%(total)s: organic %(bio)s, EGalim %(egalim)s."
                )
                % {
                    "bought": money(projection.bought.total, 0),
                    "days": projection.days_elapsed,
                    "total": money(projection.year_end.total, 0),
                    "bio": percent(projection.year_end.bio_pct, 2),
                    "egalim": percent(projection.year_end.egalim_pct, 2),
                }
            )
        )
        for need in report.needed():
            values = {
                "share": need.label,
                "pct": number(need.target, 2),
                "need": money(need.amount or 0, 0),
            }
            if need.amount is None:
                text = _("%(share)s: the target of %(pct)s %% is out of reach this year.")
            elif need.on_track:
                text = _(
                    "%(share)s: on track for the target of %(pct)s %% (%(need)s of the "
                    "remaining purchases)."
                )
            else:
                text = _(
                    "%(share)s: %(need)s of the remaining purchases are needed to reach %(pct)s %%."
                )
            story.append(para(text % values))

    story += heading(_("Top local producers"))
    if report.top_local:
        rows = [[_("Producer"), _("Amount excl. VAT"), _("Organic"), _("EGalim")]]
        for row in report.top_local:
            rows.append(
                [
                    row.name,
                    money(row.shares.total, 0),
                    percent(row.shares.bio_pct, 2),
                    percent(row.shares.egalim_pct, 2),
                ]
            )
        story.append(_table(rows, [7.6 * cm, 3.6 * cm, 2.5 * cm, 2.5 * cm]))
    else:
        story.append(para(_("No local purchase this year.")))

    story += heading(_("Payment delays"))
    if report.payment_delays:
        rows = [[_("Producer"), _("Orders paid"), _("Average (days)"), _("Late")]]
        for row in report.payment_delays:
            rows.append(
                [
                    row["producer"],
                    str(row["orders"]),
                    number(row["average_days"], 0),
                    str(row["late"]),
                ]
            )
        story.append(_table(rows, [7.6 * cm, 3.0 * cm, 3.0 * cm, 2.6 * cm]))
        story.append(
            para(_("From invoice to payment; the legal limit is %(days)s days.") % {"days": 30})
        )
    else:
        story.append(para(_("No payment recorded this year.")))

    story += heading(_("Insertion work"))
    if report.insertion_hours:
        story.append(
            para(
                _("%(hours)s hours of work by people in insertion, declared by ESS/SIAE suppliers.")
                % {"hours": number(report.insertion_hours_total, 2)}
            )
        )
        rows = [[_("Supplier"), _("Hours")]]
        rows += [[name, number(hours, 2)] for name, hours in report.insertion_hours]
        story.append(_table(rows, [10 * cm, 3 * cm]))
    else:
        story.append(para(_("No insertion hours recorded this year.")))

    footprint = report.carbon
    story += heading(_("Carbon"))
    story.append(
        para(
            _(
                "%(total)s kg CO2e: %(food)s kg for the food (AGRIBALYSE), %(transport)s kg for "
                "the delivery, over %(kg)s bought by weight; this covers %(coverage)s of the "
                "purchases by value."
            )
            % {
                "total": number(footprint.total, 0),
                "food": number(footprint.food_kg_co2e, 0),
                "transport": number(footprint.transport_kg_co2e, 0),
                "kg": quantity(footprint.kg, Unit.KG, 0),
                "coverage": percent(footprint.coverage_pct, 2),
            }
        )
    )
    if footprint.by_family:
        rows = [[_("Product family"), _("Weight"), _("Food kg CO2e"), _("Transport kg CO2e")]]
        for row in footprint.by_family:
            rows.append(
                [
                    row.name,
                    quantity(row.kg, Unit.KG, 0),
                    number(row.food_kg_co2e, 0),
                    number(row.transport_kg_co2e, 0),
                ]
            )
        story.append(_table(rows, [6.6 * cm, 3 * cm, 3.3 * cm, 3.3 * cm]))

    story += heading(_("Method"))
    method = [
        _(
            "Shares are of purchases by value excluding VAT over the calendar year, as declared "
            "on ma cantine. Each line counts once, in its highest group: organic, then official "
            "quality signs (Label Rouge, AOC/AOP, IGP, STG), then other EGalim labels, then "
            "externalities and performance. Local, short chain and French origin do not count "
            "for EGalim."
        ),
        _("Local: %(definition)s (the canteen's own definition; the law does not define it).")
        % {"definition": report.local_definition},
        _(
            "Food carbon: weight x AGRIBALYSE footprint of the food, for lines bought by weight "
            "and linked to a food. Delivery: distance from the producer to the canteen x weight "
            "x %(factor)s."
        )
        % {"factor": light_van_factor_source()},
        _("Produced on %(date)s.") % {"date": day(timezone.localdate(), "j F Y")},
    ]
    story.append(KeepTogether([para(text, "small") for text in method]))
    doc.build(story)
    return buffer.getvalue()
