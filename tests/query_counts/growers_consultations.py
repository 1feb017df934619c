"""Growers of consultations, their items, answers and invoices, and of allocation lines: each
adds ``n`` rows to a list and returns what the answer shows of the last one."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from orders.models import (
    AllocationLine,
    Answer,
    AnswerLine,
    Consultation,
    ConsultationInvite,
    Invoice,
    Need,
    PurchaseOrder,
)
from tests.factories import ProducerFactory
from tests.query_counts.support import (
    MONDAY,
    _answer,
    _consultation,
    _first_consultation,
    _food,
    _item,
    _offer,
    _order,
    _orders,
    _run,
)


def more_consultations(world, n) -> str:
    """Consultations, each with an item and an answer of its own producer."""
    for _ in range(n):
        consultation = _consultation(world)
        _answer(consultation, ProducerFactory())
    return consultation.title


def more_open_consultations(world, n) -> str:
    """Open consultations the portal's producer answered or was invited to."""
    for index in range(n):
        consultation = _consultation(world)
        if index % 2:
            _answer(consultation, world.producer)
        else:
            ConsultationInvite.objects.create(consultation=consultation, producer=world.producer)
    return consultation.title


def more_items(world, n) -> str:
    """Items of one open consultation, each invited producer or answer line too."""
    consultation = _first_consultation(world) or _consultation(world, items=0)
    for _ in range(n):
        item = _item(consultation)
        ConsultationInvite.objects.create(consultation=consultation, producer=ProducerFactory())
    return item.food.name


def more_answers(world, n) -> str:
    """Answers of new producers to one closed consultation (the page ranks them)."""
    consultation = _first_consultation(world) or _consultation(
        world, deadline=timezone.now() - timedelta(days=1)
    )
    for _ in range(n):
        producer = ProducerFactory()
        _answer(consultation, producer)
    return producer.name


def more_group_answers(world, n) -> str:
    """Answers of groups to one closed consultation: a new lead and a partner each, the
    partner delivering (the page ranks them)."""
    consultation = _first_consultation(world) or _consultation(
        world, deadline=timezone.now() - timedelta(days=1)
    )
    for _ in range(n):
        lead, partner = ProducerFactory(), ProducerFactory()
        answer = Answer.objects.create(consultation=consultation, lead=lead)
        answer.members.set([lead, partner])
        for item in consultation.items.all():
            AnswerLine.objects.create(
                answer=answer,
                item=item,
                producer=partner,
                unit_price=Decimal("1.3"),
                quantity=Decimal(10),
            )
    return partner.name


def more_portal_group_answers(world, n) -> str:
    """Open consultations the portal's producer answered as a partner of a new lead."""
    for _ in range(n):
        consultation = _consultation(world)
        lead = ProducerFactory()
        answer = Answer.objects.create(consultation=consultation, lead=lead)
        answer.members.set([lead, world.producer])
    return lead.name


def more_awarded_answers(world, n) -> str:
    consultation = _first_consultation(world) or _consultation(
        world, Consultation.Status.AWARDED, deadline=timezone.now() - timedelta(days=1)
    )
    for _ in range(n):
        producer = ProducerFactory()
        _answer(consultation, producer, awarded=True)
    return producer.name


def more_awarded_orders(world, n) -> str:
    """Awarded answers of new producers, each line ordered (the page lists the orders)."""
    more_awarded_answers(world, n)
    consultation = _first_consultation(world)
    lines = AnswerLine.objects.filter(
        answer__consultation=consultation, order_line__isnull=True
    ).select_related("producer")
    for answer_line in lines:
        day = MONDAY + timedelta(days=PurchaseOrder.objects.count())
        order = _order(world.kitchen, answer_line.producer, day)
        answer_line.order_line = order.lines.get()
        answer_line.save(update_fields=["order_line"])
    return order.number


def more_draft_items(world, n) -> str:
    """Items of a draft consultation (the buyer's form, the thresholds checked)."""
    if _first_consultation(world) is None:
        _consultation(world, Consultation.Status.DRAFT, items=0)
    return more_items(world, n)


def more_invoices(world, n) -> str:
    for order in _orders(world, n, status=PurchaseOrder.Status.INVOICED):
        invoice = Invoice.objects.create(
            order=order,
            number=f"F-{order.pk}",
            issued_on=order.delivery_date,
            received_at=timezone.now(),
            due_on=order.delivery_date + timedelta(days=30),
            goods_total=Decimal(12),
            vat_rate=Decimal("5.5"),
            vat_total=Decimal("0.66"),
            total=Decimal("12.66"),
            pdf=b"%PDF-1.4 test",
            xml="<x/>",
        )
    return invoice.number


def more_portal_invoices(world, n) -> str:
    """Delivered orders of the portal's producer, every other one invoiced."""
    for index, order in enumerate(
        _orders(world, n, producer=world.producer, status=PurchaseOrder.Status.DELIVERED)
    ):
        last = order.number
        if index % 2 == 0:
            last = Invoice.objects.create(
                order=order,
                number=f"F-{order.pk}",
                issued_on=order.delivery_date,
                received_at=timezone.now(),
                due_on=order.delivery_date + timedelta(days=30),
                goods_total=Decimal(12),
                vat_rate=Decimal("5.5"),
                vat_total=Decimal("0.66"),
                total=Decimal("12.66"),
                pdf=b"%PDF-1.4 test",
                xml="<x/>",
            ).number
    return last


def more_allocation_lines(world, n) -> str:
    """Lines of one solved run, each a need of its own food bought from its own producer."""
    run = _run(world)
    for _ in range(n):
        food = _food()
        need = Need.objects.create(
            canteen=world.kitchen,
            food=food,
            week=MONDAY,
            delivery_date=MONDAY + timedelta(days=1),
            computed_quantity=10,
        )
        offer = _offer(ProducerFactory(), food)
        AllocationLine.objects.create(
            run=run,
            need=need,
            offer=offer,
            packs=2,
            quantity=Decimal(10),
            unit_price=offer.unit_price,
            total=Decimal("12.00"),
        )
    return food.name


def more_allocation_lines_api(world, n) -> str:
    more_allocation_lines(world, n)
    return f'"offer":{AllocationLine.objects.latest("pk").offer_id},'
