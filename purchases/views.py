"""Manager pages: the ledger, its import and export, and the EGalim shares against targets.

Managers import and undo imports; cooks read the ledger and the shares. A central kitchen's
pages cover its satellites too. A canteen the user does not work for answers 404.
"""

import io
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cantine import csv_export
from cantine.bounds import YearField
from cantine.formatting import csv_number, money
from cantine.models import Canteen, Role
from cantine.refusals import Refused
from cantine.roles import canteens_for, may_act, role_required
from cantine.uploads import max_body
from purchases import charts, exporter, macantine, selectors, services, targets
from purchases.carbon import light_van_factor_source
from purchases.forms import MAX_UPLOAD_BYTES, ImportForm, LedgerFilterForm, MaCantineLinkForm
from purchases.models import ImportBatch
from purchases.pdf import year_report_pdf
from purchases.report import year_report

READERS = (Role.COOK, Role.MANAGER)
PAGE_SIZE = 50


def _canteens(user, *roles) -> list[Canteen]:
    return list(selectors.readable_canteens(user, *roles).order_by("name"))


def _chosen(request, canteens: list[Canteen]) -> Canteen | None:
    """The canteen asked for in ?canteen= (404 if not the user's), else a kitchen, else any."""
    raw = request.GET.get("canteen")
    if raw:
        chosen = next((c for c in canteens if str(c.pk) == raw), None)
        if chosen is None:
            raise Http404
        return chosen
    kitchens = [c for c in canteens if c.kind == Canteen.Kind.CENTRAL_KITCHEN]
    return (kitchens or canteens or [None])[0]


def _ledger_query(request):
    canteens = _canteens(request.user, *READERS)
    canteen = _chosen(request, canteens)
    scope = selectors.group_of(canteen) if canteen else []
    form = LedgerFilterForm(request.GET or None, canteens=canteens, years=selectors.years(scope))
    return canteen, form, scope, form.ledger_filter()


@role_required(*READERS)
def ledger(request):
    canteen, form, scope, filters = _ledger_query(request)
    lines = selectors.ledger_lines(scope, filters)
    page = Paginator(lines, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    template = "purchases/ledger.html"
    if request.htmx:
        template += "#results"
    return render(
        request,
        template,
        {
            "canteen": canteen,
            "form": form,
            "page": page,
            "totals": selectors.shares(selectors.ledger(scope, filters), filters.year)
            if canteen
            else None,
            "query": query.urlencode(),
            "can_import": bool(canteen)
            and canteens_for(request.user, Role.MANAGER).filter(pk=canteen.pk).exists(),
        },
    )


class _Echo:
    def write(self, value):
        return value


@role_required(*READERS)
def ledger_export(request):
    """The filtered table in the ma cantine format, streamed so a large year fits in memory."""
    canteen, _form, scope, filters = _ledger_query(request)
    if canteen is None:
        raise Http404
    lines = (
        selectors.ledger(scope, filters).select_related("canteen").order_by("date", "pk")
    ).iterator(chunk_size=2000)
    writer = csv_export.writer(_Echo(), lineterminator="\n")

    def stream():
        yield writer.writerow(exporter.COLUMNS)
        for row in exporter.rows(lines):
            yield writer.writerow(row)

    name = f"achats-{canteen.siret}-{filters.year or 'tout'}.csv"
    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@max_body(MAX_UPLOAD_BYTES)
@role_required(Role.MANAGER)
def import_file(request):
    managed = canteens_for(request.user, Role.MANAGER)
    form = ImportForm(request.POST or None, request.FILES or None)
    outcome = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            outcome = services.import_purchases(
                actor=request.user, file_name=upload.name, content=upload.read()
            )
            if outcome.ok:
                messages.success(
                    request,
                    _("%(count)s purchase lines imported.") % {"count": outcome.imported},
                )
        if not form.is_valid() or not outcome.ok:
            status = 400
    return render(
        request,
        "purchases/import.html",
        {
            "form": form,
            "outcome": outcome,
            "batches": ImportBatch.objects.filter(canteen__in=managed)
            .select_related("canteen", "imported_by")
            .order_by("-imported_at")[:20],
        },
        status=status,
    )


@role_required(Role.MANAGER)
@require_POST
def import_undo(request, pk):
    batch = get_object_or_404(
        ImportBatch, pk=pk, canteen__in=canteens_for(request.user, Role.MANAGER)
    )
    count = services.undo_import(batch=batch)
    messages.success(request, _("Import undone: %(count)s lines removed.") % {"count": count})
    return redirect("purchase_import")


@dataclass(frozen=True)
class Figure:
    """One share on the shares page: its value, its target and where its lines are."""

    key: str
    label: str
    amount: Decimal
    pct: Decimal | None
    target: Decimal | None
    url: str
    note: str = ""

    @property
    def met(self) -> bool | None:
        """ma cantine's verdict: the two-decimal percentage at least the target."""
        return targets.met(self.pct, self.target)


def _drill(canteen_pk: int, year: int, **filters) -> str:
    params = {"canteen": canteen_pk, "year": year, **{k: v for k, v in filters.items() if v}}
    return f"{reverse('purchase_ledger')}?{urlencode(params)}"


def _figures(canteen, year, totals, target, local: str) -> list[Figure]:
    return [
        Figure(
            "bio",
            _("Organic"),
            totals.bio,
            totals.bio_pct,
            target and target.bio,
            _drill(canteen.pk, year, group="bio"),
        ),
        Figure(
            "egalim",
            _("EGalim (organic included)"),
            totals.egalim,
            totals.egalim_pct,
            target and target.egalim,
            _drill(canteen.pk, year, group="egalim"),
        ),
        Figure(
            "meat_fish",
            _("EGalim among meat and fish"),
            totals.meat_fish_egalim,
            totals.meat_fish_pct,
            target and target.meat_fish,
            _drill(canteen.pk, year, group="egalim", flag="meat_fish"),
            _("of %(total)s of meat and fish") % {"total": money(totals.meat_fish_total)},
        ),
        Figure(
            "local",
            _("Local"),
            totals.local,
            totals.local_pct,
            None,
            _drill(canteen.pk, year, flag="local"),
            _("Local: %(definition)s.") % {"definition": local},
        ),
        Figure(
            "short_chain",
            _("Short chain"),
            totals.short_chain,
            totals.short_chain_pct,
            None,
            _drill(canteen.pk, year, flag="short_chain"),
        ),
        Figure(
            "france",
            _("Origin France"),
            totals.france_counted,
            totals.france_pct,
            None,
            _drill(canteen.pk, year, flag=totals.campaign.france[0]),
            _("In %(year)s, ma cantine counts short-chain and local lines as France too.")
            % {"year": year}
            if totals.campaign.france != targets.FRANCE_ORIGIN
            else "",
        ),
        *(
            [
                Figure(
                    "europe",
                    _("Origin Europe (outside France)"),
                    totals.europe,
                    totals.europe_pct,
                    None,
                    _drill(canteen.pk, year, flag="europe"),
                )
            ]
            if totals.campaign.europe_reported
            else []
        ),
    ]


# Breakdown tables of the shares page: (title, ledger filter a row drills into, row limit).
# Each is its own query, loaded by HTMX after the headline figures so the page shows at once.
TABLES = {
    "quarter": (gettext_lazy("By quarter"), "quarter", None),
    "month": (gettext_lazy("By month"), "month", None),
    "canteen": (gettext_lazy("By canteen"), None, None),
    "family": (gettext_lazy("By product family"), "family", None),
    "supplier": (gettext_lazy("Top suppliers"), "supplier", 20),
}


class _YearForm(forms.Form):
    year = YearField(required=False)


def _year(request, scope) -> tuple[int, list[int]]:
    """The year asked (``?year=``, default the latest with purchases); one out of range or
    not a number is refused with its reason (``cantine.refusals``)."""
    years = selectors.years(scope) or [timezone.localdate().year]
    form = _YearForm(request.GET)
    if not form.is_valid():
        raise Refused.from_form(form)
    return form.cleaned_data["year"] or years[0], years


@role_required(*READERS)
def shares(request):
    canteens = _canteens(request.user, *READERS)
    canteen = _chosen(request, canteens)
    context = {"canteens": canteens, "canteen": canteen}
    if canteen is None:
        return render(request, "purchases/shares.html", context)
    scope = selectors.group_of(canteen)
    year, years = _year(request, scope)
    lines = selectors.ledger(scope, selectors.LedgerFilter(year=year))
    if request.GET.get("table") in TABLES:
        return _share_table(request, canteen, year, lines, request.GET["table"])
    report = year_report(canteen, year)
    totals, target = report.totals, report.target
    context |= {
        "report": report,
        "carbon_method": _(
            "Delivery: distance from the producer to the canteen x weight x %(factor)s."
        )
        % {"factor": light_van_factor_source()},
        # Our own markup from numbers and escaped labels (purchases.charts), safe to inline.
        "shares_svg": mark_safe(charts.to_svg(report.shares_chart(), "shares-chart")),
        "trend_svg": mark_safe(charts.to_svg(report.trend_chart(), "trend-chart")),
        "pdf_url": f"{reverse('purchase_report_pdf')}?{urlencode({'canteen': canteen.pk, 'year': year})}",
        "send_url": f"{reverse('purchase_macantine_send')}?{urlencode({'canteen': canteen.pk, 'year': year})}"
        if may_act(request.user, canteen, Role.MANAGER)
        else "",
        "years": years,
        "year": year,
        "totals": totals,
        "target": target,
        "local_definition": report.local_definition,
        "figures": _figures(canteen, year, totals, target, report.local_definition),
        "groups": [
            (_("Organic"), totals.bio, _drill(canteen.pk, year, group="bio")),
            (
                _("Official quality signs (SIQO)"),
                totals.siqo,
                _drill(canteen.pk, year, group="siqo"),
            ),
            (
                _("of which organic and fair trade"),
                totals.bio_fair_trade,
                _drill(canteen.pk, year, group="bio"),
            ),
            (
                _("Other EGalim labels"),
                totals.other_egalim,
                _drill(canteen.pk, year, group="other"),
            ),
            (
                _("of which fair trade"),
                totals.other_fair_trade,
                _drill(canteen.pk, year, group="other"),
            ),
            (
                _("Externalities / performance"),
                totals.externalities,
                _drill(canteen.pk, year, group="externalities"),
            ),
        ],
        "tables": [
            (
                name,
                f"{reverse('purchase_shares')}?{urlencode({'canteen': canteen.pk, 'year': year, 'table': name})}",
            )
            for name in TABLES
            if name != "canteen" or len(scope) > 1
        ],
    }
    return render(request, "purchases/shares.html", context)


def _share_table(request, canteen, year, lines, name):
    title, param, limit = TABLES[name]
    if request.GET.get("format") == "csv":
        return _share_table_csv(
            name, year, selectors.shares_by(lines, name, limit=limit, year=year)
        )
    rows = []
    for row in selectors.shares_by(lines, name, limit=limit, year=year):
        if name == "canteen":
            url = _drill(row.key, year)
        else:
            url = _drill(canteen.pk, year, **{param: row.key})
        rows.append((row, url))
    return render(
        request,
        "purchases/_share_table.html",
        {
            "title": title,
            "rows": rows,
            "table_id": f"by-{name}",
            "prefix": "T" if name == "quarter" else "",
        },
    )


SHARE_COLUMNS = [
    ("total", "total_ht"),
    ("bio_pct", "bio_pct"),
    ("egalim_pct", "egalim_pct"),
    ("meat_fish_pct", "viandes_poissons_egalim_pct"),
    ("local_pct", "local_pct"),
    ("short_chain_pct", "circuit_court_pct"),
    ("france_pct", "france_pct"),
]


def _share_table_csv(name, year, rows):
    """The same table as the page shows, for a spreadsheet (UTF-8 with BOM, ';'). Numbers: a
    comma before exactly two decimals (amounts in € HT, shares in %, as ma cantine rounds
    them), no thousands separator, never an exponent (``cantine.formatting.csv_number``)."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv_export.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow([name, *(header for _, header in SHARE_COLUMNS)])
    for row in rows:
        values = [getattr(row.shares, attribute) for attribute, _ in SHARE_COLUMNS]
        writer.writerow([row.name, *(csv_number(v, 2, decimal=",") for v in values)])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="parts-{name}-{year}.csv"'
    return response


@role_required(*READERS)
def report_pdf(request):
    """The yearly report of the chosen canteen (with its satellites), as a French PDF."""
    canteen = _chosen(request, _canteens(request.user, *READERS))
    if canteen is None:
        raise Http404
    year, _years = _year(request, selectors.group_of(canteen))
    content = year_report_pdf(year_report(canteen, year))
    response = HttpResponse(content, content_type="application/pdf")
    name = f"bilan-achats-{canteen.siret}-{year}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@role_required(Role.MANAGER)
def macantine_send(request):
    """Send the year's purchases to ma cantine (its purchases API), or offer the CSV export.

    GET shows the canteen's ma cantine account and what a send would do; POST ``send`` sends
    (all or nothing, idempotent: ``purchases.macantine``), POST ``save`` records the account.
    """
    canteens = _canteens(request.user, Role.MANAGER)
    canteen = _chosen(request, canteens) if canteens else None
    if canteen is None:
        raise Http404
    year, years = _year(request, selectors.group_of(canteen))
    link = macantine.link_of(canteen)
    form = MaCantineLinkForm(
        request.POST if request.POST.get("action") == "save" else None, instance=link
    )
    report = None
    status = 200
    if request.method == "POST" and request.POST.get("action") == "save":
        if form.is_valid():
            saved = form.save(commit=False)
            saved.canteen = canteen
            saved.save()
            messages.success(request, _("The ma cantine account is saved."))
            return redirect(f"{request.path}?{urlencode({'canteen': canteen.pk, 'year': year})}")
        status = 400
    elif request.method == "POST" and request.POST.get("action") == "send":
        try:
            report = macantine.send_declaration(canteen=canteen, year=year)
        except macantine.NotConfigured:
            messages.error(request, _("Set the canteen's ma cantine id and token first."))
        else:
            status = 200 if report.ok else 502
    query = urlencode({"canteen": canteen.pk, "year": year})
    return render(
        request,
        "purchases/macantine_send.html",
        {
            "canteens": canteens,
            "canteen": canteen,
            "year": year,
            "years": years,
            "form": form,
            "configured": macantine.is_configured(canteen),
            "report": report,
            "sent": link.submissions.count() if link else 0,
            "csv_url": f"{reverse('purchase_export')}?{query}",
        },
        status=status,
    )
