"""Sourcing: who can answer a lot, what they sell in the family, how they answered before."""

from datetime import date, timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from orders import consultations as cs
from orders.sourcing import sourcing
from tests.factories import ProducerFactory
from tests.orders.test_support import clock, food, offer  # noqa: F401 (fixture)


def test_producers_of_the_family_nearby_selling_the_lot_first_with_their_history(
    client,
    world,
    clock,  # noqa: F811
):
    clock(date(2027, 1, 1))
    carrot = food("20009", "Carotte, crue")
    leek = food("20026", "Poireau, cru")
    carrot.season_months = [9, 10, 11, 12, 1, 2, 3]
    carrot.save()
    leeks_only = ProducerFactory(name="Ferme des poireaux", commune=world.producer.commune)
    offer(world.producer, carrot, "1.5", 10, capacity=200)
    offer(leeks_only, leek, "2", 5)
    offer(world.other_producer, carrot, "1.2", 10)  # in the Drôme: out of the radius
    consultation = cs.create_consultation(
        kitchen=world.kitchen,
        actor=world.users["cook"],
        title="Carottes",
        family="FRUITS_ET_LEGUMES",
        items=[cs.ItemSpec(carrot, Decimal(100), date(2027, 1, 7))],
        answer_deadline=timezone.now() + timedelta(days=2),
    )
    cs.publish(consultation=consultation, actor=world.users["cook"])
    cs.submit_answer(
        consultation=consultation,
        actor=world.users["producer"],
        lines=[cs.LineSpec(consultation.items.get().pk, Decimal("1.4"), Decimal(50))],
    )
    rows = sourcing(consultation)
    assert [r.producer for r in rows] == [world.producer, leeks_only]
    (product,) = rows[0].products
    assert product.asked and product.in_season and product.weekly_capacity == 200
    assert rows[0].answers == 1 and rows[1].answers == 0
    client.force_login(world.users["cook"])
    html = client.get(reverse("consultation_detail", args=[consultation.pk])).content.decode()
    assert "Ferme des poireaux" in html and "Vergers de Valence" not in html
    assert html.count("<circle cx=") == 3  # the radius and the two producers
