"""Purchase orders sent to producers: their lines, what they amount to, and their audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cantine.labels import Unit
from cantine.models import Canteen
from orders.models.money import cents
from orders.models.needs import Need
from orders.models.runs import AllocationRun
from producers.models import Offer, Producer


class PurchaseOrder(models.Model):
    """One order to one producer for one delivery date; its life is ``orders.lifecycle``."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        CONFIRMED = "confirmed", _("Confirmed")
        PARTIALLY_CONFIRMED = "partial", _("Partly confirmed")
        REFUSED = "refused", _("Refused")
        DELIVERED = "delivered", _("Delivered")
        INVOICED = "invoiced", _("Invoiced")
        PAID = "paid", _("Paid")
        CANCELLED = "cancelled", _("Cancelled")

    RECEIVED = frozenset({Status.DELIVERED, Status.INVOICED, Status.PAID})
    AMENDABLE = frozenset({Status.SENT, Status.CONFIRMED, Status.PARTIALLY_CONFIRMED})

    canteen = models.ForeignKey(Canteen, models.PROTECT, related_name="purchase_orders")
    producer = models.ForeignKey(Producer, models.PROTECT, related_name="purchase_orders")
    delivery_date = models.DateField(_("delivery date"))
    run = models.ForeignKey(
        AllocationRun, models.SET_NULL, null=True, blank=True, related_name="purchase_orders"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    goods_total = models.DecimalField(_("goods (€ HT)"), max_digits=12, decimal_places=2, default=0)
    delivery_cost = models.DecimalField(
        _("delivery (€ HT)"), max_digits=8, decimal_places=2, default=0
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    answer_deadline = models.DateTimeField(_("answer before"), null=True, blank=True)
    received_on = models.DateField(
        _("received on"),
        null=True,
        blank=True,
        help_text=_("The day the delivery actually arrived: its ledger lines carry this date."),
    )
    invoiced_on = models.DateField(_("invoice date"), null=True, blank=True)
    paid_on = models.DateField(_("payment date"), null=True, blank=True)
    amended_at = models.DateTimeField(_("last amended at"), null=True, blank=True)
    revision = models.PositiveSmallIntegerField(
        _("revision"), default=0, help_text=_("How many times the order was amended once sent.")
    )

    class Meta:
        ordering = ["delivery_date", "producer__name", "pk"]
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "producer", "delivery_date"], name="one_order_per_producer_date"
            ),
            # One card per producer and day: changes go to the same order as an amendment.
            models.UniqueConstraint(
                fields=["canteen", "producer", "delivery_date"],
                condition=models.Q(status__in=["draft", "sent", "confirmed", "partial"]),
                name="one_open_order_per_producer_date",
            ),
        ]

    def __str__(self):
        return f"{self.number} · {self.producer} · {self.delivery_date}"

    @property
    def number(self) -> str:
        return f"BC-{self.canteen_id}-{self.pk:06d}" if self.pk else "BC-?"

    @property
    def total(self) -> Decimal:
        """What was asked: goods and delivery (see ``amounts`` for confirmed and delivered)."""
        return self.goods_total + self.delivery_cost

    @property
    def amounts(self) -> OrderAmounts:
        """Asked, confirmed and delivered amounts, and which of them is due now."""
        return OrderAmounts.of(self)

    @property
    def payment_delay(self) -> int | None:
        """Days from invoice to payment (the legal limit for public buyers is 30)."""
        if self.invoiced_on is None or self.paid_on is None:
            return None
        return (self.paid_on - self.invoiced_on).days


class PurchaseOrderLine(models.Model):
    """What is asked of one offer. The offer's product, unit, pack size, price and labels are
    copied onto the line (``freeze``), so a producer editing the offer later changes no open
    order. ``packs`` 0 is a line cancelled by an amendment (kept for the history)."""

    order = models.ForeignKey(PurchaseOrder, models.CASCADE, related_name="lines")
    offer = models.ForeignKey(Offer, models.PROTECT, related_name="order_lines")
    need = models.ForeignKey(
        Need, models.SET_NULL, null=True, blank=True, related_name="order_lines"
    )
    week = models.DateField(
        _("week of"),
        null=True,
        blank=True,
        help_text=_("Monday of the week whose needs the line buys (kept if the need goes)."),
    )
    product_label = models.CharField(_("product"), max_length=200, blank=True, default="")
    unit = models.CharField(_("unit"), max_length=5, choices=Unit.choices, blank=True, default="")
    pack_size = models.DecimalField(
        _("pack size"), max_digits=10, decimal_places=3, null=True, blank=True
    )
    labels = models.JSONField(_("labels"), default=list, blank=True)
    packs = models.PositiveIntegerField(_("packs"))
    previous_packs = models.PositiveIntegerField(
        _("packs before the last amendment"), null=True, blank=True
    )
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3)
    unit_price = models.DecimalField(_("unit price (€ HT)"), max_digits=9, decimal_places=3)
    total = models.DecimalField(_("total (€ HT)"), max_digits=12, decimal_places=2)
    confirmed_packs = models.PositiveIntegerField(
        _("packs confirmed"),
        null=True,
        blank=True,
        help_text=_("Empty until the producer answers."),
    )
    refusal_reason = models.CharField(_("reason for refusing"), max_length=300, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    received_quantity = models.DecimalField(
        _("quantity received"), max_digits=12, decimal_places=3, null=True, blank=True
    )
    quality_remark = models.CharField(_("quality remark"), max_length=300, blank=True)

    class Meta:
        ordering = ["order", "offer__product_label", "pk"]
        verbose_name = _("purchase order line")
        verbose_name_plural = _("purchase order lines")

    def __str__(self):
        return f"{self.order} · {self.product} × {self.packs}"

    def save(self, *args, **kwargs):
        if self.pack_size is None:
            self.freeze()
        super().save(*args, **kwargs)

    def freeze(self) -> None:
        """Copy the offer's terms that this line keeps whatever the producer edits later."""
        offer = self.offer
        self.product_label = offer.product_label
        self.unit = offer.unit
        self.pack_size = offer.pack_size
        self.labels = list(offer.labels)
        if self.unit_price is None:
            self.unit_price = offer.unit_price

    @property
    def product(self) -> str:
        return self.product_label or self.offer.product_label

    @property
    def size(self) -> Decimal:
        """The pack size of this line (frozen; the offer's for a line not yet saved)."""
        return self.pack_size if self.pack_size is not None else self.offer.pack_size

    @property
    def unit_code(self) -> str:
        return self.unit or self.offer.unit

    def get_labels_display(self) -> list[tuple[str, str]]:
        from cantine.labels import Label, short_name

        return [(short_name(code), Label(code).label) for code in self.labels]

    @property
    def cancelled(self) -> bool:
        return self.packs == 0

    @property
    def answered(self) -> bool:
        return self.confirmed_packs is not None

    @property
    def refused_packs(self) -> int:
        return 0 if self.confirmed_packs is None else max(0, self.packs - self.confirmed_packs)

    @property
    def confirmed_quantity(self) -> Decimal:
        return Decimal(self.confirmed_packs or 0) * self.size

    @property
    def confirmed_total(self) -> Decimal:
        return cents(self.confirmed_quantity * self.unit_price)

    @property
    def confirmed_quantity_if_answered(self) -> Decimal | None:
        return self.confirmed_quantity if self.answered else None

    @property
    def confirmed_total_if_answered(self) -> Decimal | None:
        return self.confirmed_total if self.answered else None

    @property
    def delivered_total(self) -> Decimal | None:
        if self.received_quantity is None:
            return None
        return cents(self.received_quantity * self.unit_price)


@dataclass(frozen=True)
class OrderAmounts:
    """An order's money, kept apart: asked (sent), confirmed (answered), delivered (received).

    Delivery costs count once something is confirmed (resp. received). ``due`` is what the
    kitchen owes as things stand: the delivered amount once received, else the confirmed one
    once the producer answered, else nothing yet (``None``: only asked)."""

    asked_goods: Decimal
    confirmed_goods: Decimal | None
    delivered_goods: Decimal | None
    delivery_cost: Decimal

    @classmethod
    def of(cls, order: PurchaseOrder) -> OrderAmounts:
        lines = [line for line in order.lines.all() if not line.cancelled]
        answered = bool(lines) and all(line.answered for line in lines)
        received = order.status in PurchaseOrder.RECEIVED
        return cls(
            asked_goods=order.goods_total,
            confirmed_goods=sum((line.confirmed_total for line in lines), Decimal(0))
            if answered
            else None,
            delivered_goods=sum((line.delivered_total or Decimal(0) for line in lines), Decimal(0))
            if received
            else None,
            delivery_cost=order.delivery_cost,
        )

    @property
    def asked(self) -> Decimal:
        return self.asked_goods + self.delivery_cost

    @property
    def confirmed(self) -> Decimal | None:
        if self.confirmed_goods is None:
            return None
        return self.confirmed_goods + (self.delivery_cost if self.confirmed_goods else 0)

    @property
    def delivered(self) -> Decimal | None:
        if self.delivered_goods is None:
            return None
        return self.delivered_goods + (self.delivery_cost if self.delivered_goods else 0)

    @property
    def due(self) -> Decimal | None:
        if self.delivered is not None:
            return self.delivered
        return self.confirmed


class OrderEvent(models.Model):
    """The audit trail: every transition and answer, who made it, when, and what changed."""

    order = models.ForeignKey(PurchaseOrder, models.CASCADE, related_name="events")
    line = models.ForeignKey(
        PurchaseOrderLine, models.CASCADE, null=True, blank=True, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    action = models.CharField(_("action"), max_length=30)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)

    class Meta:
        ordering = ["order", "at", "pk"]
        verbose_name = _("order event")
        verbose_name_plural = _("order events")

    def __str__(self):
        return f"{self.order} · {self.action} · {self.at:%Y-%m-%d %H:%M}"

    def describe(self) -> str:
        """The event in words, for the order's history."""
        after = self.after or {}
        if self.action.startswith("status:"):
            status = PurchaseOrder.Status(self.action.split(":", 1)[1])
            return _("status: %(status)s") % {"status": status.label}
        if self.action == "answer":
            text = _("%(packs)s of %(total)s packs confirmed") % {
                "packs": after.get("confirmed_packs"),
                "total": self.line.packs if self.line else "?",
            }
            return f"{text} — {after['reason']}" if after.get("reason") else text
        if self.action == "expired":
            return _("no answer before the deadline")
        if self.action == "received":
            return _("received %(quantity)s %(remark)s") % {
                "quantity": after.get("quantity"),
                "remark": after.get("remark", ""),
            }
        if self.action == "reallocated":
            count = len(after.get("orders", []))
            unmet = len(after.get("unmet", []))
            return _(
                "refusals re-allocated: %(orders)s new orders, %(unmet)s lines found nowhere"
            ) % {
                "orders": count,
                "unmet": unmet,
            }
        if self.action == "created_by_reallocation":
            return _("created to replace refused quantities")
        if self.action == "amended":
            changes = "; ".join(
                _("%(product)s: %(before)s → %(after)s packs")
                % {"product": c.get("product"), "before": c.get("before"), "after": c.get("after")}
                for c in after.get("lines", [])
            )
            return _("amended (revision %(revision)s): %(changes)s") % {
                "revision": after.get("revision"),
                "changes": changes,
            }
        if self.action == "terms":
            before = self.before or {}
            return _(
                "terms taken from the offer when sent: pack %(before_pack)s → %(after_pack)s, "
                "price %(before_price)s → %(after_price)s €"
            ) % {
                "before_pack": before.get("pack_size"),
                "after_pack": after.get("pack_size"),
                "before_price": before.get("unit_price"),
                "after_price": after.get("unit_price"),
            }
        if self.action == "replanned":
            return _("replaced by a new allocation (run %(run)s)") % {"run": after.get("run")}
        if self.action == "menus_repaired":
            return _(
                "menus repaired without %(product)s: %(courses)s courses changed, needs recomputed"
            ) % {"product": after.get("product", ""), "courses": after.get("courses", 0)}
        return self.action
