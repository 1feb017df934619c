"""Who may open the ledger pages and endpoints: every view, every role.

Cooks and managers read; managers import, undo and write. A canteen that is not the user's
answers 404 so that ids cannot be probed; a role that never has access answers 403.
"""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cantine.models import Role
from purchases.models import ImportBatch, Purchase
from tests.factories import MembershipFactory, UserFactory
from tests.purchases.conftest import GOOD, read
from tests.purchases.factories import PurchaseFactory

ROLES = ["cook", "dietitian", "manager", "producer", "nobody", "outsider_cook"]
READERS = {"cook", "manager"}


def expected(role, allowed, hidden=frozenset()):
    if role in allowed:
        return 200
    return 404 if role in hidden else 403


@pytest.fixture
def line(world):
    return PurchaseFactory(canteen=world.kitchen, date=date(2025, 2, 3), labels=["BIO"])


@pytest.fixture
def batch(world, line):
    batch = ImportBatch.objects.create(
        canteen=world.kitchen, file_name="a.csv", sha256="0" * 64, rows=1
    )
    Purchase.objects.filter(pk=line.pk).update(import_batch=batch)
    return batch


def kitchen(w):
    return {"canteen": w.kitchen.pk}


# (url name, query builder, roles allowed, roles that get 404)
PAGES = [
    ("purchase_ledger", None, READERS | {"outsider_cook"}, set()),
    ("purchase_ledger", kitchen, READERS, {"outsider_cook"}),
    ("purchase_export", None, READERS | {"outsider_cook"}, set()),
    ("purchase_export", kitchen, READERS, {"outsider_cook"}),
    ("purchase_shares", None, READERS | {"outsider_cook"}, set()),
    ("purchase_shares", kitchen, READERS, {"outsider_cook"}),
    ("purchase_import", None, {"manager"}, set()),
]


def page_id(page):
    return page[0] + ("" if page[1] is None else "+canteen")


@pytest.mark.parametrize("page", PAGES, ids=[page_id(p) for p in PAGES])
@pytest.mark.parametrize("role", ROLES)
def test_page_access(client, world, line, page, role):
    name, query, allowed, hidden = page
    client.force_login(world.users[role])
    response = client.get(reverse(name), query(world) if query else None)
    assert response.status_code == expected(role, allowed, hidden)


@pytest.mark.parametrize("page", PAGES, ids=[page_id(p) for p in PAGES])
def test_anonymous_is_sent_to_login(client, world, page):
    response = client.get(reverse(page[0]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("role", ROLES)
def test_only_a_manager_imports(client, world, role):
    client.force_login(world.users[role])
    upload = SimpleUploadedFile("achats.csv", read(GOOD))
    response = client.post(reverse("purchase_import"), {"file": upload})
    # The manager reaches the importer; the file's SIRET is not theirs, so nothing is saved.
    assert response.status_code == (400 if role == "manager" else 403)
    assert not Purchase.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_only_the_kitchens_manager_undoes_an_import(client, world, batch, role):
    client.force_login(world.users[role])
    response = client.post(reverse("purchase_import_undo", kwargs={"pk": batch.pk}))
    assert response.status_code == (302 if role == "manager" else 403)
    assert ImportBatch.objects.exists() is (role != "manager")


def test_another_canteens_manager_cannot_undo_it(client, world, batch):
    outsider = MembershipFactory(
        user=UserFactory(username="outsider_manager"), canteen=world.other_canteen, role="manager"
    ).user
    client.force_login(outsider)
    response = client.post(reverse("purchase_import_undo", kwargs={"pk": batch.pk}))
    assert response.status_code == 404
    assert ImportBatch.objects.exists()


def test_undo_is_post_only(client, world, batch):
    client.force_login(world.users["manager"])
    response = client.get(reverse("purchase_import_undo", kwargs={"pk": batch.pk}))
    assert response.status_code == 405


def test_anonymous_cannot_undo(client, world, batch):
    response = client.post(reverse("purchase_import_undo", kwargs={"pk": batch.pk}))
    assert response.status_code == 302
    assert ImportBatch.objects.exists()


# API -----------------------------------------------------------------------------------------

API_READS = [
    ("purchase-list", None, None, READERS | {"outsider_cook"}, set()),
    ("purchase-detail", lambda w, line: {"pk": line.pk}, None, READERS, {"outsider_cook"}),
    ("purchase-shares-list", None, kitchen, READERS, {"outsider_cook"}),
]


@pytest.mark.parametrize("endpoint", API_READS, ids=[e[0] for e in API_READS])
@pytest.mark.parametrize("role", ROLES)
def test_api_reads(client, world, line, endpoint, role):
    name, kwargs, query, allowed, hidden = endpoint
    client.force_login(world.users[role])
    url = reverse(name, kwargs=kwargs(world, line) if kwargs else None)
    response = client.get(url, query(world) if query else None)
    assert response.status_code == expected(role, allowed, hidden)


@pytest.mark.parametrize("endpoint", API_READS, ids=[e[0] for e in API_READS])
def test_api_refuses_anonymous(client, world, line, endpoint):
    name, kwargs, query, _allowed, _hidden = endpoint
    url = reverse(name, kwargs=kwargs(world, line) if kwargs else None)
    assert client.get(url, query(world) if query else None).status_code in (401, 403)


def new_line(world):
    return {
        "canteen": world.kitchen.pk,
        "date": "2025-04-01",
        "description": "Lentilles",
        "family": "AUTRES",
        "labels": ["BIO"],
        "price_ht": "42.00",
    }


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_api_only_managers_create(client, world, role):
    if role != "anonymous":
        client.force_login(world.users[role])
    response = client.post(
        reverse("purchase-list"), new_line(world), content_type="application/json"
    )
    if role == "anonymous":
        assert response.status_code in (401, 403)
    else:
        assert response.status_code == (201 if role == "manager" else 403)
    assert Purchase.objects.exists() is (role == "manager")


@pytest.mark.parametrize("role", ROLES)
def test_api_only_managers_change_and_delete(client, world, line, role):
    client.force_login(world.users[role])
    url = reverse("purchase-detail", kwargs={"pk": line.pk})
    patch = client.patch(url, {"price_ht": "1.00"}, content_type="application/json")
    delete = client.delete(url)
    if role == "manager":
        assert (patch.status_code, delete.status_code) == (200, 204)
        assert not Purchase.objects.exists()
    else:
        assert (patch.status_code, delete.status_code) == (403, 403)
        line.refresh_from_db()
        assert line.price_ht != 1


def test_api_another_canteens_manager_neither_sees_nor_writes(client, world, line):
    outsider = MembershipFactory(
        user=UserFactory(username="outsider_manager"),
        canteen=world.other_canteen,
        role=Role.MANAGER,
    ).user
    client.force_login(outsider)
    url = reverse("purchase-detail", kwargs={"pk": line.pk})
    assert client.patch(url, {"price_ht": "1"}, content_type="application/json").status_code == 404
    response = client.post(
        reverse("purchase-list"), new_line(world), content_type="application/json"
    )
    assert response.status_code == 403
    assert Purchase.objects.count() == 1
