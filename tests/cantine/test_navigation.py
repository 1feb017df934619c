"""Each role sees its own pages in the menu, and nothing else."""

import pytest
from django.urls import reverse

EXPECTED_MENU = {
    "cook": {
        "menu_index",
        "canteen_list",
        "producer_directory",
        "dish_list",
        "rule_set_list",
        "orders_index",
        "consultation_index",
        "purchase_ledger",
        "purchase_shares",
    },
    "dietitian": {"menu_index", "canteen_list", "dish_list", "rule_set_list"},
    "manager": {
        "menu_index",
        "canteen_list",
        "producer_directory",
        "orders_index",
        "consultation_index",
        "purchase_ledger",
        "purchase_shares",
    },
    "producer": {"producer_profile", "producer_offers", "orders_portal", "portal_consultations"},
    "nobody": set(),
}


@pytest.mark.parametrize("role", EXPECTED_MENU)
def test_menu_shows_each_role_its_pages(client, world, role):
    client.force_login(world.users[role])
    response = client.get(reverse("home"))
    shown = {item["url"] for item in response.context["nav_items"]}
    assert shown == {reverse(name) for name in EXPECTED_MENU[role]}
    html = response.content.decode()
    every_page = set().union(*EXPECTED_MENU.values())
    for name in every_page - EXPECTED_MENU[role]:
        assert f'href="{reverse(name)}"' not in html


def test_every_menu_entry_opens_for_the_roles_it_is_shown_to(client, world):
    for role, pages in EXPECTED_MENU.items():
        client.force_login(world.users[role])
        for name in pages:
            response = client.get(reverse(name), follow=True)
            assert response.status_code == 200, (role, name)


def test_producer_cannot_open_cook_pages(client, world):
    client.force_login(world.users["producer"])
    for url in [
        reverse("canteen_list"),
        reverse("canteen_detail", kwargs={"pk": world.kitchen.pk}),
        reverse("canteen_covers_edit", kwargs={"pk": world.kitchen.pk}),
        reverse("producer_directory"),
    ]:
        assert client.get(url).status_code == 403, url


def test_ui_speaks_french_by_default_and_english_on_request(client, world):
    client.force_login(world.users["cook"])
    assert "Cantines" in client.get(reverse("home")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Canteens" in client.get(reverse("home")).content.decode()


def test_the_home_page_counts_a_central_kitchens_covers_for_its_satellites(client, world):
    """The kitchen serves nobody on site: its card says what it cooks for its satellites
    (the demo's read "0 couvert par semaine"); a satellite keeps its own count."""
    from cantine.models import AgeGroup, CoverForecast, Weekday

    for day in (Weekday.MONDAY, Weekday.TUESDAY):
        CoverForecast.objects.create(
            canteen=world.satellite, weekday=day, age_group=AgeGroup.values[0], covers=120
        )
    client.force_login(world.users["cook"])
    page = client.get(reverse("home")).content.decode()
    assert "240 couverts par semaine pour ses satellites" in page
    assert "240 couverts par semaine</span>" in page  # the satellite's own card
    assert "0 couvert par semaine" not in page
