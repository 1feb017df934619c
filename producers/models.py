"""Producers: the farms, cooperatives and ESS/SIAE structures that supply canteens."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from cantine.labels import Label, short_name
from cantine.local import Place
from cantine.models import Commune, Weekday
from cantine.validators import validate_siret


def validate_labels(value):
    unknown = sorted(set(value) - set(Label.values))
    if unknown:
        raise ValidationError(
            _("Unknown labels: %(labels)s."), params={"labels": ", ".join(unknown)}
        )


def validate_weekdays(value):
    if any(day not in Weekday.values for day in value):
        raise ValidationError(_("Delivery days must be weekdays 0 (Monday) to 6 (Sunday)."))


class Producer(models.Model):
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
