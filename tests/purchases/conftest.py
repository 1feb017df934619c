"""Fixtures for the ledger: canteens with the SIRETs of the ma cantine test files."""

from pathlib import Path

import pytest

from cantine.models import Role
from tests.factories import CanteenFactory, MembershipFactory

DATA = Path(__file__).resolve().parents[2] / "purchases" / "data"
GOOD = "macantine_test_purchases_good.csv"
BAD = "macantine_test_purchases_bad.csv"
SEMICOLON = "macantine_test_purchases_good_semicolon.csv"
EXAMPLE = "macantine_achats_siret_fichier_exemple.csv"

MANAGED_SIRET = "21010034300016"  # the test files' canteen, managed by world's manager
EXAMPLE_SIRET = "21390218200020"  # the example file's canteen, managed too
UNMANAGED_SIRET = "36462492895701"  # "Don't manage canteen": exists, someone else's


def read(name: str) -> bytes:
    return (DATA / name).read_bytes()


@pytest.fixture
def sirets(world):
    """Canteens named by the test files; world's manager manages two of them."""
    manager = world.users["manager"]
    managed = CanteenFactory(name="Cantine du test", siret=MANAGED_SIRET)
    example = CanteenFactory(name="Cantine de l'exemple", siret=EXAMPLE_SIRET)
    for canteen in (managed, example):
        MembershipFactory(user=manager, canteen=canteen, role=Role.MANAGER)
    CanteenFactory(name="Cantine d'un autre", siret=UNMANAGED_SIRET)
    manager._cantine_roles = None
    return {"managed": managed, "example": example, "manager": manager}
