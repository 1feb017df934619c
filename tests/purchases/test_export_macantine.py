"""What we export, ma cantine accepts: the exporter's output through ma cantine's own rules.

``importer.parse(..., strict=True)`` is ma cantine's header, Table Schema and row validation
(``data/validators/purchase.py`` upstream) with none of cantine's tolerances; an exported file
must pass it whole, since ma cantine's import is all or nothing.
"""

from datetime import date
from decimal import Decimal

from cantine.labels import Family, Label
from cantine.local import LocalScope
from demo.seed import seed_purchases
from nutrition.models import Food
from producers.models import Offer, Producer
from purchases import exporter, importer, services
from purchases.models import Origin, Purchase, Source
from tests.factories import ProducerFactory
from tests.purchases.factories import PurchaseFactory


def _strict(purchases):
    content = exporter.to_csv_bytes(purchases.select_related("canteen").order_by("pk"))
    return importer.parse("export.csv", content, strict=True), content


def test_lines_ma_cantine_would_refuse_are_written_so_it_accepts_them(world):
    canteen = world.kitchen
    PurchaseFactory(
        canteen=canteen,
        labels=[Label.BIO, Label.COMMERCE_EQUITABLE],
        origin=Origin.OTHER,
        description="Bananes",
    )
    # Not local, but a definition and a distance were kept: ma cantine refuses both.
    PurchaseFactory(
        canteen=canteen,
        is_local=False,
        local_definition=LocalScope.KM,
        local_definition_km=Decimal("30"),
        description="Pâtes",
    )
    PurchaseFactory(canteen=canteen, is_local=False, local_definition=LocalScope.REGION)
    # Local within 12.5 km: ma cantine stores whole kilometres.
    PurchaseFactory(
        canteen=canteen,
        is_local=True,
        local_definition=LocalScope.KM,
        local_definition_km=Decimal("12.50"),
        description="Salades",
    )
    # Local without a definition: accepted since ma cantine #6845.
    PurchaseFactory(canteen=canteen, is_local=True, is_short_chain=True, description="Pommes")
    PurchaseFactory(
        canteen=canteen,
        family=Family.VIANDES_VOLAILLES,
        origin=Origin.EUROPE,
        labels=[Label.LABEL_ROUGE],
        supplier="",
        description='Poulet "fermier", entier',
    )
    result, content = _strict(Purchase.objects.filter(canteen=canteen))
    assert result.ok, result.errors
    assert len(result.rows) == 6
    by_description = {r.values["description"]: r.values for r in result.rows}
    assert by_description["Salades"]["local_definition_km"] == Decimal(13)
    assert by_description["Pâtes"]["local_definition"] == ""
    assert by_description["Bananes"]["origin"] == ""
    assert by_description["Pommes"]["is_local"] is True


def test_demo_ledger_round_trips_under_ma_cantine_s_rules(world, sirets):
    """The demo's seeded ledger (farms and a wholesaler), exported then imported, strict."""
    carrot = Food.objects.create(
        code="T1",
        name="Carotte",
        group_code="02",
        group_name="fruits, légumes",
        subgroup_name="légumes",
    )
    beef = Food.objects.create(
        code="T2",
        name="Boeuf",
        group_code="04",
        group_name="viandes, oeufs, poissons",
        subgroup_name="viandes crues",
    )
    farm = world.producer
    wholesaler = ProducerFactory(
        name="Grossiste", status=Producer.Status.WHOLESALER, commune=world.other_canteen.commune
    )
    for producer, food, labels in ((farm, carrot, [Label.HVE]), (wholesaler, beef, [])):
        Offer.objects.create(producer=producer, food=food, product_label=food.name,
                             pack_size=Decimal(1), unit_price=Decimal("2.50"), labels=labels,
                             valid_from=date(2025, 1, 1))  # fmt: skip
    canteen = sirets["managed"]
    seed_purchases([canteen, world.other_canteen], [farm, wholesaler], today=date(2026, 3, 15))
    lines = Purchase.objects.filter(canteen=canteen)
    assert lines.count() > 100
    result, content = _strict(lines)
    assert result.ok, result.errors[:5]
    assert len(result.rows) == lines.count()

    before = sorted(
        (p.date, p.description, p.price_ht, p.family, tuple(p.labels), p.is_local) for p in lines
    )
    lines.delete()
    outcome = services.import_purchases(
        actor=sirets["manager"], file_name="declaration.csv", content=content, strict=True
    )
    assert outcome.ok, outcome.result.errors[:5]
    after = sorted(
        (p.date, p.description, p.price_ht, p.family, tuple(p.labels), p.is_local)
        for p in Purchase.objects.filter(canteen=canteen, source=Source.IMPORT)
    )
    assert after == before


def test_a_purchase_cannot_be_dated_in_the_future(world):
    import pytest
    from django.core.exceptions import ValidationError

    line = PurchaseFactory.build(canteen=world.kitchen, date=date(2099, 1, 1))
    with pytest.raises(ValidationError):
        line.full_clean()
