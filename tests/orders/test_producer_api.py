"""The API for producers' software: own orders only, answers with idempotency keys."""

import pytest
from django.urls import reverse

from cantine import tokens
from orders.models import OrderEvent
from tests.orders.test_portal import sent_orders  # noqa: F401  (fixture)


def answer_url(order, line):
    return reverse("myorder-answer", kwargs={"pk": order.pk, "line": line.pk})


@pytest.fixture
def farmer_client(client, world):
    _token, key = tokens.issue(world.users["producer"])
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {key}"
    return client


def test_producer_lists_only_its_own_orders_with_a_token(farmer_client, sent_orders):  # noqa: F811
    own, _other = sent_orders
    results = farmer_client.get(reverse("myorder-list")).json()["results"]
    assert [o["id"] for o in results] == [own.pk]
    assert results[0]["lines"][0]["confirmed_packs"] is None


def test_another_producers_order_is_not_found(farmer_client, sent_orders):  # noqa: F811
    _own, other = sent_orders
    line = other.lines.get()
    assert farmer_client.get(reverse("myorder-detail", args=[other.pk])).status_code == 404
    assert farmer_client.post(answer_url(other, line), {"packs": 0}).status_code == 404


def test_a_retried_answer_with_the_same_key_acts_once(farmer_client, sent_orders):  # noqa: F811
    own, _other = sent_orders
    line = own.lines.get()
    headers = {"HTTP_IDEMPOTENCY_KEY": "abc-1"}
    first = farmer_client.post(answer_url(own, line), {"packs": 1, "reason": "gel"}, **headers)
    again = farmer_client.post(answer_url(own, line), {"packs": 1, "reason": "gel"}, **headers)
    assert first.status_code == 200 and again.status_code == 200
    assert again.json() == first.json() and again["Idempotent-Replay"] == "true"
    # The same key with another body is another request, not a retry: 422, nothing done.
    other = farmer_client.post(answer_url(own, line), {"packs": 2}, **headers)
    assert other.status_code == 422
    line.refresh_from_db()
    assert line.confirmed_packs == 1
    assert OrderEvent.objects.filter(action="answer").count() == 1


def test_an_answer_the_rules_refuse_is_a_conflict_with_its_reason(farmer_client, sent_orders):  # noqa: F811
    own, _other = sent_orders
    response = farmer_client.post(answer_url(own, own.lines.get()), {"packs": 0})
    assert response.status_code == 409
    assert response.json()["detail"]


@pytest.mark.parametrize("role", ["cook", "dietitian", "manager", "nobody"])
def test_buyers_cannot_answer_for_a_producer(client, world, sent_orders, role):  # noqa: F811
    own, _other = sent_orders
    client.force_login(world.users[role])
    assert client.post(answer_url(own, own.lines.get()), {"packs": 2}).status_code == 403
    assert client.get(reverse("myorder-list")).status_code == 403


def test_anonymous_callers_get_nothing(client, sent_orders):  # noqa: F811
    assert client.get(reverse("myorder-list")).status_code in (401, 403)
