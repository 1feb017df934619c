"""Plans that follow supply: a product a producer refused and nobody else can deliver is
repaired in the menus (the meals re-planned without it, every rule still met, the needs
recomputed); and a "most local" plan prefers what local producers deliver that week."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from menus import selectors as menu_selectors
from menus.instances import build_planning_problem, dish_key
from menus.models import Meal, MealDish, PlanRun
from menus.services import ensure_meals, plan_now, set_course
from nutrition.models import DishIngredient
from nutrition.selectors import rule_set_for
from orders import lifecycle, needs, repair
from orders.models import Need, OrderEvent, PurchaseOrder, PurchaseOrderLine
from tests.factories import ProducerFactory
from tests.menus.conftest import MONDAY, kitchen, school_rules  # noqa: F401 (fixtures)
from tests.orders.test_support import food, offer

FRIDAY = MONDAY + timedelta(days=4)


def give_recipe(dish, item, grams=120):
    DishIngredient.objects.create(dish=dish, food=item, position=0, grams_elementaire=grams)


@pytest.fixture
def fish(kitchen):  # noqa: F811
    """Colin in two fish mains, hake in the two others; the farm's colin is on Monday."""
    colin = food("26100", "Colin, filet, cru", group="04", subgroup="poissons crus")
    hake = food("26101", "Merlu, filet, cru", group="04", subgroup="poissons crus")
    mains = kitchen.catalogue["main"]
    colin_dishes = [d for d in mains if d.name.startswith("Dos de colin")][:2]
    hake_dishes = [d for d in mains if d.name.startswith("Dos de colin")][2:]
    for dish in colin_dishes:
        give_recipe(dish, colin)
    for dish in hake_dishes:
        give_recipe(dish, hake)
    return colin, hake, colin_dishes, hake_dishes


def plan_week(world, kitchen, colin_dish):  # noqa: F811
    """The cook locks colin on Monday and plans the rest of the week around it."""
    rule_set = rule_set_for(kitchen)
    ensure_meals(canteen=kitchen, start=MONDAY, end=FRIDAY)
    monday = Meal.objects.get(canteen=kitchen, date=MONDAY)
    set_course(meal=monday, component="main", dish=colin_dish, locked=True)
    run = plan_now(canteen=kitchen, start=MONDAY, end=FRIDAY, preset="cheapest", rule_set=rule_set)
    assert run.status in PlanRun.SOLVED
    return rule_set


def refused_colin(world, kitchen, colin, other_supplier=None):  # noqa: F811
    """The week's needs computed; the farm is asked Monday's colin (or any product) and
    refuses it all."""
    needs.compute_needs(kitchen=kitchen, start=MONDAY, end=FRIDAY)
    need = next(
        n
        for n in Need.objects.filter(canteen=kitchen, food=colin)
        if MONDAY.isoformat() in {source["date"] for source in n.sources}
    )
    farm_offer = offer(world.producer, colin, price="14.00", pack=1, capacity=50)
    if other_supplier is not None:
        offer(other_supplier, colin, price="15.00", pack=1, capacity=50)
    order = PurchaseOrder.objects.create(
        canteen=kitchen, producer=world.producer, delivery_date=need.delivery_date
    )
    packs = int(need.quantity.to_integral_value()) + 1
    line = PurchaseOrderLine.objects.create(
        order=order,
        offer=farm_offer,
        need=need,
        week=need.week,
        packs=packs,
        quantity=Decimal(packs),
        unit_price=farm_offer.unit_price,
        total=farm_offer.unit_price * packs,
    )
    lifecycle.send_order(order=order, actor=world.users["cook"])
    lifecycle.answer_line(
        line=line, packs=0, actor=world.users["producer"], reason="pas de pêche cette semaine"
    )
    line.refresh_from_db()
    return line


def served(kitchen):  # noqa: F811
    return {
        (c.meal.date, c.component): c.dish
        for c in MealDish.objects.filter(meal__canteen=kitchen).select_related("meal", "dish")
    }


def test_a_refusal_nobody_else_can_supply_is_repaired_in_the_menus_and_the_needs(
    world,
    kitchen,  # noqa: F811
    fish,
    django_capture_on_commit_callbacks,
):
    colin, hake, colin_dishes, _hake_dishes = fish
    rule_set = plan_week(world, kitchen, colin_dishes[0])
    line = refused_colin(world, kitchen, colin)
    before = served(kitchen)
    uses_colin = {d.pk for d in colin_dishes}
    colin_days = sorted({day for (day, _c), dish in before.items() if dish.pk in uses_colin})
    assert MONDAY in colin_days
    [shortage] = repair.shortages(kitchen, start=MONDAY, end=FRIDAY)
    assert shortage.line == line and shortage.meals == colin_days
    assert colin_dishes[0].name in shortage.dishes

    with django_capture_on_commit_callbacks(execute=True):
        run = repair.request_menu_repair(line=line, actor=world.users["cook"])
    run.refresh_from_db()

    assert run.status in PlanRun.SOLVED, run.conflicts
    after = served(kitchen)
    assert not any(d.pk in uses_colin for d in after.values())  # nobody can deliver it
    # Only the meals with colin changed; the other meals of the week are as they were.
    assert {k: v for k, v in after.items() if k[0] not in colin_days} == {
        k: v for k, v in before.items() if k[0] not in colin_days
    }
    # As little as it can: only the courses that held colin changed.
    assert {k for k in after if after[k] != before[k]} == {
        k for k, dish in before.items() if dish.pk in uses_colin
    }
    report = menu_selectors.compliance(kitchen, MONDAY, FRIDAY, rule_set)
    assert report.ok, report.describe()
    # The needs follow: no colin to buy any more; the replacement's products are needed.
    assert not Need.objects.filter(canteen=kitchen, food=colin).exists()
    new_main = after[(MONDAY, "main")]
    for ingredient in new_main.ingredients.all():
        assert Need.objects.filter(canteen=kitchen, food=ingredient.food).exists()
    event = OrderEvent.objects.get(order=line.order, action="menus_repaired")
    assert event.after["run"] == run.pk and event.after["courses"] >= 1
    assert "Colin" in event.describe()
    assert repair.shortages(kitchen, start=MONDAY, end=FRIDAY) == []  # nothing left to repair


def test_no_repair_without_breaking_a_rule_is_refused_with_the_reason(
    world,
    kitchen,  # noqa: F811
    fish,
    django_capture_on_commit_callbacks,
):
    colin, hake, colin_dishes, hake_dishes = fish
    for dish in hake_dishes:  # now every fish dish holds colin: rule 9 cannot hold
        give_recipe(dish, colin, grams=10)
    plan_week(world, kitchen, colin_dishes[0])
    # Monday's colin is the week's only fish (rule 9 asks 1 in 5 meals): a chicken elsewhere.
    fish_mains = {d.pk for d in colin_dishes + hake_dishes}
    chickens = [d for d in kitchen.catalogue["main"] if d.name.startswith("Poulet")]
    unused = [d for d in chickens if d not in served(kitchen).values()]
    for meal in Meal.objects.filter(canteen=kitchen, date__gt=MONDAY, date__lte=FRIDAY):
        course = meal.courses.get(component="main")
        if course.dish_id in fish_mains:
            set_course(meal=meal, component="main", dish=unused.pop())
    line = refused_colin(world, kitchen, colin)
    before = served(kitchen)
    with django_capture_on_commit_callbacks(execute=True):
        run = repair.request_menu_repair(line=line, actor=world.users["cook"])
    run.refresh_from_db()
    assert run.status == PlanRun.Status.INFEASIBLE
    assert any("supply" in c["other"] for c in run.conflicts), run.conflicts
    assert any("gemrcn-9" in c["rules"] for c in run.conflicts)
    assert served(kitchen) == before  # nothing written
    assert not OrderEvent.objects.filter(action="menus_repaired").exists()
    [shortage] = repair.shortages(kitchen, start=MONDAY, end=FRIDAY)
    assert shortage.run == run  # the card shows why


def test_nothing_to_repair_while_another_producer_can_supply(
    world,
    kitchen,  # noqa: F811
    fish,
):
    colin, _hake, colin_dishes, _ = fish
    plan_week(world, kitchen, colin_dishes[0])
    backup = ProducerFactory(name="Mareyeur", commune=world.producer.commune, delivery_weekdays=[])
    line = refused_colin(world, kitchen, colin, other_supplier=backup)
    assert repair.shortages(kitchen) == []
    with pytest.raises(ValidationError, match="another producer|autre producteur"):
        repair.request_menu_repair(line=line, actor=world.users["cook"])
    assert not PlanRun.objects.filter(repair__line=line.pk).exists()


def test_the_cook_repairs_in_one_click_from_the_needs_page(
    client,
    world,
    kitchen,  # noqa: F811
    fish,
    django_capture_on_commit_callbacks,
):
    colin, _hake, colin_dishes, _ = fish
    plan_week(world, kitchen, colin_dishes[0])
    line = refused_colin(world, kitchen, colin)
    page = reverse("orders_needs", args=[kitchen.pk]) + f"?start={MONDAY}&weeks=1"
    url = reverse("orders_repair_menus", args=[line.pk])
    client.force_login(world.users["manager"])
    assert url not in client.get(page).content.decode()  # the manager reads, does not repair
    assert client.post(url).status_code == 403
    client.force_login(world.users["cook"])
    html = client.get(page).content.decode()
    assert url in html and "Colin" in html
    calendar = reverse("menu_calendar", args=[kitchen.pk]) + f"?start={MONDAY}&weeks=1"
    assert url in client.get(calendar).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    assert response.url.endswith(f"?start={MONDAY}&weeks=1")
    html = client.get(response.url).content.decode()
    assert url not in html  # repaired: no card any more
    assert not any(c.dish in colin_dishes for c in MealDish.objects.filter(meal__date=MONDAY))


@pytest.mark.parametrize("big", ["colin", "hake"])
def test_a_most_local_plan_follows_what_local_producers_can_deliver(
    world,
    kitchen,  # noqa: F811
    fish,
    big,
):
    colin, hake, colin_dishes, hake_dishes = fish
    # One local product comes with room for the 100 covers (12 kg), the other's week is too
    # small; then the other way round.
    plenty, scarce = (colin, hake) if big == "colin" else (hake, colin)
    local, short = (colin_dishes, hake_dishes) if big == "colin" else (hake_dishes, colin_dishes)
    offer(world.producer, plenty, price="14.00", pack=1, capacity=40)
    offer(world.producer, scarce, price="14.00", pack=1, capacity=5)
    ensure_meals(canteen=kitchen, start=MONDAY, end=FRIDAY)
    problem = build_planning_problem(
        canteen=kitchen,
        start=MONDAY,
        end=FRIDAY,
        rule_set=rule_set_for(kitchen),
        preset="most_local",
        keep_existing=False,
    )
    supply = problem.instance.meals[0].local_supply
    assert supply[dish_key(local[0].pk)] == 1.0  # 12 kg: within 40 kg
    assert supply[dish_key(short[0].pk)] == 0.0  # 12 kg: more than 5 kg
    assert dish_key(kitchen.catalogue["main"][-1].pk) not in supply  # no recipe: its own share
    run = plan_now(
        canteen=kitchen,
        start=MONDAY,
        end=FRIDAY,
        preset="most_local",
        rule_set=rule_set_for(kitchen),
    )
    assert run.status in PlanRun.SOLVED
    mains = {c.dish_id for c in MealDish.objects.filter(meal__canteen=kitchen, component="main")}
    assert {d.pk for d in local} <= mains  # each dish the local producers can deliver


def test_what_the_reallocation_found_nowhere_is_offered_for_repair(
    world,
    kitchen,  # noqa: F811
    fish,
):
    from orders.reallocation import reallocate_refusals

    colin, _hake, colin_dishes, _ = fish
    plan_week(world, kitchen, colin_dishes[0])
    line = refused_colin(world, kitchen, colin)
    assert (
        reallocate_refusals(order=line.order, actor=world.users["cook"]) == []
    )  # nobody else has colin
    [shortage] = repair.shortages(kitchen)
    assert shortage.line == line


def test_a_repair_changes_the_rest_of_a_meal_only_when_the_rules_need_it(
    world,
    kitchen,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    """Monday's flan is the week's only dairy dessert or yoghurt (rule 7 asks one in five
    meals) and every flan holds the milk nobody can deliver: no other dessert keeps rule 7,
    so the repair also changes Monday's dairy course (a yoghurt)."""
    milk = food("19042", "Lait entier", group="07", subgroup="laits")
    catalogue = kitchen.catalogue
    flans = [d for d in catalogue["dessert"] if d.name.startswith("Flan")]
    for dish in flans:
        give_recipe(dish, milk)
    ensure_meals(canteen=kitchen, start=MONDAY, end=FRIDAY)
    monday = Meal.objects.get(canteen=kitchen, date=MONDAY)
    set_course(meal=monday, component="dessert", dish=flans[0], locked=True)
    rule_set = rule_set_for(kitchen)
    plan_now(canteen=kitchen, start=MONDAY, end=FRIDAY, preset="cheapest", rule_set=rule_set)
    yoghurts = {d.pk for d in catalogue["dairy"] if d.name.startswith("Yaourt")}
    cheeses = [d for d in catalogue["dairy"] if d.name.startswith("Emmental")]
    apples = [d for d in catalogue["dessert"] if d.name.startswith("Pomme")]
    in_use = set(served(kitchen).values())
    cheeses = [d for d in cheeses if d not in in_use]
    apples = [d for d in apples if d not in in_use]
    for meal in Meal.objects.filter(canteen=kitchen, date__range=(MONDAY, FRIDAY)):
        for course in meal.courses.all():
            if course.component == "dairy" and course.dish_id in yoghurts:
                set_course(meal=meal, component="dairy", dish=cheeses.pop())
            if course.meal.date != MONDAY and course.dish in flans:
                set_course(meal=meal, component="dessert", dish=apples.pop())
    assert menu_selectors.compliance(kitchen, MONDAY, FRIDAY, rule_set).ok
    line = refused_colin(world, kitchen, milk)
    before = served(kitchen)
    with django_capture_on_commit_callbacks(execute=True):
        run = repair.request_menu_repair(line=line, actor=world.users["cook"])
    run.refresh_from_db()
    assert run.status in PlanRun.SOLVED, run.conflicts
    after = served(kitchen)
    assert after[(MONDAY, "dessert")] not in flans
    assert after[(MONDAY, "dairy")].pk in yoghurts
    assert {k: v for k, v in after.items() if k[0] != MONDAY} == {
        k: v for k, v in before.items() if k[0] != MONDAY
    }
    assert menu_selectors.compliance(kitchen, MONDAY, FRIDAY, rule_set).ok
