"""The producer portal: a farmer's own purchase orders, answered from a phone.

Only the orders of the producer the user answers for are ever read: another producer's
order, even with a guessed id, is a 404.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cantine.models import Role
from cantine.roles import producer_of, role_required
from orders import lifecycle
from orders.models import PurchaseOrder, PurchaseOrderLine

VISIBLE = [s for s in PurchaseOrder.Status.values if s != PurchaseOrder.Status.DRAFT]


def _own_orders(user):
    return (
        PurchaseOrder.objects.filter(producer=producer_of(user), status__in=VISIBLE)
        .select_related("canteen", "producer")
        .prefetch_related("lines__offer")
        .order_by("-delivery_date", "pk")
    )


def _own_line(user, line_pk) -> PurchaseOrderLine:
    line = (
        PurchaseOrderLine.objects.select_related("order", "offer")
        .filter(pk=line_pk, order__producer=producer_of(user), order__status__in=VISIBLE)
        .first()
    )
    if line is None:
        raise Http404
    return line


@role_required(Role.PRODUCER)
def portal(request):
    orders = list(_own_orders(request.user))
    to_answer = [o for o in orders if o.status == PurchaseOrder.Status.SENT]
    history = [o for o in orders if o.status != PurchaseOrder.Status.SENT]
    return render(
        request,
        "orders/portal.html",
        {"to_answer": to_answer, "history": history, "producer": producer_of(request.user)},
    )


@require_POST
@role_required(Role.PRODUCER)
def answer_line(request, line_pk):
    line = _own_line(request.user, line_pk)
    try:
        packs = int(request.POST.get("packs", ""))
    except ValueError:
        messages.error(request, _("Give a whole number of packs."))
        return redirect("orders_portal")
    try:
        lifecycle.answer_line(line, packs, request.user, reason=request.POST.get("reason", ""))
    except lifecycle.OrderError as error:
        messages.error(request, f"{line.offer.product_label} : {error}")
    else:
        messages.success(request, _("Your answer is recorded."))
    return redirect("orders_portal")


@require_POST
@role_required(Role.PRODUCER)
def confirm_order(request, po_pk):
    order = _own_orders(request.user).filter(pk=po_pk).first()
    if order is None:
        raise Http404
    try:
        lifecycle.confirm_all(order, request.user)
    except lifecycle.OrderError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Order confirmed."))
    return redirect("orders_portal")
