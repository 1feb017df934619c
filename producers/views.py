"""Producer pages: the directory buyers search, and the producer's own profile."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cantine.models import Role
from cantine.roles import producer_of, role_required
from cantine.selectors import visible_canteens
from cantine.uploads import capped, max_body
from producers.forms import (
    MAX_PRICE_LIST_BYTES,
    DirectoryFilterForm,
    OfferEditForm,
    OfferImportForm,
    ProducerProfileForm,
)
from producers.models import Offer
from producers.offers import OfferImportError, import_offers
from producers.selectors import activities, producer_directory

BUYERS = (Role.COOK, Role.MANAGER)


@role_required(*BUYERS)
def directory(request):
    canteens = list(visible_canteens(request.user, *BUYERS))
    form = DirectoryFilterForm(request.GET or None, canteens=canteens, activities=activities())
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    canteen = next((c for c in canteens if c.pk == filters.get("canteen")), None)
    canteen = canteen or (canteens[0] if canteens else None)
    rows = []
    local = None
    if canteen is not None:
        local = canteen.local_definition()
        rows = producer_directory(
            local,
            search=filters.get("search", ""),
            activity=filters.get("activity", ""),
            label=filters.get("label", ""),
            local_only=filters.get("local_only", False),
        )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    template = "producers/directory.html"
    if request.htmx:
        template += "#results"
    return render(
        request,
        template,
        {
            "form": form,
            "canteen": canteen,
            "local": local,
            "page": page,
            "local_count": sum(1 for r in rows if r.is_local),
            "total": len(rows),
        },
    )


@role_required(Role.PRODUCER)
def profile(request):
    producer = producer_of(request.user)
    form = ProducerProfileForm(request.POST or None, instance=producer)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your details are saved."))
        return redirect("producer_profile")
    return render(
        request,
        "producers/profile.html",
        {"producer": producer, "form": form},
        status=400 if form.errors else 200,
    )


@max_body(MAX_PRICE_LIST_BYTES)
@role_required(Role.PRODUCER)
def my_offers(request):
    """The producer's offers, and the price-list import (all or nothing)."""
    producer = producer_of(request.user)
    form = OfferImportForm(request.POST or None, request.FILES or None)
    errors, more_errors, status = [], 0, 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = import_offers(
                    producer=producer, content=upload.read(), filename=upload.name
                )
            except OfferImportError as error:
                (errors, more_errors), status = capped(error.errors), 400
            else:
                messages.success(
                    request,
                    _("Price list imported: %(created)s new offers, %(updated)s updated.")
                    % {"created": result.created, "updated": result.updated},
                )
                return redirect("producer_offers")
        else:
            status = 400
    offers = Offer.objects.filter(producer=producer).select_related("food")
    return render(
        request,
        "producers/offers.html",
        {
            "producer": producer,
            "offers": offers,
            "form": form,
            "import_errors": errors,
            "more_errors": more_errors,
        },
        status=status,
    )


@require_POST
@role_required(Role.PRODUCER)
def edit_offer(request, pk):
    """Change an offer's price, pack, weekly capacity, end date or availability."""
    offer = Offer.objects.filter(pk=pk, producer=producer_of(request.user)).first()
    if offer is None:
        raise Http404
    form = OfferEditForm(request.POST, instance=offer)
    if form.is_valid():
        form.save()
        messages.success(
            request, _("Offer updated: %(product)s.") % {"product": offer.product_label}
        )
    else:
        problems = "; ".join(f"{e}" for errors in form.errors.values() for e in errors)
        messages.error(request, f"{offer.product_label} : {problems}")
    return redirect("producer_offers")
