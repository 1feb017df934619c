"""Orders: what a kitchen needs, how the optimiser split it across offers, and the
purchase orders sent to producers.

Needs belong to the planning kitchen (a central kitchen buys for its satellites). A need keeps
the quantity computed from the menus and, apart, the cook's own figure: re-planning menus
updates only the computed one.

One module per aggregate: ``needs``, ``runs`` (allocation runs with their lines, lot
simulations), ``purchase_orders`` (orders, their lines, their money and their audit trail),
``notifications`` (the e-mail outbox), ``consultations`` (a need put to producers, their
answers) and ``invoices``; ``money`` holds the rounding they share. Every public name is
importable from ``orders.models``.
"""

from orders.models.consultations import (
    Answer,
    AnswerLine,
    Consultation,
    ConsultationInvite,
    ConsultationItem,
)
from orders.models.invoices import Invoice
from orders.models.needs import Need
from orders.models.notifications import Notification
from orders.models.purchase_orders import OrderAmounts, OrderEvent, PurchaseOrder, PurchaseOrderLine
from orders.models.runs import AllocationLine, AllocationRun, LotSimulation

__all__ = [
    "Need",
    "AllocationLine",
    "AllocationRun",
    "LotSimulation",
    "OrderAmounts",
    "OrderEvent",
    "PurchaseOrder",
    "PurchaseOrderLine",
    "Notification",
    "Answer",
    "AnswerLine",
    "Consultation",
    "ConsultationInvite",
    "ConsultationItem",
    "Invoice",
]
