"""The manager's journey: import a ma cantine file, see the shares move, take the PDF away."""

import re
from decimal import Decimal
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import expect

from cantine.models import Canteen
from demo.seed import KITCHEN, demo_siret
from purchases import exporter
from purchases.models import Family, Origin, Purchase
from tests.browser.conftest import log_in
from tests.pdf import pdf_text


def _organic_file(path: Path) -> Path:
    """Five organic vegetable deliveries for the demo kitchen, today, in the ma cantine format."""
    kitchen = Canteen.objects.get(siret=demo_siret("canteen", KITCHEN.key))
    lines = [
        Purchase(
            canteen=kitchen,
            date=timezone.localdate(),
            description=f"Légumes bio, lot {n}",
            supplier="Coopérative bio de l'Anjou",
            family=Family.FRUITS_ET_LEGUMES,
            labels=["BIO"],
            origin=Origin.FRANCE,
            price_ht=Decimal("4000.00"),
        )
        for n in range(1, 6)
    ]
    with path.open("w", encoding="utf-8") as out:
        exporter.write_csv(lines, out)
    return path


def _organic_pct(page) -> float:
    return float(page.locator('#shares tr[data-share="bio"]').get_attribute("data-pct"))


def test_manager_imports_a_file_sees_the_shares_move_and_downloads_the_report(
    page, live_server, demo, tmp_path
):
    # The breakdown tables load by HTMX all at once; the live server's in-memory SQLite can
    # deadlock on concurrent requests (PostgreSQL does not). They are not this journey's subject.
    page.route(re.compile(r".*[?&]table="), lambda route: route.fulfill(body=""))
    log_in(page, live_server, "gestionnaire")
    page.goto(f"{live_server.url}/purchases/shares/")
    expect(page.locator("#shares-chart")).to_be_visible()
    expect(page.locator("#trend-chart")).to_be_visible()
    before = _organic_pct(page)

    page.goto(f"{live_server.url}/purchases/import/")
    page.locator('input[type="file"]').set_input_files(_organic_file(tmp_path / "achats.csv"))
    page.get_by_role("button", name="Importer").click()
    expect(page.locator("#import-result")).to_have_attribute("data-ok", "true")

    page.goto(f"{live_server.url}/purchases/shares/")
    after = _organic_pct(page)
    assert after > before
    expect(page.locator("#projection")).to_be_visible()

    with page.expect_download() as download:
        page.locator("#report-pdf").click()
    content = Path(download.value.path()).read_bytes()
    text = pdf_text(content)
    assert KITCHEN.name in text
    assert "Coopérative bio de l'Anjou" not in text  # not local: not among top local producers
    assert "Base Carbone" in text
