"""On a phone: the demo producer confirms one line and refuses another; the cook sees both
answers and buys the refused quantity elsewhere."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from cantine.models import Canteen, User
from orders import lifecycle
from orders.models import PurchaseOrder, PurchaseOrderLine
from producers.models import Offer, Producer
from tests.browser.conftest import log_in

PHONE = {"width": 360, "height": 780}


def send_demo_order() -> PurchaseOrder:
    cook = User.objects.get(username="cuisinier")
    farm = User.objects.get(username="producteur").producer_membership.producer
    kitchen = Canteen.objects.get(kind=Canteen.Kind.CENTRAL_KITCHEN)
    wholesaler = Producer.objects.get(status=Producer.Status.WHOLESALER)
    # Products the wholesaler also sells, so that a refusal can be bought there.
    offers = [
        o
        for o in Offer.objects.filter(producer=farm).order_by("pk")
        if Offer.objects.filter(food=o.food, producer=wholesaler).exists()
    ][:2]
    today = timezone.localdate()
    day = today + timedelta(days=14 - today.weekday())  # a Monday, two weeks ahead
    # The kitchen's usual grocery delivery that day reaches the wholesaler's minimum order.
    groceries = PurchaseOrder.objects.create(
        canteen=kitchen, producer=wholesaler, delivery_date=day, goods_total=Decimal("300")
    )
    rice = Offer.objects.filter(producer=wholesaler).first()
    PurchaseOrderLine.objects.create(
        order=groceries, offer=rice, packs=100, quantity=100, unit_price=3, total=300
    )
    order = PurchaseOrder.objects.create(canteen=kitchen, producer=farm, delivery_date=day)
    for offer in offers:
        PurchaseOrderLine.objects.create(
            order=order,
            offer=offer,
            packs=1,
            quantity=offer.pack_size,
            unit_price=offer.unit_price,
            total=(offer.unit_price * offer.pack_size).quantize(Decimal("0.01")),
        )
    order.goods_total = sum(line.total for line in order.lines.all())
    order.save()
    lifecycle.send_order(order=order, actor=cook)
    return order


def test_producer_answers_on_a_phone_and_the_cook_sees_it(page, live_server, demo):
    order = send_demo_order()
    first, second = order.lines.order_by("offer__product_label", "pk")
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "producteur")
    page.goto(f"{live_server.url}/orders/portal/")
    first_row = page.locator(f'li.line[data-line="{first.pk}"]')
    first_row.get_by_role("button", name="Répondre").click()
    expect(page.locator(".messages")).to_contain_text("Votre réponse est enregistrée")
    second_row = page.locator(f'li.line[data-line="{second.pk}"]')
    second_row.get_by_label("Colis que je livre").fill("0")
    second_row.get_by_label("Motif (si moins)").fill("récolte perdue")
    second_row.get_by_role("button", name="Répondre").click()
    expect(page.locator(".messages")).to_contain_text("Votre réponse est enregistrée")
    expect(page.get_by_text("Rien à traiter.")).to_be_visible()

    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "cuisinier")
    page.goto(f"{live_server.url}/orders/purchase-orders/{order.pk}/")
    expect(page.locator("td[data-answer]").nth(1)).to_contain_text("récolte perdue")
    expect(page.locator("td[data-answer]").first).to_contain_text("confirmé")
    page.get_by_role("button", name="Acheter ailleurs les quantités refusées").click()
    expect(page.locator(".replacements")).to_contain_text("BC-")


def test_an_amended_order_stays_on_its_card_with_the_new_quantities(page, live_server, demo):
    order = send_demo_order()
    first, second = order.lines.order_by("offer__product_label", "pk")
    cook = User.objects.get(username="cuisinier")
    lifecycle.amend_order(order=order, actor=cook, packs={first.pk: 3, second.pk: 0})
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "producteur")
    page.goto(f"{live_server.url}/orders/portal/")
    cards = page.locator(f'article.order[data-order="{order.pk}"]')
    expect(cards).to_have_count(1)
    expect(cards).to_contain_text("Modifiée par l’acheteur")
    row = page.locator(f'li.line[data-line="{first.pk}"]')
    expect(row.locator("[data-packs]")).to_have_text("3")
    expect(row.locator("[data-previous]")).to_contain_text("au lieu de 1 colis")
    expect(page.locator(f'li.line[data-line="{second.pk}"]')).to_contain_text(
        "annulée par l’acheteur"
    )
    page.get_by_role("button", name="Tout confirmer").click()
    expect(page.get_by_text("Rien à traiter.")).to_be_visible()
    order.refresh_from_db()
    assert order.status == "confirmed" and order.lines.get(pk=first.pk).confirmed_packs == 3


def assert_no_horizontal_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide on a {PHONE['width']} px phone"


def test_the_portal_and_my_offers_fit_a_360_px_phone(page, live_server, demo):
    order = send_demo_order()
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "producteur")
    page.goto(f"{live_server.url}/orders/portal/")
    card = page.locator(f'article.order[data-order="{order.pk}"]')
    expect(card.locator("[data-address]")).to_contain_text(order.canteen.name)
    expect(card.locator("[data-pdf]")).to_be_visible()
    assert_no_horizontal_scroll(page)
    page.goto(f"{live_server.url}/producers/my-offers/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Mes offres")
    assert_no_horizontal_scroll(page)
