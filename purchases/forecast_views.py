"""The year's forecast page: bought so far plus the menus planned, and the organic what-if.

Who sees it is who sees the shares page (cooks and managers of the canteen); a canteen the
user does not work for answers 404. Each what-if (a product switched to organic, a new local
producer for one product) answers as a fragment to HTMX (``forecast.html#whatif``,
``#newcomer``) and as the whole page without JavaScript; a what-if form with errors answers
400 with its errors in place of the result, next to the form.
"""

from datetime import date

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cantine.models import Canteen
from cantine.refusals import Refused
from cantine.roles import role_required
from purchases import targets
from purchases.forecast import forecast, switch_to_organic, with_newcomer
from purchases.forms import ForecastForm, NewcomerForm
from purchases.views import READERS, _canteens, _chosen

TEMPLATE = "purchases/forecast.html"
# The shares the forecast reads, in the shares page's order: (key, label, target field).
SHARES = (
    ("bio", _("Organic"), "bio"),
    ("egalim", _("EGalim (organic included)"), "egalim"),
    ("meat_fish", _("EGalim among meat and fish"), "meat_fish"),
    ("local", _("Local"), None),
)


def share_rows(result, other=None) -> list[dict]:
    """One row per share: bought, planned, the year (and ``other``'s year, for the what-if)."""
    target = result.target
    rows = []
    for key, label, target_field in SHARES:
        goal = getattr(target, target_field) if target and target_field else None
        pct = getattr(result.total, f"{key}_pct")
        after = getattr(other.total, f"{key}_pct") if other else None
        rows.append(
            {
                "key": key,
                "label": label,
                "bought": getattr(result.bought, f"{key}_pct"),
                "planned": getattr(result.planned, f"{key}_pct"),
                "year": pct,
                "after": after,
                "change": after - pct if after is not None and pct is not None else None,
                "target": goal,
                "met": targets.met(pct, goal),
                "after_met": targets.met(after, goal),
            }
        )
    return rows


@role_required(*READERS)
def shares_forecast(request):
    canteens = _canteens(request.user, *READERS)
    canteen = _chosen(request, canteens)
    form = ForecastForm(request.GET)
    if not form.is_valid():
        raise Refused.from_form(form)
    today = timezone.localdate()
    year = form.cleaned_data["year"] or today.year
    context = {
        "canteens": canteens,
        "canteen": canteen,
        "year": year,
        "years": [today.year, today.year + 1],
    }
    if canteen is None or canteen.kind == Canteen.Kind.SATELLITE:
        return render(request, TEMPLATE, context)
    as_of = min(today, date(year, 12, 31))
    base = forecast(canteen, year, as_of)
    asks_newcomer = "price" in request.GET
    newcomer_form = NewcomerForm(request.GET if asks_newcomer else None)
    newcomer_whatif, newcomer_product = None, None
    if asks_newcomer and newcomer_form.is_valid():
        newcomer = newcomer_form.newcomer()
        newcomer_product = newcomer.food
        newcomer_whatif = with_newcomer(base, canteen, newcomer)
    product = None if asks_newcomer else form.cleaned_data["product"]
    switch = switch_to_organic(base, canteen, product) if product else None
    context |= {
        "newcomer_form": newcomer_form,
        "newcomer_whatif": newcomer_whatif,
        "newcomer_product": newcomer_product,
        "newcomer_unknown": newcomer_product is not None and newcomer_whatif is None,
        "newcomer_rows": share_rows(base, newcomer_whatif.after) if newcomer_whatif else [],
        "forecast": base,
        "as_of": as_of,
        "closed": as_of >= date(year, 12, 31),
        "product": product,
        "switch": switch,
        "unknown_product": bool(product) and switch is None,
        "rows": share_rows(base),
        "switch_rows": share_rows(base, switch.after) if switch else [],
    }
    status = 400 if asks_newcomer and newcomer_form.errors else 200
    if request.htmx and asks_newcomer:
        return render(request, f"{TEMPLATE}#newcomer", context, status=status)
    template = f"{TEMPLATE}#whatif" if request.htmx and product else TEMPLATE
    return render(request, template, context, status=status)
