"""The demo territory: real places, one user per role, and seeding twice changes nothing."""

from io import StringIO

import pytest
from django.core.management import call_command

from cantine.models import Canteen, Commune, CoverForecast, Membership, User
from producers.models import Producer, ProducerMember


def snapshot():
    return {
        "canteens": list(Canteen.objects.order_by("siret").values()),
        "covers": CoverForecast.objects.count(),
        "producers": list(Producer.objects.order_by("siret").values()),
        "users": list(User.objects.order_by("username").values("username", "password")),
        "memberships": Membership.objects.count(),
        "producer_members": ProducerMember.objects.count(),
    }


@pytest.mark.django_db
def test_seed_demo_builds_the_territory_and_is_idempotent(capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "cantine-demo-2026" in out
    first = snapshot()

    kitchen = Canteen.objects.get(kind=Canteen.Kind.CENTRAL_KITCHEN)
    assert kitchen.satellites.count() == 6
    assert Canteen.objects.filter(kind=Canteen.Kind.ADMINISTRATIVE).count() == 1
    assert {c.commune.department_id for c in Canteen.objects.all()} == {"49"}
    assert 55 <= Producer.objects.count() <= 65
    assert Producer.objects.filter(commune__department="49").count() >= 40
    assert Commune.objects.count() > 34000
    for username in ("cuisinier", "dieteticienne", "gestionnaire", "producteur", "admin"):
        assert User.objects.get(username=username).check_password("cantine-demo-2026")

    call_command("seed_demo", password="another-password")
    assert snapshot() == first


@pytest.mark.django_db
def test_the_demo_serves_and_buys_nothing_on_a_day_off(monkeypatch):
    """Issue 15: seeded on Monday 11 January 2027, the demo kitchen (Angers, zone B) has
    planned the four weeks around Christmas; the cook plans the next four. No meal is served
    and no need is computed for a public holiday, a school holiday or a closed day."""
    from datetime import date

    from django.utils import timezone, translation

    from menus.closures import days_off
    from menus.models import Meal, MealDish
    from menus.services import plan_now
    from nutrition.selectors import rule_set_for
    from orders.models import Need
    from orders.needs import compute_needs
    from orders.services import accept_allocation, execute_allocation_run, request_allocation

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2027, 1, 11))
    call_command("seed_demo", stdout=StringIO())
    kitchen = Canteen.objects.get(kind=Canteen.Kind.CENTRAL_KITCHEN)
    start, end = date(2026, 12, 14), date(2027, 2, 5)
    run = plan_now(
        canteen=kitchen,
        start=date(2027, 1, 11),
        end=end,
        preset="cheapest",
        rule_set=rule_set_for(kitchen),
    )
    assert run.status in ("optimal", "feasible"), run.conflicts
    with translation.override("fr"):  # labels as a French page shows them
        off = days_off(kitchen, start, end)
    assert off[date(2026, 12, 25)].label == "Jour férié : Noël"
    assert off[date(2026, 12, 28)].label == "Vacances de Noël (zone B)"
    served = set(
        MealDish.objects.filter(meal__canteen=kitchen).values_list("meal__date", flat=True)
    )
    assert {date(2026, 12, 14), date(2026, 12, 18), date(2027, 1, 4), date(2027, 2, 5)} <= served
    assert not served & set(off)
    closed = set(Meal.objects.filter(canteen=kitchen, closed=True).values_list("date", flat=True))
    assert set(off) - {d for d in off if d.weekday() >= 5} <= closed
    compute_needs(kitchen=kitchen, start=start, end=end)
    sources = {s["date"] for n in Need.objects.filter(canteen=kitchen) for s in n.sources}
    assert sources
    assert not {date.fromisoformat(d) for d in sources} & (set(off) | closed)
    deliveries = set(Need.objects.filter(canteen=kitchen).values_list("delivery_date", flat=True))
    assert date(2027, 1, 4) in deliveries  # after the holidays, fresh food comes that morning
    assert not deliveries & (set(off) | closed)
    # What is bought for those needs is ordered for those days too, never for a day off.
    cook = User.objects.get(username="cuisinier")
    allocation = request_allocation(canteen=kitchen, start=start, end=end, actor=cook)
    allocation = execute_allocation_run(run_id=allocation.pk)
    assert allocation.status in ("optimal", "feasible"), (allocation.status, allocation.error)
    orders = accept_allocation(run=allocation, actor=cook)
    assert orders
    ordered_for = {order.delivery_date for order in orders}
    assert date(2027, 1, 4) in ordered_for
    assert not ordered_for & (set(off) | closed)


@pytest.mark.django_db
def test_the_demo_month_varies_and_follows_the_seasons(client, monkeypatch):
    """Issue 15: seeded on Monday 21 December 2026, the demo has planned 23 November to 18
    December. No two weeks share more than half their dishes and every variety rule holds;
    the dietitian prefers in-season produce, so the dishes still out of season are counted
    and listed; a December plan with in-season produce only serves none out of season."""
    from datetime import date

    from django.urls import reverse
    from django.utils import timezone

    from menus import selectors
    from menus.models import MealDish, MenuPolicy
    from menus.policies import set_season_policy
    from menus.services import plan_now
    from nutrition.selectors import rule_set_for

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2026, 12, 21))
    call_command("seed_demo", stdout=StringIO())
    kitchen = Canteen.objects.get(kind=Canteen.Kind.CENTRAL_KITCHEN)
    rule_set = rule_set_for(kitchen)
    start, end = date(2026, 11, 23), date(2026, 12, 18)
    weeks: dict = {}
    for course in MealDish.objects.filter(meal__canteen=kitchen, meal__date__range=(start, end)):
        weeks.setdefault(course.meal.date.isocalendar()[1], []).append(course.dish_id)
    assert len(weeks) == 4
    sets = list(weeks.values())
    for i, first in enumerate(sets):
        for second in sets[i + 1 :]:
            assert len(set(first) & set(second)) <= min(len(first), len(second)) // 2
    assert selectors.variety_failures(kitchen, start, end, rule_set) == []
    assert selectors.compliance(kitchen, start, end, rule_set).ok

    client.force_login(User.objects.get(username="dieteticienne"))
    page = client.get(
        reverse("menu_compliance", kwargs={"pk": kitchen.pk}), {"start": start, "weeks": 4}
    )
    late = page.context["out_of_season"]
    assert f"{len(late)} plat" in page.content.decode()
    assert [row for row in page.context["variety_rules"] if row[2]] == []

    set_season_policy(rule_set=rule_set, season=MenuPolicy.Season.REQUIRE)
    december = (date(2026, 12, 1), date(2026, 12, 18))
    MealDish.objects.filter(meal__canteen=kitchen, meal__date__range=december).delete()
    run = plan_now(
        canteen=kitchen, start=december[0], end=december[1], preset="cheapest", rule_set=rule_set
    )
    assert run.status in ("optimal", "feasible"), run.conflicts
    weeks_shown = selectors.calendar(kitchen, date(2026, 11, 30), 3)
    in_december = [row for row in selectors.out_of_season_served(weeks_shown) if row[0].month == 12]
    assert in_december == []
