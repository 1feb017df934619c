"""Factories for ledger lines."""

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from purchases.models import Family, Purchase, Source
from tests.factories import CanteenFactory


class PurchaseFactory(DjangoModelFactory):
    class Meta:
        model = Purchase

    canteen = factory.SubFactory(CanteenFactory)
    date = datetime.date(2025, 3, 14)
    description = factory.Sequence(lambda n: f"Produit {n}")
    supplier = "Grossiste"
    family = Family.AUTRES
    labels = factory.LazyFunction(list)
    price_ht = Decimal("100.00")
    source = Source.MANUAL
