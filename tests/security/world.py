"""The world every security test probes: two canteens, a satellite, two producers.

- a central kitchen (cook, dietitian, manager) cooking for one satellite, with its dishes,
  meals, needs, an allocation run, a plan run, a purchase order to the first producer, ledger
  lines and an import batch;
- staff of the satellite only (one user, cook and dietitian there);
- another canteen (one user holding every staff role there) with its own dish, order and line;
- two producers, each with a user, an offer and an order of its own.

The objects named in URLs are always the kitchen's or the first producer's: the other users
must get 404 (ids of others cannot be probed) or 403 (a role they lack).
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from cantine.models import Canteen, Role
from menus.models import Meal, MealDish, PlanRun
from nutrition.models import Dish, DishIngredient, Food, RuleSet
from orders.models import (
    AllocationRun,
    Answer,
    AnswerLine,
    Consultation,
    ConsultationItem,
    Invoice,
    Need,
    PurchaseOrder,
    PurchaseOrderLine,
)
from producers.models import Offer
from purchases.models import ImportBatch, Purchase
from tests.factories import (
    CanteenFactory,
    CommuneFactory,
    DepartmentFactory,
    MembershipFactory,
    ProducerFactory,
    ProducerMemberFactory,
    RegionFactory,
    UserFactory,
)

MONDAY = date(2027, 1, 4)
ROLES = (
    "anonymous",
    "cook",
    "dietitian",
    "manager",
    "producer",
    "other_canteen",
    "satellite",
    "other_producer",
)


@dataclass
class SecurityWorld:
    kitchen: Canteen
    satellite: Canteen
    other_canteen: Canteen
    users: dict = field(default_factory=dict)  # role name (ROLES) -> user; anonymous absent
    objects: dict = field(default_factory=dict)  # name -> the kitchen's or producer's object
    others: dict = field(default_factory=dict)  # name -> the other canteen's or producer's


def _food(code: str, name: str) -> Food:
    return Food.objects.create(
        code=code, name=name, search_name=name.lower(), group_code="02", subgroup_name="légumes"
    )


def _dish(kitchen: Canteen, name: str, food: Food) -> Dish:
    dish = Dish.objects.create(kitchen=kitchen, name=name, component="main")
    DishIngredient.objects.create(dish=dish, food=food, position=0, grams_elementaire=100)
    return dish


def _offer(producer, food: Food) -> Offer:
    return Offer.objects.create(
        producer=producer,
        food=food,
        product_label=food.name,
        pack_size=Decimal("5"),
        unit_price=Decimal("1.20"),
        labels=["BIO"],
        valid_from=date(2026, 1, 1),
    )


def _order(canteen: Canteen, offer: Offer, need: Need | None = None) -> PurchaseOrder:
    order = PurchaseOrder.objects.create(
        canteen=canteen,
        producer=offer.producer,
        delivery_date=MONDAY,
        status=PurchaseOrder.Status.SENT,
        goods_total=Decimal("12.00"),
    )
    PurchaseOrderLine.objects.create(
        order=order,
        offer=offer,
        need=need,
        week=MONDAY,
        product_label=offer.product_label,
        unit=offer.unit,
        pack_size=offer.pack_size,
        labels=offer.labels,
        packs=2,
        quantity=Decimal("10"),
        unit_price=offer.unit_price,
        total=Decimal("12.00"),
    )
    return order


def build_world() -> SecurityWorld:
    angers = CommuneFactory()
    region = RegionFactory(code="84", name="Auvergne-Rhône-Alpes")
    drome = DepartmentFactory(code="26", name="Drôme", region=region)
    valence = CommuneFactory(
        code="26362", name="Valence", department=drome, latitude=44.93, longitude=4.89
    )
    kitchen = CanteenFactory(name="Cuisine centrale", kind=Canteen.Kind.CENTRAL_KITCHEN)
    satellite = CanteenFactory(
        name="École satellite", kind=Canteen.Kind.SATELLITE, central_kitchen=kitchen
    )
    other = CanteenFactory(name="Cantine de Valence", commune=valence)
    world = SecurityWorld(kitchen, satellite, other)

    users = world.users
    for role in (Role.COOK, Role.DIETITIAN, Role.MANAGER):
        users[role.value] = MembershipFactory(
            user=UserFactory(username=f"kitchen_{role.value}"), canteen=kitchen, role=role
        ).user
    users["satellite"] = UserFactory(username="satellite_staff")
    for role in (Role.COOK, Role.DIETITIAN):
        MembershipFactory(user=users["satellite"], canteen=satellite, role=role)
    users["other_canteen"] = UserFactory(username="other_canteen_staff")
    for role in (Role.COOK, Role.DIETITIAN, Role.MANAGER):
        MembershipFactory(user=users["other_canteen"], canteen=other, role=role)
    producer = ProducerFactory(name="Les Jardins d'Angers", commune=angers, labels=["BIO"])
    other_producer = ProducerFactory(name="Vergers de Valence", commune=valence, labels=["BIO"])
    users["producer"] = ProducerMemberFactory(
        user=UserFactory(username="producer"), producer=producer
    ).user
    users["other_producer"] = ProducerMemberFactory(
        user=UserFactory(username="other_producer"), producer=other_producer
    ).user

    carrot, apple = _food("20009", "Carotte, crue"), _food("13039", "Pomme, crue")
    dish = _dish(kitchen, "Carottes braisées", carrot)
    meal = Meal.objects.create(canteen=kitchen, date=MONDAY)
    MealDish.objects.create(meal=meal, component="main", dish=dish)
    need = Need.objects.create(
        canteen=kitchen, food=carrot, week=MONDAY, delivery_date=MONDAY, computed_quantity=10
    )
    offer = _offer(producer, carrot)
    rule_set = RuleSet.objects.create(name="Règles de la cuisine", owner=kitchen)
    world.objects.update(
        producer=producer,
        food=carrot,
        dish=dish,
        meal=meal,
        need=need,
        offer=offer,
        rule_set=rule_set,
        order=_order(kitchen, offer, need),
        run=AllocationRun.objects.create(
            canteen=kitchen, start=MONDAY, end=date(2027, 1, 10), status="optimal", gap=None
        ),
        plan_run=PlanRun.objects.create(
            canteen=kitchen,
            start=MONDAY,
            end=date(2027, 1, 10),
            preset="cheapest",
            rule_set=rule_set,
            status="infeasible",
            conflicts=[{"locks": [{"date": "2027-01-04", "component": "main"}]}],
        ),
        purchase=Purchase.objects.create(
            canteen=kitchen,
            date=date(2026, 3, 14),
            description="Carottes",
            supplier="Les Jardins d'Angers",
            family="FRUITS_ET_LEGUMES",
            price_ht=Decimal("100.00"),
            source="manual",
        ),
        batch=ImportBatch.objects.create(canteen=kitchen, file_name="a.csv", sha256="0", rows=0),
    )
    other_offer = _offer(other_producer, apple)
    world.others.update(
        producer=other_producer,
        dish=_dish(other, "Compote", apple),
        offer=other_offer,
        order=_order(other, other_offer),
    )
    world.objects.update(_consultations(kitchen, producer, carrot, world.objects["order"]))
    return world


def _consultations(kitchen: Canteen, producer, food: Food, order: PurchaseOrder) -> dict:
    """An open consultation the first producer answered, an awarded one (its analysis
    report), and an invoice for the kitchen's order."""
    from datetime import datetime

    from django.utils import timezone

    def consultation(status, deadline):
        made = Consultation.objects.create(
            canteen=kitchen,
            title="Carottes",
            family="FRUITS_ET_LEGUMES",
            status=status,
            delivery_place="Cuisine centrale",
            answer_deadline=timezone.make_aware(datetime.combine(deadline, datetime.min.time())),
        )
        item = ConsultationItem.objects.create(
            consultation=made,
            food=food,
            quantity=Decimal(50),
            delivery_date=date(2027, 1, 7),
            estimated_unit_price=Decimal("1.5"),
        )
        answer = Answer.objects.create(consultation=made, lead=producer)
        answer.members.set([producer])
        AnswerLine.objects.create(
            answer=answer,
            item=item,
            producer=producer,
            unit_price=Decimal("1.4"),
            quantity=Decimal(20),
            awarded_quantity=Decimal(20) if status == Consultation.Status.AWARDED else None,
        )
        return made

    return {
        "consultation": consultation(Consultation.Status.PUBLISHED, date(2027, 1, 2)),
        "awarded_consultation": consultation(Consultation.Status.AWARDED, date(2026, 12, 1)),
        "invoice": Invoice.objects.create(
            order=order,
            number="F-TEST-1",
            issued_on=MONDAY,
            received_at=timezone.now(),
            due_on=date(2027, 2, 3),
            goods_total=Decimal(12),
            vat_rate=Decimal("5.5"),
            vat_total=Decimal("0.66"),
            total=Decimal("12.66"),
            pdf=b"%PDF-1.4 test",
            xml="<x/>",
        ),
    }
