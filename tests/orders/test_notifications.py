"""Order e-mails: written with the change, sent after commit, retried when sending fails."""

from unittest import mock

import pytest
from django.core import mail

from orders import lifecycle
from orders.models import Notification
from orders.notifications import flush_pending
from tests.orders.test_lifecycle import make_order
from tests.orders.test_support import food, offer


@pytest.fixture
def order(world):
    world.producer.email = "ferme@example.org"
    world.producer.save()
    world.users["cook"].email = "chef@example.org"
    world.users["cook"].save()
    return make_order(world, offer(world.producer, food("N1", "Navet"), price="1", pack=10))


def test_producer_is_told_once_the_order_is_committed(
    world, order, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.send_order(order=order, actor=world.users["cook"])
    assert [m.to for m in mail.outbox] == [["ferme@example.org"]]
    assert order.number in mail.outbox[0].subject
    assert "Navet" in mail.outbox[0].body
    assert Notification.objects.get().status == "sent"


def test_cook_is_told_when_the_producer_answers(world, order, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.send_order(order=order, actor=world.users["cook"])
        lifecycle.answer_line(
            line=order.lines.get(), packs=0, actor=world.users["producer"], reason="gel"
        )
    assert mail.outbox[-1].to == ["chef@example.org"]
    assert "gel" in mail.outbox[-1].body


def test_a_failed_send_is_kept_and_retried(world, order, django_capture_on_commit_callbacks):
    with (
        mock.patch("orders.notifications.send_mail", side_effect=OSError("smtp down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        lifecycle.send_order(order=order, actor=world.users["cook"])
    note = Notification.objects.get()
    assert note.status == "pending" and note.attempts >= 1 and "smtp down" in note.last_error
    assert mail.outbox == []
    assert flush_pending() == 1
    note.refresh_from_db()
    assert note.status == "sent" and len(mail.outbox) == 1


def test_nothing_is_sent_for_a_change_that_rolls_back(
    world, order, django_capture_on_commit_callbacks
):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                lifecycle.send_order(order=order, actor=world.users["cook"])
                raise RuntimeError("the request failed after sending")
        except RuntimeError:
            pass
    assert mail.outbox == [] and not Notification.objects.exists()


FRENCH_MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]


def _french_deadline(order) -> str:
    from django.utils import timezone, translation
    from django.utils.formats import date_format

    with translation.override("fr"):
        return date_format(timezone.localtime(order.answer_deadline), "l j F Y, H:i")


@pytest.mark.parametrize("amended", [False, True])
def test_the_producer_email_links_to_the_portal_and_gives_the_deadline_in_french(
    world, order, settings, django_capture_on_commit_callbacks, amended
):
    settings.SITE_URL = "https://cantine.example.fr"
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.send_order(order=order, actor=world.users["cook"])
        if amended:
            line = order.lines.get()
            lifecycle.amend_order(order=order, actor=world.users["cook"], packs={line.pk: 3})
    order.refresh_from_db()
    body = mail.outbox[-1].body
    assert ("modifiée" in mail.outbox[-1].subject) is amended  # the amendment's own e-mail
    assert f"https://cantine.example.fr/orders/portal/#order-{order.pk}" in body
    deadline = _french_deadline(order)
    assert f"Répondez avant le {deadline}." in body
    assert any(month in deadline for month in FRENCH_MONTHS)
