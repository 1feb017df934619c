"""Thresholds in force by date, and the warning before a split hides one."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from orders import consultations as cs
from orders import procurement
from orders.models import Consultation, PurchaseOrder, PurchaseOrderLine
from tests.orders.test_support import clock, food, offer  # noqa: F401 (fixture)


def test_the_no_publicity_threshold_is_40_000_until_march_2026_then_60_000():
    assert procurement.thresholds_on(date(2026, 3, 31))["no_publicity"].amount == 40000
    after = procurement.thresholds_on(date(2026, 4, 1))["no_publicity"]
    assert after.amount == 60000 and "2025-1386" in after.source
    assert procurement.thresholds_on(date(2026, 6, 1))["formalised"].amount == 216000
    assert procurement.thresholds_on(date(2025, 6, 1))["formalised"].amount == 221000


def _consultation(world, item, quantity, price, kind=Consultation.Kind.NO_PUBLICITY):
    return cs.create_consultation(
        kitchen=world.kitchen,
        actor=world.users["cook"],
        title="Légumes",
        family="FRUITS_ET_LEGUMES",
        items=[cs.ItemSpec(item, Decimal(quantity), date(2027, 1, 7), estimated_unit_price=price)],
        answer_deadline=timezone.now() + timedelta(days=2),
        kind=kind,
    )


@pytest.fixture
def carrot(db):
    return food("20009", "Carotte, crue")


def test_a_warning_before_the_family_crosses_the_threshold(world, carrot, clock):  # noqa: F811
    clock(date(2027, 1, 1))
    # Already this year: a consultation of 30 000 € and an order of 27 000 € of vegetables.
    cs.publish(
        consultation=_consultation(world, carrot, 15000, Decimal(2)), actor=world.users["cook"]
    )
    order = PurchaseOrder.objects.create(
        canteen=world.kitchen, producer=world.producer, delivery_date=date(2027, 1, 5)
    )
    PurchaseOrderLine.objects.create(
        order=order,
        offer=offer(world.producer, carrot, "1", 1),
        packs=27000,
        quantity=27000,
        unit_price=1,
        total=27000,
    )
    small = _consultation(world, carrot, 2000, Decimal(2))  # 4 000 €: each part is small
    with pytest.raises(cs.ThresholdWarning) as refused:
        cs.publish(consultation=small, actor=world.users["cook"])
    (warning,) = refused.value.warnings
    assert warning.before == 57000 and warning.this == 4000
    assert warning.threshold.amount == 60000 and "R2121-4" in warning.text
    cs.publish(consultation=small, actor=world.users["cook"], acknowledged=True)
    small.refresh_from_db()
    assert (
        small.status == Consultation.Status.PUBLISHED and "60\u00a0000" in small.threshold_warning
    )
    # An adapted procedure with publicity is allowed at that amount: no warning.
    adapted = _consultation(world, carrot, 2000, Decimal(2), Consultation.Kind.ADAPTED)
    assert cs.threshold_warnings(adapted) == []


def test_below_the_threshold_nothing_is_said(world, carrot, clock):  # noqa: F811
    clock(date(2027, 1, 1))
    consultation = _consultation(world, carrot, 100, Decimal(2))
    assert cs.threshold_warnings(consultation) == []
    cs.publish(consultation=consultation, actor=world.users["cook"])


def test_the_draft_page_warns_and_publishing_needs_the_acknowledgement(
    client,
    world,
    carrot,
    clock,  # noqa: F811
):
    from django.urls import reverse

    clock(date(2027, 1, 1))
    cs.publish(
        consultation=_consultation(world, carrot, 29000, Decimal(2)), actor=world.users["cook"]
    )
    split = _consultation(world, carrot, 1500, Decimal(2))  # 58 000 + 3 000 > 60 000
    client.force_login(world.users["cook"])
    page = client.get(reverse("consultation_detail", args=[split.pk])).content.decode()
    assert "threshold-warning" in page and "60\u00a0000" in page and "R2121-4" in page
    publish = reverse("consultation_publish", args=[split.pk])
    client.post(publish)
    split.refresh_from_db()
    assert split.status == Consultation.Status.DRAFT
    client.post(publish, {"acknowledge": "on"})
    split.refresh_from_db()
    assert split.status == Consultation.Status.PUBLISHED and "R2121-6" in split.threshold_warning
