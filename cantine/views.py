"""Pages shared by every role: home, canteens and their covers."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cantine.forms import CoverGridForm, LocalDefinitionForm
from cantine.models import Canteen, Role
from cantine.roles import canteens_for, producer_of, role_required
from cantine.selectors import (
    SERVICE_DAYS,
    canteen_with_relations,
    cover_grid,
    group_cover_grid,
    visible_canteens,
)
from cantine.services import set_cover_forecasts

STAFF = (Role.COOK, Role.DIETITIAN, Role.MANAGER)


@login_required
def home(request):
    return render(
        request,
        "cantine/home.html",
        {
            "canteens": visible_canteens(request.user, *STAFF),
            "producer": producer_of(request.user),
        },
    )


def _canteen_for(user, pk, *roles) -> Canteen:
    """The canteen if the user may act on it in one of ``roles``; 404 otherwise (no leak)."""
    if not canteens_for(user, *roles).filter(pk=pk).exists():
        raise Http404
    return canteen_with_relations(pk)


@role_required(*STAFF)
def canteen_list(request):
    return render(
        request, "cantine/canteen_list.html", {"canteens": visible_canteens(request.user, *STAFF)}
    )


@role_required(*STAFF)
def canteen_detail(request, pk):
    canteen = _canteen_for(request.user, pk, *STAFF)
    is_kitchen = canteen.kind == Canteen.Kind.CENTRAL_KITCHEN
    return render(
        request,
        "cantine/canteen_detail.html",
        {
            "canteen": canteen,
            "days": SERVICE_DAYS,
            "grid": cover_grid(canteen),
            "group_grid": group_cover_grid(canteen) if is_kitchen else None,
            "local": canteen.local_definition(),
            "can_edit_covers": canteens_for(request.user, Role.COOK, Role.MANAGER)
            .filter(pk=pk)
            .exists(),
            "can_edit_local": canteens_for(request.user, Role.MANAGER).filter(pk=pk).exists(),
        },
    )


@role_required(Role.COOK, Role.MANAGER)
def canteen_covers_edit(request, pk):
    canteen = _canteen_for(request.user, pk, Role.COOK, Role.MANAGER)
    current = {(f.age_group, f.weekday): f.covers for f in canteen.cover_forecasts.all()}
    form = CoverGridForm(request.POST or None, initial_grid=current)
    if request.method == "POST" and form.is_valid():
        set_cover_forecasts(canteen=canteen, grid=form.grid())
        messages.success(request, _("Covers saved."))
        return redirect("canteen_detail", pk=canteen.pk)
    return render(
        request,
        "cantine/canteen_covers_form.html",
        {"canteen": canteen, "form": form, "days": SERVICE_DAYS},
        status=400 if form.errors else 200,
    )


@role_required(Role.MANAGER)
def canteen_local_edit(request, pk):
    canteen = _canteen_for(request.user, pk, Role.MANAGER)
    form = LocalDefinitionForm(request.POST or None, instance=canteen)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Local definition saved."))
        return redirect("canteen_detail", pk=canteen.pk)
    return render(
        request,
        "cantine/canteen_local_form.html",
        {"canteen": canteen, "form": form},
        status=400 if form.errors else 200,
    )
