"""Shared fixtures: one canteen with a user per role, and a producer with its user."""

from dataclasses import dataclass

import pytest

from cantine.models import Canteen, Role
from tests.factories import (
    CanteenFactory,
    CommuneFactory,
    DepartmentFactory,
    MembershipFactory,
    ProducerFactory,
    ProducerMemberFactory,
    RegionFactory,
    UserFactory,
)

PASSWORD = "correct horse battery"


@dataclass
class World:
    kitchen: Canteen
    satellite: Canteen
    other_canteen: Canteen
    users: dict  # role name -> user, plus "anonymous" absent and "outsider"
    producer: object
    other_producer: object


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's language (French): a test client request with another
    Accept-Language leaves that language active in the thread for the tests after it."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def world(db):
    """A central kitchen with one satellite, a canteen elsewhere, a user per role."""
    angers = CommuneFactory()
    other_region = RegionFactory(code="84", name="Auvergne-Rhône-Alpes")
    drome = DepartmentFactory(code="26", name="Drôme", region=other_region)
    valence = CommuneFactory(
        code="26362", name="Valence", department=drome, latitude=44.93, longitude=4.89
    )
    kitchen = CanteenFactory(name="Cuisine centrale", kind=Canteen.Kind.CENTRAL_KITCHEN)
    satellite = CanteenFactory(
        name="École satellite", kind=Canteen.Kind.SATELLITE, central_kitchen=kitchen
    )
    other = CanteenFactory(name="Cantine de Valence", commune=valence)
    users = {}
    for role in (Role.COOK, Role.DIETITIAN, Role.MANAGER):
        users[role.value] = MembershipFactory(
            user=UserFactory(username=role.value), canteen=kitchen, role=role
        ).user
    users["outsider_cook"] = MembershipFactory(
        user=UserFactory(username="outsider_cook"), canteen=other, role=Role.COOK
    ).user
    producer = ProducerFactory(name="Les Jardins d'Angers", commune=angers)
    other_producer = ProducerFactory(name="Vergers de Valence", commune=valence, labels=["BIO"])
    users["producer"] = ProducerMemberFactory(
        user=UserFactory(username="producer"), producer=producer
    ).user
    users["nobody"] = UserFactory(username="nobody")
    return World(kitchen, satellite, other, users, producer, other_producer)
