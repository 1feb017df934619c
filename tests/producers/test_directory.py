"""The producer directory seen from a canteen, and the producer's own profile."""

from django.urls import reverse


def test_directory_flags_local_producers_under_the_canteens_definition(client, world):
    client.force_login(world.users["cook"])
    response = client.get(reverse("producer_directory"))
    rows = {row.producer.name: row for row in response.context["page"]}
    assert rows["Les Jardins d'Angers"].is_local
    assert not rows["Vergers de Valence"].is_local
    assert rows["Vergers de Valence"].distance_km > 400


def test_directory_filters_by_label_and_local(client, world):
    client.force_login(world.users["cook"])
    url = reverse("producer_directory")
    bio = client.get(url, {"label": "BIO"}).context["page"]
    assert [r.producer.name for r in bio] == ["Vergers de Valence"]
    local = client.get(url, {"local_only": "on"}).context["page"]
    assert [r.producer.name for r in local] == ["Les Jardins d'Angers"]


def test_directory_answers_htmx_with_the_results_fragment(client, world):
    client.force_login(world.users["cook"])
    response = client.get(reverse("producer_directory"), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results">')
    assert "<html" not in html


def test_producer_updates_its_delivery_days(client, world):
    client.force_login(world.users["producer"])
    response = client.post(
        reverse("producer_profile"),
        {
            "contact_name": "Julien",
            "email": "julien@example.org",
            "phone": "",
            "delivery_weekdays": ["0", "3"],
            "delivery_cost": "12.50",
            "minimum_order_value": "80",
            "labels": ["HVE", "BIO"],
        },
    )
    assert response.status_code == 302
    world.producer.refresh_from_db()
    assert world.producer.delivery_weekdays == [0, 3]
    assert world.producer.labels == ["HVE", "BIO"]


def test_producer_profile_rejects_negative_minimum_order(client, world):
    client.force_login(world.users["producer"])
    response = client.post(
        reverse("producer_profile"),
        {"delivery_cost": "0", "minimum_order_value": "-5", "email": "x@example.org"},
    )
    assert response.status_code == 400
    assert "minimum_order_value" in response.context["form"].errors
