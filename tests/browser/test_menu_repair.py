"""Plans that follow supply, in a browser: the demo farm refuses a product nobody else sells;
the cook accepts the proposed menu repair; the new menus meet every rule and no longer use
the product; the new needs are allocated, ordered and sent."""

import math
import re
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from cantine.models import Canteen, User
from menus import selectors as menu_selectors
from menus.models import MealDish, PlanRun
from menus.services import plan_now
from nutrition.selectors import rule_set_for
from orders import lifecycle, needs
from orders.models import Need, PurchaseOrder, PurchaseOrderLine
from producers.models import Offer
from tests.browser.conftest import log_in

LIVE = ["draft", "sent", "confirmed", "partial"]


def either(english: str, french: str):
    """Match the label whether or not the French catalogue is compiled yet."""
    return re.compile(f"{re.escape(english)}|{re.escape(french)}")


def served_week(kitchen, monday):
    return {
        (c.meal.date, c.component): c.dish_id
        for c in MealDish.objects.filter(
            meal__canteen=kitchen, meal__date__range=(monday, monday + timedelta(days=6))
        ).select_related("meal")
    }


def farm_only_product(kitchen, farm, monday):
    """A product of next week's needs the demo farm sells: the one fewest meals use, not a
    main course's. Everyone else's offers of it are withdrawn: nobody else can supply it."""
    sold = set(Offer.objects.filter(producer=farm, active=True).values_list("food", flat=True))
    candidates = []
    for need in Need.objects.filter(canteen=kitchen, week=monday, food__in=sold):
        meals = {s["date"] for s in need.sources}
        mains = any(s["component"] == "main" for s in need.sources)
        candidates.append((mains, len(meals), need.food.name, need))
    assert candidates, "the demo farm sells nothing the week needs"
    need = min(candidates, key=lambda c: c[:3])[3]
    Offer.objects.filter(food=need.food).exclude(producer=farm).update(active=False)
    return need


def send_farm_order(kitchen, farm, need, cook) -> PurchaseOrderLine:
    farm_offer = Offer.objects.filter(producer=farm, food=need.food, active=True).first()
    order = PurchaseOrder.objects.create(
        canteen=kitchen, producer=farm, delivery_date=need.delivery_date
    )
    packs = max(1, math.ceil(need.quantity / farm_offer.pack_size))
    line = PurchaseOrderLine.objects.create(
        order=order,
        offer=farm_offer,
        need=need,
        week=need.week,
        packs=packs,
        quantity=farm_offer.pack_size * packs,
        unit_price=farm_offer.unit_price,
        total=(farm_offer.unit_price * farm_offer.pack_size * packs).quantize(Decimal("0.01")),
    )
    order.goods_total = line.total
    order.save(update_fields=["goods_total"])
    lifecycle.send_order(order=order, actor=cook)
    return line


def test_producer_refuses_what_nobody_else_sells_and_the_cook_repairs_the_menus(
    page, live_server, demo
):
    kitchen = Canteen.objects.get(kind=Canteen.Kind.CENTRAL_KITCHEN)
    cook = User.objects.get(username="cuisinier")
    farm = User.objects.get(username="producteur").producer_membership.producer
    rule_set = rule_set_for(kitchen)
    today = timezone.localdate()
    monday = today + timedelta(days=7 - today.weekday())
    friday = monday + timedelta(days=4)
    # Next week is planned and its needs computed; the farm is asked one product of it.
    planned = plan_now(
        canteen=kitchen, start=monday, end=friday, preset="cheapest", rule_set=rule_set, actor=cook
    )
    assert planned.status in PlanRun.SOLVED
    needs.compute_needs(kitchen=kitchen, start=monday, end=friday)
    need = farm_only_product(kitchen, farm, monday)
    product = need.food
    line = send_farm_order(kitchen, farm, need, cook)
    before = served_week(kitchen, monday)

    # The producer refuses the whole line from the portal.
    log_in(page, live_server, "producteur")
    page.goto(f"{live_server.url}/orders/portal/")
    row = page.locator(f'li.line[data-line="{line.pk}"]')
    row.get_by_label(either("Packs I deliver", "Colis que je livre")).fill("0")
    row.get_by_label(either("Reason (if fewer)", "Motif (si moins)")).fill("récolte perdue")
    row.get_by_role("button", name=either("Answer", "Répondre")).click()
    expect(page.locator(".messages")).to_contain_text(
        either("Your answer is recorded", "Votre réponse est enregistrée")
    )

    # The cook sees the repair proposal on the calendar and on the needs page.
    page.context.clear_cookies()
    log_in(page, live_server, "cuisinier")
    page.goto(f"{live_server.url}/menus/{kitchen.pk}/?start={monday:%Y-%m-%d}&weeks=1")
    card = page.locator(f'section.shortage[data-line="{line.pk}"]')
    expect(card).to_contain_text(product.name)
    page.goto(f"{live_server.url}/orders/{kitchen.pk}/needs/?start={monday:%Y-%m-%d}&weeks=1")
    card = page.locator(f'section.shortage[data-line="{line.pk}"]')
    expect(card).to_contain_text(product.name)
    expect(card).to_contain_text(farm.name)
    card.get_by_role("button", name=either("Repair the menus", "Réparer les menus")).click()
    expect(page.locator(".messages")).to_contain_text(
        either("Menus repaired", "Menus réparés"), timeout=120_000
    )
    expect(page.locator("section.shortage")).to_have_count(0)

    # The new menus meet every rule and no longer use the product; only its meals changed.
    after = served_week(kitchen, monday)
    uses = set(
        MealDish.objects.filter(dish__ingredients__food=product).values_list("pk", flat=True)
    )
    week_courses = MealDish.objects.filter(
        meal__canteen=kitchen, meal__date__range=(monday, friday)
    )
    assert not week_courses.filter(pk__in=uses).exists()
    repaired_days = {date for date, _c in before if before.get((date, _c)) != after.get((date, _c))}
    assert repaired_days and {d.isoformat() for d in repaired_days} <= {
        s["date"] for s in need.sources
    }
    report = menu_selectors.compliance(kitchen, monday, friday, rule_set)
    assert report.ok, report.describe()
    assert menu_selectors.variety_failures(kitchen, monday, friday, rule_set) == []
    assert not Need.objects.filter(canteen=kitchen, week=monday, food=product).exists()
    changed = {after[key] for key in after if before.get(key) != after[key]}
    new_needs = [
        n
        for n in Need.objects.filter(canteen=kitchen, week=monday)
        if any(s["dish_id"] in changed for s in n.sources)
    ]
    assert new_needs

    # The new needs are ordered: allocate, accept, and send the orders that buy them.
    page.get_by_role("button", name=either("Allocate the needs", "Répartir les besoins")).click()
    expect(page.locator("#allocation-run")).to_contain_text(
        re.compile("Optimal|Feasible|Réalisable"), timeout=90_000
    )
    page.get_by_role("link", name=either("See the allocation", "Voir la répartition")).click()
    page.get_by_role(
        "link", name=either("Review the changes to the orders", "Voir les changements")
    ).click()
    page.get_by_role(
        "button", name=either("Confirm and update the purchase orders", "Confirmer et mettre")
    ).click()
    expect(page.locator("table.purchase-orders tbody tr").first).to_be_visible()
    buying = PurchaseOrderLine.objects.filter(
        need__in=new_needs, order__status__in=LIVE, packs__gt=0
    ).select_related("order")
    assert {line.need_id for line in buying} == {n.pk for n in new_needs}
    for order in {line.order for line in buying}:
        page.goto(f"{live_server.url}/orders/purchase-orders/{order.pk}/")
        page.get_by_role(
            "button", name=either("Send to the producer", "Envoyer au producteur")
        ).click()
        expect(page.locator(".messages")).to_contain_text(either("sent", "envoyée"))
        order.refresh_from_db()
        assert order.status == PurchaseOrder.Status.SENT
