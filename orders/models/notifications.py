"""The outbox of e-mails about purchase orders."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from orders.models.purchase_orders import PurchaseOrder


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
