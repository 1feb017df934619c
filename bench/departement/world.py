"""The data set's world: one ``Departement`` holds the seeded state its loaders share."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from bench.departement import (
    WEEKS,
)
from bench.departement.kitchens import KitchensMixin
from bench.departement.places import PlacesMixin
from bench.departement.trade import TradeMixin


class Departement(PlacesMixin, KitchensMixin, TradeMixin):
    """The seeded, deterministic state the loaders share (random stream, dates, ids); each
    loader (places, kitchens, trade) writes its tables through one ``Copier``."""

    def __init__(self, *, seed: int, password: str, purchase_lines: int, today: date):
        self.seed = seed
        self.password = password
        self.purchase_lines = purchase_lines
        self.today = today
        self.monday = today - timedelta(days=today.weekday())
        self.start = self.monday - timedelta(weeks=WEEKS)
        self.rng = random.Random(seed)
        self.now = datetime.combine(today, datetime.min.time(), tzinfo=UTC)
