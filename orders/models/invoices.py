"""The producers' invoices for delivered orders."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from orders.models.purchase_orders import PurchaseOrder


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
