"""Growers of the kitchen's lists: dishes, courses, rule sets, foods, satellites, territories,
portions, purchases, imports, suppliers, order events and the portal's history."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from cantine.models import CoverForecast, Role, Territory
from menus.models import Meal, MealDish
from nutrition.models import (
    CanteenRuleSet,
    Component,
    DishIngredient,
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
    Consultation,
    OrderEvent,
    PurchaseOrder,
)
from purchases.models import ImportBatch, Purchase
from tests.factories import CanteenFactory, MembershipFactory, ProducerFactory, UserFactory
from tests.purchases.factories import PurchaseFactory
from tests.query_counts.growers_consultations import more_invoices
from tests.query_counts.support import (
    MONDAY,
    _answer,
    _consultation,
    _dish,
    _dish_of,
    _first_by_name,
    _first_consultation,
    _first_order,
    _food,
    _line,
    _offer,
    _orders,
    _rule_set,
    _serial,
)


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
