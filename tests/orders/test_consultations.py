"""Consultations: published to matching producers, answered alone or as a group, awarded by
the optimiser (or by the buyer with a reason), turned into purchase orders sent out."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from orders import consultations as cs
from orders.models import Answer, Consultation, Notification, PurchaseOrder
from tests.factories import ProducerFactory, ProducerMemberFactory, UserFactory
from tests.orders.test_support import clock, food, offer  # noqa: F401 (fixture)

DELIVERY = date(2027, 1, 7)  # a Thursday


@pytest.fixture
def carrot(db):
    return food("20009", "Carotte, crue")


@pytest.fixture
def setup(world, carrot, clock):  # noqa: F811
    clock(date(2027, 1, 1))
    farm_b = ProducerFactory(name="Ferme du Layon", commune=world.producer.commune)
    farm_c = ProducerFactory(name="Ferme de la Loire", commune=world.producer.commune)
    for index, producer in enumerate((world.producer, farm_b, farm_c)):
        producer.email = f"farm{index}@example.org"
        producer.save()
        offer(producer, carrot, "1.5", 10)
    users = {
        "b": ProducerMemberFactory(user=UserFactory(username="farm_b"), producer=farm_b).user,
        "c": ProducerMemberFactory(user=UserFactory(username="farm_c"), producer=farm_c).user,
    }
    consultation = cs.create_consultation(
        kitchen=world.kitchen,
        actor=world.users["cook"],
        title="Carottes de janvier",
        family="FRUITS_ET_LEGUMES",
        items=[cs.ItemSpec(carrot, Decimal(100), DELIVERY, estimated_unit_price=Decimal(2))],
        answer_deadline=timezone.now() + timedelta(days=2),
        weights={"price": 60, "direct_supply": 20, "carbon": 10, "freshness": 10},
    )
    return world, consultation, farm_b, farm_c, users


def test_publishing_invites_producers_of_the_family_nearby_and_mails_them(setup):
    world, consultation, farm_b, farm_c, _users = setup
    cs.publish(consultation=consultation, actor=world.users["cook"])
    invited = set(consultation.invites.values_list("producer__name", flat=True))
    # The farm in the Drôme sells nothing of the family and is 500 km away.
    assert invited == {world.producer.name, farm_b.name, farm_c.name}
    mails = Notification.objects.filter(subject__contains=consultation.number)
    assert mails.count() == 3


def test_the_award_splits_the_lot_between_a_farm_and_a_group_and_sends_the_orders(
    setup,
    clock,  # noqa: F811
):
    world, consultation, farm_b, farm_c, users = setup
    cs.publish(consultation=consultation, actor=world.users["cook"])
    item = consultation.items.get()
    cs.submit_answer(
        consultation=consultation,
        actor=world.users["producer"],
        lines=[cs.LineSpec(item.pk, Decimal("1.4"), Decimal(60))],
    )
    group = cs.submit_answer(
        consultation=consultation,
        actor=users["b"],
        partners=[farm_c],
        lines=[
            cs.LineSpec(item.pk, Decimal("1.6"), Decimal(30), producer=farm_b),
            cs.LineSpec(item.pk, Decimal("1.6"), Decimal(30), producer=farm_c),
        ],
    )
    assert group.is_group
    with pytest.raises(cs.ConsultationError, match="après la date limite"):
        cs.award(consultation=consultation, actor=world.users["cook"])
    clock(date(2027, 1, 4))
    proposal = cs.propose(consultation)
    assert proposal.solution.status == "optimal"
    orders = cs.award(consultation=consultation, actor=world.users["cook"])
    # The cheapest farm takes its 60 kg; the group's two farms share the 40 left.
    by_producer = {o.producer.name: o for o in orders}
    assert by_producer[world.producer.name].goods_total == Decimal("84.00")
    assert sum(o.lines.get().quantity for o in orders) == 100
    assert {o.status for o in orders} == {PurchaseOrder.Status.SENT}
    consultation.refresh_from_db()
    assert consultation.status == Consultation.Status.AWARDED


def test_an_answer_left_out_is_told_why(setup, clock):  # noqa: F811
    world, consultation, farm_b, _farm_c, users = setup
    cs.publish(consultation=consultation, actor=world.users["cook"])
    item = consultation.items.get()
    cs.submit_answer(
        consultation=consultation,
        actor=world.users["producer"],
        lines=[cs.LineSpec(item.pk, Decimal("1.2"), Decimal(100))],
    )
    cs.submit_answer(
        consultation=consultation,
        actor=users["b"],
        lines=[cs.LineSpec(item.pk, Decimal("2.5"), Decimal(100))],
    )
    clock(date(2027, 1, 4))
    cs.award(consultation=consultation, actor=world.users["cook"])
    lost = Answer.objects.get(lead=farm_b)
    assert lost.status == Answer.Status.UNSUCCESSFUL
    with translation.override("fr"):
        why = gettext("better-scored answers covered the whole quantity")
        status = str(Answer.Status.UNSUCCESSFUL.label)
    assert why in lost.outcome and "rank 2 of 2" in lost.outcome or "2 sur 2" in lost.outcome
    told = Notification.objects.get(to=farm_b.email, subject__contains=status)
    assert why in told.body


def test_departing_from_the_optimal_split_needs_a_written_reason(setup, clock):  # noqa: F811
    world, consultation, _farm_b, _farm_c, users = setup
    cs.publish(consultation=consultation, actor=world.users["cook"])
    item = consultation.items.get()
    cheap = cs.submit_answer(
        consultation=consultation,
        actor=world.users["producer"],
        lines=[cs.LineSpec(item.pk, Decimal("1.2"), Decimal(100))],
    )
    dear = cs.submit_answer(
        consultation=consultation,
        actor=users["b"],
        lines=[cs.LineSpec(item.pk, Decimal("2.0"), Decimal(100))],
    )
    clock(date(2027, 1, 4))
    split = {cheap.lines.get().pk: Decimal(50), dear.lines.get().pk: Decimal(50)}
    with pytest.raises(cs.ConsultationError, match="Dites pourquoi"):
        cs.award(consultation=consultation, actor=world.users["cook"], quantities=split)
    with pytest.raises(cs.ConsultationError, match="Plus de"):
        cs.award(
            consultation=consultation,
            actor=world.users["cook"],
            quantities={**split, dear.lines.get().pk: Decimal(60)},
            reason="x",
        )
    cs.award(
        consultation=consultation,
        actor=world.users["cook"],
        quantities=split,
        reason="Deux fournisseurs pour sécuriser l'approvisionnement",
    )
    consultation.refresh_from_db()
    assert consultation.override_reason.startswith("Deux fournisseurs")
    assert dear.lines.get().awarded_quantity == 50


def test_answers_are_refused_after_the_deadline_without_the_labels_or_off_delivery_days(
    setup,
    clock,  # noqa: F811
):
    world, consultation, _farm_b, _farm_c, _users = setup
    consultation.required_labels = ["BIO"]
    consultation.save()
    cs.publish(consultation=consultation, actor=world.users["cook"])
    item = consultation.items.get()
    line = [cs.LineSpec(item.pk, Decimal("1.2"), Decimal(10))]
    with pytest.raises(cs.ConsultationError, match="exige"):
        cs.submit_answer(consultation=consultation, actor=world.users["producer"], lines=line)
    with pytest.raises(cs.ConsultationError, match="jours de livraison"):
        cs.submit_answer(
            consultation=consultation,
            actor=world.users["producer"],
            lines=line,
            labels=["BIO"],
            delivery_weekdays=[0, 1],
        )
    with pytest.raises(cs.ConsultationError, match="Seul un producteur"):
        cs.submit_answer(consultation=consultation, actor=world.users["cook"], lines=line)
    clock(date(2027, 1, 4))
    with pytest.raises(cs.ConsultationError, match="plus de réponses"):
        cs.submit_answer(
            consultation=consultation, actor=world.users["producer"], lines=line, labels=["BIO"]
        )


def test_weights_must_add_up_to_100(world, carrot, clock):  # noqa: F811
    clock(date(2027, 1, 1))
    with pytest.raises(cs.ConsultationError, match="100 points"):
        cs.create_consultation(
            kitchen=world.kitchen,
            actor=world.users["cook"],
            title="x",
            family="FRUITS_ET_LEGUMES",
            items=[cs.ItemSpec(carrot, Decimal(10), DELIVERY)],
            answer_deadline=timezone.now() + timedelta(days=1),
            weights={"price": 60, "direct_supply": 60},
        )


def test_an_answer_the_buyer_set_aside_is_told_it_was_the_buyers_choice(setup, clock):  # noqa: F811
    world, consultation, farm_b, _farm_c, users = setup
    cs.publish(consultation=consultation, actor=world.users["cook"])
    item = consultation.items.get()
    cheap = cs.submit_answer(
        consultation=consultation,
        actor=world.users["producer"],
        lines=[cs.LineSpec(item.pk, Decimal("1.2"), Decimal(100))],
    )
    dear = cs.submit_answer(
        consultation=consultation,
        actor=users["b"],
        lines=[cs.LineSpec(item.pk, Decimal("2.0"), Decimal(100))],
    )
    clock(date(2027, 1, 4))
    cs.award(
        consultation=consultation,
        actor=world.users["cook"],
        quantities={cheap.lines.get().pk: Decimal(0), dear.lines.get().pk: Decimal(100)},
        reason="Le premier n'a pas livré la dernière fois",
    )
    cheap.refresh_from_db()
    with translation.override("fr"):
        why = gettext("the buyer departed from the optimal split")
    assert cheap.status == Answer.Status.UNSUCCESSFUL
    assert why in cheap.outcome and "pas livré la dernière fois" in cheap.outcome


def test_nothing_is_awarded_without_answers(setup, clock):  # noqa: F811
    world, consultation, _farm_b, _farm_c, _users = setup
    cs.publish(consultation=consultation, actor=world.users["cook"])
    clock(date(2027, 1, 4))
    with pytest.raises(cs.ConsultationError, match="rien à attribuer"):
        cs.award(consultation=consultation, actor=world.users["cook"])
    consultation.refresh_from_db()
    assert consultation.status == Consultation.Status.PUBLISHED
