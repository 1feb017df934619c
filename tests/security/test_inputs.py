"""Issue 12's unchecked inputs: each answers a clear 4xx (or the page, for a value only
narrowing a list), never a 500. ``raise_request_exception=False``: a crash shows as 500."""

import pytest
from django.test import Client
from django.urls import reverse

from orders.models import PurchaseOrderLine

BAD_DATES = ["9999-12-27", "0001-01-01"]
BAD_YEARS = ["0", "-1", "10000"]

PAGES = [
    "menu_calendar",
    "menu_weekly_pdf",
    "menu_scdl_export",
    "menu_compliance",
    "orders_needs",
    "orders_lots",
]


def _client(world, role) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(world.users[role])
    return client


@pytest.mark.parametrize("day", BAD_DATES)
@pytest.mark.parametrize("name", PAGES)
def test_a_page_refuses_a_date_out_of_range(sworld, name, day):
    url = reverse(name, kwargs={"pk": sworld.kitchen.pk})
    response = _client(sworld, "cook").get(url, {"start": day})
    assert response.status_code == 400
    assert "2000" in response.content.decode()  # says which dates it takes


@pytest.mark.parametrize("day", BAD_DATES)
def test_the_plan_and_copy_forms_refuse_a_date_out_of_range(sworld, day):
    client = _client(sworld, "cook")
    pk = sworld.kitchen.pk
    plan = client.post(
        reverse("menu_plan", kwargs={"pk": pk}), {"start": day, "weeks": 1, "preset": "cheapest"}
    )
    copy = client.post(
        reverse("menu_copy_week", kwargs={"pk": pk}), {"source": "2027-01-04", "target": day}
    )
    allocate = client.post(
        reverse("orders_allocate", kwargs={"pk": pk}), {"start": day, "weeks": 1}
    )
    assert [plan.status_code, copy.status_code, allocate.status_code] == [400, 400, 400]


@pytest.mark.parametrize("year", BAD_YEARS)
@pytest.mark.parametrize("name", ["purchase_shares", "purchase_report_pdf"])
def test_shares_pages_refuse_a_year_out_of_range(sworld, name, year):
    response = _client(sworld, "manager").get(
        reverse(name), {"canteen": sworld.kitchen.pk, "year": year}
    )
    assert response.status_code == 400


@pytest.mark.parametrize("year", BAD_YEARS)
def test_the_shares_api_refuses_a_year_out_of_range(sworld, year):
    response = _client(sworld, "manager").get(
        "/api/purchase-shares/", {"canteen": sworld.kitchen.pk, "year": year}
    )
    assert response.status_code == 400
    assert "year" in response.json()


PERIOD_FILTERS = [
    {"start": "notadate"},
    {"end": "2024-13-45"},
    {"start": "0001-01-01"},
    {"canteen": "abc"},
    {"canteen": "99999999999999999999"},
]
FILTERS = [
    *[("/api/meals/", query) for query in PERIOD_FILTERS],
    *[("/api/needs/", query) for query in PERIOD_FILTERS],
    ("/api/purchases/", {"canteen": "abc"}),
    ("/api/purchases/", {"year": "abc"}),
    ("/api/purchases/", {"year": "10000"}),
    ("/api/purchase-shares/", {"canteen": "99999999999999999999"}),
    ("/api/meals/compliance/", {"canteen": "1", "start": "notadate", "end": "2027-01-10"}),
]


@pytest.mark.parametrize(("url", "query"), FILTERS)
def test_api_filters_refuse_what_they_cannot_read(sworld, url, query):
    response = _client(sworld, "manager").get(url, query)
    assert response.status_code == 400, response.content
    assert set(response.json()) <= set(query)


@pytest.mark.parametrize("query", [{"limit": "99999999999999999999"}, {"offset": "1" * 30}])
def test_a_huge_limit_or_offset_is_a_short_page(sworld, query):
    response = _client(sworld, "cook").get("/api/foods/", query)
    assert response.status_code == 200
    assert len(response.json()["results"]) <= 500


def test_deleting_an_offer_on_orders_is_a_conflict_with_its_reason(sworld):
    offer = sworld.objects["offer"]
    response = _client(sworld, "producer").delete(f"/api/offers/{offer.pk}/")
    assert response.status_code == 409
    detail = response.json()["detail"]
    assert str(PurchaseOrderLine._meta.verbose_name) in detail
    assert type(offer).objects.filter(pk=offer.pk).exists()


def test_multipart_labels_null_is_refused(sworld):
    offer = sworld.objects["offer"]
    response = _client(sworld, "producer").patch(
        f"/api/offers/{offer.pk}/",
        data=b'--B\r\nContent-Disposition: form-data; name="labels"\r\n\r\nnull\r\n--B--\r\n',
        content_type="multipart/form-data; boundary=B",
    )
    assert response.status_code == 400
    offer.refresh_from_db()
    assert offer.labels == ["BIO"]


def test_json_nested_too_deep_is_refused(sworld):
    response = _client(sworld, "cook").post(
        "/api/allocation-runs/", "[" * 100_000, content_type="application/json"
    )
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]


def test_an_htmx_request_gets_the_refusal_fragment_alone(sworld):
    url = reverse("menu_calendar", kwargs={"pk": sworld.kitchen.pk})
    response = _client(sworld, "cook").get(url, {"start": "2400-01-03"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    body = response.content.decode()
    assert "data-refusal" in body and "<html" not in body


def test_reading_the_calendar_of_year_2400_writes_no_meal(sworld):
    from menus.models import Meal

    before = Meal.objects.count()
    url = reverse("menu_calendar", kwargs={"pk": sworld.kitchen.pk})
    response = _client(sworld, "manager").get(url, {"start": "2400-01-03", "weeks": 8})
    assert response.status_code == 400
    assert Meal.objects.count() == before


@pytest.mark.parametrize(
    ("role", "url", "body"),
    [
        ("manager", "/api/purchases/", {"date": "0001-01-01"}),
        ("producer", "/api/offers/", {"valid_from": "9999-12-31"}),
    ],
)
def test_api_writes_refuse_a_date_out_of_range(sworld, role, url, body):
    response = _client(sworld, role).post(url, body, content_type="application/json")
    assert response.status_code == 400
    assert "2000" in " ".join(response.json()[next(iter(body))])
