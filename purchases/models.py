"""The purchases ledger: one line per thing a canteen bought, the source of every EGalim share.

Lines come from imports in the national "ma cantine" format now and from received orders later;
fields mirror that format so a year's ledger exports back to it unchanged (domain.md §3).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cantine.labels import MEAT_AND_FISH, Family, Label, Unit  # noqa: F401  (MEAT_AND_FISH re-exported)
from cantine.local import LocalScope
from cantine.models import Canteen
from producers.models import Producer
from purchases.egalim import LabelList, egalim_group_expression

# Families, units and the meat-and-fish pair are the shared vocabulary's (cantine.vocabulary).


class Origin(models.TextChoices):
    FRANCE = "FRANCE", _("France")
    EUROPE = "EUROPE", _("Europe (outside France)")
    OTHER = "OTHER", _("Outside Europe")


class Source(models.TextChoices):
    IMPORT = "import", _("Imported file")
    ORDER = "order", _("Received order")
    MANUAL = "manual", _("Entered by hand")


def validate_labels(value):
    if not isinstance(value, list):
        raise ValidationError(_("Labels must be a list of label codes."))
    unknown = sorted({str(code) for code in value} - set(Label.values))
    if unknown:
        raise ValidationError(
            _("Unknown labels: %(labels)s."), params={"labels": ", ".join(unknown)}
        )
    if len(set(value)) != len(value):
        raise ValidationError(_("A label is listed twice."))


class ImportBatch(models.Model):
    """One uploaded file; its sha256 lets us refuse the same file twice."""

    canteen = models.ForeignKey(Canteen, models.PROTECT, related_name="purchase_imports")
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256 of the content"), max_length=64, db_index=True)
    rows = models.PositiveIntegerField(_("rows"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="purchase_imports"
    )
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)

    class Meta:
        ordering = ["-imported_at"]
        verbose_name = _("purchase import")
        verbose_name_plural = _("purchase imports")

    def __str__(self):
        return f"{self.file_name} ({self.rows})"


class Purchase(models.Model):
    """One line of a canteen's purchases ledger, as ma cantine counts it: value excluding tax,
    family, labels, origin, local (with the definition used) and short chain. Lines come from
    received orders (``orders.receipts``), imports of ma cantine files or manual entry; the
    EGalim shares and the declaration to ma cantine are sums over them."""

    canteen = models.ForeignKey(Canteen, models.PROTECT, related_name="purchases")
    date = models.DateField(_("date"))
    # Text without a length limit and prices of 20 digits, as ma cantine's Purchase has them
    # (data/models/purchase.py upstream): a line it accepts, cantine accepts.
    description = models.TextField(_("description"))
    supplier = models.TextField(_("supplier"), blank=True)
    producer = models.ForeignKey(
        Producer, models.SET_NULL, null=True, blank=True, related_name="purchases"
    )
    family = models.CharField(_("product family"), max_length=20, choices=Family.choices)
    labels = LabelList(_("EGalim labels"), default=list, blank=True, validators=[validate_labels])
    egalim_group = models.GeneratedField(
        expression=egalim_group_expression(),
        output_field=models.PositiveSmallIntegerField(_("EGalim group")),
        db_persist=True,
        verbose_name=_("EGalim group"),
    )
    origin = models.CharField(_("origin"), max_length=6, choices=Origin.choices, blank=True)
    is_short_chain = models.BooleanField(_("short chain"), default=False)
    is_local = models.BooleanField(_("local"), default=False)
    local_definition = models.CharField(
        _("local definition"),
        max_length=12,
        blank=True,
        choices=[(scope.value, scope.value) for scope in LocalScope],
        help_text=_("As declared with the line: what 'local' meant for it."),
    )
    local_definition_km = models.DecimalField(
        _("local radius (km)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    price_ht = models.DecimalField(_("price excl. VAT (€)"), max_digits=20, decimal_places=2)
    quantity = models.DecimalField(
        _("quantity"), max_digits=12, decimal_places=3, null=True, blank=True
    )
    unit = models.CharField(_("unit"), max_length=5, choices=Unit.choices, blank=True)
    # The CIQUAL food bought, when known (received orders carry it): its AGRIBALYSE footprint
    # turns kilograms into kg CO2e. Imported lines have none; the ma cantine format has no food.
    food = models.ForeignKey(
        "nutrition.Food",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="purchases",
        verbose_name=_("food"),
    )
    source = models.CharField(_("source"), max_length=6, choices=Source.choices)
    import_batch = models.ForeignKey(
        ImportBatch, models.CASCADE, null=True, blank=True, related_name="purchases"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-date", "pk"]
        verbose_name = _("purchase")
        verbose_name_plural = _("purchases")
        indexes = [
            # Every dashboard query filters one canteen group over a period.
            models.Index(fields=["canteen", "date"], name="purchase_canteen_date"),
            models.Index(fields=["canteen", "family", "date"], name="purchase_canteen_family"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price_ht__gte=0), name="purchase_price_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__isnull=True) | models.Q(quantity__gt=0),
                name="purchase_quantity_positive",
            ),
        ]

    def __str__(self):
        return f"{self.date} · {self.description} · {self.price_ht} €"

    def clean(self):
        # ma cantine refuses a purchase dated in the future (data/validators/purchase.py).
        if self.date and self.date > timezone.localdate():
            raise ValidationError({"date": _("The date cannot be in the future.")})
        if self.local_definition_km is not None and self.local_definition != LocalScope.KM:
            raise ValidationError(
                {"local_definition_km": _("A radius only goes with the KM definition.")}
            )
        if self.unit and self.quantity is None:
            raise ValidationError({"quantity": _("Give the quantity for this unit.")})


class InsertionHours(models.Model):
    """Hours of work by people in insertion, declared by an ESS/SIAE supplier for a delivery
    (social clauses: the seeds report 134,000 such hours in a region's contracts)."""

    canteen = models.ForeignKey(Canteen, models.PROTECT, related_name="insertion_hours")
    producer = models.ForeignKey(Producer, models.PROTECT, related_name="insertion_hours")
    date = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=8, decimal_places=1)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-date"]
        verbose_name = _("insertion hours")
        verbose_name_plural = _("insertion hours")
        constraints = [
            models.CheckConstraint(condition=models.Q(hours__gt=0), name="insertion_hours_positive")
        ]

    def __str__(self):
        return f"{self.producer} · {self.date} · {self.hours} h"


class MaCantineLink(models.Model):
    """A canteen's account on the national "ma cantine" platform.

    ``macantine_id`` is the canteen's number there: ma cantine's ``cantine_id`` import files name
    canteens by it, and its purchases API addresses them by it
    (``/api/v1/canteens/<id>/purchases/``). ``access_token`` is the OAuth2 access token ma
    cantine gave cantine for this canteen (scope ``canteen:write``); when empty the setting
    ``MACANTINE_API_TOKEN`` is used, and without either the manager is offered the CSV export.
    """

    canteen = models.OneToOneField(Canteen, models.CASCADE, related_name="macantine_link")
    macantine_id = models.PositiveIntegerField(_("ma cantine id"), unique=True)
    access_token = models.CharField(_("ma cantine access token"), max_length=255, blank=True)
    state_restaurant = models.BooleanField(
        _("State restaurant"),
        default=False,
        help_text=_(
            "A restaurant of the State (its administrations and establishments): all its meat "
            "and fish must be EGalim."
        ),
    )

    class Meta:
        verbose_name = _("ma cantine account")
        verbose_name_plural = _("ma cantine accounts")

    def __str__(self):
        return f"{self.canteen} → ma cantine {self.macantine_id}"


class MaCantineSubmission(models.Model):
    """A ledger line as ma cantine holds it after a send: re-sends update it, never duplicate it.

    ``payload`` is what was sent (to restore it if a later send is undone); the line may since
    have been deleted from cantine (``purchase`` null): the next send deletes it on ma cantine.
    """

    link = models.ForeignKey(MaCantineLink, models.CASCADE, related_name="submissions")
    purchase = models.OneToOneField(
        Purchase, models.SET_NULL, null=True, blank=True, related_name="macantine_submission"
    )
    remote_id = models.PositiveBigIntegerField(_("id on ma cantine"))
    payload = models.JSONField(_("what was sent"), default=dict)
    payload_sha256 = models.CharField(_("SHA-256 of what was sent"), max_length=64)
    sent_at = models.DateTimeField(_("sent at"), auto_now=True)

    class Meta:
        verbose_name = _("line sent to ma cantine")
        verbose_name_plural = _("lines sent to ma cantine")
        constraints = [
            models.UniqueConstraint(fields=["link", "remote_id"], name="one_submission_per_remote")
        ]

    def __str__(self):
        return f"{self.purchase_id} → {self.remote_id}"
