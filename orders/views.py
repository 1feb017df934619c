"""Orders pages: the cook computes needs, allocates them and accepts; the manager reads.

A satellite's staff are sent to their central kitchen's pages, since the kitchen buys for the
group. Objects of another kitchen answer 404, so ids cannot be probed.
"""

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cantine import solver_runs
from cantine.models import Canteen, Role
from cantine.refusals import Refused
from cantine.roles import MAX_ID, kitchen_for, may_act, role_required
from cantine.selectors import kitchens_of
from orders import exports, lifecycle, lots, needs, reallocation, repair, selectors, services
from orders.forms import AllocationForm, NeedQuantityForm, PeriodForm, ReceiptForm
from orders.models import AllocationRun, LotSimulation, Need, PurchaseOrder, PurchaseOrderLine
from orders.pdf import purchase_order_pdf

WRITERS = (Role.COOK,)
READERS = (Role.COOK, Role.MANAGER)
DEFAULT_WEEKS = 1


def _kitchen(user, pk, *roles) -> Canteen:
    """The kitchen buying for canteen ``pk`` if the user holds one of ``roles`` there
    (``cantine.roles.kitchen_for``): a satellite's own staff neither read nor write it."""
    return kitchen_for(user, pk, *roles, write=set(roles) <= set(WRITERS))


def _may(user, canteen: Canteen, *roles) -> bool:
    return may_act(user, canteen, *roles)


def _period(request):
    """The weeks asked (``?start=&weeks=``); a date out of range or a wrong number of weeks
    is refused with its reason (``cantine.refusals``), never guessed."""
    form = PeriodForm(request.GET or request.POST or None)
    if form.is_bound and not form.is_valid():
        raise Refused.from_form(form)
    data = form.cleaned_data if form.is_bound else {}
    start = needs.week_start(data.get("start") or timezone.localdate())
    weeks = data.get("weeks") or DEFAULT_WEEKS
    return start, weeks, start + timedelta(days=7 * weeks - 1)


def _query(start, weeks) -> str:
    return f"?start={start:%Y-%m-%d}&weeks={weeks}"


@role_required(*READERS)
def orders_index(request):
    kitchens = kitchens_of(request.user, *READERS, served=False)
    if not kitchens:
        return render(request, "orders/no_canteen.html")
    url = reverse("orders_needs", kwargs={"pk": kitchens[0].pk})
    query = request.GET.urlencode()
    return redirect(f"{url}?{query}" if query else url)


@role_required(*READERS)
def needs_page(request, pk):
    kitchen = _kitchen(request.user, pk, *READERS)
    if kitchen.pk != pk:
        return redirect(
            reverse("orders_needs", kwargs={"pk": kitchen.pk}) + "?" + request.GET.urlencode()
        )
    start, weeks, end = _period(request)
    can_edit = _may(request.user, kitchen, *WRITERS)
    rows = list(selectors.needs_for_period(kitchen, start, end))
    return render(
        request,
        "orders/needs.html",
        {
            "canteen": kitchen,
            "start": start,
            "end": end,
            "weeks_count": weeks,
            "needs": rows,
            "can_edit": can_edit,
            "allocation_form": AllocationForm(initial={"start": start, "weeks": weeks})
            if can_edit
            else None,
            "run": selectors.latest_run(kitchen, start, end),
            "shortages": repair.shortages(kitchen, start=start, end=end) if can_edit else [],
            "kitchens": kitchens_of(request.user, *READERS, served=False),
            "previous_start": start - timedelta(days=7 * weeks),
            "next_start": start + timedelta(days=7 * weeks),
        },
    )


@require_POST
@role_required(*WRITERS)
def compute_needs(request, pk):
    kitchen = _kitchen(request.user, pk, *WRITERS)
    start, weeks, end = _period(request)
    result = needs.compute_needs(kitchen=kitchen, start=start, end=end)
    messages.success(
        request,
        _(
            "Needs computed from the menus: %(created)s new, %(updated)s updated, %(removed)s removed."
        )
        % {"created": result.created, "updated": result.updated, "removed": result.removed},
    )
    return redirect(reverse("orders_needs", kwargs={"pk": kitchen.pk}) + _query(start, weeks))


@require_POST
@role_required(*WRITERS)
def adjust_need(request, need_pk):
    need = get_object_or_404(Need.objects.select_related("food", "canteen"), pk=need_pk)
    if not _may(request.user, need.canteen, *WRITERS):
        raise Http404
    form = NeedQuantityForm(request.POST)
    status = 200
    if form.is_valid():
        needs.set_manual_quantity(need=need, quantity=form.cleaned_data["manual_quantity"])
    else:
        status = 400
    return render(
        request,
        "orders/_need_row.html",
        {"need": need, "can_edit": True, "errors": form.errors},
        status=status,
    )


@require_POST
@role_required(*WRITERS)
def start_allocation(request, pk):
    kitchen = _kitchen(request.user, pk, *WRITERS)
    form = AllocationForm(request.POST)
    if not form.is_valid():
        problems = [m for errors in form.errors.values() for m in errors]
        raise Refused([_("The allocation request is incomplete."), *problems])
    start = needs.week_start(form.cleaned_data["start"])
    end = start + timedelta(days=7 * form.cleaned_data["weeks"] - 1)
    try:
        run = services.request_allocation(
            canteen=kitchen,
            start=start,
            end=end,
            targets=form.targets(),
            goal=form.cleaned_data["goal"],
            budget=form.cleaned_data["budget"],
            actor=request.user,
        )
    except solver_runs.AlreadyRunning as running:
        run = running.run
    except ValidationError as error:
        raise Refused(error.messages) from error
    run.refresh_from_db()  # an immediate task backend may have solved it already
    return render(request, "orders/_run_status.html", {"run": run, "can_edit": True})


def _run(user, run_pk, *roles) -> AllocationRun:
    run = get_object_or_404(AllocationRun.objects.select_related("canteen"), pk=run_pk)
    if not _may(user, run.canteen, *roles):
        raise Http404
    return run


@role_required(*READERS)
def run_status(request, run_pk):
    run = solver_runs.fresh(_run(request.user, run_pk, *READERS))  # dead worker: failed
    can_edit = _may(request.user, run.canteen, *WRITERS)
    return render(request, "orders/_run_status.html", {"run": run, "can_edit": can_edit})


@require_POST
@role_required(*WRITERS)
def retry_run(request, run_pk):
    """Try a failed run again (its worker died, the queue was down): same period and goal."""
    run = _run(request.user, run_pk, *WRITERS)
    try:
        run = solver_runs.retry(run, services.solve_allocation_run)
    except solver_runs.AlreadyRunning as running:
        run = running.run
    run.refresh_from_db()  # an immediate task backend may have solved it already
    return render(request, "orders/_run_status.html", {"run": run, "can_edit": True})


@role_required(*READERS)
def run_detail(request, run_pk):
    run = _run(request.user, run_pk, *READERS)
    return render(
        request,
        "orders/run_detail.html",
        {
            "run": run,
            "canteen": run.canteen,
            "rows": selectors.allocation_rows(run),
            "shares": selectors.share_rows(run),
            "can_edit": _may(request.user, run.canteen, *WRITERS),
            "weeks_count": ((run.end - run.start).days + 1) // 7 or 1,
        },
    )


@role_required(*WRITERS)
def accept_run(request, run_pk):
    """GET: what accepting changes (added, reduced, cancelled lines per producer and day);
    POST: accept, unless the orders changed since that preview."""
    run = _run(request.user, run_pk, *WRITERS)
    if request.method == "POST":
        try:
            orders = services.accept_allocation(
                run=run, actor=request.user, expected_digest=request.POST.get("digest") or None
            )
        except services.PlanChanged as error:
            messages.error(request, " ".join(error.messages))
            return redirect("orders_accept_run", run_pk=run.pk)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("orders_run", run_pk=run.pk)
        messages.success(
            request,
            _("Allocation accepted: %(count)s purchase orders created or amended.")
            % {"count": len(orders)},
        )
        return redirect("orders_purchase_orders", pk=run.canteen_id)
    if not run.is_solved or run.accepted_at is not None:
        return redirect("orders_run", run_pk=run.pk)
    plan = services.preview_acceptance(run=run)
    return render(
        request,
        "orders/acceptance_preview.html",
        {
            "run": run,
            "canteen": run.canteen,
            "plan": plan,
            "changes": plan.changes,
            "unchanged": [o for o in plan.orders if not o.changed],
        },
    )


def _purchase_order_page(request, kitchen: Canteen, *, bulk=None) -> HttpResponse:
    orders = list(selectors.purchase_orders(kitchen))
    return render(
        request,
        "orders/purchase_orders.html",
        {
            "canteen": kitchen,
            "orders": orders,
            "drafts": [o for o in orders if o.status == PurchaseOrder.Status.DRAFT],
            "can_send": _may(request.user, kitchen, *WRITERS),
            "bulk": bulk,
            "payment_delays": selectors.payment_delays(kitchen),
            "payment_limit": selectors.PAYMENT_LIMIT_DAYS,
        },
    )


@role_required(*READERS)
def purchase_order_list(request, pk):
    return _purchase_order_page(request, _kitchen(request.user, pk, *READERS))


@role_required(*WRITERS)
def send_drafts(request, pk):
    """GET: the drafts about to be sent, to confirm; POST: send those still drafts, one by
    one (``lifecycle.send_drafts``): a second POST sends nothing more."""
    kitchen = _kitchen(request.user, pk, *WRITERS)
    if request.method != "POST":
        if kitchen.pk != pk:
            return redirect("orders_send_drafts", pk=kitchen.pk)
        drafts = selectors.purchase_orders(kitchen).filter(status=PurchaseOrder.Status.DRAFT)
        return render(
            request, "orders/send_drafts.html", {"canteen": kitchen, "drafts": list(drafts)}
        )
    typed = request.POST.getlist("order")
    if not all(t.isdigit() and int(t) <= MAX_ID for t in typed):
        raise Refused([_("The orders to send are not valid: open the confirmation again.")])
    result = lifecycle.send_drafts(
        kitchen=kitchen, order_ids=[int(t) for t in typed], actor=request.user
    )
    if result.refused:
        return _purchase_order_page(request, kitchen, bulk=result)
    if result.sent:
        messages.success(
            request,
            _("%(count)s orders sent to their producers.") % {"count": len(result.sent)},
        )
    else:
        messages.info(request, _("Nothing left to send: these orders were already sent."))
    return redirect("orders_purchase_orders", pk=kitchen.pk)


def _order(user, po_pk, *roles) -> PurchaseOrder:
    """The order, if the user holds one of ``roles`` (default: any reader) in its kitchen."""
    try:
        order = selectors.purchase_order_with_lines(po_pk)
    except PurchaseOrder.DoesNotExist:
        raise Http404 from None
    if not _may(user, order.canteen, *(roles or READERS)):
        raise Http404
    return order


@role_required(*READERS)
def purchase_order_detail(request, po_pk):
    order = _order(request.user, po_pk)
    events = order.events.select_related("actor", "line__offer").order_by("at", "pk")
    replacements = PurchaseOrder.objects.filter(
        pk__in=[pk for e in events if e.action == "reallocated" for pk in e.after["orders"]]
    ).select_related("producer")
    return render(
        request,
        "orders/purchase_order_detail.html",
        {
            "order": order,
            "amounts": order.amounts,
            "events": events,
            "replacements": replacements,
            "reallocated": any(e.action in ("reallocated", "replanned") for e in events),
            "shortages": [s for s in repair.shortages(order.canteen) if s.order.pk == order.pk]
            if _may(request.user, order.canteen, *WRITERS)
            else [],
            "receipt_date": lifecycle.default_receipt_date(order),
            "today": timezone.localdate(),
            "sent_on": timezone.localdate(order.sent_at) if order.sent_at else None,
        },
    )


@require_POST
@role_required(Role.COOK)
def send_purchase_order(request, po_pk):
    """The cook sends a draft order: the producer sees it in the portal and answers."""
    order = _order(request.user, po_pk, Role.COOK)
    try:
        lifecycle.send_order(order=order, actor=request.user)
    except lifecycle.OrderError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Order sent to the producer."))
    return redirect("orders_po", po_pk=order.pk)


@require_POST
@role_required(Role.COOK)
def receive_purchase_order(request, po_pk):
    """The cook records what arrived; received lines enter the purchases ledger."""
    order = _order(request.user, po_pk, Role.COOK)
    form = ReceiptForm(order, request.POST)
    if not form.is_valid():
        return _receipt_refused(request, order, form)
    try:
        lifecycle.record_delivery(
            order=order,
            received=form.received(),
            actor=request.user,
            insertion_hours=form.cleaned_data.get("insertion_hours"),
            received_on=form.cleaned_data["received_on"],
        )
    except lifecycle.ReceiptDateError as error:
        form.add_error("received_on", str(error))
        return _receipt_refused(request, order, form)
    except lifecycle.OrderError as error:
        form.add_error(None, str(error))
        return _receipt_refused(request, order, form)
    messages.success(request, _("Delivery recorded: the purchases ledger is up to date."))
    return redirect("orders_po", po_pk=order.pk)


def _receipt_refused(request, order: PurchaseOrder, form) -> HttpResponse:
    """The order page again, the receipt form with what was typed and why it was refused."""
    order = _order(request.user, order.pk)
    for line in order.lines.all():  # what was typed comes back: nothing is lost
        line.typed_received = form.data.get(f"received_{line.pk}")
        line.typed_remark = form.data.get(f"remark_{line.pk}", "")
        line.typed_errors = form.errors.get(f"received_{line.pk}", [])
    events = order.events.select_related("actor", "line__offer").order_by("at", "pk")
    return render(
        request,
        "orders/purchase_order_detail.html",
        {
            "order": order,
            "amounts": order.amounts,
            "events": events,
            "replacements": [],
            "reallocated": True,
            "receipt_form": form,
            "receipt_date": form.data.get("received_on", ""),
            "today": timezone.localdate(),
            "sent_on": timezone.localdate(order.sent_at) if order.sent_at else None,
        },
        status=400,
    )


@require_POST
@role_required(Role.MANAGER)
def pay_purchase_order(request, po_pk):
    """The manager records the invoice, then the payment (the payment delay is measured)."""
    order = _order(request.user, po_pk, Role.MANAGER)
    try:
        day = date.fromisoformat(request.POST.get("date", ""))
        if order.status == PurchaseOrder.Status.DELIVERED:
            lifecycle.record_invoice(order=order, invoiced_on=day, actor=request.user)
        else:
            lifecycle.record_payment(order=order, paid_on=day, actor=request.user)
    except ValueError:
        messages.error(request, _("Give the date as YYYY-MM-DD."))
    except lifecycle.OrderError as error:
        messages.error(request, str(error))
    return redirect("orders_po", po_pk=order.pk)


@require_POST
@role_required(Role.COOK)
def reallocate_purchase_order(request, po_pk):
    """Buy elsewhere what the producer refused (in the background; the page then shows it)."""
    order = _order(request.user, po_pk, Role.COOK)
    try:
        reallocation.request_reallocation(order=order, actor=request.user)
    except reallocation.NothingRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("orders_po", po_pk=order.pk)
    messages.success(request, _("The refused quantities are being bought elsewhere."))
    return redirect("orders_po", po_pk=order.pk)


@require_POST
@role_required(Role.COOK)
def repair_menus(request, line_pk):
    """One click: re-plan the meals that need a product nobody can deliver, then recompute
    the needs (``orders.repair``); the needs page of those weeks says what came of it."""
    line = (
        PurchaseOrderLine.objects.select_related("order__canteen", "offer__food")
        .filter(pk=line_pk)
        .first()
        if line_pk <= MAX_ID
        else None
    )
    if line is None or not _may(request.user, line.order.canteen, Role.COOK):
        raise Http404
    shortage = repair.shortage_of(line)
    try:
        run = repair.request_menu_repair(line=line, actor=request.user)
    except solver_runs.AlreadyRunning as running:
        run = running.run
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("orders_po", po_pk=line.order_id)
    url = reverse("orders_needs", kwargs={"pk": line.order.canteen.kitchen.pk})
    url += _query(shortage.start, shortage.weeks)
    if run.repair.get("line") != line.pk:
        messages.info(request, _("A plan is being made for these weeks: repair once it ends."))
        return redirect(url)
    run.refresh_from_db()  # an immediate task backend has solved it already
    product = line.offer.food.name
    if run.status in run.SOLVED:
        messages.success(
            request,
            _(
                "Menus repaired without %(product)s: %(count)s courses changed, every rule "
                "still met. The needs are recomputed: allocate and order them."
            )
            % {"product": product, "count": run.changed_slots},
        )
    elif run.is_active:
        messages.info(request, _("The menus are being repaired; this page shows the result."))
    else:
        why = " ".join(c.get("why", "") for c in run.conflicts)
        messages.error(
            request,
            _("No menu meets every rule without %(product)s. %(why)s")
            % {"product": product, "why": why},
        )
    return redirect(url)


@role_required(*READERS)
def purchase_order_pdf_view(request, po_pk):
    order = _order(request.user, po_pk)
    response = HttpResponse(purchase_order_pdf(order), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{order.number}.pdf"'
    return response


@role_required(*READERS)
def purchase_order_csv(request, po_pk):
    order = _order(request.user, po_pk)
    response = HttpResponse(exports.purchase_order_csv(order), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{order.number}.csv"'
    return response


@role_required(*READERS)
def lot_simulator(request, pk):
    """Fine vs coarse lots; the solving runs in the background and the page polls it."""
    kitchen = _kitchen(request.user, pk, *READERS)
    start, weeks, end = _period(request)
    if request.method == "POST":
        lots.request_simulation(kitchen=kitchen, start=start, end=end, actor=request.user)
        return redirect(reverse("orders_lots", kwargs={"pk": kitchen.pk}) + _query(start, weeks))
    simulation = LotSimulation.objects.filter(canteen=kitchen, start=start, end=end).first()
    simulation = solver_runs.fresh(simulation)  # its worker died: failed, simulate again
    outcomes = lots.outcomes_of(simulation)
    return render(
        request,
        "orders/lots.html",
        {
            "canteen": kitchen,
            "start": start,
            "end": end,
            "weeks_count": weeks,
            "simulation": simulation,
            "outcomes": outcomes,
            "chart": lots.chart_bars(outcomes),
        },
    )
