"""Allocation end to end on a small instance: run, lines, baseline, accept -> purchase orders."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from cantine.dates import week_start
from orders.instances import build_instance, instance_for_period, offer_pk
from orders.models import AllocationRun, PurchaseOrder
from orders.needs import compute_needs
from orders.services import (
    AllocationNotAcceptable,
    accept_allocation,
    request_allocation,
)
from tests.factories import ProducerFactory
from tests.orders.test_support import MONDAY, offer

pytest_plugins = ["tests.orders.test_support"]

SUNDAY = date(2027, 1, 10)


@pytest.fixture
def allocate(django_capture_on_commit_callbacks):
    """Request a run and let the (immediate) task backend solve it, as after a commit."""

    def run(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            made = request_allocation(**kwargs)
        made.refresh_from_db()
        return made

    return run


@pytest.fixture
def market(world, planned, foods):
    """Carrots from the local farm (Angers, delivers Friday) and rice from a wholesaler."""
    local = world.producer
    local.delivery_weekdays = [0, 4]
    local.save()
    wholesaler = ProducerFactory(
        name="Grossiste", commune=world.other_producer.commune, delivery_weekdays=[0]
    )
    carrots = offer(local, foods["carrot"], price="1.20", pack="5", labels=["BIO"])
    rice = offer(wholesaler, foods["rice"], price="2.00", pack="5")
    compute_needs(kitchen=planned, start=MONDAY, end=SUNDAY)
    return {"carrots": carrots, "rice": rice, "wholesaler": wholesaler}


def test_instance_flags_local_producers_and_keeps_capacity_weekly(world, market, planned):
    market["carrots"].weekly_capacity = Decimal("30")
    market["carrots"].save()
    instance, needs, _offers = instance_for_period(planned, MONDAY, SUNDAY)

    producers = {p.id: p for p in instance.producers}
    assert producers[f"P{world.producer.pk}"].local is True  # same department as the kitchen
    assert producers[f"P{market['wholesaler'].pk}"].local is False
    carrots = [o for o in instance.offers if offer_pk(o.id) == market["carrots"].pk]
    # Friday's delivery (the week before) and the week's own: 30 kg a week, not 60 kg anytime.
    assert [o.capacity for o in carrots] == [30.0] * len(carrots)
    weeks = [{week_start(date.fromisoformat(d)) for d in o.delivery_dates} for o in carrots]
    assert all(len(w) == 1 for w in weeks) and len({min(w) for w in weeks}) == len(carrots)
    assert len(needs) == 2


def test_an_offer_serves_only_its_producer_delivery_days(world, market, planned):
    world.producer.delivery_weekdays = [2]  # Wednesday only: cannot bring Friday's carrots
    world.producer.save()
    instance, needs, offers = instance_for_period(planned, MONDAY, SUNDAY)
    assert f"O{market['carrots'].pk}" not in {o.id for o in instance.offers}


def test_allocation_runs_and_accepting_makes_one_order_per_producer_and_date(
    world, market, planned, allocate
):
    run = allocate(canteen=planned, start=MONDAY, end=SUNDAY, actor=world.users["cook"])

    assert run.status == AllocationRun.Status.OPTIMAL
    lines = {line.need.food.code: line for line in run.lines.select_related("need__food")}
    assert lines["20009"].packs == 4  # 17.4 kg in 5 kg packs
    assert lines["20009"].total == Decimal("24.00")
    assert lines["9104"].packs == 2  # 7.2 kg in 5 kg packs
    assert run.cost == pytest.approx(24 + 20)
    assert run.shares["bio"] == pytest.approx(24 / 44)
    assert run.baseline_cost == pytest.approx(44)

    orders = accept_allocation(run=run, actor=world.users["cook"])

    assert sorted((o.producer_id, o.delivery_date) for o in orders) == sorted(
        [(world.producer.pk, MONDAY), (market["wholesaler"].pk, MONDAY)]  # never 1 January
    )
    assert all(o.status == PurchaseOrder.Status.DRAFT for o in orders)
    carrots = PurchaseOrder.objects.get(producer=world.producer)
    assert carrots.lines.get().quantity == Decimal("20")
    with pytest.raises(AllocationNotAcceptable):
        accept_allocation(run=run)


def test_accepting_a_newer_run_replaces_the_draft_orders(world, market, planned, allocate):
    first = allocate(canteen=planned, start=MONDAY, end=SUNDAY)
    accept_allocation(run=first)
    second = allocate(canteen=planned, start=MONDAY, end=SUNDAY)
    accept_allocation(run=second)
    assert set(PurchaseOrder.objects.values_list("run", flat=True)) == {second.pk}


def test_an_organic_target_leaves_the_non_organic_need_unmet_and_says_so(
    world, market, planned, allocate
):
    """Only carrots are organic: 90 % organic is reached by not buying the rice."""
    run = allocate(canteen=planned, start=MONDAY, end=SUNDAY, targets={"bio_min_share": 0.9})
    assert run.is_solved
    assert run.shares["bio"] >= 0.9
    rice_need = run.unmet[0]["need"]
    assert [u["quantity"] for u in run.unmet] == [pytest.approx(7.2)]
    assert not run.lines.filter(need_id=rice_need).exists()
    assert run.targets == {"bio_min_share": 0.9}


def test_an_unfinished_run_cannot_be_accepted(planned):
    run = AllocationRun.objects.create(canteen=planned, start=MONDAY, end=SUNDAY)
    with pytest.raises(AllocationNotAcceptable):
        accept_allocation(run=run)


def test_a_period_without_needs_fails_with_a_message(world, planned, allocate):
    run = allocate(canteen=planned, start=date(2027, 3, 1), end=date(2027, 3, 7))
    assert run.status == AllocationRun.Status.FAILED
    assert run.message


def test_targets_outside_0_100_percent_are_refused(planned):
    with pytest.raises(ValidationError):
        request_allocation(
            canteen=planned, start=MONDAY, end=SUNDAY, targets={"bio_min_share": 1.5}
        )
    assert not AllocationRun.objects.exists()


def test_build_instance_with_no_offers_leaves_needs_unservable(planned, market):
    instance, needs, _ = instance_for_period(planned, MONDAY, SUNDAY)
    empty = build_instance(planned, needs, [])
    assert empty.offers == () and len(empty.needs) == len(instance.needs)


@pytest.fixture
def cheaper_far_carrots(world, market, foods):
    """The wholesaler (not local) also sells carrots, cheaper, and delivers on Fridays too."""
    wholesaler = market["wholesaler"]
    wholesaler.delivery_weekdays = [0, 4]
    wholesaler.save()
    return offer(wholesaler, foods["carrot"], price="0.80", pack="5")


def test_cheapest_goal_buys_the_far_carrots(world, planned, cheaper_far_carrots, allocate):
    run = allocate(canteen=planned, start=MONDAY, end=SUNDAY)
    assert run.goal == "min_cost"
    assert run.cost == pytest.approx(16 + 20)  # 4 packs x 5 kg x 0.80 + rice
    assert run.shares["local"] == 0


@pytest.mark.parametrize(
    ("budget", "local_packs", "cost"),
    [("44", 4, 44), ("40", 2, 40), ("36", 0, 36)],  # local 6 € a pack, far 4 €, rice 20 €
)
def test_most_local_buys_as_many_local_carrots_as_the_budget_allows(
    world, planned, cheaper_far_carrots, allocate, budget, local_packs, cost
):
    run = allocate(
        canteen=planned, start=MONDAY, end=SUNDAY, goal="max_local", budget=Decimal(budget)
    )
    assert run.is_solved and run.goal == "max_local" and run.budget == Decimal(budget)
    local = run.lines.filter(need__food__code="20009", offer__producer=world.producer)
    assert sum(line.packs for line in local) == local_packs
    assert run.cost == pytest.approx(cost)
    assert not run.unmet


def test_most_local_without_a_budget_is_refused(planned):
    with pytest.raises(ValidationError, match="budget"):
        request_allocation(canteen=planned, start=MONDAY, end=SUNDAY, goal="max_local")
    with pytest.raises(ValidationError):
        request_allocation(canteen=planned, start=MONDAY, end=SUNDAY, goal="cheapest")
    assert not AllocationRun.objects.exists()


def _refuse_carrots(world, planned, allocate, confirmed_packs: int):
    from orders import lifecycle

    run = allocate(canteen=planned, start=MONDAY, end=SUNDAY, actor=world.users["cook"])
    orders = accept_allocation(run=run, actor=world.users["cook"])
    carrots = next(o for o in orders if o.producer_id == world.producer.pk)
    lifecycle.send_order(order=carrots, actor=world.users["cook"])
    line = carrots.lines.get()
    lifecycle.answer_line(
        line=line, packs=confirmed_packs, actor=world.users["producer"], reason="récolte perdue"
    )
    return line


def test_a_producer_who_refused_is_not_asked_again_that_week(world, market, planned, allocate):
    """Found by the demo probe: the farm refused its carrots ("harvest lost"), and the next
    allocation of the same week proposed the same carrots from the same farm."""
    _refuse_carrots(world, planned, allocate, confirmed_packs=0)

    instance, _needs, _offers = instance_for_period(planned, MONDAY, SUNDAY)
    assert market["carrots"].pk not in {offer_pk(o.id) for o in instance.offers}
    again = allocate(canteen=planned, start=MONDAY, end=SUNDAY, actor=world.users["cook"])
    assert not again.lines.filter(offer=market["carrots"]).exists()


def test_a_producer_who_confirmed_part_is_offered_only_that_part(world, market, planned, allocate):
    line = _refuse_carrots(world, planned, allocate, confirmed_packs=1)

    instance, _needs, _offers = instance_for_period(planned, MONDAY, SUNDAY)
    [offered] = [o for o in instance.offers if offer_pk(o.id) == market["carrots"].pk]
    assert offered.capacity == float(line.size)  # the one pack confirmed, no more
