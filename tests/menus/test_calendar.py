"""The cook's calendar: meals, swaps, locks, closed days, copies, and live compliance."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cantine import solver_runs
from menus import services
from menus.models import Meal, MealDish, PlanRun
from menus.selectors import compliance
from tests.menus.conftest import MONDAY
from tests.pdf import pdf_text


def calendar_url(canteen, start=MONDAY, weeks=4):
    return reverse("menu_calendar", kwargs={"pk": canteen.pk}) + f"?start={start}&weeks={weeks}"


def test_reading_the_calendar_writes_nothing_and_the_cook_opens_the_period(client, kitchen):
    client.force_login(kitchen.memberships.get(role="cook").user)
    response = client.get(calendar_url(kitchen))
    assert response.status_code == 200
    assert not Meal.objects.filter(canteen=kitchen).exists()
    assert len(response.context["weeks"]) == 4 and response.context["unopened"] == 20
    assert "20 jours de service de ces semaines n’ont pas encore de repas" in (
        response.content.decode()
    )

    opened = client.post(calendar_url(kitchen))

    assert opened.status_code == 302 and opened.url == calendar_url(kitchen)
    meals = Meal.objects.filter(canteen=kitchen)
    assert meals.count() == 20
    assert {m.date.weekday() for m in meals} == {0, 1, 2, 3, 4}
    assert client.get(calendar_url(kitchen)).context["unopened"] == 0


def test_the_days_to_open_leave_out_the_holidays(client, kitchen):
    """Over Christmas the calendar offers the ten school days, not the holidays beside them
    (the demo said "20 jours de service … n'ont pas encore de repas" on a month with 15)."""
    from datetime import date

    client.force_login(kitchen.memberships.get(role="cook").user)
    url = calendar_url(kitchen, start=date(2026, 12, 7), weeks=4)
    response = client.get(url)
    assert response.context["unopened"] == 10
    assert "10 jours de service de ces semaines" in response.content.decode()

    client.post(url)
    meals = Meal.objects.filter(canteen=kitchen)
    assert meals.filter(closed=False).count() == 10 and meals.filter(closed=True).count() == 10
    assert client.get(url).context["unopened"] == 0


def test_only_the_cook_opens_a_period(client, world, kitchen):
    for role in ("dietitian", "manager"):
        client.force_login(world.users[role])
        assert client.post(calendar_url(kitchen)).status_code == 403
    assert not Meal.objects.exists()


def test_satellite_staff_land_on_the_kitchens_menus(client, world, kitchen):
    client.force_login(world.users["dietitian"])
    response = client.get(reverse("menu_calendar", kwargs={"pk": world.satellite.pk}))
    assert response.status_code == 302
    assert response.url == reverse("menu_calendar", kwargs={"pk": kitchen.pk})


def test_swapping_a_dish_changes_the_compliance_at_once(client, world, kitchen):
    client.force_login(world.users["cook"])
    client.post(calendar_url(kitchen, weeks=1))
    monday = Meal.objects.get(canteen=kitchen, date=MONDAY)
    fish, beef = kitchen.catalogue["main"][0], kitchen.catalogue["main"][4]
    url = reverse("menu_set_course", kwargs={"meal_pk": monday.pk, "component": "main"})

    response = client.post(url, {"dish": fish.pk, "start": MONDAY, "weeks": 1})
    assert response.status_code == 200
    fish_rule = response.context["report"].rule("gemrcn-9")
    assert fish_rule.meals_counted == [MONDAY]

    response = client.post(url, {"dish": beef.pk, "start": MONDAY, "weeks": 1})
    assert response.context["report"].rule("gemrcn-9").meals_counted == []
    assert response.context["report"].rule("gemrcn-8").meals_counted == [MONDAY]
    assert MealDish.objects.get(meal=monday, component="main").dish == beef


def test_htmx_edits_answer_with_the_calendar_fragment(client, world, kitchen):
    client.force_login(world.users["cook"])
    client.post(calendar_url(kitchen, weeks=1))
    monday = Meal.objects.get(canteen=kitchen, date=MONDAY)
    url = reverse("menu_set_course", kwargs={"meal_pk": monday.pk, "component": "main"})
    dish = kitchen.catalogue["main"][0]
    response = client.post(
        url, {"dish": dish.pk, "start": MONDAY, "weeks": 1}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="calendar"')
    assert "<html" not in html
    assert dish.name in html


def test_a_dish_of_another_course_is_refused(client, world, kitchen):
    client.force_login(world.users["cook"])
    client.post(calendar_url(kitchen, weeks=1))
    monday = Meal.objects.get(canteen=kitchen, date=MONDAY)
    dessert = kitchen.catalogue["dessert"][0]
    url = reverse("menu_set_course", kwargs={"meal_pk": monday.pk, "component": "main"})
    response = client.post(url, {"dish": dessert.pk})
    assert response.status_code == 400
    assert not MealDish.objects.filter(meal=monday).exists()


def test_a_dish_of_another_kitchen_is_not_found(client, world, kitchen):
    from tests.menus.conftest import make_catalogue

    other_dishes = make_catalogue(world.other_canteen)
    client.force_login(world.users["cook"])
    client.post(calendar_url(kitchen, weeks=1))
    monday = Meal.objects.get(canteen=kitchen, date=MONDAY)
    url = reverse("menu_set_course", kwargs={"meal_pk": monday.pk, "component": "main"})
    assert client.post(url, {"dish": other_dishes["main"][0].pk}).status_code == 404


def test_repeated_dish_is_flagged_next_to_the_meal(client, world, kitchen):
    services.ensure_meals(canteen=kitchen, start=MONDAY, end=MONDAY + timedelta(days=4))
    fish = kitchen.catalogue["main"][0]
    for day in (MONDAY, MONDAY + timedelta(days=1)):
        services.set_course(
            meal=Meal.objects.get(canteen=kitchen, date=day), component="main", dish=fish
        )
    client.force_login(world.users["manager"])
    response = client.get(calendar_url(kitchen, weeks=1))
    tuesday = response.context["weeks"][0].days[1]
    assert "repeat" in tuesday.problems
    assert response.context["can_edit"] is False


def test_closing_a_day_removes_its_courses_and_skips_it(client, world, kitchen):
    services.ensure_meals(canteen=kitchen, start=MONDAY, end=MONDAY + timedelta(days=4))
    monday = Meal.objects.get(canteen=kitchen, date=MONDAY)
    services.set_course(meal=monday, component="main", dish=kitchen.catalogue["main"][0])
    client.force_login(world.users["cook"])
    client.post(reverse("menu_toggle_closed", kwargs={"meal_pk": monday.pk}))
    monday.refresh_from_db()
    assert monday.closed and not monday.courses.exists()
    report = compliance(
        kitchen, MONDAY, MONDAY + timedelta(days=4), kitchen.rule_set_assignment.rule_set
    )
    assert report.meals == 0


def test_copy_week_repeats_the_menus_unlocked(client, world, kitchen):
    services.ensure_meals(canteen=kitchen, start=MONDAY, end=MONDAY + timedelta(days=4))
    for offset, dish in enumerate(kitchen.catalogue["main"][:5]):
        meal = Meal.objects.get(canteen=kitchen, date=MONDAY + timedelta(days=offset))
        services.set_course(meal=meal, component="main", dish=dish, locked=True)
    client.force_login(world.users["cook"])
    target = MONDAY + timedelta(days=14)
    response = client.post(
        reverse("menu_copy_week", kwargs={"pk": kitchen.pk}), {"source": MONDAY, "target": target}
    )
    assert response.status_code == 200
    copied = MealDish.objects.filter(meal__canteen=kitchen, meal__date__gte=target)
    assert copied.count() == 5 and not copied.filter(locked=True).exists()


def test_copy_week_never_replaces_menus_already_served(world, kitchen):
    """The week copied onto began on Monday and today is Wednesday: Monday and Tuesday were
    served and keep their dishes; a week wholly past is refused."""
    target = MONDAY + timedelta(days=14)
    services.ensure_meals(canteen=kitchen, start=MONDAY, end=target + timedelta(days=4))
    dishes = kitchen.catalogue["main"]
    for offset in range(5):
        source = Meal.objects.get(canteen=kitchen, date=MONDAY + timedelta(days=offset))
        services.set_course(meal=source, component="main", dish=dishes[0])
        served = Meal.objects.get(canteen=kitchen, date=target + timedelta(days=offset))
        services.set_course(meal=served, component="main", dish=dishes[1])
    wednesday = target + timedelta(days=2)

    copied = services.copy_week(
        canteen=kitchen, source_monday=MONDAY, target_monday=target, today=wednesday
    )

    assert copied == 3
    mains = dict(
        MealDish.objects.filter(meal__canteen=kitchen, meal__date__gte=target).values_list(
            "meal__date", "dish"
        )
    )
    assert [mains[target + timedelta(days=d)] for d in range(5)] == [
        dishes[1].pk,
        dishes[1].pk,
        dishes[0].pk,
        dishes[0].pk,
        dishes[0].pk,
    ]
    with pytest.raises(ValidationError, match="04/01/2027"):
        services.copy_week(
            canteen=kitchen,
            source_monday=target,
            target_monday=MONDAY,
            today=wednesday,
        )


def test_copy_week_refuses_a_day_that_is_not_a_monday(client, world, kitchen):
    client.force_login(world.users["cook"])
    response = client.post(
        reverse("menu_copy_week", kwargs={"pk": kitchen.pk}),
        {"source": MONDAY, "target": MONDAY + timedelta(days=2)},
    )
    assert response.status_code == 400


@pytest.mark.django_db(transaction=True)
def test_plan_fills_an_empty_month_that_meets_every_rule(client, world, kitchen):
    client.force_login(world.users["cook"])
    client.post(calendar_url(kitchen))
    locked_fish = kitchen.catalogue["main"][1]
    first_meal = Meal.objects.get(canteen=kitchen, date=MONDAY + timedelta(days=2))
    services.set_course(meal=first_meal, component="main", dish=locked_fish, locked=True)

    response = client.post(
        reverse("menu_plan", kwargs={"pk": kitchen.pk}),
        {"preset": "lowest_carbon", "keep_existing": "on", "start": MONDAY, "weeks": 4},
    )
    assert response.status_code == 200
    run = PlanRun.objects.get()
    assert run.status in {"optimal", "feasible"}, run.conflicts
    assert run.changed_slots == 20 * 5 - 1
    assert MealDish.objects.get(meal=first_meal, component="main").dish == locked_fish
    report = compliance(
        kitchen, MONDAY, MONDAY + timedelta(days=27), kitchen.rule_set_assignment.rule_set
    )
    assert report.meals == 20
    assert report.ok, report.describe()


@pytest.mark.django_db(transaction=True)
def test_contradictory_locks_are_explained(client, world, kitchen):
    """Five friands locked as starters break 'at most 4 fatty starters in 20 meals'."""
    client.force_login(world.users["cook"])
    client.post(calendar_url(kitchen))
    friands = kitchen.catalogue["entree"][-3:]
    # Meals 0, 1, 2, 10, 11: no friand comes back within 10 meals, but five is one too many.
    for index, friand in zip((0, 1, 2, 10, 11), friands + friands[:2], strict=True):
        day = MONDAY + timedelta(days=7 * (index // 5) + index % 5)
        meal = Meal.objects.get(canteen=kitchen, date=day)
        services.set_course(meal=meal, component="entree", dish=friand, locked=True)
    client.post(
        reverse("menu_plan", kwargs={"pk": kitchen.pk}),
        {"preset": "cheapest", "start": MONDAY, "weeks": 4},
    )
    run = PlanRun.objects.get()
    assert run.status == "infeasible"
    named = {rule for conflict in run.conflicts for rule in conflict["rules"]}
    assert "gemrcn-11" in named, run.conflicts
    index = next(i for i, c in enumerate(run.conflicts) if len(c["locks"]) == 5)
    assert not MealDish.objects.filter(locked=False).exists()

    # The cook relaxes the conflict: the five friands are unlocked, then the month is planned again.
    url = reverse("menu_release_locks", kwargs={"run_pk": run.pk, "index": index})
    client.force_login(world.users["dietitian"])
    assert client.post(url).status_code == 403
    client.force_login(world.users["cook"])
    response = client.post(url)
    assert response["HX-Trigger"] == "menusChanged"
    assert not MealDish.objects.filter(component="entree").exists()
    client.post(
        reverse("menu_plan", kwargs={"pk": kitchen.pk}),
        {"preset": "cheapest", "keep_existing": "on", "start": MONDAY, "weeks": 4},
    )
    assert PlanRun.objects.latest("created_at").status in {"optimal", "feasible"}


@pytest.mark.django_db(transaction=True)
def test_freeing_conflicting_dishes_empties_their_courses(world, kitchen):
    services.ensure_meals(canteen=kitchen, start=MONDAY, end=MONDAY + timedelta(days=4))
    meal = Meal.objects.get(canteen=kitchen, date=MONDAY)
    services.set_course(meal=meal, component="entree", dish=kitchen.catalogue["entree"][-1])
    services.set_course(meal=meal, component="main", dish=kitchen.catalogue["main"][0], locked=True)
    locks = [
        {"date": MONDAY.isoformat(), "component": "entree"},
        {"date": MONDAY.isoformat(), "component": "main"},
    ]
    assert services.release_locks(canteen=kitchen, locks=locks) == 2
    assert not MealDish.objects.filter(meal=meal).exists()


def test_a_second_request_joins_the_running_one(world, kitchen):
    rule_set = kitchen.rule_set_assignment.rule_set
    end = MONDAY + timedelta(days=27)
    first = PlanRun.objects.create(
        canteen=kitchen,
        start=MONDAY,
        end=end,
        preset="cheapest",
        rule_set=rule_set,
        status=PlanRun.Status.RUNNING,
    )
    with pytest.raises(solver_runs.AlreadyRunning) as joined:
        services.request_plan(
            canteen=kitchen,
            start=MONDAY,
            end=end,
            preset="cheapest",
            keep_existing=True,
            rule_set=rule_set,
            actor=world.users["cook"],
        )
    assert joined.value.run == first
    assert PlanRun.objects.count() == 1


def test_plan_status_asks_the_calendar_to_reload_when_done(client, world, kitchen):
    run = PlanRun.objects.create(
        canteen=kitchen,
        start=MONDAY,
        end=MONDAY + timedelta(days=27),
        preset="cheapest",
        rule_set=kitchen.rule_set_assignment.rule_set,
        status=PlanRun.Status.OPTIMAL,
    )
    client.force_login(world.users["cook"])
    url = reverse("menu_plan_status", kwargs={"run_pk": run.pk})
    assert client.get(url + "?was_active=1")["HX-Trigger"] == "menusChanged"
    assert "HX-Trigger" not in client.get(url)


def test_weekly_menu_pdf_for_families(client, world, kitchen):
    services.ensure_meals(canteen=kitchen, start=MONDAY, end=MONDAY + timedelta(days=4))
    dahl = kitchen.catalogue["main"][8]
    dahl.allergens = ["mustard"]
    dahl.save()
    services.set_course(
        meal=Meal.objects.get(canteen=kitchen, date=MONDAY), component="main", dish=dahl
    )
    services.set_closed(
        meal=Meal.objects.get(canteen=kitchen, date=MONDAY + timedelta(days=2)), closed=True
    )
    client.force_login(world.users["manager"])
    response = client.get(
        reverse("menu_weekly_pdf", kwargs={"pk": kitchen.pk}) + f"?start={MONDAY}"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Menus de la semaine du 4 janvier 2027" in text
    assert "Dahl de lentilles 1" in text and "Repas végétarien" in text
    assert "Allergènes : moutarde" in text
    assert "Pas de service" in text, text


def test_cost_and_shares_per_meal_come_from_the_kitchens_food_prices(client, world, kitchen):
    from decimal import Decimal

    from nutrition.models import DishIngredient, Food, FoodPrice

    carrot = Food.objects.create(code="T1", name="Carotte")
    fish = Food.objects.create(code="T2", name="Colin")
    starter, main = kitchen.catalogue["entree"][0], kitchen.catalogue["main"][0]
    DishIngredient.objects.create(  # 100 g bought for 80 g served
        dish=starter, food=carrot, grams_elementaire=Decimal("100"), yield_factor=Decimal("0.8")
    )
    DishIngredient.objects.create(dish=main, food=fish, grams_elementaire=Decimal("100"))
    FoodPrice.objects.create(
        kitchen=kitchen, food=carrot, unit_price=Decimal("2"), local_share=1, organic_share=1
    )
    FoodPrice.objects.create(kitchen=kitchen, food=fish, unit_price=Decimal("15"))
    services.ensure_meals(canteen=kitchen, start=MONDAY, end=MONDAY + timedelta(days=4))
    monday = Meal.objects.get(canteen=kitchen, date=MONDAY)
    services.set_course(meal=monday, component="entree", dish=starter)
    services.set_course(meal=monday, component="main", dish=main)
    tuesday = Meal.objects.get(canteen=kitchen, date=MONDAY + timedelta(days=1))
    services.set_course(meal=tuesday, component="dessert", dish=kitchen.catalogue["dessert"][0])

    client.force_login(world.users["cook"])
    days = client.get(calendar_url(kitchen, weeks=1)).context["weeks"][0].days
    # 100 g bought x 2 €/kg = 0.20 € of carrots, 100 g x 15 €/kg = 1.50 € of fish
    assert days[0].cost == Decimal("1.700")
    assert days[0].local_share == pytest.approx(0.2 / 1.7)
    assert days[1].cost is None  # a dessert without a recipe has no known price

    from menus.instances import catalogue

    planner_view = catalogue(kitchen)
    assert planner_view[f"D{main.pk}"].cost == pytest.approx(1.5)
    unpriced = planner_view[f"D{kitchen.catalogue['main'][1].pk}"]
    assert unpriced.cost == pytest.approx(1.5)  # the course's average, not zero


@pytest.mark.django_db(transaction=True)
def test_budget_per_meal_caps_the_plan_and_is_named_when_too_low(client, world, kitchen):
    from decimal import Decimal

    from nutrition.models import DishIngredient, Food, FoodPrice

    food = Food.objects.create(code="B1", name="Produit")
    FoodPrice.objects.create(kitchen=kitchen, food=food, unit_price=Decimal("10"))
    for dishes in kitchen.catalogue.values():
        for dish in dishes:  # every dish costs 1 € a portion, a meal 5 €
            DishIngredient.objects.create(dish=dish, food=food, grams_elementaire=Decimal("100"))
    client.force_login(world.users["cook"])
    client.post(calendar_url(kitchen, weeks=1))
    plan = {"preset": "cheapest", "start": MONDAY, "weeks": 1}

    client.post(
        reverse("menu_plan", kwargs={"pk": kitchen.pk}), {**plan, "max_cost_per_meal": "4.50"}
    )
    run = PlanRun.objects.get()
    assert run.status == "infeasible"
    assert any(conflict["other"] for conflict in run.conflicts), run.conflicts
    assert not MealDish.objects.exists()

    client.post(reverse("menu_plan", kwargs={"pk": kitchen.pk}), {**plan, "max_cost_per_meal": "5"})
    assert PlanRun.objects.latest("created_at").status in {"optimal", "feasible"}
    assert MealDish.objects.count() == 25


def test_an_htmx_refusal_lands_as_the_one_refusal_fragment(client, world, kitchen):
    """Closing a day for a reason the calendar does not know: the HTMX request gets the refusal
    fragment alone (it replaces the calendar's target), with the reason, and nothing changes."""
    services.ensure_meals(canteen=kitchen, start=MONDAY, end=MONDAY + timedelta(days=4))
    monday = Meal.objects.get(canteen=kitchen, date=MONDAY)
    client.force_login(world.users["cook"])
    response = client.post(
        reverse("menu_toggle_closed", kwargs={"meal_pk": monday.pk}),
        {"closure": "picnic"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "data-refusal" in page and "<html" not in page
    assert [t.name for t in response.templates][0] == "cantine/_refusal.html"
    monday.refresh_from_db()
    assert not monday.closed
