"""Orders: what a kitchen needs, how the optimiser split it across offers, and the
purchase orders sent to producers.

Needs belong to the planning kitchen (a central kitchen buys for its satellites). A need keeps
the quantity computed from the menus and, apart, the cook's own figure: re-planning menus
updates only the computed one.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cantine.labels import Family, Unit
from cantine.models import Canteen
from cantine.solver_runs import SolverRun
from nutrition.models import Food
from producers.models import Offer, Producer


class Need(models.Model):
    """A quantity of one food to have in the kitchen by a delivery date."""

    canteen = models.ForeignKey(Canteen, models.CASCADE, related_name="needs")
    week = models.DateField(_("week of"), help_text=_("Monday of the week of the meals served."))
    food = models.ForeignKey(Food, models.PROTECT, related_name="needs", verbose_name=_("food"))
    delivery_date = models.DateField(_("delivery date"))
    unit = models.CharField(_("unit"), max_length=5, choices=Unit.choices, default=Unit.KG)
    computed_quantity = models.DecimalField(
        _("computed quantity"), max_digits=10, decimal_places=1, default=Decimal("0")
    )
    manual_quantity = models.DecimalField(
        _("adjusted quantity"),
        max_digits=10,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("The cook's figure; kept when the menus are planned again."),
    )
    quantity = models.DecimalField(
        _("quantity"), max_digits=10, decimal_places=1, default=Decimal("0"), editable=False
    )
    sources = models.JSONField(_("where it comes from"), default=list, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["canteen", "delivery_date", "food__name"]
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        constraints = [
            models.UniqueConstraint(
                fields=["canteen", "week", "food", "delivery_date"], name="one_need_per_food_date"
            ),
            models.CheckConstraint(
                condition=models.Q(manual_quantity__isnull=True) | models.Q(manual_quantity__gte=0),
                name="need_manual_quantity_ge_0",
            ),
        ]

    def __str__(self):
        return f"{self.food.name} · {self.delivery_date} · {self.quantity} {self.unit}"

    def save(self, *args, **kwargs):
        self.quantity = self.effective_quantity
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "quantity"}
        super().save(*args, **kwargs)

    @property
    def effective_quantity(self) -> Decimal:
        """The cook's figure when given, else the computed one."""
        if self.manual_quantity is not None:
            return self.manual_quantity
        return self.computed_quantity

    @property
    def adjusted(self) -> bool:
        return self.manual_quantity is not None


class AllocationRun(SolverRun):
    """One request to the allocation optimiser for a kitchen's needs over a period."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        OPTIMAL = "optimal", _("Optimal")
        FEASIBLE = "feasible", _("Feasible (time limit reached)")
        INFEASIBLE = "infeasible", _("Targets cannot all be met")
        UNKNOWN = "unknown", _("No allocation found in time")
        FAILED = "failed", _("Failed")

    class Goal(models.TextChoices):
        MIN_COST = "min_cost", _("Cheapest")
        MAX_LOCAL = "max_local", _("Most local within a budget")

    canteen = models.ForeignKey(Canteen, models.CASCADE, related_name="allocation_runs")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default="queued")
    targets = models.JSONField(_("targets"), default=dict, blank=True)
    goal = models.CharField(_("goal"), max_length=10, choices=Goal.choices, default="min_cost")
    budget = models.DecimalField(
        _("budget (€ HT)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Goods and delivery; required when buying the most local."),
    )
    cost = models.FloatField(_("cost (€ HT)"), null=True, blank=True)
    goods_cost = models.FloatField(_("goods (€ HT)"), null=True, blank=True)
    delivery_cost = models.FloatField(_("delivery (€ HT)"), null=True, blank=True)
    gap = models.FloatField(_("gap"), null=True, blank=True)  # as the solver reports it
    baseline_cost = models.FloatField(_("cheapest-anywhere cost (€ HT)"), null=True, blank=True)
    baseline_shares = models.JSONField(_("cheapest-anywhere shares"), default=dict, blank=True)
    shares = models.JSONField(_("shares"), default=dict, blank=True)
    unmet = models.JSONField(_("unmet needs"), default=list, blank=True)
    deliveries = models.JSONField(_("deliveries"), default=list, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)

    class Meta(SolverRun.Meta):
        ordering = ["-created_at", "-pk"]
        verbose_name = _("allocation run")
        verbose_name_plural = _("allocation runs")
        constraints = [
            models.UniqueConstraint(
                fields=["canteen", "start", "end"],
                condition=models.Q(status__in=["queued", "running"]),
                name="one_active_allocation_run_per_period",
            )
        ]

    def __str__(self):
        return f"{self.canteen} · {self.start} → {self.end} · {self.get_status_display()}"

    @property
    def saving(self) -> float | None:
        """What the allocation costs more (+) or less (-) than the cheapest-anywhere baseline."""
        if self.cost is None or self.baseline_cost is None:
            return None
        return self.cost - self.baseline_cost


class AllocationLine(models.Model):
    run = models.ForeignKey(AllocationRun, models.CASCADE, related_name="lines")
    need = models.ForeignKey(Need, models.CASCADE, related_name="allocation_lines")
    offer = models.ForeignKey(Offer, models.PROTECT, related_name="allocation_lines")
    packs = models.PositiveIntegerField(_("packs"))
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3)
    unit_price = models.DecimalField(_("unit price (€ HT)"), max_digits=9, decimal_places=3)
    total = models.DecimalField(_("total (€ HT)"), max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["run", "need__delivery_date", "need__food__name", "pk"]
        verbose_name = _("allocation line")
        verbose_name_plural = _("allocation lines")

    def __str__(self):
        return f"{self.need} ← {self.offer} × {self.packs}"


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
        return _cents(self.confirmed_quantity * self.unit_price)

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
        return _cents(self.received_quantity * self.unit_price)


def plain(value: Decimal) -> str:
    """A decimal without trailing zeros nor exponent: 10.000 -> "10", 2.500 -> "2.5"."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


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


class Notification(models.Model):
    """An e-mail to send, written in the same transaction as the change it tells about.

    An outbox: nothing is lost if the mail server is down; the task queue retries with a
    growing delay, and ``manage.py send_notifications`` flushes whatever is still pending.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed for good")

    order = models.ForeignKey(
        PurchaseOrder, models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    to = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default="pending")
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self):
        return f"{self.to} · {self.subject}"


class LotSimulation(SolverRun):
    """One run of the lots simulator for a kitchen and a period, solved in the background."""

    canteen = models.ForeignKey(Canteen, models.CASCADE, related_name="lot_simulations")
    outcomes = models.JSONField(_("outcomes"), default=list, blank=True)

    class Meta(SolverRun.Meta):
        verbose_name = _("lot simulation")
        verbose_name_plural = _("lot simulations")
        constraints = [
            models.UniqueConstraint(
                fields=["canteen", "start", "end"],
                condition=models.Q(status__in=["queued", "running"]),
                name="one_active_lot_simulation_per_period",
            )
        ]

    def __str__(self):
        return f"{self.canteen} · {self.start} → {self.end} · {self.get_status_display()}"


# --- Consultations: a buyer's need put to producers, their answers, the award ---------------


class Consultation(models.Model):
    """A need put to producers (a lot of the lots simulator, or a list of products): they
    answer by the deadline, then the award splits it across the answers on weighted criteria
    (``orders.award``) and becomes purchase orders. The kind of purchase is recorded so the
    procurement file says on which legal footing it was bought (``orders.procurement``)."""

    class Kind(models.TextChoices):
        NO_PUBLICITY = "no_publicity", _("Below the threshold, without publicity (R2122-8)")
        ADAPTED = "adapted", _("Adapted procedure with publicity (MAPA, R2123-1)")
        FRAMEWORK_ORDER = "framework_order", _("Order form under a framework agreement (R2162-2)")
        FORMALISED = "formalised", _("Formalised procedure (call for tenders, R2124-2)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Open to answers")
        AWARDED = "awarded", _("Awarded")
        CANCELLED = "cancelled", _("Cancelled")

    canteen = models.ForeignKey(Canteen, models.PROTECT, related_name="consultations")
    title = models.CharField(_("title"), max_length=200)
    family = models.CharField(_("product family"), max_length=30, choices=Family.choices)
    kind = models.CharField(
        _("kind of purchase"), max_length=20, choices=Kind.choices, default=Kind.NO_PUBLICITY
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default="draft")
    delivery_place = models.CharField(_("delivery place"), max_length=250)
    required_labels = models.JSONField(_("required labels"), default=list, blank=True)
    answer_deadline = models.DateTimeField(_("answers until"))
    radius_km = models.PositiveIntegerField(
        _("producers notified within (km)"), default=80, validators=[MinValueValidator(1)]
    )
    weight_price = models.PositiveSmallIntegerField(_("weight: price"), default=40)
    weight_direct_supply = models.PositiveSmallIntegerField(
        _("weight: direct supply (intermediaries)"), default=20
    )
    weight_carbon = models.PositiveSmallIntegerField(_("weight: transport and carbon"), default=20)
    weight_freshness = models.PositiveSmallIntegerField(_("weight: freshness"), default=20)
    source = models.CharField(
        _("made from"),
        max_length=200,
        blank=True,
        help_text=_("The lot or need list it came from."),
    )
    threshold_warning = models.TextField(_("threshold warning acknowledged"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    awarded_at = models.DateTimeField(_("awarded at"), null=True, blank=True)
    override_reason = models.TextField(_("reason for departing from the optimal split"), blank=True)
    award_status = models.CharField(_("optimiser status"), max_length=12, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weight_price__lte=100)
                & models.Q(weight_direct_supply__lte=100)
                & models.Q(weight_carbon__lte=100)
                & models.Q(weight_freshness__lte=100),
                name="consultation_weights_le_100",
            )
        ]

    def __str__(self):
        return f"{self.number} · {self.title}"

    @property
    def number(self) -> str:
        return f"CS-{self.canteen_id}-{self.pk:05d}" if self.pk else "CS-?"

    @property
    def weights(self) -> dict[str, int]:
        return {
            "price": self.weight_price,
            "direct_supply": self.weight_direct_supply,
            "carbon": self.weight_carbon,
            "freshness": self.weight_freshness,
        }

    @property
    def year(self) -> int:
        first = self.items.order_by("delivery_date").first()
        return (first.delivery_date if first else (self.answer_deadline.date())).year


class ConsultationItem(models.Model):
    """One product asked: a quantity for a delivery date, with the buyer's price estimate."""

    consultation = models.ForeignKey(Consultation, models.CASCADE, related_name="items")
    food = models.ForeignKey(Food, models.PROTECT, related_name="+", verbose_name=_("product"))
    quantity = models.DecimalField(
        _("quantity"), max_digits=10, decimal_places=1, validators=[MinValueValidator(1)]
    )
    unit = models.CharField(_("unit"), max_length=5, choices=Unit.choices, default=Unit.KG)
    delivery_date = models.DateField(_("delivery date"))
    estimated_unit_price = models.DecimalField(
        _("estimated price per unit (€ HT)"),
        max_digits=9,
        decimal_places=3,
        validators=[MinValueValidator(0)],
    )
    need = models.ForeignKey(Need, models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["consultation", "delivery_date", "food__name", "pk"]
        verbose_name = _("consultation item")
        verbose_name_plural = _("consultation items")

    def __str__(self):
        return f"{self.food.name} · {self.quantity} {self.unit} · {self.delivery_date}"

    @property
    def estimated_total(self) -> Decimal:
        return _cents(self.quantity * self.estimated_unit_price)


class ConsultationInvite(models.Model):
    """A producer whose products and territory match, told when the consultation opened."""

    consultation = models.ForeignKey(Consultation, models.CASCADE, related_name="invites")
    producer = models.ForeignKey(Producer, models.CASCADE, related_name="consultation_invites")
    distance_km = models.FloatField(_("distance (km)"), null=True, blank=True)
    notified_at = models.DateTimeField(_("notified at"), auto_now_add=True)

    class Meta:
        verbose_name = _("consultation invitation")
        verbose_name_plural = _("consultation invitations")
        constraints = [
            models.UniqueConstraint(fields=["consultation", "producer"], name="one_invite_each")
        ]

    def __str__(self):
        return f"{self.consultation} → {self.producer}"


class Answer(models.Model):
    """A producer's answer, alone or for a group of producers (``members``) each delivering
    its part: the lead producer answers; every member sees the group's answer, nobody else."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        AWARDED = "awarded", _("Awarded")
        PARTLY = "partly", _("Partly awarded")
        UNSUCCESSFUL = "unsuccessful", _("Not retained")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    consultation = models.ForeignKey(Consultation, models.CASCADE, related_name="answers")
    lead = models.ForeignKey(Producer, models.PROTECT, related_name="led_answers")
    members = models.ManyToManyField(Producer, related_name="consultation_answers")
    intermediaries = models.PositiveSmallIntegerField(
        _("intermediaries between farm and kitchen"), default=0
    )
    freshness_days = models.PositiveSmallIntegerField(_("days from harvest to delivery"), default=1)
    delivery_weekdays = models.JSONField(_("delivery days"), default=list, blank=True)
    labels = models.JSONField(_("labels held"), default=list, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED
    )
    outcome = models.TextField(_("why"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), auto_now=True)

    class Meta:
        ordering = ["consultation", "pk"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "lead"], name="one_answer_per_lead_producer"
            )
        ]

    def __str__(self):
        return f"{self.consultation} · {self.lead}"

    @property
    def is_group(self) -> bool:
        return self.members.exclude(pk=self.lead_id).exists()


class AnswerLine(models.Model):
    """What one member of an answer offers for one item: price, quantity (part is fine)."""

    answer = models.ForeignKey(Answer, models.CASCADE, related_name="lines")
    item = models.ForeignKey(ConsultationItem, models.CASCADE, related_name="answer_lines")
    producer = models.ForeignKey(
        Producer, models.PROTECT, related_name="+", verbose_name=_("delivered by")
    )
    unit_price = models.DecimalField(
        _("price per unit (€ HT)"),
        max_digits=9,
        decimal_places=3,
        validators=[MinValueValidator(0)],
    )
    quantity = models.DecimalField(
        _("quantity offered"), max_digits=10, decimal_places=1, validators=[MinValueValidator(1)]
    )
    awarded_quantity = models.DecimalField(
        _("quantity awarded"), max_digits=10, decimal_places=1, null=True, blank=True
    )
    scores = models.JSONField(_("points per criterion"), default=dict, blank=True)
    order_line = models.OneToOneField(
        PurchaseOrderLine, models.SET_NULL, null=True, blank=True, related_name="award_line"
    )

    class Meta:
        ordering = ["answer", "item", "pk"]
        verbose_name = _("answer line")
        verbose_name_plural = _("answer lines")
        constraints = [
            models.UniqueConstraint(
                fields=["answer", "item", "producer"], name="one_line_per_item_and_member"
            )
        ]

    def __str__(self):
        return f"{self.answer} · {self.item} · {self.unit_price} €"


class Invoice(models.Model):
    """The producer's invoice for a delivered order, as a Factur-X PDF (a PDF/A-3 carrying the
    EN 16931 XML) ready for Chorus Pro. The payment-delay clock starts when it is received."""

    order = models.OneToOneField(PurchaseOrder, models.PROTECT, related_name="invoice")
    number = models.CharField(_("invoice number"), max_length=40, unique=True)
    issued_on = models.DateField(_("issued on"))
    received_at = models.DateTimeField(_("received at"))
    due_on = models.DateField(_("due on"))
    goods_total = models.DecimalField(_("total HT"), max_digits=12, decimal_places=2)
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=4, decimal_places=2)
    vat_total = models.DecimalField(_("VAT"), max_digits=12, decimal_places=2)
    total = models.DecimalField(_("total TTC"), max_digits=12, decimal_places=2)
    pdf = models.BinaryField(_("Factur-X PDF"))
    xml = models.TextField(_("Factur-X XML"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")

    def __str__(self):
        return f"{self.number} · {self.order}"
