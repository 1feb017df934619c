""" "Send to ma cantine": the declaration's purchases through ma cantine's purchases API.

``FakeMaCantine`` is a local HTTP server implementing the published contract (betagouv/ma-cantine
``api/urls.py``, ``api/views/purchase.py``, ``api/serializers/purchase.py``,
``data/validators/purchase.py``): ``POST /api/v1/canteens/<id>/purchases/`` answers 201 with
the purchase and its ``id``, ``PATCH``/``GET``/``DELETE .../purchases/<pk>``, a Bearer token,
400 with reasons per field for a refused purchase. No network is used.
"""

import json
import threading
from datetime import date
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.urls import reverse
from django.utils import timezone

from cantine.labels import Family, Label
from cantine.local import LocalScope
from purchases import macantine
from purchases.models import MaCantineLink, MaCantineSubmission, Origin, Purchase
from tests.purchases.factories import PurchaseFactory

TOKEN = "test-token"
CANTEEN_ID = 949
FAMILIES = set(Family.values)
LABELS = set(Label.values)
REQUIRED = ["description", "date", "prix_ht", "famille_produits"]


class FakeMaCantine:
    """ma cantine's purchases endpoints, in memory."""

    def __init__(self):
        self.purchases: dict[int, dict] = {}
        self.next_id = 1
        self.requests: list[tuple[str, str]] = []
        self.refuse = set()  # descriptions answered 400
        self.fail_after = None  # successful writes before one 500

    def errors(self, body, partial=False):
        """PurchaseSerializer + Purchase.clean, enough of them to judge what we send."""
        errors = {}
        for name in REQUIRED:
            if not partial and not body.get(name):
                errors[name] = ["Ce champ est obligatoire."]
        if body.get("famille_produits") and body["famille_produits"] not in FAMILIES:
            errors["famille_produits"] = ["choix invalide"]
        if not set(body.get("categories_egalim", [])) <= LABELS:
            errors["categories_egalim"] = ["choix invalide"]
        if body.get("date", "") > timezone.localdate().isoformat():
            errors["date"] = ["La date ne peut pas être dans le futur."]
        if not body.get("est_local") and (
            body.get("definition_local") or body.get("definition_local_km")
        ):
            errors["definition_local"] = [
                "La caractéristique LOCAL n'est pas sélectionnée : le champ doit être vide."
            ]
        km = body.get("definition_local_km")
        if km is not None and not isinstance(km, int):
            errors["definition_local_km"] = ["Un nombre entier valide est requis."]
        if body.get("description") in self.refuse:
            errors["description"] = ["refusé par le test"]
        return errors

    def handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, status, body=None):
                data = b"" if body is None else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _route(self, method):
                fake.requests.append((method, self.path))
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    return self._answer(
                        401, {"detail": "Informations d'authentification non fournies."}
                    )
                parts = self.path.strip("/").split("/")
                if parts[:3] != ["api", "v1", "canteens"] or parts[4:5] != ["purchases"]:
                    return self._answer(404, {"detail": "Pas trouvé."})
                if parts[3] != str(CANTEEN_ID):
                    return self._answer(404, {"detail": "Pas trouvé."})
                pk = int(parts[5]) if len(parts) > 5 and parts[5] else None
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length)) if length else {}
                if method in ("POST", "PATCH", "DELETE") and fake.fail_after is not None:
                    if fake.fail_after == 0:
                        fake.fail_after = None  # one failure, then the server is back
                        return self._answer(500, {"detail": "Erreur serveur."})
                    fake.fail_after -= 1
                if method == "POST" and pk is None:
                    errors = fake.errors(body)
                    if errors:
                        return self._answer(400, errors)
                    pk = fake.next_id
                    fake.next_id += 1
                    fake.purchases[pk] = body
                    return self._answer(201, {"id": pk, **body})
                if pk not in fake.purchases:
                    return self._answer(404, {"detail": "Pas trouvé."})
                if method == "GET":
                    return self._answer(200, {"id": pk, **fake.purchases[pk]})
                if method == "PATCH":
                    errors = fake.errors(body, partial=True)
                    if errors:
                        return self._answer(400, errors)
                    fake.purchases[pk] |= body
                    return self._answer(200, {"id": pk, **fake.purchases[pk]})
                if method == "DELETE":
                    del fake.purchases[pk]
                    return self._answer(204)
                return self._answer(405, {"detail": "Méthode non autorisée."})

            def do_POST(self):
                self._route("POST")

            def do_PATCH(self):
                self._route("PATCH")

            def do_GET(self):
                self._route("GET")

            def do_DELETE(self):
                self._route("DELETE")

        return Handler


@pytest.fixture
def fake(settings):
    server = FakeMaCantine()
    httpd = HTTPServer(("127.0.0.1", 0), server.handler())
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    settings.MACANTINE_API_URL = f"http://127.0.0.1:{httpd.server_address[1]}/api/v1/"
    settings.MACANTINE_API_TOKEN = ""
    yield server
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def declared(world):
    """The kitchen's 2025 ledger: four lines, one on its satellite; a 2024 line too."""
    kitchen = world.kitchen
    MaCantineLink.objects.create(canteen=kitchen, macantine_id=CANTEEN_ID, access_token=TOKEN)
    PurchaseFactory(
        canteen=kitchen,
        date=date(2025, 3, 1),
        description="Pommes",
        family=Family.FRUITS_ET_LEGUMES,
        labels=[Label.BIO, Label.COMMERCE_EQUITABLE],
        origin=Origin.FRANCE,
        is_local=True,
        is_short_chain=True,
        local_definition=LocalScope.KM,
        local_definition_km=Decimal("30"),
    )
    PurchaseFactory(
        canteen=kitchen,
        date=date(2025, 3, 2),
        description="Poulet",
        family=Family.VIANDES_VOLAILLES,
        labels=[Label.LABEL_ROUGE],
        price_ht=Decimal("349.98"),
    )
    PurchaseFactory(canteen=kitchen, date=date(2025, 4, 2), description="Pâtes",
                    is_local=False, local_definition=LocalScope.REGION)  # fmt: skip
    PurchaseFactory(
        canteen=world.satellite,
        date=date(2025, 5, 2),
        description="Yaourts",
        family=Family.PRODUITS_LAITIERS,
    )
    PurchaseFactory(canteen=kitchen, date=date(2024, 5, 2), description="Ancien")
    kitchen.refresh_from_db()
    return kitchen


def test_send_creates_every_line_of_the_year_as_ma_cantine_takes_it(fake, declared):
    report = macantine.send_declaration(canteen=declared, year=2025)
    assert report.ok, report.errors
    assert (report.lines, report.created) == (4, 4)
    by_description = {p["description"]: p for p in fake.purchases.values()}
    assert set(by_description) == {"Pommes", "Poulet", "Pâtes", "Yaourts"}
    pommes = by_description["Pommes"]
    assert pommes == {
        "description": "Pommes",
        "fournisseur": "Grossiste",
        "date": "2025-03-01",
        "prix_ht": "100.00",
        "famille_produits": Family.FRUITS_ET_LEGUMES,
        "categories_egalim": [Label.BIO, Label.COMMERCE_EQUITABLE],
        "origine": Origin.FRANCE,
        "est_circuit_court": True,
        "est_local": True,
        "definition_local": LocalScope.KM,
        "definition_local_km": 30,
    }
    # Not local: no definition, as ma cantine requires.
    assert by_description["Pâtes"]["definition_local"] == ""
    assert MaCantineSubmission.objects.count() == 4
    assert all(method == "POST" for method, _ in fake.requests)


def test_sending_again_sends_only_what_changed(fake, declared):
    assert macantine.send_declaration(canteen=declared, year=2025).ok
    fake.requests.clear()
    again = macantine.send_declaration(canteen=declared, year=2025)
    assert again.ok and (again.unchanged, again.created, again.updated) == (4, 0, 0)
    assert fake.requests == []
    assert len(fake.purchases) == 4

    Purchase.objects.filter(description="Poulet").update(price_ht=Decimal("350.00"))
    Purchase.objects.filter(description="Pâtes").delete()
    PurchaseFactory(canteen=declared, date=date(2025, 6, 1), description="Lentilles")
    third = macantine.send_declaration(canteen=declared, year=2025)
    assert third.ok, third.errors
    assert (third.created, third.updated, third.deleted, third.unchanged) == (1, 1, 1, 2)
    assert sorted(p["description"] for p in fake.purchases.values()) == [
        "Lentilles", "Pommes", "Poulet", "Yaourts"
    ]  # fmt: skip
    poulet = next(p for p in fake.purchases.values() if p["description"] == "Poulet")
    assert poulet["prix_ht"] == "350.00"


def test_a_refused_line_undoes_the_whole_send(fake, declared):
    assert macantine.send_declaration(canteen=declared, year=2025).ok
    before = json.dumps(fake.purchases, sort_keys=True)
    submissions = set(MaCantineSubmission.objects.values_list("remote_id", "payload_sha256"))
    Purchase.objects.filter(description="Poulet").update(price_ht=Decimal("1.00"))
    Purchase.objects.filter(description="Yaourts").delete()
    PurchaseFactory(canteen=declared, date=date(2025, 6, 1), description="Refusé")
    fake.refuse.add("Refusé")

    report = macantine.send_declaration(canteen=declared, year=2025)

    assert not report.ok and report.rolled_back
    assert any("refusé par le test" in e for e in report.errors)
    # The deleted line was created again (with a new id), the changed one restored.
    assert sorted(json.dumps(v, sort_keys=True) for v in fake.purchases.values()) == sorted(
        json.dumps(v, sort_keys=True) for v in json.loads(before).values()
    )
    assert MaCantineSubmission.objects.count() == len(submissions)
    remote_ids = set(MaCantineSubmission.objects.values_list("remote_id", flat=True))
    assert remote_ids == set(fake.purchases)


def test_a_server_failure_mid_way_leaves_ma_cantine_as_it_was(fake, declared):
    fake.fail_after = 2
    report = macantine.send_declaration(canteen=declared, year=2025)
    assert not report.ok and report.rolled_back
    assert fake.purchases == {}
    assert MaCantineSubmission.objects.count() == 0
    assert macantine.send_declaration(canteen=declared, year=2025).ok
    assert len(fake.purchases) == 4


def test_lines_ma_cantine_would_refuse_are_not_sent_at_all(fake, declared):
    # A future date (entered before cantine refused them): ma cantine refuses it.
    Purchase.objects.filter(description="Poulet").update(date=date(2099, 1, 1))
    report = macantine.send_declaration(canteen=declared, year=2099)
    assert not report.ok and not report.rolled_back
    assert any("future" in e or "futur" in e for e in report.errors)
    assert fake.requests == []


def test_a_bad_token_is_explained(fake, declared):
    MaCantineLink.objects.filter(canteen=declared).update(access_token="expired")
    declared.refresh_from_db()
    report = macantine.send_declaration(canteen=declared, year=2025)
    assert not report.ok
    assert "401" in report.errors[0]


def test_the_token_may_come_from_settings(fake, declared, settings):
    MaCantineLink.objects.filter(canteen=declared).update(access_token="")
    declared.refresh_from_db()
    assert not macantine.is_configured(declared)
    settings.MACANTINE_API_TOKEN = TOKEN
    assert macantine.is_configured(declared)
    assert macantine.send_declaration(canteen=declared, year=2025).ok


def test_the_page_offers_the_csv_until_a_token_is_set(client, world, fake):
    client.force_login(world.users["manager"])
    url = reverse("purchase_macantine_send") + f"?canteen={world.kitchen.pk}&year=2025"
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="no-token"' in html and reverse("purchase_export") in html
    assert 'id="send-macantine"' not in html
    saved = client.post(url, {"action": "save", "macantine_id": CANTEEN_ID, "access_token": TOKEN})
    assert saved.status_code == 302
    assert 'id="send-macantine"' in client.get(url).content.decode()


def test_the_manager_sends_from_the_page_and_a_cook_cannot(client, world, fake, declared):
    url = reverse("purchase_macantine_send") + f"?canteen={declared.pk}&year=2025"
    client.force_login(world.users["cook"])
    assert client.post(url, {"action": "send"}).status_code in (403, 404)
    assert fake.purchases == {}
    client.force_login(world.users["manager"])
    response = client.post(url, {"action": "send"})
    assert response.status_code == 200
    assert 'data-ok="true"' in response.content.decode()
    assert len(fake.purchases) == 4


def test_the_shares_page_links_the_manager_to_the_send(client, world, declared):
    client.force_login(world.users["manager"])
    html = client.get(reverse("purchase_shares") + f"?canteen={declared.pk}&year=2025").content
    assert b'id="send-macantine-link"' in html
    client.force_login(world.users["cook"])
    html = client.get(reverse("purchase_shares") + f"?canteen={declared.pk}&year=2025").content
    assert b'id="send-macantine-link"' not in html
