"""What a kitchen needs of a food for a delivery day: computed from the menus, or the cook's own
figure."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cantine.labels import Unit
from cantine.models import Canteen
from nutrition.models import Food


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
