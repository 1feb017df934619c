"""The consultation pages and API: who may read and write what, answers from the portal and
the API, the award page and its analysis PDF."""

from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from cantine.models import Role
from orders import consultations as cs
from orders.models import Answer, Consultation
from tests.factories import (
    CanteenFactory,
    MembershipFactory,
    ProducerFactory,
    ProducerMemberFactory,
    UserFactory,
)
from tests.orders.test_support import clock, food, offer  # noqa: F401 (fixture)

DELIVERY = date(2027, 1, 7)


@pytest.fixture
def published(world, clock):  # noqa: F811
    clock(date(2027, 1, 1))
    carrot = food("20009", "Carotte, crue")
    rival = ProducerFactory(name="Ferme rivale", commune=world.producer.commune)
    for producer in (world.producer, rival):
        offer(producer, carrot, "1.5", 10)
    rival_user = ProducerMemberFactory(user=UserFactory(username="rival"), producer=rival).user
    consultation = cs.create_consultation(
        kitchen=world.kitchen,
        actor=world.users["cook"],
        title="Carottes",
        family="FRUITS_ET_LEGUMES",
        items=[cs.ItemSpec(carrot, Decimal(100), DELIVERY, estimated_unit_price=Decimal(2))],
        answer_deadline=timezone.now() + timedelta(days=2),
    )
    cs.publish(consultation=consultation, actor=world.users["cook"])
    return world, consultation, rival, rival_user


def _answer_url(consultation):
    return reverse("portal_answer", args=[consultation.pk])


def test_a_producer_answers_from_the_portal_and_never_sees_another_answer(client, published):
    world, consultation, rival, rival_user = published
    item = consultation.items.get()
    client.force_login(world.users["producer"])
    page = client.get(reverse("portal_consultations"))
    assert consultation.title in page.content.decode()
    me = world.producer.pk
    response = client.post(
        _answer_url(consultation),
        {
            f"price_{item.pk}_{me}": "1,37",
            f"quantity_{item.pk}_{me}": "60",
            "intermediaries": 0,
            "freshness_days": 1,
        },
    )
    assert response.status_code == 302
    assert Answer.objects.get(lead=world.producer).lines.get().unit_price == Decimal("1.37")
    # A bad figure comes back with what was typed and why, not a 500.
    response = client.post(
        _answer_url(consultation),
        {
            f"price_{item.pk}_{me}": "cher",
            f"quantity_{item.pk}_{me}": "60",
            "intermediaries": 0,
            "freshness_days": 1,
        },
    )
    assert response.status_code == 400 and "cher" in response.content.decode()
    client.force_login(rival_user)
    html = client.get(_answer_url(consultation)).content.decode()
    assert "1.37" not in html and "1,37" not in html
    api = client.get(f"/api/my-consultations/{consultation.pk}/answer/")
    assert api.status_code == 404  # the rival has no answer, and never reads another's


def test_a_producer_answers_through_the_api_as_a_group(client, published):
    world, consultation, rival, rival_user = published
    item = consultation.items.get()
    client.force_login(rival_user)
    listed = client.get("/api/my-consultations/").json()
    assert [c["id"] for c in listed["results"] if "results" in listed] or listed
    body = {
        "partners": [world.producer.siret],
        "lines": [
            {"item": item.pk, "unit_price": "1.6", "quantity": "40"},
            {
                "item": item.pk,
                "unit_price": "1.7",
                "quantity": "30",
                "producer_siret": world.producer.siret,
            },
        ],
    }
    response = client.post(
        f"/api/my-consultations/{consultation.pk}/answer/", body, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert sorted(response.json()["members"]) == sorted([rival.siret, world.producer.siret])
    # The partner reads the group's answer; it cannot lead another one in the same consultation.
    client.force_login(world.users["producer"])
    assert client.get(f"/api/my-consultations/{consultation.pk}/answer/").status_code == 200
    refused = client.post(
        f"/api/my-consultations/{consultation.pk}/answer/",
        {"lines": [{"item": item.pk, "unit_price": "1", "quantity": "10"}]},
        content_type="application/json",
    )
    assert refused.status_code == 400 and "autre groupement" in refused.json()["detail"]


def test_satellite_staff_and_other_kitchens_neither_read_nor_write(client, published):
    world, consultation, _rival, _user = published
    satellite_cook = MembershipFactory(
        user=UserFactory(username="sat"), canteen=world.satellite, role=Role.COOK
    ).user
    detail = reverse("consultation_detail", args=[consultation.pk])
    for user in (satellite_cook, world.users["outsider_cook"], world.users["dietitian"]):
        client.force_login(user)
        assert client.get(detail).status_code in (403, 404)
        assert client.post(reverse("consultation_award", args=[consultation.pk])).status_code in (
            403,
            404,
        )
    client.force_login(world.users["manager"])
    assert client.get(detail).status_code == 200
    assert client.post(reverse("consultation_award", args=[consultation.pk])).status_code == 403
    client.force_login(world.users["producer"])
    assert client.get(detail).status_code == 403


def test_the_cook_awards_from_the_page_and_the_pdf_lists_every_score(client, published, clock):  # noqa: F811
    world, consultation, rival, rival_user = published
    item = consultation.items.get()
    cs.submit_answer(
        consultation=consultation,
        actor=world.users["producer"],
        lines=[cs.LineSpec(item.pk, Decimal("1.40"), Decimal(60))],
    )
    cs.submit_answer(
        consultation=consultation,
        actor=rival_user,
        lines=[cs.LineSpec(item.pk, Decimal("1.75"), Decimal(100))],
        intermediaries=1,
    )
    clock(date(2027, 1, 4))
    client.force_login(world.users["cook"])
    page = client.get(reverse("consultation_detail", args=[consultation.pk]))
    assert page.status_code == 200 and "ranking" in page.content.decode()
    response = client.post(reverse("consultation_award", args=[consultation.pk]))
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.status == Consultation.Status.AWARDED
    pdf = client.get(reverse("consultation_report", args=[consultation.pk]))
    text = " ".join(p.extract_text() for p in PdfReader(BytesIO(pdf.content)).pages)
    for line in item.answer_lines.all():
        for criterion in ("price", "direct_supply", "carbon", "freshness", "total"):
            assert f"{line.scores[criterion]:.1f}".replace(".", ",") in text  # French PDF
    assert "Ferme rivale" in text and world.producer.name in text


def test_a_canteen_elsewhere_cannot_prepare_consultations_for_the_kitchen(client, world):
    CanteenFactory(name="Ailleurs")
    client.force_login(world.users["outsider_cook"])
    url = reverse("consultation_list", args=[world.kitchen.pk])
    assert client.get(url).status_code == 404
    assert client.post(reverse("consultation_from_lot", args=[world.kitchen.pk])).status_code == 404
