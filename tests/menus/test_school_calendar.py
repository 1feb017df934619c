"""The school calendar: no meal, need or order on a public holiday, a school holiday of the
kitchen's zone, or a day the cook closed; the calendar says why; the windows skip them."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse

from menus import closures, school_calendar, services
from menus.models import CanteenCalendar, Meal, MealDish, SchoolHolidayPeriod
from menus.selectors import compliance
from tests.factories import CanteenFactory, CommuneFactory, DepartmentFactory, RegionFactory

YEAR_START, YEAR_END = date(2026, 9, 1), date(2027, 7, 3)  # school year 2026-2027


def zones_off(day: date) -> set[str]:
    return {z for z in "ABC" if day in school_calendar.school_holidays(z, day, day)}


def test_the_three_zones_take_their_winter_and_spring_holidays_in_turn():
    assert zones_off(date(2026, 12, 21)) == {"A", "B", "C"}  # Noël for everyone
    assert zones_off(date(2027, 1, 4)) == set()  # classes resume on Monday 4 January
    assert zones_off(date(2027, 2, 8)) == {"C"}
    assert zones_off(date(2027, 2, 15)) == {"A", "C"}
    assert zones_off(date(2027, 2, 22)) == {"A", "B"}
    assert zones_off(date(2027, 3, 1)) == {"B"}
    assert zones_off(date(2027, 4, 26)) == {"B"}
    names = set(school_calendar.school_holidays("B", YEAR_START, YEAR_END).values())
    assert {"Vacances de la Toussaint", "Vacances de Noël", "Vacances d'hiver"} <= names


def test_alsace_moselle_keeps_saint_stephen_and_good_friday():
    for department in ("57", "67", "68"):
        days = school_calendar.public_holidays(department, YEAR_START, YEAR_END)
        assert days[date(2026, 12, 26)] == "Saint-Étienne"
        assert days[date(2027, 3, 26)] == "Vendredi saint"
    elsewhere = school_calendar.public_holidays("49", YEAR_START, YEAR_END)
    assert date(2026, 12, 26) not in elsewhere and date(2027, 3, 26) not in elsewhere
    assert elsewhere[date(2026, 11, 11)] == "Armistice"
    assert elsewhere[date(2027, 5, 6)] == "Ascension"


def test_an_overseas_department_has_its_own_public_holidays():
    guadeloupe = school_calendar.public_holidays("971", YEAR_START, YEAR_END)
    assert "esclavage" in guadeloupe[date(2027, 5, 27)].lower()
    assert date(2027, 5, 27) not in school_calendar.public_holidays("49", YEAR_START, YEAR_END)
    reunion = school_calendar.public_holidays("974", YEAR_START, YEAR_END)
    assert "esclavage" in reunion[date(2026, 12, 20)].lower()


def test_zones_come_from_the_region_of_the_academies():
    assert school_calendar.zone_for_region("52") == "B"  # Nantes
    assert school_calendar.zone_for_region("84") == "A"  # Lyon, Grenoble, Clermont
    assert school_calendar.zone_for_region("11") == "C"  # Paris, Créteil, Versailles
    assert school_calendar.zone_for_region("94") == "corse"
    assert school_calendar.zone_for_region("01") == "guadeloupe"


@pytest.mark.django_db
def test_holidays_start_closed_and_say_why(client, world, kitchen):
    """Angers is zone B: the Christmas fortnight and 1 January are closed, with their names."""
    monday = date(2026, 12, 14)
    services.ensure_meals(canteen=kitchen, start=monday, end=monday + timedelta(days=25))
    open_days = set(
        Meal.objects.filter(canteen=kitchen, closed=False).values_list("date", flat=True)
    )
    assert date(2026, 12, 18) in open_days and date(2027, 1, 4) in open_days
    assert not {date(2026, 12, 21) + timedelta(days=d) for d in range(14)} & open_days

    client.force_login(world.users["cook"])
    url = reverse("menu_calendar", kwargs={"pk": kitchen.pk})
    response = client.get(url, {"start": monday, "weeks": 4})
    days = {d.date: d for w in response.context["weeks"] for d in w.days}
    assert days[date(2026, 12, 22)].closed_because == "Vacances de Noël (zone B)"
    assert days[date(2026, 12, 25)].closed_because == "Jour férié : Noël"
    assert days[date(2026, 12, 18)].closed_because == ""
    assert "Vacances de Noël (zone B)" in response.content.decode()


@pytest.mark.django_db
def test_the_cook_closes_a_strike_day_and_the_calendar_says_so(client, world, kitchen):
    services.ensure_meals(canteen=kitchen, start=date(2027, 5, 3), end=date(2027, 5, 7))
    assert Meal.objects.get(canteen=kitchen, date=date(2027, 5, 6)).closed  # Ascension
    assert Meal.objects.get(canteen=kitchen, date=date(2027, 5, 7)).closed  # its school bridge
    tuesday = Meal.objects.get(canteen=kitchen, date=date(2027, 5, 4))
    client.force_login(world.users["cook"])
    url = reverse("menu_toggle_closed", kwargs={"meal_pk": tuesday.pk})
    response = client.post(url, {"closure": "strike", "start": "2027-05-03", "weeks": 1})
    assert response.status_code == 200
    tuesday.refresh_from_db()
    assert tuesday.closed and tuesday.closure == "strike"
    days = {d.date: d for d in response.context["weeks"][0].days}
    assert days[date(2027, 5, 4)].closed_because == "Fermeture : grève"
    assert days[date(2027, 5, 6)].closed_because == "Jour férié : Ascension"
    assert days[date(2027, 5, 7)].closed_because == "Pont de l'Ascension (zone B)"

    wednesday = Meal.objects.get(canteen=kitchen, date=date(2027, 5, 5))
    url = reverse("menu_toggle_closed", kwargs={"meal_pk": wednesday.pk})
    assert client.post(url, {"closure": "picnic"}).status_code == 400
    wednesday.refresh_from_db()
    assert not wednesday.closed


@pytest.mark.django_db
def test_plans_needs_and_windows_skip_the_days_off(world, kitchen, school_rules):
    """Planned around Christmas: nothing served on a day off, and the 20 meals of a window
    are 20 school days (10 before the holidays, 10 after); needs: see the demo's test."""
    start, end = date(2026, 12, 7), date(2027, 1, 15)
    run = services.plan_now(
        canteen=kitchen, start=start, end=end, preset="cheapest", rule_set=school_rules
    )
    assert run.status in ("optimal", "feasible"), run.conflicts
    off = closures.days_off(kitchen, start, end)
    served = set(
        MealDish.objects.filter(meal__canteen=kitchen).values_list("meal__date", flat=True)
    )
    assert len(served) == 20 and not served & set(off)
    report = compliance(kitchen, start, end, school_rules)
    assert report.ok and all(r.windows_checked == 1 for r in report.rules)


@pytest.mark.django_db
def test_a_plan_made_in_process_keeps_to_the_time_it_is_given(world, kitchen, school_rules):
    """The demo plans its history with a shorter limit than the planner's 20 s; the limit
    given is the one the planner gets."""
    from unittest.mock import patch

    from menus.planner import plan_menus

    with patch("menus.services.plan_menus", wraps=plan_menus) as planner:
        run = services.plan_now(
            canteen=kitchen,
            start=date(2026, 12, 7),
            end=date(2026, 12, 11),
            preset="cheapest",
            rule_set=school_rules,
            time_limit_s=2.5,
        )
    assert run.status in ("optimal", "feasible"), run.conflicts
    assert {call.kwargs["time_limit_s"] for call in planner.call_args_list} == {2.5}


@pytest.mark.django_db
def test_a_zone_can_be_chosen_and_a_care_home_stays_open(world):
    kitchen = world.kitchen
    assert closures.settings_for(kitchen).zone == "B"
    CanteenCalendar.objects.create(canteen=kitchen, school_zone="C")
    assert date(2027, 2, 8) in closures.days_off(kitchen, date(2027, 2, 8), date(2027, 2, 8))
    home = CanteenFactory(name="EHPAD", kind="health")
    assert closures.settings_for(home).zone == "none"
    assert closures.days_off(home, date(2026, 12, 21), date(2027, 1, 1)) == {}


OFFICIAL_EXPORT = """\ufeffDescription;Population;Date de début;Date de fin;Académies;Zones;annee_scolaire
Vacances de Noël;-;2026-12-18T23:00:00+00:00;2027-01-03T23:00:00+00:00;Corse;Corse;2026-2027
Vacances d'Été;Enseignants;2027-07-03T22:00:00+00:00;2027-08-31T22:00:00+00:00;Corse;Corse;2026-2027
Vacances de Noël;-;2026-12-18T23:00:00+00:00;2027-01-03T23:00:00+00:00;Polynésie;Polynésie;2026-2027
"""


@pytest.mark.django_db
def test_corsica_reads_the_official_export(world, tmp_path, capsys):
    """Corse is not in the package: its periods come from the Ministry's export (this is a
    three-row file in that format, made for the test)."""
    export = tmp_path / "fr-en-calendrier-scolaire.csv"
    export.write_text(OFFICIAL_EXPORT, encoding="utf-8")
    call_command("import_school_calendar", str(export))
    call_command("import_school_calendar", str(export))  # twice changes nothing
    assert "1 already known" in capsys.readouterr().out
    period = SchoolHolidayPeriod.objects.get()
    assert (period.zone, period.first_day, period.last_day) == (
        "corse",
        date(2026, 12, 19),
        date(2027, 1, 3),
    )
    corse = RegionFactory(code="94", name="Corse")
    ajaccio = CommuneFactory(
        code="2A004", name="Ajaccio", department=DepartmentFactory(code="2A", region=corse)
    )
    school = CanteenFactory(name="École d'Ajaccio", commune=ajaccio)
    off = closures.days_off(school, date(2026, 12, 18), date(2027, 1, 4))
    assert off[date(2026, 12, 21)].label == "Vacances de Noël (Corse)"
    assert date(2026, 12, 18) not in off and date(2027, 1, 4) not in off
