"""The producer portal: a farmer's own purchase orders, answered from a phone.

Only the orders of the producer the user answers for are ever read: another producer's
order, even with a guessed id, is a 404.
"""

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cantine.models import Membership, Role
from cantine.roles import MAX_ID, producer_of, role_required
from orders import lifecycle
from orders.models import PurchaseOrder, PurchaseOrderLine
from orders.pdf import purchase_order_pdf

VISIBLE = [s for s in PurchaseOrder.Status.values if s != PurchaseOrder.Status.DRAFT]


def _own_orders(user):
    return (
        PurchaseOrder.objects.filter(producer=producer_of(user), status__in=VISIBLE)
        .select_related("canteen__commune", "producer")
        .prefetch_related(
            "lines__offer",
            Prefetch(  # the buyer's contact on each card: the kitchen's cooks
                "canteen__memberships",
                queryset=Membership.objects.filter(role=Role.COOK).select_related("user"),
                to_attr="cooks",
            ),
        )
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


def _portal_page(request, *, refused=None, status=200):
    """The portal; ``refused`` (line pk, packs and reason typed, error) puts a refused answer
    back in its form with the reason next to it, so nothing typed is lost."""
    orders = list(_own_orders(request.user))
    to_answer = [o for o in orders if o.status == PurchaseOrder.Status.SENT]
    history = [o for o in orders if o.status != PurchaseOrder.Status.SENT]
    return render(
        request,
        "orders/portal.html",
        {
            "to_answer": to_answer,
            "history": history,
            "producer": producer_of(request.user),
            "refused": refused,
        },
        status=status,
    )


@role_required(Role.PRODUCER)
def portal(request):
    return _portal_page(request)


@require_POST
@role_required(Role.PRODUCER)
def answer_line(request, line_pk):
    line = _own_line(request.user, line_pk)
    typed, reason = request.POST.get("packs", "").strip(), request.POST.get("reason", "")
    try:
        packs = int(typed)
    except ValueError:
        error = _("Give a whole number of packs.")
    else:
        try:
            lifecycle.answer_line(line=line, packs=packs, actor=request.user, reason=reason)
        except lifecycle.OrderError as refusal:
            error = str(refusal)
        else:
            messages.success(request, _("Your answer is recorded."))
            return redirect("orders_portal")
    refused = {"line": line.pk, "packs": typed, "reason": reason, "error": error}
    return _portal_page(request, refused=refused, status=400)


@require_POST
@role_required(Role.PRODUCER)
def confirm_order(request, po_pk):
    order = _own_orders(request.user).filter(pk=po_pk).first()
    if order is None:
        raise Http404
    try:
        lifecycle.confirm_all(order=order, actor=request.user)
    except lifecycle.OrderError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Order confirmed."))
    return redirect("orders_portal")


@role_required(Role.PRODUCER)
def order_pdf(request, po_pk):
    """The PDF of one of the producer's own orders (another producer's is a 404)."""
    order = _own_orders(request.user).filter(pk=po_pk).first() if po_pk <= MAX_ID else None
    if order is None:
        raise Http404
    response = HttpResponse(purchase_order_pdf(order), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{order.number}.pdf"'
    return response
