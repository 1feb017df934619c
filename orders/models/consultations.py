"""Consultations: a buyer's need put to producers, their answers, the award."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cantine.labels import Family, Unit
from cantine.models import Canteen
from nutrition.models import Food
from orders.models.money import cents
from orders.models.needs import Need
from orders.models.purchase_orders import PurchaseOrderLine
from producers.models import Producer


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
        return cents(self.quantity * self.estimated_unit_price)


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
