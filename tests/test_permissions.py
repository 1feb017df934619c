"""Who may open what: every page and endpoint, for every role.

Each row names a page and the roles that may use it. Everyone else gets 403, except when the
object belongs to another canteen or producer: then 404, so ids cannot be probed.
"""

import pytest
from django.urls import reverse

ROLES = ["cook", "dietitian", "manager", "producer", "nobody", "outsider_cook"]
STAFF = {"cook", "dietitian", "manager"}

# (url name, kwargs builder, roles allowed, roles that get 404 because the object is not theirs)
PAGES = [
    ("home", None, set(ROLES), set()),
    ("canteen_list", None, STAFF | {"outsider_cook"}, set()),
    ("canteen_detail", lambda w: {"pk": w.kitchen.pk}, STAFF, {"outsider_cook"}),
    ("canteen_detail", lambda w: {"pk": w.satellite.pk}, STAFF, {"outsider_cook"}),
    ("canteen_covers_edit", lambda w: {"pk": w.kitchen.pk}, {"cook", "manager"}, {"outsider_cook"}),
    ("canteen_local_edit", lambda w: {"pk": w.kitchen.pk}, {"manager"}, set()),
    ("producer_directory", None, {"cook", "manager", "outsider_cook"}, set()),
    ("producer_profile", None, {"producer"}, set()),
]


def page_id(page):
    return page[0] + ("" if page[1] is None else "+obj")


@pytest.mark.parametrize("page", PAGES, ids=[page_id(p) for p in PAGES])
@pytest.mark.parametrize("role", ROLES)
def test_page_access(client, world, page, role):
    name, kwargs, allowed, hidden = page
    url = reverse(name, kwargs=kwargs(world) if kwargs else None)
    client.force_login(world.users[role])
    response = client.get(url)
    if role in allowed:
        assert response.status_code == 200
    elif role in hidden:
        assert response.status_code == 404
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("page", PAGES, ids=[page_id(p) for p in PAGES])
def test_anonymous_is_sent_to_login(client, world, page):
    name, kwargs, _allowed, _hidden = page
    url = reverse(name, kwargs=kwargs(world) if kwargs else None)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_post_is_guarded_like_get(client, world):
    """A dietitian cannot change covers by posting directly."""
    client.force_login(world.users["dietitian"])
    url = reverse("canteen_covers_edit", kwargs={"pk": world.kitchen.pk})
    response = client.post(url, {"covers_maternelle_0": 999})
    assert response.status_code == 403
    assert not world.kitchen.cover_forecasts.filter(covers=999).exists()


def test_admin_is_for_staff_only(client, world):
    client.force_login(world.users["manager"])
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "login" in response.url


API = [
    ("canteen-list", None, STAFF | {"outsider_cook"}, set()),
    ("canteen-detail", lambda w: {"pk": w.kitchen.pk}, STAFF, {"outsider_cook"}),
    ("producer-list", None, {"cook", "manager", "producer", "outsider_cook"}, set()),
    (
        "producer-detail",
        lambda w: {"pk": w.other_producer.pk},
        {"cook", "manager", "outsider_cook"},
        {"producer"},
    ),
    ("api_schema", None, set(ROLES), set()),
]


@pytest.mark.parametrize("endpoint", API, ids=[page_id(e) for e in API])
@pytest.mark.parametrize("role", ROLES)
def test_api_access(client, world, endpoint, role):
    name, kwargs, allowed, hidden = endpoint
    url = reverse(name, kwargs=kwargs(world) if kwargs else None)
    client.force_login(world.users[role])
    response = client.get(url)
    if role in allowed:
        assert response.status_code == 200
    elif role in hidden:
        assert response.status_code == 404
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("endpoint", API, ids=[page_id(e) for e in API])
def test_api_refuses_anonymous(client, world, endpoint):
    name, kwargs, _allowed, _hidden = endpoint
    url = reverse(name, kwargs=kwargs(world) if kwargs else None)
    assert client.get(url).status_code in (401, 403)


def test_api_canteens_lists_only_the_callers_canteens(client, world):
    client.force_login(world.users["cook"])
    names = {c["name"] for c in client.get(reverse("canteen-list")).json()["results"]}
    assert names == {"Cuisine centrale", "École satellite"}


def test_api_producer_sees_only_itself(client, world):
    client.force_login(world.users["producer"])
    results = client.get(reverse("producer-list")).json()["results"]
    assert [p["name"] for p in results] == ["Les Jardins d'Angers"]


def test_api_token_authentication(client, world):
    from cantine import tokens

    _token, key = tokens.issue(world.users["manager"])
    response = client.get(reverse("canteen-list"), HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    assert response.json()["count"] == 2
