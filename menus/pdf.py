"""The weekly menu families receive, as a one-page PDF (reportlab stays at this edge)."""

from io import BytesIO

from django.utils import translation
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from cantine.pdf import LIGHT, styles
from menus.selectors import Week
from nutrition.models import Allergen, Component


def weekly_menu_pdf(canteen_name: str, week: Week) -> bytes:
    """Courses per day, vegetarian days marked, allergens under each dish; in French."""
    with translation.override("fr"):
        return _render(canteen_name, week)


def _render(canteen_name: str, week: Week) -> bytes:
    style = styles()
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=1.2 * cm,
        rightMargin=1.2 * cm,
        topMargin=1.2 * cm,
        bottomMargin=1.2 * cm,
        title=_("Menus of the week of %(date)s") % {"date": date_format(week.monday, "j F Y")},
        author=canteen_name,
    )
    header = [Paragraph("", style["body"])]
    for day in week.days:
        text = f"<b>{escape(date_format(day.date, 'l j F').capitalize())}</b>"
        if day.open and day.vegetarian:
            vegetarian = _("Vegetarian meal")
            text += f"<br/><font color='#2f7a4a'>{escape(vegetarian)}</font>"
        header.append(Paragraph(text, style["body"]))
    rows = [header]
    allergen_names = dict(Allergen.choices)
    for component, label in Component.choices:
        row = [Paragraph(f"<b>{escape(str(label))}</b>", style["body"])]
        for day in week.days:
            row.append(_cell(day, component, allergen_names, style))
        rows.append(row)
    width = (doc.width - 3.2 * cm) / len(week.days)
    table = Table(rows, colWidths=[3.2 * cm] + [width] * len(week.days), repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), LIGHT),
                ("BACKGROUND", (0, 1), (0, -1), LIGHT),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#c9d6cd")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    title = _("Menus of the week of %(date)s") % {"date": date_format(week.monday, "j F Y")}
    story = [
        Paragraph(escape(title), style["title"]),
        Paragraph(escape(canteen_name), style["heading"]),
        Spacer(1, 0.4 * cm),
        table,
        Spacer(1, 0.3 * cm),
        Paragraph(
            escape(
                _(
                    "Bread and water at every meal. Allergens follow EU regulation 1169/2011; "
                    "ask the kitchen for any question about a diet."
                )
            ),
            style["small"],
        ),
    ]
    doc.build(story)
    return buffer.getvalue()


def _cell(day, component, allergen_names, style):
    if day.meal is None:
        return Paragraph("—", style["body"])
    if day.meal.closed:
        no_service = _("No service")
        return Paragraph(f"<i>{escape(no_service)}</i>", style["body"])
    course = day.courses.get(component)
    if course is None:
        return Paragraph("", style["body"])
    parts = [Paragraph(escape(course.dish.name), style["body"])]
    allergens = [str(allergen_names.get(code, code)).lower() for code in course.dish.allergens]
    if allergens:
        text = _("Allergens: %(list)s") % {"list": ", ".join(allergens)}
        parts.append(Paragraph(escape(text), style["italic"]))
    return parts
