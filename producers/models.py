"""Producers: the farms, cooperatives and ESS/SIAE structures that supply canteens."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cantine.labels import Label, Unit, short_name
from cantine.local import Place
from cantine.models import Commune, Weekday
from cantine.validators import validate_siret


def validate_labels(value):
    """A list of label codes (``null`` or a string from a form is refused, not a 500)."""
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        raise ValidationError(_("Labels must be a list of label codes."))
    unknown = sorted(set(value) - set(Label.values))
    if unknown:
        raise ValidationError(
            _("Unknown labels: %(labels)s."), params={"labels": ", ".join(unknown)}
        )


def validate_weekdays(value):
    if not isinstance(value, list) or any(
        isinstance(day, bool) or day not in Weekday.values for day in value
    ):
        raise ValidationError(_("Delivery days must be weekdays 0 (Monday) to 6 (Sunday)."))


class Producer(models.Model):
    """Someone canteens buy from: a farm, a cooperative, a processor or a wholesaler, with its
    place (what "local" is judged on), labels, delivery days, holidays, minimum order and
    delivery cost. Its offers (``Offer``) are what the allocation can buy; its members answer
    orders and consultations in the portal and never see another producer's."""

    class Status(models.TextChoices):
        FARM = "farm", _("Farm")
        COOPERATIVE = "cooperative", _("Cooperative")
        ESS = "ess", _("Social and solidarity economy (ESS)")
        SIAE = "siae", _("Work integration structure (SIAE)")
        WHOLESALER = "wholesaler", _("Wholesaler")

    name = models.CharField(_("name"), max_length=200)
    siret = models.CharField(_("SIRET"), max_length=14, unique=True, validators=[validate_siret])
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default="farm")
    commune = models.ForeignKey(Commune, models.PROTECT, related_name="producers")
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    animal_activity = models.CharField(_("main animal activity"), max_length=100, blank=True)
    plant_activity = models.CharField(_("main plant activity"), max_length=100, blank=True)
    sells_direct = models.BooleanField(_("sells direct"), default=False)
    labels = models.JSONField(
        _("labels held"), default=list, blank=True, validators=[validate_labels]
    )
    hve_certified_on = models.DateField(_("HVE certified on"), null=True, blank=True)
    delivery_weekdays = models.JSONField(
        _("delivery days"), default=list, blank=True, validators=[validate_weekdays]
    )
    delivery_cost = models.DecimalField(
        _("delivery cost (€ HT)"), max_digits=8, decimal_places=2, default=0
    )
    minimum_order_value = models.DecimalField(
        _("minimum order (€ HT)"), max_digits=8, decimal_places=2, default=0
    )
    unavailable_from = models.DateField(_("on holiday from"), null=True, blank=True)
    unavailable_until = models.DateField(_("on holiday until"), null=True, blank=True)
    contact_name = models.CharField(_("contact name"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("producer")
        verbose_name_plural = _("producers")

    def __str__(self):
        return self.name

    @property
    def place(self) -> Place:
        department = self.commune.department
        return Place(
            commune=self.commune_id,
            department=department.code,
            region=department.region_id,
            latitude=self.latitude if self.latitude is not None else self.commune.latitude,
            longitude=self.longitude if self.longitude is not None else self.commune.longitude,
        )

    def is_available_on(self, day) -> bool:
        """False during the producer's declared holidays: nothing is ordered for those days."""
        if self.unavailable_from is None:
            return True
        until = self.unavailable_until or self.unavailable_from
        return not (self.unavailable_from <= day <= until)

    @property
    def activity(self) -> str:
        return " · ".join(a for a in (self.plant_activity, self.animal_activity) if a)

    def get_labels_display(self) -> list[tuple[str, str]]:
        """(short name, full name) per label, for badges with a tooltip."""
        return [(short_name(code), str(Label(code).label)) for code in self.labels]

    def get_delivery_weekdays_display(self) -> list[str]:
        return [str(Weekday(day).label) for day in sorted(self.delivery_weekdays)]


class ProducerMember(models.Model):
    """Links a user to the producer they answer for in the portal."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="producer_membership"
    )
    producer = models.ForeignKey(Producer, models.CASCADE, related_name="members")

    class Meta:
        verbose_name = _("producer member")
        verbose_name_plural = _("producer members")

    def __str__(self):
        return f"{self.user} · {self.producer}"


def sale_problem(food, unit: str) -> str:
    """Why ``food`` cannot be offered in ``unit``, or "" when it can.

    Canteens buy products raw or as sold, in the unit each is counted in (``Food.purchase_unit``):
    an offer for a cooked preparation, or in another unit, would never serve a need.
    """
    if not food.purchasable:
        return _(
            "“%(food)s” is how a dish is served, not a product one buys: choose the product as "
            "it is sold (for instance raw)."
        ) % {"food": food.name}
    if unit != food.purchase_unit:
        return SOLD_BY[Unit(food.purchase_unit)] % {"food": food.name}
    return ""


SOLD_BY = {
    Unit.KG: _("“%(food)s” is bought by the kilo: give the pack and the price per kg."),
    Unit.LITRE: _("“%(food)s” is bought by the litre: give the pack and the price per litre."),
    Unit.PIECE: _("“%(food)s” is bought by the piece: give the pack and the price per piece."),
}


class Offer(models.Model):
    """What a producer sells to canteens: one product (a CIQUAL food), its pack and price.

    The allocation optimiser buys whole packs, at most ``weekly_capacity`` per week, only
    while the offer is active and valid on the delivery date.
    """

    producer = models.ForeignKey(Producer, models.CASCADE, related_name="offers")
    food = models.ForeignKey(
        "nutrition.Food", models.PROTECT, related_name="offers", verbose_name=_("food")
    )
    product_label = models.CharField(_("product"), max_length=200)
    unit = models.CharField(_("unit"), max_length=5, choices=Unit.choices, default=Unit.KG)
    pack_size = models.DecimalField(
        _("pack size"),
        max_digits=9,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0.001"))],
    )
    unit_price = models.DecimalField(
        _("price per unit (€ HT)"),
        max_digits=9,
        decimal_places=3,
        validators=[MinValueValidator(0)],
    )
    weekly_capacity = models.DecimalField(
        _("capacity per week"),
        max_digits=10,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Leave empty when there is no limit."),
    )
    labels = models.JSONField(_("labels"), default=list, blank=True, validators=[validate_labels])
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["producer", "product_label", "pk"]
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="offer_valid_to_after_valid_from",
            ),
            models.CheckConstraint(condition=models.Q(pack_size__gt=0), name="offer_pack_gt_0"),
            models.CheckConstraint(condition=models.Q(unit_price__gte=0), name="offer_price_ge_0"),
        ]

    def __str__(self):
        return f"{self.producer} · {self.product_label}"

    def clean(self):
        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("The offer ends before it starts.")})
        if self.food_id:
            problem = sale_problem(self.food, self.unit)
            if problem:
                raise ValidationError({"food" if not self.food.purchasable else "unit": problem})

    def is_valid_on(self, day) -> bool:
        return (
            self.active
            and self.valid_from <= day
            and (self.valid_to is None or day <= self.valid_to)
        )

    def delivers_on(self, day) -> bool:
        """Valid that day, and its producer delivers then: not on holiday, on one of its
        delivery days (none set: any day). The one rule buying and planning both read."""
        weekdays = self.producer.delivery_weekdays
        return (
            self.is_valid_on(day)
            and self.producer.is_available_on(day)
            and (not weekdays or day.weekday() in weekdays)
        )

    def get_labels_display(self) -> list[tuple[str, str]]:
        return [(short_name(code), str(Label(code).label)) for code in self.labels]
