"""E-mails about orders, through an outbox so that none is lost or sent for a rolled-back change.

The message is stored with the change; it is handed to the task queue only once the
transaction commits; a failed send is retried later with a growing delay.

A service module: its writes take keyword arguments only, the acting user as ``actor``.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_tasks import task

from cantine import formatting
from orders.models import Notification, PurchaseOrder

MAX_ATTEMPTS = 6


def _queue(order: PurchaseOrder | None, to: str, subject: str, body: str) -> Notification | None:
    if not to:
        return None  # nobody to tell: the portal still shows it
    note = Notification.objects.create(order=order, to=to, subject=subject, body=body)
    transaction.on_commit(lambda: deliver_notification.enqueue(note.pk))
    return note


def portal_link(order: PurchaseOrder) -> str:
    """The absolute address of the order's card in the producer portal (``SITE_URL``)."""
    return f"{settings.SITE_URL}{reverse('orders_portal')}#order-{order.pk}"


def _answer_part(order: PurchaseOrder) -> str:
    """ "Answer before …" (in the active language, local time) and the link to the portal."""
    link = _("Your order in the portal: %(link)s") % {"link": portal_link(order)}
    if order.answer_deadline is None:
        return link
    deadline = date_format(timezone.localtime(order.answer_deadline), "l j F Y, H:i")
    return _("Answer before %(deadline)s.") % {"deadline": deadline} + "\n" + link


def order_sent(*, order: PurchaseOrder) -> Notification | None:
    with translation.override("fr"):
        lines = "\n".join(
            f"- {line.product} : {line.packs} × {formatting.quantity(line.size, line.unit_code)}"
            for line in order.lines.select_related("offer")
            if not line.cancelled
        )
        subject = _("New order %(number)s for %(date)s") % {
            "number": order.number,
            "date": order.delivery_date.strftime("%d/%m/%Y"),
        }
        body = _(
            "%(canteen)s orders, for delivery on %(date)s:\n%(lines)s\n\n"
            "Confirm, confirm less or refuse each line in your cantine portal."
        ) % {
            "canteen": order.canteen.name,
            "date": order.delivery_date.strftime("%d/%m/%Y"),
            "lines": lines,
        }
        body += "\n" + _answer_part(order)
    return _queue(order, order.producer.email, subject, body)


def order_amended(*, order: PurchaseOrder, changes: list[dict]) -> Notification | None:
    """Tell the producer what changed on an order already sent (same order, same number)."""
    with translation.override("fr"):
        lines = "\n".join(
            _("- %(product)s: %(before)s → %(after)s packs")
            % {"product": c["product"], "before": c["before"], "after": c["after"]}
            for c in changes
        )
        subject = _("Order %(number)s for %(date)s amended") % {
            "number": order.number,
            "date": order.delivery_date.strftime("%d/%m/%Y"),
        }
        body = _(
            "%(canteen)s changes its order %(number)s for delivery on %(date)s:\n%(lines)s\n\n"
            "Lines asked more than you confirmed wait for your answer in your cantine portal."
        ) % {
            "canteen": order.canteen.name,
            "number": order.number,
            "date": order.delivery_date.strftime("%d/%m/%Y"),
            "lines": lines,
        }
        body += "\n" + _answer_part(order)
    return _queue(order, order.producer.email, subject, body)


def producer_answered(*, order: PurchaseOrder) -> list[Notification]:
    """Tell the kitchen's cooks that the producer answered."""
    from cantine.models import Membership, Role

    cooks = Membership.objects.filter(canteen=order.canteen, role=Role.COOK).select_related("user")
    with translation.override("fr"):
        subject = _("%(producer)s answered order %(number)s: %(status)s") % {
            "producer": order.producer.name,
            "number": order.number,
            "status": order.get_status_display(),
        }
        body = "\n".join(
            f"- {line.product} : {line.confirmed_packs}/{line.packs}"
            + (f" ({line.refusal_reason})" if line.refusal_reason else "")
            for line in order.lines.select_related("offer")
        )
    notes = [_queue(order, m.user.email, subject, body) for m in cooks]
    return [n for n in notes if n is not None]


@task()
def deliver_notification(notification_id: int) -> str:
    """The job that sends one notification (``deliver``), outside the request that wrote it."""
    return deliver(notification_id=notification_id).status


def deliver(*, notification_id: int) -> Notification:
    """Send one pending notification; on failure, schedule another try later."""
    with transaction.atomic():
        note = Notification.objects.select_for_update().get(pk=notification_id)
        if note.status != Notification.Status.PENDING:
            return note
        note.attempts += 1
        try:
            send_mail(note.subject, note.body, settings.DEFAULT_FROM_EMAIL, [note.to])
        except Exception as error:  # any transport failure: keep it and try again
            note.last_error = str(error)[:2000]
            if note.attempts >= MAX_ATTEMPTS:
                note.status = Notification.Status.FAILED
            note.save()
            if note.status == Notification.Status.PENDING:
                _retry_later(note)
            return note
        note.status = Notification.Status.SENT
        note.sent_at = timezone.now()
        note.save()
        return note


def _retry_later(note: Notification) -> None:
    """Try again after 2, 4, 8... minutes when the queue can wait; else the flush command will."""
    if not deliver_notification.get_backend().supports_defer:
        return
    run_after = timezone.now() + timedelta(minutes=2**note.attempts)
    transaction.on_commit(lambda: deliver_notification.using(run_after=run_after).enqueue(note.pk))


def flush_pending() -> int:
    """Send what is still pending (a worker was down, a delay passed)."""
    pending = Notification.objects.filter(status=Notification.Status.PENDING).values_list(
        "pk", flat=True
    )
    return sum(
        deliver(notification_id=pk).status == Notification.Status.SENT for pk in list(pending)
    )
