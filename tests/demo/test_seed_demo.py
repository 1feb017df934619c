"""The demo territory: real places, one user per role, and seeding twice changes nothing."""

import pytest
from django.core.management import call_command

from cantine.models import Canteen, Commune, CoverForecast, Membership, User
from producers.models import Producer, ProducerMember


def snapshot():
    return {
        "canteens": list(Canteen.objects.order_by("siret").values()),
        "covers": CoverForecast.objects.count(),
        "producers": list(Producer.objects.order_by("siret").values()),
        "users": list(User.objects.order_by("username").values("username", "password")),
        "memberships": Membership.objects.count(),
        "producer_members": ProducerMember.objects.count(),
    }


@pytest.mark.django_db
def test_seed_demo_builds_the_territory_and_is_idempotent(capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "cantine-demo-2026" in out
    first = snapshot()

    kitchen = Canteen.objects.get(kind=Canteen.Kind.CENTRAL_KITCHEN)
    assert kitchen.satellites.count() == 6
    assert Canteen.objects.filter(kind=Canteen.Kind.ADMINISTRATIVE).count() == 1
    assert {c.commune.department_id for c in Canteen.objects.all()} == {"49"}
    assert 55 <= Producer.objects.count() <= 65
    assert Producer.objects.filter(commune__department="49").count() >= 40
    assert Commune.objects.count() > 34000
    for username in ("cuisinier", "dieteticienne", "gestionnaire", "producteur", "admin"):
        assert User.objects.get(username=username).check_password("cantine-demo-2026")

    call_command("seed_demo", password="another-password")
    assert snapshot() == first
