"""The analysis report of an awarded consultation, for the procurement file (reportlab).

It says what a buyer has to be able to justify: the kind of purchase and any threshold
warning acknowledged, the criteria and weights, every answer with its points per criterion
and rank, the split awarded, the reason when the buyer departed from the optimal split, and
why each answer left out was.
"""

from __future__ import annotations

from io import BytesIO

from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from cantine.formatting import day, money, number, price, quantity
from cantine.labels import Label
from cantine.pdf import LIGHT, styles
from orders.award import CRITERIA
from orders.models import Consultation


def criterion_names() -> dict[str, str]:
    return {
        "price": _("Price"),
        "direct_supply": _("Direct supply"),
        "carbon": _("Transport and carbon"),
        "freshness": _("Freshness"),
        "total": _("Score"),
    }


def stored_ranking(consultation: Consultation) -> list[dict]:
    """Answers best first, from the points and quantities stored on their lines at the award
    (the same weighting as ``consultations.ranking``)."""
    rows = []
    for answer in consultation.answers.select_related("lead").prefetch_related(
        "lines__item__food", "lines__producer", "members"
    ):
        lines = list(answer.lines.all())
        weights = [
            float(ln.quantity) * float(ln.item.estimated_unit_price or ln.unit_price or 1)
            for ln in lines
        ]
        total = sum(weights) or 1.0
        points = {
            c: round(
                sum(w * ln.scores.get(c, 0) for ln, w in zip(lines, weights, strict=True)) / total,
                1,
            )
            for c in (*CRITERIA, "total")
        }
        rows.append(
            {
                "answer": answer,
                "points": points,
                "lines": [
                    {"line": ln, "points": ln.scores, "awarded": float(ln.awarded_quantity or 0)}
                    for ln in lines
                ],
            }
        )
    rows.sort(key=lambda r: -r["points"]["total"])
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    return rows


def analysis_pdf(consultation: Consultation) -> bytes:
    with translation.override("fr"):
        return _render(consultation)


def _render(consultation: Consultation) -> bytes:
    style = styles()
    buffer = BytesIO()
    title = _("Analysis of the answers · %(number)s") % {"number": consultation.number}
    doc = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=1.2 * cm,
        rightMargin=1.2 * cm,
        topMargin=1.2 * cm,
        bottomMargin=1.2 * cm,
        title=title,
        author=consultation.canteen.name,
    )

    def para(text, key="body"):
        return Paragraph(text, style[key])

    names = criterion_names()
    weights = consultation.weights
    labels = ", ".join(str(Label(code).label) for code in consultation.required_labels) or "—"
    story = [
        para(escape(title), "title"),
        para(f"<b>{escape(consultation.canteen.name)}</b> · {escape(consultation.title)}"),
        para(
            escape(
                _("Kind of purchase: %(kind)s. Answers until %(deadline)s; awarded on %(awarded)s.")
                % {
                    "kind": consultation.get_kind_display(),
                    "deadline": day(
                        timezone.localtime(consultation.answer_deadline), "SHORT_DATETIME_FORMAT"
                    ),
                    "awarded": day(timezone.localtime(consultation.awarded_at), "short")
                    if consultation.awarded_at
                    else "—",
                }
            )
        ),
        para(
            escape(
                _("Criteria and weights: %(weights)s. Required labels: %(labels)s.")
                % {
                    "weights": ", ".join(f"{names[c]} {weights[c]}" for c in CRITERIA),
                    "labels": labels,
                }
            )
        ),
    ]
    if consultation.threshold_warning:
        story.append(
            para(
                escape(
                    _("Threshold warning acknowledged: %(text)s")
                    % {"text": consultation.threshold_warning}
                )
            )
        )
    story.append(Spacer(1, 0.3 * cm))
    story.append(para(escape(_("Products asked")), "heading"))
    asked = [[_("Product"), _("Quantity"), _("Delivery"), _("Estimate HT")]]
    for item in consultation.items.select_related("food"):
        asked.append(
            [
                para(escape(item.food.name)),
                quantity(item.quantity, item.unit),
                day(item.delivery_date, "short"),
                money(item.estimated_total),
            ]
        )
    story.append(_table(asked, [11 * cm, 4 * cm, 4 * cm, 4 * cm]))
    story.append(Spacer(1, 0.3 * cm))
    story.append(para(escape(_("Answers, points per criterion and award")), "heading"))
    head = [
        _("Rank"),
        _("Answer"),
        _("Product · delivered by"),
        _("Price HT"),
        _("Offered"),
        *[names[c] for c in CRITERIA],
        names["total"],
        _("Awarded"),
    ]
    rows = [head]
    for row in stored_ranking(consultation):
        answer = row["answer"]
        members = ", ".join(m.name for m in answer.members.all())
        for index, entry in enumerate(row["lines"]):
            line = entry["line"]
            rows.append(
                [
                    str(row["rank"]) if index == 0 else "",
                    para(escape(members)) if index == 0 else "",
                    para(escape(f"{line.item.food.name} · {line.producer.name}")),
                    price(line.unit_price),
                    quantity(line.quantity, line.item.unit),
                    *[number(entry["points"].get(c, 0), 1, trim=False) for c in CRITERIA],
                    number(entry["points"].get("total", 0), 1, trim=False),
                    quantity(entry["awarded"], line.item.unit),
                ]
            )
    widths = (
        [1.2 * cm, 4.5 * cm, 5.5 * cm, 2 * cm, 1.8 * cm] + [2.2 * cm] * 4 + [1.6 * cm, 1.9 * cm]
    )
    story.append(_table(rows, widths))
    if consultation.override_reason:
        story.append(Spacer(1, 0.3 * cm))
        story.append(
            para(
                escape(
                    _("The buyer departed from the optimal split. Reason: %(reason)s")
                    % {"reason": consultation.override_reason}
                )
            )
        )
    story.append(Spacer(1, 0.3 * cm))
    story.append(para(escape(_("Outcome told to each answer")), "heading"))
    for row in stored_ranking(consultation):
        answer = row["answer"]
        story.append(
            para(
                f"<b>{escape(answer.lead.name)}</b> ({escape(answer.get_status_display())}) : "
                f"{escape(answer.outcome)}"
            )
        )
    story.append(Spacer(1, 0.3 * cm))
    story.append(
        para(
            escape(
                _(
                    "Points per criterion: the best answer for a product gets the criterion's "
                    "weight, the others weight × best / theirs (price per unit, intermediaries + 1, "
                    "distance + 1 km, days from harvest + 1). The split maximises the lot's "
                    "value-weighted score within quantities offered, minimum orders and delivery "
                    "costs."
                )
            ),
            "small",
        )
    )
    doc.build(story)
    return buffer.getvalue()


def _table(rows, widths) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), "Vera", 8),
                ("FONT", (0, 0), (-1, 0), "Vera-Bold", 8),
                ("BACKGROUND", (0, 0), (-1, 0), LIGHT),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table
