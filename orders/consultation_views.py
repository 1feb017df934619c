"""Consultation pages: the cook consults producers for a lot and awards it; the manager reads
and pays invoices; producers answer and invoice from their portal.

Every page resolves its kitchen with ``cantine.roles`` (``kitchen_for``, ``may_act``): a
satellite's staff neither read nor write a kitchen's buying, objects of another kitchen are a
404. A producer only ever reads the answers it takes part in (``consultations.answers_of``).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cantine.forms import TypedDecimalField
from cantine.models import Role
from cantine.roles import kitchen_for, may_act, producer_of, role_required
from cantine.validators import validate_siret
from orders import consultations as cs
from orders import invoicing, needs, sourcing
from orders.consultation_forms import AnswerForm, ConsultationForm, LotPickForm
from orders.consultation_pdf import analysis_pdf
from orders.models import Consultation, Invoice, PurchaseOrder
from producers.models import Producer

WRITERS = (Role.COOK,)
READERS = (Role.COOK, Role.MANAGER)


def _consultation(user, pk, *roles, write=False) -> Consultation:
    consultation = get_object_or_404(Consultation.objects.select_related("canteen__commune"), pk=pk)
    if not may_act(user, consultation.canteen, *roles):
        raise Http404
    if write and not may_act(user, consultation.canteen, *WRITERS, write=True):
        raise Http404
    return consultation


def _period(data):
    form = LotPickForm(data or None)
    cleaned = form.cleaned_data if form.is_bound and form.is_valid() else {}
    start = needs.week_start(cleaned.get("start") or timezone.localdate())
    weeks = cleaned.get("weeks") or 1
    granularity = cleaned.get("granularity") or "product_week"
    return start, weeks, start + timedelta(days=7 * weeks - 1), granularity


@role_required(*READERS)
def consultation_index(request):
    """The consultations of the user's first kitchen (the menu's entry point)."""
    from cantine.selectors import kitchens_of

    kitchens = kitchens_of(request.user, *READERS, served=False)
    if not kitchens:
        return render(request, "orders/no_canteen.html")
    return redirect("consultation_list", pk=kitchens[0].pk)


@role_required(*READERS)
def consultation_list(request, pk):
    """The kitchen's consultations, and the lots of a period it can consult producers for."""
    kitchen = kitchen_for(request.user, pk, *READERS)
    if kitchen.pk != pk:
        return redirect("consultation_list", pk=kitchen.pk)
    start, weeks, end, granularity = _period(request.GET)
    can_edit = may_act(request.user, kitchen, *WRITERS, write=True)
    choices = cs.lot_choices(kitchen, start, end, granularity) if can_edit else []
    prices = cs.estimated_prices(kitchen, [n.food_id for c in choices for n in c.needs])
    return render(
        request,
        "orders/consultations/list.html",
        {
            "canteen": kitchen,
            "consultations": kitchen.consultations.prefetch_related("items", "answers"),
            "lots": [
                {
                    "choice": c,
                    "estimate": sum(
                        (n.quantity * prices[n.food_id] for n in c.needs),
                        Decimal(0),
                    ),
                }
                for c in choices
            ],
            "pick": LotPickForm(
                initial={"start": start, "weeks": weeks, "granularity": granularity}
            ),
            "start": start,
            "weeks": weeks,
            "granularity": granularity,
            "can_edit": can_edit,
        },
    )


def _default_deadline():
    """Three days from now at noon: time for a farm to read and answer between two rounds."""
    day = timezone.localdate() + timedelta(days=3)
    return timezone.make_aware(datetime.combine(day, time(12)))


@require_POST
@role_required(*WRITERS)
def consultation_from_lot(request, pk):
    kitchen = kitchen_for(request.user, pk, *WRITERS, write=True)
    start, weeks, end, granularity = _period(request.POST)
    key = request.POST.get("lot", "")
    choice = next(
        (c for c in cs.lot_choices(kitchen, start, end, granularity) if c.key == key), None
    )
    if choice is None:
        messages.error(request, _("This lot is no longer among the period's needs."))
        return redirect("consultation_list", pk=kitchen.pk)
    deadline = _default_deadline()
    items = [
        i for i in cs.items_from_needs(kitchen, choice.needs) if i.delivery_date > deadline.date()
    ]
    try:
        consultation = cs.create_consultation(
            kitchen=kitchen,
            actor=request.user,
            title=choice.label,
            family=choice.family,
            items=items,
            answer_deadline=deadline,
            source=_("Lot %(lot)s (%(granularity)s)")
            % {"lot": choice.label, "granularity": granularity},
        )
    except cs.ConsultationError as error:
        messages.error(request, str(error))
        return redirect("consultation_list", pk=kitchen.pk)
    return redirect("consultation_detail", cpk=consultation.pk)


@role_required(*READERS)
def consultation_detail(request, cpk):
    consultation = _consultation(request.user, cpk, *READERS)
    can_edit = may_act(request.user, consultation.canteen, *WRITERS, write=True)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    status = Consultation.Status
    context = {
        "consultation": consultation,
        "canteen": consultation.canteen,
        "items": consultation.items.select_related("food"),
        "can_edit": can_edit,
        "now": timezone.now(),
        "answers_count": consultation.answers.count(),
        "invites": consultation.invites.select_related("producer"),
        "sourcing": sourcing.sourcing(consultation),
        "map": sourcing.map_geometry(),
    }
    if consultation.status == status.DRAFT:
        form = ConsultationForm(instance=consultation)
        if request.method == "POST":
            form = ConsultationForm(request.POST, instance=consultation)
            if form.is_valid():
                form.save()
                messages.success(request, _("Consultation saved."))
                return redirect("consultation_detail", cpk=consultation.pk)
        context["form"] = form
        context["warnings"] = cs.threshold_warnings(consultation)
    closed = consultation.answer_deadline <= timezone.now()
    if consultation.status == status.PUBLISHED and closed and context["answers_count"]:
        context["proposal"] = cs.propose(consultation)
    if consultation.status == status.AWARDED:
        context["proposal"] = cs.Proposal(None, None, _awarded_ranking(consultation))
        context["orders"] = (
            PurchaseOrder.objects.filter(lines__award_line__answer__consultation=consultation)
            .select_related("producer")
            .distinct()
        )
    context["closed"] = closed
    return render(request, "orders/consultations/detail.html", context)


def _awarded_ranking(consultation: Consultation) -> list[dict]:
    """The ranking as it was stored at the award (scores and quantities on the lines)."""
    from orders.consultation_pdf import stored_ranking

    return stored_ranking(consultation)


@require_POST
@role_required(*WRITERS)
def consultation_publish(request, cpk):
    consultation = _consultation(request.user, cpk, *WRITERS, write=True)
    try:
        cs.publish(
            consultation=consultation,
            actor=request.user,
            acknowledged=request.POST.get("acknowledge") == "on",
        )
    except cs.ThresholdWarning:
        messages.error(
            request,
            _(
                "This consultation crosses a threshold: read the warning and confirm, or choose another kind of purchase."
            ),
        )
    except cs.ConsultationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Consultation published: %(count)s producers notified.")
            % {"count": consultation.invites.count()},
        )
    return redirect("consultation_detail", cpk=consultation.pk)


@require_POST
@role_required(*WRITERS)
def consultation_award(request, cpk):
    """Award as the optimiser proposes, or with the buyer's quantities and written reason."""
    consultation = _consultation(request.user, cpk, *WRITERS, write=True)
    quantities = None
    if request.POST.get("override") == "on":
        quantities = {}
        for key, value in request.POST.items():
            if key.startswith("qty_"):
                try:
                    typed = TypedDecimalField(required=False).clean(value)
                    quantities[int(key[4:])] = typed if typed is not None else Decimal(0)
                except (ValueError, InvalidOperation, ValidationError):
                    messages.error(request, _("Give the quantities as numbers, e.g. 12,5."))
                    return redirect("consultation_detail", cpk=consultation.pk)
    try:
        orders = cs.award(
            consultation=consultation,
            actor=request.user,
            quantities=quantities,
            reason=request.POST.get("reason", ""),
        )
    except cs.ConsultationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Consultation awarded: %(count)s purchase orders sent.") % {"count": len(orders)},
        )
    return redirect("consultation_detail", cpk=consultation.pk)


@role_required(*READERS)
def consultation_report(request, cpk):
    consultation = _consultation(request.user, cpk, *READERS)
    if consultation.status != Consultation.Status.AWARDED:
        raise Http404
    response = HttpResponse(analysis_pdf(consultation), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{consultation.number}-analyse.pdf"'
    return response


# --- Invoices on the buyer's side ------------------------------------------------------------


@role_required(*READERS)
def invoice_list(request, pk):
    kitchen = kitchen_for(request.user, pk, *READERS)
    today = timezone.localdate()
    rows = [
        {
            "invoice": invoice,
            "days_left": (invoice.due_on - today).days,
            "late": invoice.order.paid_on is None and invoice.due_on < today,
        }
        for invoice in invoicing.invoices_of(kitchen)
    ]
    return render(
        request,
        "orders/consultations/invoices.html",
        {
            "canteen": kitchen,
            "rows": rows,
            "today": today,
            "can_pay": may_act(request.user, kitchen, Role.MANAGER, write=True),
        },
    )


@require_POST
@role_required(Role.MANAGER)
def invoice_pay(request, ipk):
    invoice = get_object_or_404(Invoice.objects.select_related("order__canteen"), pk=ipk)
    if not may_act(request.user, invoice.order.canteen, Role.MANAGER, write=True):
        raise Http404
    try:
        paid_on = datetime.strptime(request.POST.get("paid_on", ""), "%Y-%m-%d").date()
        invoicing.record_payment(invoice=invoice, paid_on=paid_on, actor=request.user)
    except ValueError:
        messages.error(request, _("Give the date as YYYY-MM-DD."))
    except invoicing.InvoicingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Payment recorded."))
    return redirect("invoice_list", pk=invoice.order.canteen.kitchen.pk)


@role_required(*READERS, Role.PRODUCER)
def invoice_pdf(request, ipk):
    """The Factur-X PDF, for the kitchen's readers and the producer who issued it."""
    invoice = get_object_or_404(Invoice.objects.select_related("order__canteen"), pk=ipk)
    producer = producer_of(request.user)
    mine = producer is not None and producer.pk == invoice.order.producer_id
    if not mine and not may_act(request.user, invoice.order.canteen, *READERS):
        raise Http404
    response = HttpResponse(bytes(invoice.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{invoice.number}.pdf"'
    return response


# --- The producer's portal --------------------------------------------------------------------


@role_required(Role.PRODUCER)
def portal_consultations(request):
    producer = producer_of(request.user)
    invited = set(producer.consultation_invites.values_list("consultation_id", flat=True))
    mine = cs.answers_of(producer).select_related("consultation__canteen", "lead")
    answered = {a.consultation_id for a in mine}
    open_ones = [
        {"consultation": c, "invited": c.pk in invited, "answered": c.pk in answered}
        for c in cs.open_consultations().prefetch_related("items__food")
    ]
    open_ones.sort(key=lambda row: (not row["invited"], row["consultation"].answer_deadline))
    delivered = PurchaseOrder.objects.filter(
        producer=producer, status=PurchaseOrder.Status.DELIVERED, invoice__isnull=True
    ).select_related("canteen")
    return render(
        request,
        "orders/consultations/portal.html",
        {
            "producer": producer,
            "open": open_ones,
            "answers": mine,
            "to_invoice": delivered,
            "invoices": Invoice.objects.filter(order__producer=producer).select_related(
                "order__canteen"
            ),
        },
    )


def _partners(text: str, lead: Producer) -> list[Producer]:
    partners = []
    for raw in text.replace(",", "\n").split():
        siret = raw.strip().replace(" ", "")
        if not siret or siret == lead.siret:
            continue
        validate_siret(siret)
        producer = Producer.objects.filter(siret=siret).first()
        if producer is None:
            raise cs.ConsultationError(
                _("No producer with SIRET %(siret)s uses cantine yet.") % {"siret": siret}
            )
        partners.append(producer)
    return partners


@role_required(Role.PRODUCER)
def portal_answer(request, cpk):
    """Answer from a phone: per product a price and a quantity (part of it is fine); for a
    group, each member's price and quantity (the partners' SIRET are saved first)."""
    producer = producer_of(request.user)
    consultation = get_object_or_404(
        Consultation.objects.exclude(status=Consultation.Status.DRAFT).select_related("canteen"),
        pk=cpk,
    )
    mine = cs.answers_of(producer).filter(consultation=consultation).first()
    items = list(consultation.items.select_related("food"))
    if mine is not None and mine.lead_id != producer.pk:
        return render(
            request,
            "orders/consultations/answer.html",
            {"consultation": consultation, "answer": mine, "items": items, "member_only": True},
        )
    initial = {"intermediaries": 0, "freshness_days": 1, "labels": producer.labels}
    if mine is not None:
        initial = {
            "intermediaries": mine.intermediaries,
            "freshness_days": mine.freshness_days,
            "delivery_weekdays": mine.delivery_weekdays,
            "labels": mine.labels,
            "note": mine.note,
            "partners": "\n".join(p.siret for p in mine.members.exclude(pk=producer.pk)),
        }
    form = AnswerForm(request.POST or None, initial=initial)
    typed = {}
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            partners = _partners(form.cleaned_data["partners"], producer)
            members = [producer, *partners]
            lines = []
            for item in items:
                for member in members:
                    price = _typed(request.POST, "price", item, member)
                    quantity = _typed(request.POST, "quantity", item, member)
                    if not price and not quantity:
                        continue
                    lines.append(
                        cs.LineSpec(item.pk, Decimal(price), Decimal(quantity), producer=member)
                    )
            cs.submit_answer(
                consultation=consultation,
                actor=request.user,
                lines=lines,
                partners=partners,
                intermediaries=form.cleaned_data["intermediaries"],
                freshness_days=form.cleaned_data["freshness_days"],
                delivery_weekdays=form.cleaned_data["delivery_weekdays"],
                labels=form.cleaned_data["labels"],
                note=form.cleaned_data["note"],
            )
        except (InvalidOperation, ValueError):
            form.add_error(None, _("Give prices and quantities as numbers."))
        except cs.ConsultationError as error:
            form.add_error(None, str(error))
        except ValidationError as error:  # a SIRET its validator refuses
            form.add_error("partners", error.messages[0])
        else:
            messages.success(
                request, _("Your answer is recorded; you can change it until the deadline.")
            )
            return redirect("portal_consultations")
        status = 400
    if request.method == "POST":
        status = 400
        typed = {key: value for key, value in request.POST.items()}
    members = [producer]
    if mine is not None:
        members += list(mine.members.exclude(pk=producer.pk))
    lines = {(ln.item_id, ln.producer_id): ln for ln in mine.lines.all()} if mine else {}
    rows = []
    for item in items:
        cells = []
        for member in members:
            line = lines.get((item.pk, member.pk))
            cells.append(
                {
                    "member": member,
                    "price_name": f"price_{item.pk}_{member.pk}",
                    "quantity_name": f"quantity_{item.pk}_{member.pk}",
                    "price": typed.get(
                        f"price_{item.pk}_{member.pk}", line.unit_price if line else ""
                    ),
                    "quantity": typed.get(
                        f"quantity_{item.pk}_{member.pk}", line.quantity if line else ""
                    ),
                }
            )
        rows.append({"item": item, "cells": cells})
    return render(
        request,
        "orders/consultations/answer.html",
        {
            "consultation": consultation,
            "answer": mine,
            "form": form,
            "rows": rows,
            "members": members,
            "open": cs.is_open(consultation),
        },
        status=status,
    )


def _typed(data, field: str, item, member) -> str:
    return data.get(f"{field}_{item.pk}_{member.pk}", "").strip().replace(",", ".")


@require_POST
@role_required(Role.PRODUCER)
def portal_invoice(request, po_pk):
    producer = producer_of(request.user)
    order = PurchaseOrder.objects.filter(pk=po_pk, producer=producer).first()
    if order is None:
        raise Http404
    try:
        invoice = invoicing.issue_invoice(order=order, actor=request.user)
    except invoicing.InvoicingError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Invoice %(number)s sent: due on %(due)s.")
            % {"number": invoice.number, "due": invoice.due_on.strftime("%d/%m/%Y")},
        )
    return redirect(reverse("portal_consultations") + "#invoices")
