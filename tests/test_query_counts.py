"""No N+1: a list page or endpoint asks the database as many times for 50 rows as for 1.

Each case counts the queries of one request with one row, then allows no more with fifty
(``django_assert_max_num_queries``), and finds the last row made in the answer, so a case
cannot pass on an empty list. A loop that reads a related row per item fails here. Every
route of the URL confs that lists rows (``tests.security.authorization_table``) is covered:

- canteens (home, list, API; satellites; the territories offered as "local"), producers (directory, with offers; API), offers (the
  producer's "Mes offres", the API for producers and for buyers);
- needs (page, API, and the lots offered on the consultations page); allocation runs (API),
  a run's lines (page, API) and its acceptance (page, API; new orders and amended ones);
- purchase orders (cook's and manager's page with payment delays, API; sent, invoiced,
  paid), an order's lines (page, API, CSV and PDF), its history, receipts (confirmed and
  delivered lines); the producer portal and ``/api/my-orders/`` (sent and answered, and one
  order's lines);
- consultations (list, detail: items and invitations, sourcing, answers ranked, of one
  producer or of a group, awarded answers and their orders, draft; analysis PDF), the
  producer's open consultations, answers (its own and as a group's partner), deliveries to
  invoice and invoices (portal and API), invoices of the kitchen;
- dishes (list, detail with ingredients and overrides, editor, API), foods (search, API),
  rule sets (list, detail with rules and the canteens using them, editor, history,
  portion sizes, API);
- menus: the calendar and the compliance report over two weeks of five courses a day under
  a rule set with a nutrient bound, the week's PDF, the SCDL export, the course picker,
  ``/api/meals/`` and its compliance; the satellite's staff reading their kitchen's;
- purchases: the ledger (page, API, CSV; lines tied to producers, foods and imports), imports,
  the shares page, its tables and PDF and the shares API for a group of satellites (local by
  a territory) with planned orders and paid orders (payment delays); plan runs (API);
- the admin's lists, among them the outbox of notifications.

Lists capped by design (the course picker and the food search show 30 rows, the top
suppliers 20) make their last row sort first. The lots simulator and the run and plan
status fragments read one stored row, not a list.
"""

import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cantine.models import CoverForecast, Role, Territory
from menus.models import Meal, MealDish, PlanRun
from nutrition.models import (
    CanteenRuleSet,
    Component,
    Dish,
    DishIngredient,
    DishTag,
    Food,
    FoodPrice,
    FrequencyRule,
    NutrientBound,
    PortionSize,
    RuleSet,
    RuleSetChange,
    TagOverride,
)
from orders.models import (
    AllocationLine,
    AllocationRun,
    Answer,
    AnswerLine,
    Consultation,
    ConsultationInvite,
    ConsultationItem,
    Invoice,
    Need,
    Notification,
    OrderEvent,
    PurchaseOrder,
    PurchaseOrderLine,
)
from producers.models import Offer
from purchases.models import ImportBatch, Purchase
from tests.factories import CanteenFactory, MembershipFactory, ProducerFactory, UserFactory
from tests.pdf import pdf_text
from tests.purchases.factories import PurchaseFactory


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


def _run(world) -> AllocationRun:
    run = AllocationRun.objects.filter(canteen=world.kitchen).first()
    return run or AllocationRun.objects.create(
        canteen=world.kitchen,
        start=MONDAY,
        end=MONDAY + timedelta(days=6),
        status=AllocationRun.Status.OPTIMAL,
        requested_by=world.users["cook"],
    )


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


def more_dishes(world, n) -> str:
    return [_dish(world) for _ in range(n)][-1].name


def more_dishes_first_by_name(world, n) -> str:
    return [_dish(world, name=_first_by_name("Plat")) for _ in range(n)][-1].name


def more_courses(world, n) -> str:
    """Courses served on the kitchen's school days from MONDAY, five a day, each its own dish,
    under a rule set (the calendar marks what breaks it)."""
    if not CanteenRuleSet.objects.filter(canteen=world.kitchen).exists():
        rule_set = _rule_set(world)
        FrequencyRule.objects.create(
            rule_set=rule_set, code="veg", tag="cooked_veg", min=10, components=["side"]
        )
        NutrientBound.objects.create(
            rule_set=rule_set, age_group="elementaire", nutrient="protein", min=Decimal(10)
        )
        CanteenRuleSet.objects.create(canteen=world.kitchen, rule_set=rule_set)
    for _ in range(n):
        served = MealDish.objects.filter(meal__canteen=world.kitchen).count()
        day = MONDAY + timedelta(days=7 * (served // 25) + (served // 5) % 5)
        meal = Meal.objects.get_or_create(canteen=world.kitchen, date=day)[0]
        component = Component.values[served % 5]
        food = _food()  # priced (cost and shares per meal), out of season in January
        food.season_months = [6, 7, 8]
        food.save(update_fields=["season_months"])
        FoodPrice.objects.create(
            kitchen=world.kitchen, food=food, unit_price=Decimal("2.5"), organic_share=1.0
        )
        dish = _dish(world, component, food)
        MealDish.objects.create(meal=meal, component=component, dish=dish)
    return dish.name


def more_courses_counted(world, n) -> str:
    """The same courses; the compliance report names the days each rule counted."""
    more_courses(world, n)
    return f"{Meal.objects.filter(canteen=world.kitchen).latest('date').date:%d/%m}"


def more_courses_of_the_week(world, n) -> str:
    """The same courses; the week's PDF shows the first week's (its last course named)."""
    more_courses(world, n)
    week = MealDish.objects.filter(meal__date__lt=MONDAY + timedelta(days=7))
    return week.latest("pk").dish.name


def _rule_set(world) -> RuleSet:
    return RuleSet.objects.get_or_create(name="Règles", defaults={"owner": world.kitchen})[0]


def more_rule_sets(world, n) -> str:
    for _ in range(n):
        rule_set = RuleSet.objects.create(name=f"Règles {next(_serial)}", owner=world.kitchen)
        FrequencyRule.objects.create(
            rule_set=rule_set, code="fish", tag="fish_70", min=4, components=["main"]
        )
        CanteenRuleSet.objects.create(
            canteen=CanteenFactory(central_kitchen=world.kitchen, kind="satellite"),
            rule_set=rule_set,
        )
    return rule_set.name


def more_rules(world, n) -> str:
    rule_set = _rule_set(world)
    for _ in range(n):
        rule = FrequencyRule.objects.create(
            rule_set=rule_set,
            code=f"rule{next(_serial)}",
            tag="fish_70",
            min=4,
            components=["main"],
            text=f"Poisson {next(_serial)}",
        )
    return rule.text


def more_rule_set_users(world, n) -> str:
    """Satellites following the kitchen's rule set ("used by")."""
    rule_set = _rule_set(world)
    for _ in range(n):
        satellite = CanteenFactory(central_kitchen=world.kitchen, kind="satellite")
        CanteenRuleSet.objects.create(canteen=satellite, rule_set=rule_set)
    return satellite.name


def more_dish_overrides(world, n) -> str:
    """Tag overrides of one dish, each by its own dietitian."""
    dish = _dish_of(world)
    for _ in range(n):
        author = UserFactory()
        TagOverride.objects.create(
            dish=dish, tag="cooked_veg", value=False, author=author, reason="Frit"
        )
    return author.username


def more_rule_changes(world, n) -> str:
    rule_set = _rule_set(world)
    for _ in range(n):
        change = RuleSetChange.objects.create(
            rule_set=rule_set,
            author=UserFactory(),
            action=RuleSetChange.Action.SETTINGS,
            subject=f"Réglage {next(_serial)}",
        )
    return change.subject


def more_foods(world, n) -> str:
    return [_food("Navet") for _ in range(n)][-1].name


def more_foods_first_by_name(world, n) -> str:
    for _ in range(n):
        name = _first_by_name("Navet")
        Food.objects.create(
            code=f"8{next(_serial):05d}", name=name, search_name=name.lower(), group_code="02"
        )
    return name


def more_satellites(world, n) -> str:
    for _ in range(n):
        satellite = CanteenFactory(central_kitchen=world.kitchen, kind="satellite")
        CoverForecast.objects.create(
            canteen=satellite, weekday=0, age_group="elementaire", covers=100
        )
    return satellite.name


def more_supplied_purchases(world, n) -> str:
    more_suppliers(world, n)
    return Purchase.objects.latest("pk").description


def more_top_suppliers(world, n) -> str:
    """Ledger lines of the group from new producers, each bigger than the last: the top
    suppliers table (twenty) starts with the last one."""
    for _ in range(n):
        producer = ProducerFactory()
        PurchaseFactory(
            canteen=world.kitchen,
            producer=producer,
            supplier=producer.name,
            price_ht=Decimal(10 + next(_serial)),
        )
    return producer.name


def more_territories(world, n) -> str:
    """Territories (PAT) a manager may choose as the kitchen's "local"."""
    commune = world.kitchen.commune
    for _ in range(n):
        territory = Territory.objects.create(name=f"PAT {next(_serial)}")
        territory.communes.set([commune])
    return territory.name


def more_portions(world, n) -> str:
    """Portion sizes (annex II) of the kitchen's rule set."""
    rule_set = _rule_set(world)
    for _ in range(n):
        portion = PortionSize.objects.create(
            rule_set=rule_set,
            section="Légumes",
            product=f"Haricots {next(_serial)}",
            age_group="elementaire",
            min=Decimal(100),
            unit="g",
        )
    return portion.product


def more_import_batches(world, n) -> str:
    for _ in range(n):
        canteen = CanteenFactory()
        MembershipFactory(user=world.users["manager"], canteen=canteen, role=Role.MANAGER)
        batch = ImportBatch.objects.create(
            canteen=canteen,
            file_name=f"achats-{next(_serial)}.csv",
            sha256="0",
            rows=1,
            imported_by=UserFactory(),
        )
    return batch.file_name


def more_suppliers(world, n) -> str:
    """Ledger lines of the group, each bought from its own producer by its own satellite."""
    for _ in range(n):
        producer = ProducerFactory()
        satellite = CanteenFactory(central_kitchen=world.kitchen, kind="satellite")
        PurchaseFactory(
            canteen=satellite,
            producer=producer,
            supplier=producer.name,
            labels=["BIO"],
            price_ht=Decimal("12.50"),
        )
    return satellite.name


def more_invoiced_orders(world, n) -> str:
    more_invoices(world, n)
    return PurchaseOrder.objects.latest("pk").number


def more_order_events(world, n) -> str:
    """The order's history: answers of its lines by new users."""
    order = _first_order(world)
    for _ in range(n):
        line = _line(order)
        OrderEvent.objects.create(
            order=order,
            line=line,
            actor=UserFactory(),
            action="answer",
            after={"confirmed_packs": 2},
        )
    return line.product_label


def more_answered_portal_orders(world, n) -> str:
    """Orders of the portal's producer, their lines answered, some refused."""
    for order in _orders(world, n, producer=world.producer, status=PurchaseOrder.Status.CONFIRMED):
        order.lines.update(confirmed_packs=1, refusal_reason="Grêle", answered_at=timezone.now())
    return order.number


def more_answered_portal_history(world, n) -> str:
    """The same; the portal's history names an order by its delivery day."""
    more_answered_portal_orders(world, n)
    return f"{PurchaseOrder.objects.latest('pk').delivery_date:%d/%m/%Y}"


def more_sourcing_producers(world, n) -> str:
    """Producers around the kitchen selling the consultation's family, with past answers."""
    if _first_consultation(world) is None:
        _consultation(world)  # the open one the page shows, then a past one they answered
        _consultation(world, Consultation.Status.AWARDED, timezone.now() - timedelta(days=9))
    past = Consultation.objects.get(canteen=world.kitchen, status=Consultation.Status.AWARDED)
    for _ in range(n):
        producer = ProducerFactory()
        _offer(producer, product_label=f"Chou {next(_serial)}")
        _answer(past, producer)
    return producer.name


def _dish_of(world) -> Dish:
    return Dish.objects.filter(kitchen=world.kitchen).first() or _dish(world)


def more_ingredients(world, n) -> str:
    dish = _dish_of(world)
    for position in range(n):
        food = _food("Céleri")
        DishIngredient.objects.create(
            dish=dish, food=food, position=position + 1, grams_elementaire=20
        )
    return food.name


def more_ledger_links(world, n) -> str:
    """Ledger lines each tied to its own producer, food and import batch."""
    for _ in range(n):
        producer = ProducerFactory()
        batch = ImportBatch.objects.create(
            canteen=world.kitchen, file_name=f"{next(_serial)}.csv", sha256="0", rows=1
        )
        purchase = PurchaseFactory(
            canteen=world.kitchen,
            producer=producer,
            supplier=producer.name,
            food=_food(),
            import_batch=batch,
            labels=["BIO"],
            source="import",
        )
    return purchase.description


def more_producers_with_offers(world, n) -> str:
    for _ in range(n):
        producer = ProducerFactory(labels=["BIO"])
        _offer(producer)
    return producer.name


NEXT_YEAR = timezone.localdate().year + 1  # orders to come are planned purchases of that year


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


def _number(order) -> str:
    return order.number


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


def _first_order(world) -> PurchaseOrder:
    return PurchaseOrder.objects.filter(canteen=world.kitchen).first() or _orders(world, 1)[0]


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


def _portal_order(world) -> PurchaseOrder:
    return PurchaseOrder.objects.filter(producer=world.producer).first() or _order(
        world.kitchen, world.producer, MONDAY, lines=0
    )


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


CASES = [
    ("manager", "/", more_canteens),
    ("manager", "/canteens/", more_canteens),
    ("manager", "/api/canteens/", more_canteens),
    ("cook", "/producers/", more_producers),
    ("cook", "/api/producers/", more_producers),
    ("manager", "/purchases/?year=2025", more_purchases),
    ("manager", "/api/purchases/", more_purchases),
    ("cook", "/api/plan-runs/", more_plan_runs),
    ("cook", "/api/allocation-runs/", more_allocation_runs),
    ("producer", "/producers/my-offers/", more_offers),
    ("producer", "/api/offers/", more_offers),
    ("cook", "/api/offers/", more_offers),
    ("cook", "/api/needs/", more_needs),
    ("cook", "/orders/{kitchen}/needs/?start=2027-01-04", more_needs),
    ("cook", "/orders/{kitchen}/purchase-orders/", more_orders),
    ("manager", "/orders/{kitchen}/purchase-orders/", more_paid_orders),
    ("cook", "/api/purchase-orders/", more_orders),
    ("cook", "/orders/purchase-orders/{order}/", more_order_lines),
    ("cook", "/api/purchase-orders/{order}/", more_order_lines),
    ("cook", "/orders/purchase-orders/{order}/csv/", more_order_lines),
    ("cook", "/orders/purchase-orders/{order}/", more_confirmed_lines),
    ("cook", "/orders/purchase-orders/{order}/", more_delivered_lines),
    ("manager", "/orders/purchase-orders/{order}/", more_delivered_lines),
    ("cook", "/api/purchase-orders/{order}/", more_delivered_lines),
    ("producer", "/orders/portal/", more_portal_orders),
    ("producer", "/api/my-orders/", more_portal_orders),
    ("cook", "/orders/{kitchen}/consultations/", more_consultations),
    ("cook", "/orders/{kitchen}/consultations/?start=2027-01-04", more_needs),
    ("cook", "/orders/consultations/{consultation}/", more_items),
    ("cook", "/orders/consultations/{consultation}/", more_answers),
    ("cook", "/orders/consultations/{consultation}/", more_awarded_answers),
    ("cook", "/orders/consultations/{consultation}/", more_group_answers),
    ("producer", "/orders/portal/consultations/", more_portal_group_answers),
    ("cook", "/orders/consultations/{consultation}/", more_awarded_orders),
    ("cook", "/orders/consultations/{consultation}/", more_draft_items),
    ("manager", "/orders/{kitchen}/invoices/", more_invoices),
    ("producer", "/orders/portal/consultations/", more_open_consultations),
    ("producer", "/orders/portal/consultations/", more_portal_invoices),
    ("producer", "/orders/portal/consultations/{consultation}/", more_items),
    ("producer", "/api/my-consultations/", more_open_consultations),
    ("cook", "/orders/runs/{run}/", more_allocation_lines),
    ("cook", "/orders/runs/{run}/accept/", more_allocation_lines),
    ("cook", "/api/allocation-runs/{run}/", more_allocation_lines_api),
    ("cook", "/api/allocation-runs/{run}/acceptance/", more_allocation_lines),
    ("cook", "/nutrition/dishes/", more_dishes),
    ("dietitian", "/nutrition/dishes/", more_dishes),
    ("cook", "/api/dishes/", more_dishes),
    ("dietitian", "/nutrition/foods/search/?q=navet", more_foods_first_by_name),
    ("cook", "/api/foods/?search=navet", more_foods),
    ("dietitian", "/nutrition/rules/", more_rule_sets),
    ("cook", "/api/rule-sets/", more_rule_sets),
    ("dietitian", "/nutrition/rules/{rule_set}/", more_rules),
    ("dietitian", "/nutrition/rules/{rule_set}/history/", more_rule_changes),
    ("dietitian", "/nutrition/rules/{rule_set}/", more_rule_set_users),
    ("dietitian", "/nutrition/dishes/{dish}/", more_dish_overrides),
    ("cook", "/menus/{kitchen}/?start=2027-01-04&weeks=2", more_courses),
    ("dietitian", "/menus/{kitchen}/compliance/?start=2027-01-04&weeks=2", more_courses_counted),
    ("cook", "/menus/{kitchen}/scdl.csv?start=2027-01-04&weeks=2", more_courses),
    ("cook", "/api/meals/", more_courses),
    ("cook", "/menus/meals/{meal}/main/", more_dishes_first_by_name),
    ("manager", "/canteens/{kitchen}/", more_satellites),
    ("manager", "/api/canteens/", more_satellites),
    ("manager", "/purchases/import/", more_import_batches),
    ("manager", "/canteens/{kitchen}/local/", more_territories),
    ("dietitian", "/nutrition/rules/{rule_set}/nutrients/", more_portions),
    ("producer", "/api/my-orders/{portal_order}/", more_portal_order_lines),
    ("manager", "/purchases/shares/?year=2025&table=canteen", more_suppliers),
    ("manager", "/purchases/shares/?year=2025&table=supplier", more_top_suppliers),
    ("manager", "/purchases/export.csv?year=2025", more_supplied_purchases),
    ("manager", "/orders/{kitchen}/purchase-orders/", more_invoiced_orders),
    ("manager", "/api/purchase-orders/", more_invoiced_orders),
    ("cook", "/orders/purchase-orders/{order}/", more_order_events),
    ("producer", "/orders/portal/", more_answered_portal_history),
    ("producer", "/api/my-orders/", more_answered_portal_orders),
    ("cook", "/orders/consultations/{consultation}/", more_sourcing_producers),
    ("cook", "/nutrition/dishes/{dish}/", more_ingredients),
    ("cook", "/api/dishes/{dish}/", more_ingredients),
    ("manager", "/purchases/?year=2025", more_ledger_links),
    ("manager", "/api/purchases/", more_ledger_links),
    ("cook", "/producers/", more_producers_with_offers),
    ("manager", "/purchases/shares/?canteen={kitchen}&year={next_year}", more_group_purchases),
    (
        "manager",
        "/purchases/shares/report.pdf?canteen={kitchen}&year={next_year}",
        more_group_purchases,
    ),
    ("cook", "/orders/purchase-orders/{order}/pdf/", more_order_lines),
    ("cook", "/menus/{kitchen}/week.pdf?start=2027-01-04", more_courses_of_the_week),
    ("cook", "/orders/consultations/{consultation}/report.pdf", more_awarded_answers),
    (
        "manager",
        "/api/purchase-shares/?canteen={kitchen}&year={next_year}",
        more_group_purchases_api,
    ),
    (
        "cook",
        "/api/meals/compliance/?canteen={kitchen}&start=2027-01-04&end=2027-01-17",
        more_courses_iso,
    ),
    ("cook", "/orders/runs/{run}/accept/", more_allocation_lines_to_amend),
    ("cook", "/api/allocation-runs/{run}/acceptance/", more_allocation_lines_to_amend),
    ("cook", "/api/rule-sets/{rule_set}/", more_rules),
    ("dietitian", "/nutrition/rules/{rule_set}/edit/", more_rules),
    ("dietitian", "/nutrition/dishes/{dish}/edit/", more_ingredients),
    ("producer", "/api/my-consultations/{consultation}/", more_items),
]


def _change_link(add, model):
    """``add``, then the admin's link to the last row made (a list of runs names no run)."""

    def more(world, n) -> str:
        add(world, n)
        return f"/{model.objects.latest('pk').pk}/change/"

    more.__name__ = add.__name__
    return more


# The satellite's own staff: the kitchen's menus and catalogue, read from the satellite.
CASES += [
    ("satellite", "/menus/{kitchen}/?start=2027-01-04&weeks=2", more_courses),
    ("satellite", "/api/meals/", more_courses),
    ("satellite", "/nutrition/dishes/", more_dishes),
    ("satellite", "/nutrition/rules/", more_rule_sets),
]

# The admin's lists (staff only): the outbox of notifications and what support looks up.
CASES += [
    ("admin", f"/admin/{path}/", add)
    for path, add in [
        ("orders/notification", more_notifications),
        ("orders/invoice", more_invoiced_producers),
        ("orders/purchaseorder", more_order_producers),
        ("orders/consultation", more_consultations),
        ("orders/answer", more_answers),
        ("orders/need", more_needs),
        ("producers/offer", more_offers),
        ("producers/producer", more_producers),
        ("purchases/purchase", more_ledger_links),
        ("purchases/importbatch", more_import_batches),
        ("nutrition/dish", more_dishes),
        ("nutrition/ruleset", more_rule_sets),
        ("nutrition/food", more_foods),
        ("cantine/canteen", more_satellites),
        ("nutrition/tagoverride", more_tag_overrides),
        ("menus/meal", more_courses_counted),
        ("menus/planrun", _change_link(more_plan_runs, PlanRun)),
        ("orders/allocationrun", _change_link(more_allocation_runs, AllocationRun)),
    ]
]


@pytest.mark.parametrize(
    ("role", "url", "add"), CASES, ids=[f"{c[0]}:{c[1]}:{c[2].__name__}" for c in CASES]
)
def test_a_list_asks_the_same_for_50_rows_as_for_1(
    role, url, add, client, world, django_assert_max_num_queries
):
    if role == "admin":
        world.users["admin"] = UserFactory(username="admin", is_staff=True, is_superuser=True)
    if role == "satellite":  # the satellite's own staff read what their kitchen serves them
        world.users["satellite"] = UserFactory(username="satellite_staff")
        for staff in (Role.COOK, Role.DIETITIAN):
            MembershipFactory(user=world.users["satellite"], canteen=world.satellite, role=staff)
    client.force_login(world.users[role])
    add(world, 1)
    url = url.format(
        kitchen=world.kitchen.pk,
        order=_first_order(world).pk if "{order}" in url else "",
        consultation=_first_consultation(world).pk if "{consultation}" in url else "",
        next_year=NEXT_YEAR,
        run=_run(world).pk if "{run}" in url else "",
        portal_order=_portal_order(world).pk if "{portal_order}" in url else "",
        dish=_dish_of(world).pk if "{dish}" in url else "",
        rule_set=_rule_set(world).pk if "{rule_set}" in url else "",
        meal=Meal.objects.get_or_create(canteen=world.kitchen, date=MONDAY)[0].pk
        if "{meal}" in url
        else "",
    )
    client.get(url)  # caches warmed (content types, sessions) as in a running server
    # Both reads are cache misses (the kitchen's planner catalogue, keyed by a fingerprint of
    # its rows, misses anyway once rows are added): the worst case is the one compared.
    cache.clear()
    with_one = queries(client, url)
    last = add(world, 49)
    cache.clear()
    with django_assert_max_num_queries(with_one):
        response = client.get(url)
        body = content(response)
    assert response.status_code == 200
    assert last in body  # the fifty rows are listed, not a page of one
