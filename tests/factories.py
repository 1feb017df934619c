"""factory_boy factories for the shared models."""

import factory
from factory.django import DjangoModelFactory

from cantine.models import Canteen, Commune, Department, Membership, Region, User
from cantine.validators import with_luhn_check_digit
from producers.models import Producer, ProducerMember


class RegionFactory(DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ["code"]

    code = "52"
    name = "Pays de la Loire"


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ["code"]

    code = "49"
    name = "Maine-et-Loire"
    region = factory.SubFactory(RegionFactory)


class CommuneFactory(DjangoModelFactory):
    class Meta:
        model = Commune
        django_get_or_create = ["code"]

    code = "49007"
    name = "Angers"
    department = factory.SubFactory(DepartmentFactory)
    latitude = 47.4784
    longitude = -0.5632


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def save_password(self, create, extracted, **kwargs):
        if create:
            self.save()


def siret(n: int, prefix: str = "123") -> str:
    return with_luhn_check_digit(f"{prefix}{n:010d}")


class CanteenFactory(DjangoModelFactory):
    class Meta:
        model = Canteen

    name = factory.Sequence(lambda n: f"Canteen {n}")
    siret = factory.Sequence(lambda n: siret(n, "123"))
    kind = Canteen.Kind.SCHOOL
    commune = factory.SubFactory(CommuneFactory)
    local_scope = "DEPARTEMENT"


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    canteen = factory.SubFactory(CanteenFactory)
    role = "cook"


class ProducerFactory(DjangoModelFactory):
    class Meta:
        model = Producer

    name = factory.Sequence(lambda n: f"Farm {n}")
    siret = factory.Sequence(lambda n: siret(n, "456"))
    commune = factory.SubFactory(CommuneFactory)
    plant_activity = "Maraîchage"
    labels = factory.LazyFunction(lambda: ["HVE"])
    delivery_weekdays = factory.LazyFunction(lambda: [1, 3])


class ProducerMemberFactory(DjangoModelFactory):
    class Meta:
        model = ProducerMember

    user = factory.SubFactory(UserFactory)
    producer = factory.SubFactory(ProducerFactory)
