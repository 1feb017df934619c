"""Canteen pages: covers forecast and the local definition."""

from django.urls import reverse

from cantine.models import CoverForecast


def covers_payload(value="0", **cells):
    data = {
        f"covers_{age}_{day}": value
        for age in ("maternelle", "elementaire", "college_lycee", "adult")
        for day in range(5)
    }
    data.update(cells)
    return data


def test_cook_saves_the_covers_forecast(client, world):
    client.force_login(world.users["cook"])
    url = reverse("canteen_covers_edit", kwargs={"pk": world.kitchen.pk})
    response = client.post(
        url, covers_payload(covers_elementaire_0="180", covers_maternelle_0="95")
    )
    assert response.status_code == 302
    forecast = {
        (f.age_group, f.weekday): f.covers
        for f in CoverForecast.objects.filter(canteen=world.kitchen)
    }
    assert forecast[("elementaire", 0)] == 180
    assert forecast[("maternelle", 0)] == 95
    detail = client.get(reverse("canteen_detail", kwargs={"pk": world.kitchen.pk}))
    assert detail.context["grid"].daily_totals[0] == 275
    assert detail.context["group_grid"].total == 275


def test_bad_covers_are_refused_and_what_was_typed_is_kept(client, world):
    client.force_login(world.users["cook"])
    url = reverse("canteen_covers_edit", kwargs={"pk": world.kitchen.pk})
    response = client.post(
        url, covers_payload(covers_elementaire_0="180", covers_maternelle_1="-3")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="180"' in html and 'value="-3"' in html
    assert "aria-invalid" in html
    assert not CoverForecast.objects.filter(canteen=world.kitchen).exists()


def test_manager_switches_local_to_a_radius(client, world):
    client.force_login(world.users["manager"])
    url = reverse("canteen_local_edit", kwargs={"pk": world.kitchen.pk})
    response = client.post(url, {"local_scope": "KM", "local_radius_km": "40"})
    assert response.status_code == 302
    world.kitchen.refresh_from_db()
    assert world.kitchen.local_definition().label == "moins de 40 km"


def test_radius_is_required_for_a_radius_definition(client, world):
    client.force_login(world.users["manager"])
    url = reverse("canteen_local_edit", kwargs={"pk": world.kitchen.pk})
    response = client.post(url, {"local_scope": "KM", "local_radius_km": ""})
    assert response.status_code == 400
    assert "local_radius_km" in response.context["form"].errors
    world.kitchen.refresh_from_db()
    assert world.kitchen.local_scope == "DEPARTEMENT"


def test_central_kitchen_cooks_for_its_satellites(client, world):
    CoverForecast.objects.create(
        canteen=world.satellite, weekday=1, age_group="elementaire", covers=120
    )
    CoverForecast.objects.create(canteen=world.kitchen, weekday=1, age_group="adult", covers=30)
    CoverForecast.objects.create(
        canteen=world.other_canteen, weekday=1, age_group="elementaire", covers=500
    )
    client.force_login(world.users["cook"])
    detail = client.get(reverse("canteen_detail", kwargs={"pk": world.kitchen.pk}))
    group = detail.context["group_grid"]
    assert group.daily_totals == [0, 150, 0, 0, 0]
    assert detail.context["grid"].total == 30
    satellite = client.get(reverse("canteen_detail", kwargs={"pk": world.satellite.pk}))
    assert satellite.context["group_grid"] is None


def test_central_kitchen_staff_see_satellites(client, world):
    client.force_login(world.users["dietitian"])
    response = client.get(reverse("canteen_list"))
    names = [c.name for c in response.context["canteens"]]
    assert sorted(names) == ["Cuisine centrale", "École satellite"]
