"""The yearly report: charts, projection, carbon, the shares page that shows them and the PDF."""

import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from cantine.local import distance_km
from nutrition.models import Food
from purchases import charts
from purchases.carbon import LIGHT_VAN_KG_CO2E_PER_TKM, carbon
from purchases.models import Family, Purchase, Unit
from purchases.projection import PlannedLine, planned_shares, project_year_end
from purchases.report import year_report
from purchases.selectors import Shares
from tests.pdf import pdf_text
from tests.purchases.factories import PurchaseFactory

SVG = "{http://www.w3.org/2000/svg}"


# Charts ---------------------------------------------------------------------------------------


def test_bar_chart_marks_targets_and_colours_reached_bars():
    chart = charts.bar_chart(
        [
            charts.Bar("Bio", D("25.0"), D(20)),
            charts.Bar("EGalim", D("30.0"), D(50)),
            charts.Bar("Local", None),
        ],
        "Parts",
        "objectif",
    )
    bars = [s for s in chart.shapes if isinstance(s, charts.Rect)]
    assert [b.fill for b in bars] == [charts.GREEN, charts.LIGHT_GREEN]
    assert bars[0].width == pytest.approx(bars[1].width * 25 / 30)
    targets = [s for s in chart.shapes if isinstance(s, charts.Line) and s.dash and s.y1 < 80]
    assert len(targets) == 2  # one per bar with a target; the legend sits below the bars
    assert targets[1].x1 - targets[0].x1 == pytest.approx(bars[0].width * 30 / 25)
    texts = [s.text for s in chart.shapes if isinstance(s, charts.Text)]
    assert "25,0 %" in texts and "—" in texts


def test_svg_is_well_formed_and_escapes_labels():
    chart = charts.bar_chart([charts.Bar("Viande & <poisson>", D(10), D(60))], "T & t", "cible")
    root = ET.fromstring(charts.to_svg(chart, "c1"))
    assert root.get("id") == "c1"
    assert root.find(f"{SVG}title").text == "T & t"
    assert "Viande & <poisson>" in [t.text for t in root.iter(f"{SVG}text")]


def test_trend_chart_leaves_a_gap_for_a_month_without_purchases():
    values = (D(10), D(20), None, D(30), D(40), *([None] * 7))
    chart = charts.trend_chart([str(m) for m in range(1, 13)], [charts.Series("Bio", values)], "T")
    lines = [s for s in chart.shapes if isinstance(s, charts.Polyline)]
    assert [len(line.points) for line in lines] == [2, 2]
    # Higher share, higher point (SVG y grows downwards).
    assert lines[0].points[1][1] < lines[0].points[0][1]


# Projection -----------------------------------------------------------------------------------


def _shares(**values) -> Shares:
    return Shares(**{k: D(v) if k != "lines" else v for k, v in values.items()})


def test_projection_adds_planned_lines_and_the_ytd_pace_for_the_rest():
    # 730 € in the first 73 days of 2025 (10 €/day), 10 % organic, 20 % EGalim.
    bought = _shares(lines=10, total=730, bio=73, egalim=146)
    # 920 € of organic planned: part of the 2,920 € the remaining 292 days should cost.
    planned = planned_shares([PlannedLine(D(920), ("BIO", "LABEL_ROUGE"))])
    assert planned.bio == planned.egalim == D(920) and planned.siqo == 0
    projection = project_year_end(bought, date(2025, 3, 14), 2025, planned)
    assert projection.days_elapsed == 73
    assert projection.assumed.total == D(2000)  # 2,920 - 920 at the ytd mix
    assert projection.assumed.bio == D(200)
    assert projection.year_end.total == D(3650)
    assert projection.year_end.bio == D(1193)
    assert projection.year_end.bio_pct == D("32.68")  # two decimals, as ma cantine
    assert projection.needed("bio", "total", 20) == 0  # reached with what is known
    assert projection.on_track("bio", "total", 20)
    # 50 % of 3,650 = 1,825; 146 + 920 known, so 759 € of the remaining 2,000 €.
    assert projection.needed("egalim", "total", 50) == D(759)
    assert not projection.on_track("egalim", "total", 50)  # the ytd mix holds only 400 €
    assert projection.needed("egalim", "total", 90) is None  # 2,219 € > 2,000 €


def test_projection_of_a_closed_year_is_what_was_bought():
    bought = _shares(lines=3, total=1000, bio=250)
    projection = project_year_end(bought, date(2024, 12, 31), 2024)
    assert projection.closed and projection.days_in_year == 366
    assert projection.year_end.total == D(1000) and projection.year_end.bio_pct == D(25)


def test_planned_meat_and_fish_and_flags():
    planned = planned_shares(
        [
            PlannedLine(D(100), ("HVE",), Family.VIANDES_VOLAILLES, is_local=True),
            PlannedLine(D(50), (), Family.PRODUITS_DE_LA_MER, is_france=True),
        ]
    )
    assert (planned.meat_fish_total, planned.meat_fish_egalim) == (D(150), D(100))
    assert (planned.other_egalim, planned.local, planned.france) == (D(100), D(100), D(50))


# Carbon ---------------------------------------------------------------------------------------


@pytest.fixture
def carrot(db):
    return Food.objects.create(code="T1", name="Carotte", co2e_per_kg=D("0.3"))


def test_carbon_counts_food_by_weight_and_delivery_by_distance(world, carrot):
    far = world.other_producer  # Valence, ~ 500 km from Angers
    beef = Food.objects.create(code="T2", name="Boeuf", co2e_per_kg=D("30"))
    kitchen = world.kitchen
    kg = {"unit": Unit.KG, "canteen": kitchen}
    veg = Family.FRUITS_ET_LEGUMES
    PurchaseFactory(**kg, quantity=D(200), food=carrot, producer=far, family=veg, price_ht=D("300"))
    PurchaseFactory(**kg, quantity=D(10), food=beef, producer=world.producer, price_ht=D("200"))
    PurchaseFactory(**kg, quantity=D(50), producer=far, family=veg, price_ht=D("100"))  # no food
    PurchaseFactory(canteen=kitchen, unit=Unit.PIECE, quantity=D(30), food=carrot)  # not kg
    PurchaseFactory(canteen=kitchen, price_ht=D("300"))  # no weight at all
    result = carbon(Purchase.objects.all())

    km = distance_km(far.place, kitchen.place)
    assert 450 < km < 550
    transport = D(250) / 1000 * D(str(round(km, 3))) * LIGHT_VAN_KG_CO2E_PER_TKM
    assert result.food_kg_co2e == D("360.0")  # 200 x 0.3 + 10 x 30
    assert result.transport_kg_co2e == transport.quantize(D("0.1"))  # Angers farm: 0 km
    assert result.kg == D(260)
    assert result.coverage_pct == D("50.0")  # (300 + 200) of 1,000 €
    families = {row.key: row for row in result.by_family}
    assert families[veg].food_kg_co2e == D("60.0")
    assert families[veg].kg == D(250)
    assert families[Family.AUTRES].food_kg_co2e == D("300.0")
    producers = {row.name: row for row in result.by_producer}
    assert producers[far.name].transport_kg_co2e == transport.quantize(D("0.1"))
    assert producers[world.producer.name].transport_kg_co2e == 0
    assert result.by_producer[0].name == world.producer.name  # beef weighs most in CO2e


def test_carbon_of_an_empty_ledger_says_nothing_is_covered(db):
    result = carbon(Purchase.objects.none())
    assert result.total == 0 and result.coverage_pct is None and result.by_family == []


# Page and PDF ---------------------------------------------------------------------------------


@pytest.fixture
def year_2025(world, carrot):
    k, s = world.kitchen, world.satellite
    PurchaseFactory(canteen=k, date=date(2025, 1, 10), labels=["BIO"], price_ht=D(300))
    PurchaseFactory(
        canteen=s,
        date=date(2025, 3, 5),
        labels=["HVE"],
        price_ht=D(200),
        producer=world.producer,
        is_local=True,
        unit=Unit.KG,
        quantity=D(100),
        food=carrot,
    )
    PurchaseFactory(canteen=k, date=date(2025, 3, 20), price_ht=D(500))
    return world


def test_year_report_gathers_months_top_local_and_carbon(year_2025):
    report = year_report(year_2025.kitchen, 2025, today=date(2026, 2, 1))
    assert report.totals.total == D(1000)
    assert [m.total if m else None for m in report.months[:4]] == [D(300), None, D(700), None]
    assert [row.name for row in report.top_local] == ["Les Jardins d'Angers"]
    assert report.projection.closed and report.needed() == []
    assert report.carbon.food_kg_co2e == D("30.0")
    bars = report.share_bars()
    assert (bars[0].pct, bars[0].target) == (D("30.0"), D(20))
    assert (bars[1].pct, bars[1].target) == (D("50.0"), D(50))


def test_year_report_projects_the_current_year(year_2025):
    report = year_report(year_2025.kitchen, 2025, today=date(2025, 3, 31))
    assert not report.projection.closed
    assert report.projection.days_elapsed == 31 + 28 + 31
    assert report.projection.year_end.bio_pct == D("30.0")
    needs = report.needed()
    assert len(needs) == 2  # organic, EGalim; no meat nor fish bought, no share to project
    # 1,000 € in 90 days: 4,055.56 € by the year end, 20 % of it organic = 811.11 €; 300 € bought.
    assert needs[0].amount == D("511.11") and needs[0].on_track  # the mix holds 30 % organic
    # EGalim: 50 % = 2,027.78 €, 500 € bought; the ytd mix (50 %) holds just that.
    assert needs[1].amount == D("1527.78") and needs[1].on_track


def test_shares_page_shows_the_charts_projection_and_carbon(client, year_2025):
    client.force_login(year_2025.users["manager"])
    response = client.get(reverse("purchase_shares"), {"year": 2025})
    assert response.status_code == 200
    html = response.content.decode()
    for chart_id in ("shares-chart", "trend-chart"):
        start = html.index(f'<svg id="{chart_id}"')
        ET.fromstring(html[start : html.index("</svg>", start) + 6])
    assert 'id="carbon" data-total="30.0"' in html
    assert response.context["report"].totals.total == D(1000)
    assert 'id="projection"' not in html  # 2025 is over: nothing to project
    assert response.context["pdf_url"].replace("&", "&amp;") in html


def test_shares_page_projects_the_current_year(client, world):
    today = timezone.localdate()
    PurchaseFactory(canteen=world.kitchen, date=today.replace(day=1), labels=["BIO"])
    client.force_login(world.users["manager"])
    response = client.get(reverse("purchase_shares"), {"year": today.year})
    html = response.content.decode()
    if today.month == 12 and today.day == 31:
        pytest.skip("the year is over on its last day")
    assert 'id="projection" data-year-end-bio="100.00"' in html
    assert 'data-on-track="true"' in html


def test_report_pdf_carries_the_figures_producers_and_method(client, year_2025):
    client.force_login(year_2025.users["cook"])
    response = client.get(reverse("purchase_report_pdf"), {"year": 2025})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "bilan-achats-" in response["Content-Disposition"]
    text = pdf_text(response.content)
    assert "Cuisine centrale" in text
    assert "Les Jardins d'Angers" in text
    assert "1 000 €" in text  # the year's total
    assert "≥ 20 %" in text and "≥ 50 %" in text  # hexagone targets
    assert "même département" in text  # the local definition, stated
    assert "Base Carbone" in text


def test_report_pdf_of_a_canteen_that_is_not_yours_is_404(client, year_2025):
    client.force_login(year_2025.users["outsider_cook"])
    response = client.get(
        reverse("purchase_report_pdf"), {"canteen": year_2025.kitchen.pk, "year": 2025}
    )
    assert response.status_code == 404


def test_each_breakdown_table_downloads_as_csv(client, world):
    from decimal import Decimal as D

    from django.urls import reverse

    from purchases.models import Purchase

    Purchase.objects.create(
        canteen=world.kitchen,
        date=__import__("datetime").date(2026, 3, 2),
        description="Yaourts",
        family="PRODUITS_LAITIERS",
        labels=["BIO"],
        price_ht=D("120.50"),
        source="manual",
    )
    client.force_login(world.users["manager"])
    url = reverse("purchase_shares")
    response = client.get(
        url, {"canteen": world.kitchen.pk, "year": 2026, "table": "family", "format": "csv"}
    )
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    header, row = text.splitlines()[:2]
    assert header.split(";")[:3] == ["family", "total_ht", "bio_pct"]
    assert row.split(";")[1] in {"120,5", "120,50"} and row.split(";")[2].startswith("100")


@pytest.mark.django_db
def test_the_years_totals_are_those_of_one_query_over_its_lines():
    """The report adds its months' figures into the year's: the same as summing every line."""
    from purchases import selectors
    from purchases.selectors import LedgerFilter

    kitchen = PurchaseFactory(date=date(2026, 1, 9), labels=["BIO"], price_ht=D("120.50")).canteen
    for month, price, labels in (
        (3, "80.25", []),
        (3, "19.99", ["BIO"]),
        (11, "7", ["LABEL_ROUGE"]),
    ):
        PurchaseFactory(
            canteen=kitchen, date=date(2026, month, 9), price_ht=D(price), labels=labels
        )
    PurchaseFactory(canteen=kitchen, date=date(2025, 12, 31), price_ht=D("999"))  # another year
    report = year_report(kitchen, 2026, today=date(2026, 12, 20))
    lines = selectors.ledger(selectors.group_of(kitchen), LedgerFilter(year=2026))
    assert report.totals == selectors.shares(lines, 2026)
    assert (report.totals.lines, report.totals.total, report.totals.bio) == (
        4,
        D("227.74"),
        D("140.49"),
    )
    assert report.totals.egalim == D("147.49")
