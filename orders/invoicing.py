"""Invoices from the producer's side: issued from a delivered order, received by the buyer.

The producer issues the invoice in its portal (``issue_invoice``): a Factur-X PDF
(``purchases.invoices``) with the quantities the cook recorded as received. Depositing it is
its receipt by the buyer, so the payment-delay clock starts then (``PurchaseOrder.invoiced_on``,
which the payment-delay figures already read) and the invoice is due 30 days later
(R2192-10). The manager sees what is due and records the payment through the order life cycle.

A service module: its writes take keyword arguments only, the acting user as ``actor``.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cantine.models import Canteen, Membership, Role, User
from cantine.refusals import DomainError
from cantine.roles import producer_of
from orders import lifecycle, notifications
from orders.models import Invoice, PurchaseOrder
from purchases import invoices


class InvoicingError(DomainError):
    """The invoice or payment is refused; the message is for the person who asked."""


def invoice_number(order: PurchaseOrder) -> str:
    return f"F-{order.producer_id}-{order.pk:06d}"


@transaction.atomic
def issue_invoice(*, order: PurchaseOrder, actor: User) -> Invoice:
    producer = producer_of(actor)
    if producer is None or producer.pk != order.producer_id:
        raise InvoicingError(_("Only the producer of this order can invoice it."))
    order = PurchaseOrder.objects.select_for_update().get(pk=order.pk)
    if hasattr(order, "invoice"):
        raise InvoicingError(_("This order is already invoiced."))
    if order.status != PurchaseOrder.Status.DELIVERED:
        raise InvoicingError(_("Only a delivered order can be invoiced."))
    received_at = timezone.now()
    today = timezone.localdate(received_at)
    try:
        data = invoices.from_order(order, number=invoice_number(order), issued_on=today)
        pdf, xml = invoices.factur_x(data)
    except invoices.InvoiceError as error:
        raise InvoicingError(str(error)) from None
    invoice = Invoice.objects.create(
        order=order,
        number=data.number,
        issued_on=today,
        received_at=received_at,
        due_on=data.due_on,
        goods_total=data.net,
        vat_rate=data.vat_rate,
        vat_total=data.vat,
        total=data.total,
        pdf=pdf,
        xml=xml.decode("utf-8"),
        issued_by=actor,
    )
    lifecycle.record_invoice(order=order, invoiced_on=today, actor=actor)
    _tell_managers(invoice)
    return invoice


def _tell_managers(invoice: Invoice) -> None:
    order = invoice.order
    managers = Membership.objects.filter(
        canteen=order.canteen.kitchen, role=Role.MANAGER
    ).select_related("user")
    with translation.override("fr"):
        subject = _("Invoice %(number)s from %(producer)s, due %(due)s") % {
            "number": invoice.number,
            "producer": order.producer.name,
            "due": invoice.due_on.strftime("%d/%m/%Y"),
        }
        body = _("%(total)s € TTC for order %(order)s, to pay before %(due)s.") % {
            "total": invoice.total,
            "order": order.number,
            "due": invoice.due_on.strftime("%d/%m/%Y"),
        }
    for membership in managers:
        notifications._queue(order, membership.user.email, subject, body)


def invoices_of(kitchen: Canteen):
    """The kitchen group's invoices, the unpaid first by due date."""
    return (
        Invoice.objects.filter(Canteen.in_group_of(kitchen, "order__canteen"))
        .select_related("order__producer", "order__canteen")
        .order_by("order__paid_on", "due_on", "pk")
    )


@transaction.atomic
def record_payment(*, invoice: Invoice, paid_on: date, actor: User) -> Invoice:
    if paid_on > timezone.localdate():
        raise InvoicingError(_("A payment is recorded once made, not for a day to come."))
    try:
        lifecycle.record_payment(order=invoice.order, paid_on=paid_on, actor=actor)
    except lifecycle.OrderError as error:
        raise InvoicingError(str(error)) from None
    invoice.refresh_from_db()
    return invoice
