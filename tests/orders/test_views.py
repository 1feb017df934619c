"""Orders pages: the cook's journey (needs, allocation, acceptance, documents) and who may
open what — cook writes, manager reads, everyone else 403, another kitchen's objects 404."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from menus.models import CanteenCalendar
from menus.school_calendar import NO_ZONE
from orders.models import AllocationRun, Need, PurchaseOrder
from orders.needs import compute_needs
from orders.services import accept_allocation, execute_allocation_run
from tests.factories import ProducerFactory
from tests.orders.test_support import MONDAY, offer
from tests.pdf import pdf_text

pytest_plugins = ["tests.orders.test_support"]

SUNDAY = date(2027, 1, 10)
PERIOD = {"start": "2027-01-04", "weeks": 1}
ROLES = ["cook", "dietitian", "manager", "producer", "nobody", "outsider_cook"]


@pytest.fixture
def ordered(world, planned, foods):
    """Needs computed, one solved run accepted into purchase orders."""
    world.producer.delivery_weekdays = [0, 4]
    world.producer.save()
    wholesaler = ProducerFactory(name="Grossiste", delivery_weekdays=[0])
    offer(world.producer, foods["carrot"], price="1.20", pack="5", labels=["BIO"])
    offer(wholesaler, foods["rice"], price="2.00", pack="5")
    compute_needs(kitchen=planned, start=MONDAY, end=SUNDAY)
    run = AllocationRun.objects.create(canteen=planned, start=MONDAY, end=SUNDAY)
    execute_allocation_run(run_id=run.pk)
    run.refresh_from_db()
    orders = accept_allocation(run=run)
    return {"run": run, "order": orders[0], "need": Need.objects.first()}


# (url name, kwargs builder, roles allowed)
PAGES = [
    ("orders_needs", lambda w, o: {"pk": w.kitchen.pk}),
    ("orders_lots", lambda w, o: {"pk": w.kitchen.pk}),
    ("orders_purchase_orders", lambda w, o: {"pk": w.kitchen.pk}),
    ("orders_run", lambda w, o: {"run_pk": o["run"].pk}),
    ("orders_run_status", lambda w, o: {"run_pk": o["run"].pk}),
    ("orders_po", lambda w, o: {"po_pk": o["order"].pk}),
    ("orders_po_pdf", lambda w, o: {"po_pk": o["order"].pk}),
    ("orders_po_csv", lambda w, o: {"po_pk": o["order"].pk}),
]
READERS = {"cook", "manager"}
POSTS = [
    ("orders_compute_needs", lambda w, o: {"pk": w.kitchen.pk}, PERIOD),
    ("orders_adjust_need", lambda w, o: {"need_pk": o["need"].pk}, {"manual_quantity": "3"}),
    ("orders_allocate", lambda w, o: {"pk": w.kitchen.pk}, PERIOD),
    ("orders_accept_run", lambda w, o: {"run_pk": o["run"].pk}, {}),
]


@pytest.mark.parametrize("page", PAGES, ids=[p[0] for p in PAGES])
@pytest.mark.parametrize("role", ROLES)
def test_pages_are_for_the_kitchens_buyers(client, world, ordered, page, role):
    name, kwargs = page
    client.force_login(world.users[role])
    response = client.get(reverse(name, kwargs=kwargs(world, ordered)))
    expected = {"outsider_cook": 404}.get(role, 200 if role in READERS else 403)
    assert response.status_code == expected


@pytest.mark.parametrize("post", POSTS, ids=[p[0] for p in POSTS])
@pytest.mark.parametrize("role", ROLES)
def test_only_the_cook_changes_orders(client, world, ordered, post, role):
    name, kwargs, data = post
    client.force_login(world.users[role])
    before = (
        Need.objects.filter(manual_quantity__isnull=False).count(),
        AllocationRun.objects.count(),
    )
    response = client.post(reverse(name, kwargs=kwargs(world, ordered)), data)
    if role == "cook":
        assert response.status_code in (200, 302)
        return
    assert response.status_code == (404 if role == "outsider_cook" else 403)
    after = (
        Need.objects.filter(manual_quantity__isnull=False).count(),
        AllocationRun.objects.count(),
    )
    assert after == before


@pytest.mark.parametrize("name", ["orders_index", *[p[0] for p in PAGES]])
def test_anonymous_is_sent_to_login(client, world, ordered, name):
    kwargs = dict(PAGES)[name](world, ordered) if name != "orders_index" else None
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_index_opens_the_kitchen_needs_and_satellite_staff_land_there(client, world, planned):
    client.force_login(world.users["manager"])
    response = client.get(reverse("orders_index"))
    assert response.url == reverse("orders_needs", kwargs={"pk": world.kitchen.pk})
    satellite = client.get(reverse("orders_needs", kwargs={"pk": world.satellite.pk}))
    assert satellite.status_code == 302
    assert satellite.url.startswith(reverse("orders_needs", kwargs={"pk": world.kitchen.pk}))


def test_cook_computes_needs_then_adjusts_one_inline(client, world, planned):
    client.force_login(world.users["cook"])
    url = reverse("orders_compute_needs", kwargs={"pk": world.kitchen.pk})
    assert client.post(url, PERIOD).status_code == 302
    page = client.get(reverse("orders_needs", kwargs={"pk": world.kitchen.pk}), PERIOD)
    assert {n.food.code: n.quantity for n in page.context["needs"]} == {
        "20009": Decimal("17.4"),
        "9104": Decimal("7.2"),
    }
    carrot = Need.objects.get(food__code="20009")
    adjust = reverse("orders_adjust_need", kwargs={"need_pk": carrot.pk})
    row = client.post(adjust, {"manual_quantity": "20"}, HTTP_HX_REQUEST="true")
    assert row.status_code == 200
    assert b'id="need-%d"' % carrot.pk in row.content
    carrot.refresh_from_db()
    assert carrot.quantity == Decimal("20")

    refused = client.post(adjust, {"manual_quantity": "-2"}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 400
    assert b'aria-invalid="true"' in refused.content
    carrot.refresh_from_db()
    assert carrot.quantity == Decimal("20")


def test_manager_reads_needs_without_edit_controls(client, world, planned):
    compute_needs(kitchen=planned, start=MONDAY, end=SUNDAY)
    client.force_login(world.users["manager"])
    page = client.get(reverse("orders_needs", kwargs={"pk": world.kitchen.pk}), PERIOD)
    assert page.context["can_edit"] is False
    assert b"hx-post" not in page.content


def test_allocate_shows_the_run_then_accept_creates_orders(
    client, world, planned, foods, django_capture_on_commit_callbacks
):
    world.producer.delivery_weekdays = [0, 4]
    world.producer.save()
    # A kitchen that cooks through the holidays, New Year's Day included (a hospital's), so
    # that its carrots come on Friday 1 January and its rice on Monday.
    CanteenCalendar.objects.create(
        canteen=world.kitchen, school_zone=NO_ZONE, open_on_public_holidays=True
    )
    offer(world.producer, foods["carrot"], price="1.20", pack="5", labels=["BIO"])
    offer(world.producer, foods["rice"], price="2.00", pack="5")
    compute_needs(kitchen=planned, start=MONDAY, end=SUNDAY)
    client.force_login(world.users["cook"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("orders_allocate", kwargs={"pk": world.kitchen.pk}),
            {**PERIOD, "bio_min_share": "20"},
        )
    assert response.status_code == 200
    run = AllocationRun.objects.get()
    assert run.targets == {"bio_min_share": 0.2}
    detail = client.get(reverse("orders_run", kwargs={"run_pk": run.pk}))
    assert detail.context["run"].status == "optimal"
    assert {row.key: row.met for row in detail.context["shares"]}["bio"] is True
    assert all(row.lines for row in detail.context["rows"])

    accepted = client.post(reverse("orders_accept_run", kwargs={"run_pk": run.pk}))
    assert accepted.url == reverse("orders_purchase_orders", kwargs={"pk": world.kitchen.pk})
    # One producer, two delivery dates (Friday carrots, Monday rice): two orders.
    assert PurchaseOrder.objects.count() == 2


def test_purchase_order_pdf_and_csv_carry_the_lines(client, world, ordered):
    client.force_login(world.users["manager"])
    order = PurchaseOrder.objects.get(producer=world.producer)
    pdf = client.get(reverse("orders_po_pdf", kwargs={"po_pk": order.pk}))
    assert pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert "Carotte, crue" in text and order.number in text and "24,00" in text
    csv = client.get(reverse("orders_po_csv", kwargs={"po_pk": order.pk})).content.decode()
    header, line = csv.lstrip("\ufeff").splitlines()
    assert line.split(";")[4:8] == ["20009", "Carotte, crue", "BIO", "4"]


def test_lot_simulator_compares_granularities(
    client, world, ordered, django_capture_on_commit_callbacks
):
    client.force_login(world.users["manager"])
    url = reverse("orders_lots", kwargs={"pk": world.kitchen.pk})
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, PERIOD).status_code == 302
    page = client.get(url, PERIOD)
    assert page.context["simulation"].status == "optimal"
    outcomes = {o.granularity: o for o in page.context["outcomes"]}
    assert set(outcomes) == {"free", "product_week", "family_week", "family_period"}
    assert outcomes["free"].cost <= outcomes["family_period"].cost + 1e-6
    assert b"<svg" in page.content


@pytest.mark.parametrize("role", ROLES)
def test_buyers_run_the_lot_simulator(client, world, ordered, role):
    client.force_login(world.users[role])
    response = client.post(reverse("orders_lots", kwargs={"pk": world.kitchen.pk}), PERIOD)
    expected = {"outsider_cook": 404}.get(role, 302 if role in READERS else 403)
    assert response.status_code == expected


def test_most_local_without_a_budget_says_why_and_queues_nothing(client, world, planned):
    client.force_login(world.users["cook"])
    response = client.post(
        reverse("orders_allocate", kwargs={"pk": world.kitchen.pk}),
        {**PERIOD, "goal": "max_local", "budget": ""},
    )
    assert response.status_code == 400
    assert "budget" in response.content.decode()
    assert not AllocationRun.objects.exists()


def test_most_local_within_a_budget_is_queued_with_its_goal(
    client, world, planned, foods, django_capture_on_commit_callbacks
):
    world.producer.delivery_weekdays = [0, 4]
    world.producer.save()
    offer(world.producer, foods["carrot"], price="1.20", pack="5")
    compute_needs(kitchen=planned, start=MONDAY, end=SUNDAY)
    client.force_login(world.users["cook"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("orders_allocate", kwargs={"pk": world.kitchen.pk}),
            {**PERIOD, "goal": "max_local", "budget": "500"},
        )
    assert response.status_code == 200
    run = AllocationRun.objects.get()
    assert (run.goal, run.budget) == ("max_local", Decimal("500.00"))
    assert "500,00" in response.content.decode() or "500.00" in response.content.decode()
