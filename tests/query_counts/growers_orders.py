"""Growers of the ledger's group purchases, notifications, purchase orders and their lines,
offers, needs, canteens, producers, purchases and solver runs."""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from cantine.models import Role, Territory
from menus.models import Meal, PlanRun
from nutrition.models import (
    FoodPrice,
    RuleSet,
    TagOverride,
)
from orders.models import (
    AllocationLine,
    AllocationRun,
    Invoice,
    Need,
    Notification,
    PurchaseOrder,
)
from purchases.models import Purchase
from tests.factories import CanteenFactory, MembershipFactory, ProducerFactory, UserFactory
from tests.purchases.factories import PurchaseFactory
from tests.query_counts.growers_consultations import more_invoices
from tests.query_counts.growers_kitchen import more_courses
from tests.query_counts.support import (
    MONDAY,
    NEXT_YEAR,
    _dish,
    _first_order,
    _food,
    _line,
    _number,
    _offer,
    _order,
    _orders,
    _portal_order,
    _run,
    _serial,
)


def more_group_purchases(world, n) -> str:
    """Per new satellite (local: a territory): a ledger line, an order to come (planned
    purchases) and a paid order (payment delays), each from its own producer; the payment
    delays name the last one."""
    territory = Territory.objects.get_or_create(name="PAT du Maine")[0]
    territory.communes.set([world.kitchen.commune])
    for _ in range(n):
        satellite = CanteenFactory(
            central_kitchen=world.kitchen, kind="satellite", local_territory=territory
        )
        PurchaseFactory(
            canteen=satellite,
            producer=ProducerFactory(),
            date=date(NEXT_YEAR, 3, 14),
            labels=["BIO"],
            price_ht=Decimal("12.50"),
        )
        _order(satellite, ProducerFactory(), date(NEXT_YEAR, 6, 1))
        paid = _order(
            satellite,
            ProducerFactory(),
            date(NEXT_YEAR, 2, 1),
            status=PurchaseOrder.Status.PAID,
            invoiced_on=date(NEXT_YEAR, 2, 2),
            paid_on=date(NEXT_YEAR, 2, 20),
        )
    return paid.producer.name


def more_group_purchases_api(world, n) -> str:
    """The same; the shares API counts the group's ledger lines."""
    more_group_purchases(world, n)
    return f'"totals":{{"lines":{Purchase.objects.filter(date__year=NEXT_YEAR).count()},'


def more_courses_iso(world, n) -> str:
    more_courses(world, n)
    return f"{Meal.objects.filter(canteen=world.kitchen).latest('date').date:%Y-%m-%d}"


def more_allocation_lines_to_amend(world, n) -> str:
    """Lines of one solved run, each to a producer with a sent order that day (amended)."""
    run = _run(world)
    for _ in range(n):
        producer = ProducerFactory()
        day = MONDAY + timedelta(days=1)
        order = _order(world.kitchen, producer, day)
        offer = order.lines.get().offer
        need = Need.objects.create(
            canteen=world.kitchen,
            food=offer.food,
            week=MONDAY,
            delivery_date=day,
            computed_quantity=20,
        )
        AllocationLine.objects.create(
            run=run,
            need=need,
            offer=offer,
            packs=4,
            quantity=Decimal(20),
            unit_price=offer.unit_price,
            total=Decimal("24.00"),
        )
    return producer.name


def more_notifications(world, n) -> str:
    for order in _orders(world, n):
        note = Notification.objects.create(
            order=order, to="ferme@example.org", subject=f"Commande {order.number}", body="."
        )
    return note.subject


def more_invoiced_producers(world, n) -> str:
    """Invoices of orders to new producers (an invoice reads as its order, named by its
    producer)."""
    more_invoices(world, n)
    return Invoice.objects.latest("pk").order.producer.name


def more_tag_overrides(world, n) -> str:
    for _ in range(n):
        dish = _dish(world)
        TagOverride.objects.create(
            dish=dish, tag="cooked_veg", value=False, author=UserFactory(), reason="Frit"
        )
    return dish.name


def more_order_producers(world, n) -> str:
    return _orders(world, n)[-1].producer.name


def more_orders(world, n) -> str:
    return _number(_orders(world, n)[-1])


def more_portal_orders(world, n) -> str:
    return _number(_orders(world, n, producer=world.producer)[-1])


def more_paid_orders(world, n) -> str:
    """Paid orders of new producers: the page's payment delays list one row per producer."""
    made = _orders(
        world,
        n,
        status=PurchaseOrder.Status.PAID,
        invoiced_on=date(2027, 1, 10),
        paid_on=date(2027, 2, 1),
    )
    return made[-1].producer.name


def more_order_lines(world, n) -> str:
    order = _first_order(world)
    for _ in range(n):
        line = _line(order)
    return line.product_label


def more_confirmed_lines(world, n) -> str:
    """Lines of a confirmed order: the cook's page asks what arrived of each (the receipt)."""
    order = _first_order(world)
    order.status = PurchaseOrder.Status.CONFIRMED
    order.save(update_fields=["status"])
    more_order_lines(world, n)
    order.lines.update(confirmed_packs=2, answered_at=timezone.now())
    return f'name="received_{order.lines.latest("pk").pk}"'


def more_delivered_lines(world, n) -> str:
    """Lines of a delivered order, received with a quality remark each."""
    order = _first_order(world)
    order.status = PurchaseOrder.Status.DELIVERED
    order.received_on = order.delivery_date
    order.save(update_fields=["status", "received_on"])
    for _ in range(n):
        line = _line(order)
        line.confirmed_packs = 2
        line.received_quantity = Decimal(9)
        line.quality_remark = f"Abîmé {next(_serial)}"
        line.save()
    return line.product_label


def more_portal_order_lines(world, n) -> str:
    """Lines of one sent order to the portal's producer."""
    order = _portal_order(world)
    for _ in range(n):
        line = _line(order)
    return line.product_label


def more_offers(world, n) -> str:
    return [_offer(world.producer) for _ in range(n)][-1].product_label


def more_needs(world, n) -> str:
    """Needs of MONDAY, each of its own food, priced by the kitchen."""
    for _ in range(n):
        food = _food()
        FoodPrice.objects.create(kitchen=world.kitchen, food=food, unit_price=Decimal("2.5"))
        Need.objects.create(
            canteen=world.kitchen,
            food=food,
            week=MONDAY,
            delivery_date=MONDAY,
            computed_quantity=10,
            quantity=10,
        )
    return food.name


def more_canteens(world, n) -> str:
    """Canteens the manager runs, each local by a territory (PAT) of its own."""
    for _ in range(n):
        territory = Territory.objects.create(name=f"PAT {next(_serial)}")
        territory.communes.set([world.kitchen.commune])
        canteen = CanteenFactory(local_territory=territory)
        MembershipFactory(user=world.users["manager"], canteen=canteen, role=Role.MANAGER)
    return canteen.name


def more_producers(world, n) -> str:
    return ProducerFactory.create_batch(n, labels=["BIO"])[-1].name


def more_purchases(world, n) -> str:
    made = PurchaseFactory.create_batch(
        n, canteen=world.kitchen, labels=["BIO"], price_ht=Decimal("12.50")
    )
    return made[-1].description


def more_plan_runs(world, n) -> str:
    rule_set = RuleSet.objects.get_or_create(name="Règles", defaults={"owner": world.kitchen})[0]
    for _ in range(n):
        start = date(2027, 1, 4) + timedelta(days=7 * PlanRun.objects.count())
        run = PlanRun.objects.create(
            canteen=world.kitchen,
            start=start,
            end=start + timedelta(days=6),
            preset="cheapest",
            rule_set=rule_set,
            status=PlanRun.Status.OPTIMAL,
            requested_by=world.users["cook"],
        )
    return f'"id":{run.pk}'


def more_allocation_runs(world, n) -> str:
    for _ in range(n):
        start = date(2027, 1, 4) + timedelta(days=7 * AllocationRun.objects.count())
        run = AllocationRun.objects.create(
            canteen=world.kitchen,
            start=start,
            end=start + timedelta(days=6),
            status=AllocationRun.Status.OPTIMAL,
            requested_by=world.users["cook"],
        )
    return f'"id":{run.pk}'
