"""The public-procurement loop in the browser: consultation, answers, award, orders, delivery,
Factur-X invoice, payment."""

import re
from datetime import timedelta
from decimal import Decimal
from io import BytesIO

from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.conftest import log_in


def either(english: str, french: str):
    return re.compile(f"{re.escape(english)}|{re.escape(french)}")


def _prepare():
    """Two weeks ahead, 100 kg of a vegetable three demo farms grow; two of them get users
    (the demo has one producer user) to answer together; minimum orders and delivery costs
    are set aside so the split is the scores' alone."""
    from cantine.dates import week_start
    from cantine.local import distance_km
    from cantine.models import Canteen, User
    from orders.models import Need
    from producers.models import Offer, ProducerMember

    kitchen = Canteen.objects.get(kind=Canteen.Kind.CENTRAL_KITCHEN)
    kitchen.service_code = "RESTAURATION-49"
    kitchen.save(update_fields=["service_code"])
    ours = ProducerMember.objects.get(user__username="producteur").producer

    def nearby(food):
        """Farms (not the wholesaler) selling ``food`` within the consultation's 80 km."""
        offers = Offer.objects.filter(food=food, active=True).exclude(producer=ours)
        farms = {o.producer for o in offers.select_related("producer__commune__department")}
        return sorted(
            (
                p
                for p in farms
                if p.status != "wholesaler" and (distance_km(kitchen.place, p.place) or 999) <= 80
            ),
            key=lambda p: p.name,
        )

    food = next(
        o.food
        for o in Offer.objects.filter(producer=ours, active=True, unit="kg").order_by("food__name")
        if len(nearby(o.food)) >= 2
    )
    others = nearby(food)[:2]
    assert len(others) == 2, "the demo has three farms growing the same vegetable"
    farms = [ours, *others]
    for farm in farms:
        farm.minimum_order_value, farm.delivery_cost, farm.delivery_weekdays = 0, 0, []
        farm.save()
    users = []
    for index, farm in enumerate(others):
        user = User.objects.create_user(f"ferme{index}", password="cantine-demo-2026")
        ProducerMember.objects.create(user=user, producer=farm)
        users.append(user)
    day = week_start(timezone.localdate()) + timedelta(days=15)  # a Tuesday, 2 weeks on
    Need.objects.create(
        canteen=kitchen,
        week=week_start(day),
        food=food,
        delivery_date=day,
        computed_quantity=Decimal(100),
    )
    return kitchen, food, farms, users, day


def _answer(page, live_server, consultation_pk, prices: dict, partners: str = ""):
    page.goto(f"{live_server.url}/orders/portal/consultations/{consultation_pk}/")
    if partners:
        page.get_by_label(re.compile("SIRET")).fill(partners)
    for name, value in prices.items():
        page.locator(f'input[name="{name}"]').fill(value)
    page.get_by_role("button", name=either("Send my answer", "Envoyer ma réponse")).click()
    expect(page.locator(".messages")).to_contain_text(either("recorded", "enregistrée"))


def test_a_lot_is_consulted_answered_split_ordered_delivered_invoiced_and_paid(
    page, live_server, demo
):
    from facturx import get_xml_from_pdf

    from orders.models import AnswerLine, Consultation, Invoice, PurchaseOrder

    kitchen, food, (ours, farm_b, farm_c), (user_b, _user_c), day = _prepare()

    # The cook prepares a consultation for the lot and publishes it.
    log_in(page, live_server, "cuisinier")
    page.get_by_role("navigation").get_by_role("link", name="Consultations").click()
    page.goto(f"{page.url.split('?')[0]}?start={day:%Y-%m-%d}&weeks=1&granularity=product_week")
    lot = page.locator("table.lots-to-consult tbody tr", has_text=food.name)
    lot.get_by_role(
        "button", name=either("Prepare a consultation", "Préparer une consultation")
    ).click()
    expect(page.locator("h1")).to_contain_text("CS-")
    page.get_by_role(
        "button", name=either("Publish to producers", "Publier aux producteurs")
    ).click()
    expect(page.locator(".messages")).to_contain_text(either("published", "publiée"))
    consultation = Consultation.objects.get()
    assert consultation.status == "published"
    assert consultation.invites.filter(producer__in=[ours, farm_b, farm_c]).count() == 3
    item = consultation.items.get()

    # The market gardener answers alone, from a phone.
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, "producteur")
    page.locator("#main").get_by_role(
        "link", name=either("Consultations and invoices", "Consultations et factures")
    ).click()
    expect(page.locator("article.consultation")).to_contain_text(food.name.split(",")[0])
    _answer(
        page,
        live_server,
        consultation.pk,
        {f"price_{item.pk}_{ours.pk}": "1,20", f"quantity_{item.pk}_{ours.pk}": "60"},
    )

    # Two farms answer together: the lead names its partner, then each gets its own line.
    log_in(page, live_server, user_b.username)
    _answer(
        page,
        live_server,
        consultation.pk,
        {f"price_{item.pk}_{farm_b.pk}": "1,40", f"quantity_{item.pk}_{farm_b.pk}": "25"},
        partners=farm_c.siret,
    )
    _answer(
        page,
        live_server,
        consultation.pk,
        {f"price_{item.pk}_{farm_c.pk}": "1,45", f"quantity_{item.pk}_{farm_c.pk}": "25"},
    )
    html = page.content()
    assert "1.20" not in html and "1,20" not in html  # never another producer's answer

    # The deadline passes; the cook sees the ranking and the split, and awards it.
    Consultation.objects.filter(pk=consultation.pk).update(
        answer_deadline=timezone.now() - timedelta(minutes=1)
    )
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "cuisinier")
    page.goto(f"{live_server.url}/orders/consultations/{consultation.pk}/")
    expect(page.locator("table.ranking tbody tr")).to_have_count(3)
    page.get_by_role(
        "button", name=either("Award and send the purchase orders", "Attribuer et envoyer")
    ).click()
    expect(page.locator(".messages")).to_contain_text(either("awarded", "attribuée"))
    awarded = {
        line.producer_id: line.awarded_quantity
        for line in AnswerLine.objects.filter(answer__consultation=consultation)
    }
    assert awarded == {ours.pk: 60, farm_b.pk: 25, farm_c.pk: 15}  # the lot is split

    # The analysis report lists every score of every answer line.
    report = page.request.get(
        f"{live_server.url}/orders/consultations/{consultation.pk}/report.pdf"
    )
    text = " ".join(p.extract_text() for p in PdfReader(BytesIO(report.body())).pages)
    for line in AnswerLine.objects.filter(answer__consultation=consultation):
        for points in line.scores.values():
            assert f"{points:.1f}".replace(".", ",") in text  # a French report: "40,0"
    orders = PurchaseOrder.objects.filter(lines__award_line__answer__consultation=consultation)
    assert orders.count() == 3 and set(orders.values_list("status", flat=True)) == {"sent"}

    # The market gardener confirms; the cook records the delivery (it came early, today).
    log_in(page, live_server, "producteur")
    page.goto(f"{live_server.url}/orders/portal/")
    mine = orders.get(producer=ours)
    page.locator(f'article[data-order="{mine.pk}"]').get_by_role(
        "button", name=either("Confirm everything", "Tout confirmer")
    ).click()
    log_in(page, live_server, "cuisinier")
    page.goto(f"{live_server.url}/orders/purchase-orders/{mine.pk}/")
    page.locator('input[name="received_on"]').fill(f"{timezone.localdate():%Y-%m-%d}")
    page.get_by_role(
        "button", name=either("Record the delivery", "Enregistrer la livraison")
    ).click()
    expect(page.locator(".messages")).to_contain_text(either("Delivery recorded", "Livraison"))

    # The producer sends its Factur-X invoice; factur-x validates it.
    log_in(page, live_server, "producteur")
    page.goto(f"{live_server.url}/orders/portal/consultations/")
    page.locator(f'li[data-order="{mine.pk}"]').get_by_role(
        "button", name=either("Send the Factur-X invoice", "Envoyer la facture Factur-X")
    ).click()
    expect(page.locator(".messages")).to_contain_text("F-")
    invoice = Invoice.objects.get(order=mine)
    download = page.request.get(f"{live_server.url}/orders/invoices/{invoice.pk}/pdf/")
    _name, xml = get_xml_from_pdf(download.body(), check_xsd=True)
    for expected in (kitchen.siret, "RESTAURATION-49", mine.number, "60"):
        assert expected.encode() in xml

    # The manager sees it due within 30 days and records its payment.
    log_in(page, live_server, "gestionnaire")
    page.goto(f"{live_server.url}/orders/{kitchen.pk}/invoices/")
    row = page.locator(f'tr[data-invoice="{invoice.pk}"]')
    expect(row).to_contain_text(invoice.number)
    row.get_by_role("button", name=either("Record the payment", "Enregistrer le paiement")).click()
    expect(page.locator(".messages")).to_contain_text(either("Payment recorded", "Paiement"))
    mine.refresh_from_db()
    assert mine.status == "paid" and mine.payment_delay <= 30
