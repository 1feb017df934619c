"""A producer invoices a delivered order as Factur-X; the manager pays it within 30 days."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from facturx import get_xml_from_pdf, xml_check_xsd
from lxml import etree

from orders import invoicing, lifecycle
from orders.models import PurchaseOrder, PurchaseOrderLine
from tests.orders.test_support import clock, food, offer  # noqa: F401 (fixture)

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
}


@pytest.fixture
def delivered(world, clock):  # noqa: F811
    clock(date(2027, 1, 4))
    world.kitchen.service_code = "CUISINE-01"
    world.kitchen.save()
    carrot = food("20009", "Carotte, crue")
    order = PurchaseOrder.objects.create(
        canteen=world.kitchen,
        producer=world.producer,
        delivery_date=date(2027, 1, 5),
        delivery_cost=Decimal(10),
    )
    PurchaseOrderLine.objects.create(
        order=order,
        offer=offer(world.producer, carrot, "1.50", 10),
        packs=6,
        quantity=60,
        unit_price=Decimal("1.50"),
        total=Decimal(90),
    )
    lifecycle.send_order(order=order, actor=world.users["cook"])
    lifecycle.confirm_all(order=order, actor=world.users["producer"])
    clock(date(2027, 1, 5))
    line = order.lines.get()
    lifecycle.record_delivery(
        order=order, received={line.pk: (Decimal(55), "")}, actor=world.users["cook"]
    )
    order.refresh_from_db()
    return world, order


def test_the_invoice_is_a_valid_factur_x_with_siret_service_code_order_and_delivered_quantity(
    delivered,
    clock,  # noqa: F811
):
    world, order = delivered
    clock(date(2027, 1, 6))
    invoice = invoicing.issue_invoice(order=order, actor=world.users["producer"])
    filename, xml = get_xml_from_pdf(bytes(invoice.pdf), check_xsd=True)
    assert filename == "factur-x.xml"
    assert xml_check_xsd(xml, flavor="factur-x", level="en16931")
    tree = etree.fromstring(xml)

    def text(path):
        return tree.findtext(path, namespaces=NS)

    agreement = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement"
    assert text(f"{agreement}/ram:BuyerReference") == "CUISINE-01"
    assert (
        text(f"{agreement}/ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID") == order.number
    )
    buyer_id = tree.find(
        f"{agreement}/ram:BuyerTradeParty/ram:SpecifiedLegalOrganization/ram:ID", NS
    )
    assert buyer_id.text == world.kitchen.siret and buyer_id.get("schemeID") == "0009"
    quantity = tree.find(".//ram:BilledQuantity", NS)
    assert Decimal(quantity.text) == 55 and quantity.get("unitCode") == "KGM"
    # 55 kg x 1.50 + 10 delivery = 92.50 HT; 5.5 % VAT = 5.09; 97.59 TTC.
    assert text(".//ram:GrandTotalAmount") == "97.59"
    order.refresh_from_db()
    assert order.status == PurchaseOrder.Status.INVOICED and order.invoiced_on == date(2027, 1, 6)
    assert invoice.due_on == date(2027, 2, 5)


def test_only_its_producer_invoices_a_delivered_order_once(delivered, clock):  # noqa: F811
    world, order = delivered
    with pytest.raises(invoicing.InvoicingError, match="Seul le producteur"):
        invoicing.issue_invoice(order=order, actor=world.users["cook"])
    invoicing.issue_invoice(order=order, actor=world.users["producer"])
    with pytest.raises(invoicing.InvoicingError, match="déjà facturée"):
        invoicing.issue_invoice(order=order, actor=world.users["producer"])


def test_the_manager_records_the_payment_and_the_delay_is_measured(delivered, clock):  # noqa: F811
    world, order = delivered
    invoice = invoicing.issue_invoice(order=order, actor=world.users["producer"])
    clock(date(2027, 1, 30))
    with pytest.raises(invoicing.InvoicingError, match="jour à venir"):
        invoicing.record_payment(
            invoice=invoice,
            paid_on=date(2027, 1, 30) + timedelta(days=1),
            actor=world.users["manager"],
        )
    invoicing.record_payment(
        invoice=invoice, paid_on=date(2027, 1, 30), actor=world.users["manager"]
    )
    order.refresh_from_db()
    assert order.status == PurchaseOrder.Status.PAID and order.payment_delay == 25
