"""What every query-count case shares: counting a request's queries, reading its answer, and
the rows the growers build on (foods, offers, orders, consultations, dishes, rule sets)."""

import itertools
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from nutrition.models import (
    Dish,
    DishIngredient,
    DishTag,
    Food,
    RuleSet,
)
from orders.models import (
    AllocationRun,
    Answer,
    AnswerLine,
    Consultation,
    ConsultationItem,
    PurchaseOrder,
    PurchaseOrderLine,
)
from producers.models import Offer
from tests.factories import ProducerFactory
from tests.pdf import pdf_text


def content(response) -> str:
    """The body as text, read to the end (a streamed CSV asks the database while it is
    read); a PDF's text."""
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    if response["Content-Type"] == "application/pdf":
        return pdf_text(response.content)
    return response.content.decode()


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        content(response)
    assert response.status_code == 200, url
    return len(captured)


MONDAY = date(2027, 1, 4)


_serial = itertools.count(1)


def _food(name: str = "Carotte") -> Food:
    number = next(_serial)
    return Food.objects.create(
        code=f"9{number:05d}",
        name=f"{name} {number}",
        search_name=f"{name.lower()} {number}",
        group_code="02",
        subgroup_name="légumes",
    )


def _offer(producer, food=None, **fields) -> Offer:
    food = food or _food()
    return Offer.objects.create(
        producer=producer,
        food=food,
        product_label=fields.pop("product_label", food.name),
        pack_size=Decimal("5"),
        unit_price=Decimal("1.20"),
        labels=["BIO"],
        valid_from=date(2026, 1, 1),
        **fields,
    )


def _order(canteen, producer, day, lines=1, **fields) -> PurchaseOrder:
    """An order with ``lines`` lines, each of its own offer and food."""
    order = PurchaseOrder.objects.create(
        canteen=canteen,
        producer=producer,
        delivery_date=day,
        status=fields.pop("status", PurchaseOrder.Status.SENT),
        goods_total=Decimal("12.00") * lines,
        **fields,
    )
    for _ in range(lines):
        _line(order)
    return order


def _line(order, need=None) -> PurchaseOrderLine:
    offer = _offer(order.producer)
    return PurchaseOrderLine.objects.create(
        order=order,
        offer=offer,
        need=need,
        week=order.delivery_date - timedelta(days=order.delivery_date.weekday()),
        product_label=offer.product_label,
        unit=offer.unit,
        pack_size=offer.pack_size,
        labels=offer.labels,
        packs=2,
        quantity=Decimal("10"),
        unit_price=offer.unit_price,
        total=Decimal("12.00"),
    )


def _orders(world, n, producer=None, **fields) -> list[PurchaseOrder]:
    """``n`` orders of the kitchen, one a day from the first free day, to new producers
    (or to ``producer``)."""
    made = []
    for _ in range(n):
        day = MONDAY + timedelta(days=PurchaseOrder.objects.count())
        made.append(_order(world.kitchen, producer or ProducerFactory(), day, **fields))
    return made


def _consultation(world, status=Consultation.Status.PUBLISHED, deadline=None, items=1):
    consultation = Consultation.objects.create(
        canteen=world.kitchen,
        title=f"Légumes {next(_serial)}",
        family="FRUITS_ET_LEGUMES",
        status=status,
        delivery_place="Cuisine centrale",
        answer_deadline=deadline or timezone.now() + timedelta(days=3),
    )
    for _ in range(items):
        _item(consultation)
    return consultation


def _item(consultation) -> ConsultationItem:
    return ConsultationItem.objects.create(
        consultation=consultation,
        food=_food("Poireau"),
        quantity=Decimal(50),
        delivery_date=MONDAY + timedelta(days=3),
        estimated_unit_price=Decimal("1.5"),
    )


def _answer(consultation, producer, awarded=False) -> Answer:
    answer = Answer.objects.create(consultation=consultation, lead=producer)
    answer.members.set([producer])
    for item in consultation.items.all():
        AnswerLine.objects.create(
            answer=answer,
            item=item,
            producer=producer,
            unit_price=Decimal("1.4"),
            quantity=Decimal(20),
            awarded_quantity=Decimal(20) if awarded else None,
        )
    return answer


def _first_consultation(world) -> Consultation:
    """The kitchen's first consultation made (the one a case's URL names)."""
    return Consultation.objects.filter(canteen=world.kitchen).order_by("pk").first()


def _run(world) -> AllocationRun:
    run = AllocationRun.objects.filter(canteen=world.kitchen).first()
    return run or AllocationRun.objects.create(
        canteen=world.kitchen,
        start=MONDAY,
        end=MONDAY + timedelta(days=6),
        status=AllocationRun.Status.OPTIMAL,
        requested_by=world.users["cook"],
    )


def _first_by_name(prefix: str) -> str:
    """A name sorting before those made earlier: lists cut at their first rows by name
    (the course picker, the food search) still show the last one made."""
    return f"{prefix} {999_999 - next(_serial):06d}"


def _dish(world, component="main", food=None, name=None) -> Dish:
    dish = Dish.objects.create(
        kitchen=world.kitchen, name=name or f"Plat {next(_serial)}", component=component
    )
    DishIngredient.objects.create(
        dish=dish, food=food or _food(), position=0, grams_elementaire=100
    )
    DishTag.objects.create(dish=dish, tag="cooked_veg", computed=True, applies=True, reason="t")
    return dish


def _rule_set(world) -> RuleSet:
    return RuleSet.objects.get_or_create(name="Règles", defaults={"owner": world.kitchen})[0]


def _dish_of(world) -> Dish:
    return Dish.objects.filter(kitchen=world.kitchen).first() or _dish(world)


NEXT_YEAR = timezone.localdate().year + 1  # orders to come are planned purchases of that year


def _number(order) -> str:
    return order.number


def _first_order(world) -> PurchaseOrder:
    return PurchaseOrder.objects.filter(canteen=world.kitchen).first() or _orders(world, 1)[0]


def _portal_order(world) -> PurchaseOrder:
    return PurchaseOrder.objects.filter(producer=world.producer).first() or _order(
        world.kitchen, world.producer, MONDAY, lines=0
    )
