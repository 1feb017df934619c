"""The département's places and people: kitchens and their satellites, producers and users."""

from __future__ import annotations

import csv
import hashlib
import math
import random
from datetime import date, timedelta
from decimal import Decimal

from bench.departement import (
    ADMINISTRATIVE,
    HEALTH,
    KITCHENS_CENTRAL,
    PRODUCERS,
    SCHOOLS,
    SIRET_CANTEEN,
    SIRET_PRODUCER,
    WHOLESALERS,
    api_key,
    username,
)
from bench.departement.copier import Copier


class PlacesMixin:
    """The département's places and people of ``Departement`` (its state is set by ``Departement.__init__``)."""

    def canteens(self, copier: Copier):
        from cantine.local import LocalScope
        from cantine.models import Canteen, Commune, CoverForecast
        from cantine.validators import with_luhn_check_digit

        rng = random.Random(f"{self.seed}-canteens")
        communes = list(
            Commune.objects.filter(department_id="49", latitude__isnull=False)
            .order_by("-population", "code")
            .values("code", "name", "latitude", "longitude", "population")
        )
        plan = (
            [Canteen.Kind.CENTRAL_KITCHEN] * KITCHENS_CENTRAL
            + [Canteen.Kind.SCHOOL] * SCHOOLS
            + [Canteen.Kind.ADMINISTRATIVE] * ADMINISTRATIVE
            + [Canteen.Kind.HEALTH] * HEALTH
        )
        next_id = copier.next_id(Canteen)
        rows, kitchens, satellites = [], [], []
        key = 0

        def canteen(kind, name, commune, central=None):
            nonlocal next_id, key
            key += 1
            scope = rng.choices(
                [LocalScope.DEPARTEMENT, LocalScope.REGION, LocalScope.KM], weights=[7, 2, 1]
            )[0]
            row = {
                "id": next_id,
                "name": name,
                "siret": with_luhn_check_digit(f"{SIRET_CANTEEN}{key:010d}"),
                "kind": kind,
                "central_kitchen_id": central["id"] if central else None,
                "commune_id": commune["code"],
                "latitude": round(commune["latitude"] + rng.uniform(-0.01, 0.01), 5),
                "longitude": round(commune["longitude"] + rng.uniform(-0.01, 0.01), 5),
                "local_scope": scope.value,
                "local_radius_km": 50 if scope == LocalScope.KM else None,
                "commune_name": commune["name"],
            }
            next_id += 1
            rows.append(row)
            return row

        schools = ["Jules-Ferry", "Jean-Moulin", "Victor-Hugo", "Louise-Michel", "Pasteur"]
        for index, kind in enumerate(plan):
            commune = communes[index % len(communes)]
            name = {
                Canteen.Kind.CENTRAL_KITCHEN: "Cuisine centrale de {c}",
                Canteen.Kind.SCHOOL: "Collège {s} de {c}" if index % 3 == 0 else "École {s} de {c}",
                Canteen.Kind.ADMINISTRATIVE: "Restaurant administratif de {c}",
                Canteen.Kind.HEALTH: "EHPAD de {c}",
            }[kind].format(c=commune["name"], s=schools[index % len(schools)])
            kitchen = canteen(kind, f"{name} ({index + 1})", commune)
            kitchen["ages"] = self._ages(kind, name, rng)
            kitchens.append(kitchen)
            if kind == Canteen.Kind.CENTRAL_KITCHEN:
                for n in range(rng.randint(3, 8)):
                    place = communes[(index * 7 + n * 13 + 1) % len(communes)]
                    satellite = canteen(
                        Canteen.Kind.SATELLITE,
                        f"École {schools[n % len(schools)]} de {place['name']} ({index + 1}.{n + 1})",
                        place,
                        central=kitchen,
                    )
                    satellite["ages"] = {
                        "maternelle": rng.randint(40, 120),
                        "elementaire": rng.randint(80, 240),
                    }
                    satellites.append(satellite)
        fields = [f for f in rows[0] if f not in ("commune_name", "ages")]
        fields += ["address", "service_code"]
        # Kitchens first: a satellite's central kitchen must exist when its row arrives.
        copier.copy(
            Canteen,
            fields,
            ([r[f] for f in fields[:-2]] + ["", ""] for r in rows if not r["central_kitchen_id"]),
        )
        copier.copy(
            Canteen,
            fields,
            ([r[f] for f in fields[:-2]] + ["", ""] for r in rows if r["central_kitchen_id"]),
        )
        forecasts = []
        for row in rows:
            kind = row["kind"]
            if kind == Canteen.Kind.SATELLITE:
                days = {0: 1.0, 1: 1.0, 2: 0.2, 3: 1.0, 4: 1.0}
            elif kind == Canteen.Kind.HEALTH:
                days = dict.fromkeys(range(7), 1.0)
            else:
                days = dict.fromkeys(range(5), 1.0)
            for age, covers in row.get("ages", {}).items():
                for day, share in days.items():
                    forecasts.append((row["id"], day, age, max(1, round(covers * share))))
        copier.copy(CoverForecast, ["canteen", "weekday", "age_group", "covers"], forecasts)
        self.kitchens, self.satellites = kitchens, satellites
        self.covers = {
            k["id"]: sum(k.get("ages", {}).values())
            + sum(sum(s["ages"].values()) for s in satellites if s["central_kitchen_id"] == k["id"])
            for k in kitchens
        }

    @staticmethod
    def _ages(kind, name, rng) -> dict[str, int]:
        if kind == "central_kitchen":
            return {}  # it cooks for its satellites
        if kind == "school":
            if name.startswith("Collège"):
                return {"college_lycee": rng.randint(250, 700)}
            return {"maternelle": rng.randint(50, 150), "elementaire": rng.randint(100, 300)}
        if kind == "administrative":
            return {"adult": rng.randint(150, 600)}
        return {"adult": rng.randint(60, 160)}

    def producers(self, copier: Copier):
        from cantine.models import Commune
        from cantine.validators import with_luhn_check_digit
        from cantine.vocabulary import Label
        from demo import seed as demo
        from nutrition.models import DishIngredient, Food
        from producers.models import Offer, Producer

        rng = random.Random(f"{self.seed}-producers")
        known = set(Commune.objects.values_list("code", flat=True))
        with demo.FARMS_FILE.open(newline="", encoding="utf-8") as handle:
            rows = [
                r
                for r in csv.DictReader(handle)
                if r["code_insee_commune"] in known and demo.farm_kind(r)
            ]
        angers = (47.4784, -0.5632)

        def distance(row):
            return math.hypot(
                float(row["latitude"]) - angers[0], float(row["longitude"]) - angers[1]
            )

        rows.sort(key=lambda r: (distance(r), r["code_insee_commune"], r["date_certification"]))
        farms = rows[: PRODUCERS - WHOLESALERS]
        names = dict(
            Commune.objects.filter(code__in={r["code_insee_commune"] for r in farms}).values_list(
                "code", "name"
            )
        )
        next_id = copier.next_id(Producer)
        producers = []
        for index, row in enumerate(farms, start=1):
            kind = demo.farm_kind(row)
            place = names[row["code_insee_commune"]]
            name = rng.choice(demo.NAME_PATTERNS[kind]).format(
                of_place=demo.of_place(place), family=rng.choice(demo.FAMILIES)
            )
            labels = [Label.HVE] + ([Label.BIO] if rng.random() < 0.3 else [])
            if kind in ("beef", "poultry_eggs") and rng.random() < 0.4:
                labels.append(Label.LABEL_ROUGE)
            if kind == "dairy" and rng.random() < 0.5:
                labels.append(Label.FERMIER)
            producers.append(
                {
                    "id": next_id,
                    "name": f"{name} ({index})",
                    "siret": with_luhn_check_digit(f"{SIRET_PRODUCER}{index:010d}"),
                    "status": "siae" if kind == "vegetables" and index % 25 == 0 else "farm",
                    "commune_id": row["code_insee_commune"],
                    "latitude": float(row["latitude"]),
                    "longitude": float(row["longitude"]),
                    "animal_activity": demo._pretty(row["activite_animale_principale"]),
                    "plant_activity": demo._pretty(row["activite_vegetale_principale"]),
                    "sells_direct": row["vente_directe"] == "OUI",
                    "labels": labels,
                    "hve_certified_on": date.fromisoformat(row["date_certification"]),
                    "delivery_weekdays": sorted(rng.sample(range(5), rng.choice([1, 2, 2, 3]))),
                    "delivery_cost": Decimal(rng.choice([0, 0, 8, 10, 12, 15, 20])),
                    "minimum_order_value": Decimal(rng.choice([0, 50, 80, 80, 100, 150])),
                    "contact_name": f"{rng.choice(['Anne', 'Luc', 'Marie', 'Paul'])} {rng.choice(demo.FAMILIES)}",
                    "email": f"contact{index:03d}@ferme-49.example",
                    "phone": "",
                    "kind": kind,
                }
            )
            next_id += 1
        wholesale_places = ["49007", "44109", "49328", "72181", "49099"]
        for n in range(WHOLESALERS):
            index = len(producers) + 1
            code = wholesale_places[n % len(wholesale_places)]
            commune = Commune.objects.get(code=code)
            producers.append(
                {
                    "id": next_id,
                    "name": f"Grossiste alimentaire {commune.name} ({n + 1})",
                    "siret": with_luhn_check_digit(f"{SIRET_PRODUCER}{index:010d}"),
                    "status": "wholesaler",
                    "commune_id": code,
                    "latitude": commune.latitude,
                    "longitude": commune.longitude,
                    "animal_activity": "",
                    "plant_activity": "",
                    "sells_direct": False,
                    "labels": [],
                    "hve_certified_on": None,
                    "delivery_weekdays": [0, 1, 2, 3, 4],
                    "delivery_cost": Decimal(0),
                    "minimum_order_value": Decimal(150),
                    "contact_name": "Service collectivités",
                    "email": f"collectivites{n + 1}@grossiste-49.example",
                    "phone": "",
                    "kind": "wholesaler",
                }
            )
            next_id += 1
        fields = [f for f in producers[0] if f != "kind"]
        copier.copy(Producer, fields, ([p[f] for f in fields] for p in producers))

        codes = {demo._bought_code(c) for spec in demo.OFFER_RANGES.values() for c in spec[0]}
        catalogue = set(
            DishIngredient.objects.filter(dish__kitchen_id=self.demo_kitchen).values_list(
                "food_id", flat=True
            )
        )
        foods = {
            f.pk: f
            for f in Food.objects.filter(
                pk__in=catalogue
                | set(Food.objects.filter(code__in=codes).values_list("pk", flat=True))
            )
        }
        by_code = {f.code: f for f in foods.values()}
        offers, next_offer = [], copier.next_id(Offer)
        valid_from = self.start - timedelta(days=30)
        for producer in producers:
            prng = random.Random(f"{self.seed}-offers-{producer['siret']}")
            kind = producer["kind"]
            if kind == "wholesaler":
                chosen = sorted(
                    (f for f in foods.values() if f.pk in catalogue), key=lambda f: f.code
                )
                terms_of = {
                    f.pk: demo._sold_in_its_unit(
                        f,
                        demo._wholesale_price(f)
                        * Decimal(prng.uniform(0.9, 1.15)).quantize(Decimal("0.01")),
                        Decimal(1),
                        Decimal(0),
                    )
                    for f in chosen
                }
                for terms in terms_of.values():
                    terms["pack_size"], terms["weekly_capacity"] = Decimal(1), None
                labels_of = dict.fromkeys(terms_of, [])
            else:
                available, (low, high), packs, (cap_low, cap_high) = demo.OFFER_RANGES[kind]
                names_ = list(dict.fromkeys(demo._bought_code(c) for c in available))
                chosen = [by_code[c] for c in names_ if c in by_code]
                chosen = prng.sample(chosen, min(demo.OFFERS_PER_PRODUCER, len(chosen)))
                terms_of, labels_of = {}, {}
                for food in chosen:
                    price = Decimal(str(round(prng.uniform(low, high), 2)))
                    pack = Decimal(str(prng.choice(packs)))
                    # Ten times the demo's capacities: the load test answers orders in full.
                    capacity = Decimal(prng.randrange(cap_low, cap_high + 1, 10) * 10)
                    terms_of[food.pk] = demo._sold_in_its_unit(food, price, pack, capacity)
                    labels_of[food.pk] = [
                        lab for lab in producer["labels"] if lab != Label.BIO or prng.random() < 0.8
                    ]
            for food in chosen:
                terms = terms_of[food.pk]
                offers.append(
                    {
                        "id": next_offer,
                        "producer_id": producer["id"],
                        "food_id": food.pk,
                        "product_label": food.name.split(",")[0][:200],
                        "unit": str(terms["unit"]),
                        "pack_size": terms["pack_size"],
                        "unit_price": terms["unit_price"],
                        "weekly_capacity": terms["weekly_capacity"],
                        "labels": labels_of[food.pk],
                        "valid_from": valid_from,
                        "valid_to": None,
                        "active": True,
                        "updated_at": self.now,
                        # for the ledger, not copied
                        "family": str(food.family),
                    }
                )
                next_offer += 1
        fields = [f for f in offers[0] if f != "family"]
        copier.copy(Offer, fields, ([o[f] for f in fields] for o in offers))
        self.producer_rows = producers
        self.offers = offers

    def users(self, copier: Copier):
        from django.contrib.auth.hashers import make_password

        from cantine.models import ApiToken, Membership, User
        from producers.models import ProducerMember

        # One hash for every account (hashing 900 passwords would take minutes), with a salt
        # long enough that Django never re-hashes it at login (which would void the API keys).
        salt = hashlib.sha256(f"departement-{self.seed}".encode()).hexdigest()[:24]
        password = make_password(self.password, salt=salt)
        stamp = User(password=password).get_session_auth_hash()
        next_user = copier.next_id(User)
        users, memberships, members, tokens = [], [], [], []
        joined = self.now - timedelta(days=400)
        for index, kitchen in enumerate(self.kitchens, start=1):
            for role in ("cook", "dietitian", "manager"):
                name = username(role, index)
                users.append(
                    (
                        next_user,
                        password,
                        name,
                        role.capitalize(),
                        f"{index:03d}",
                        f"{name}@cantine-49.example",
                        joined,
                    )
                )
                memberships.append((next_user, kitchen["id"], role))
                if role == "manager":
                    key = api_key(self.seed, name)
                    tokens.append(
                        (
                            next_user,
                            "bench",
                            hashlib.sha256(key.encode()).hexdigest(),
                            key[:8],
                            stamp,
                            self.now,
                            self.now + timedelta(days=365),
                        )
                    )
                next_user += 1
        for index, producer in enumerate(self.producer_rows, start=1):
            name = username("producer", index)
            users.append(
                (
                    next_user,
                    password,
                    name,
                    "Producteur",
                    f"{index:03d}",
                    f"{name}@ferme-49.example",
                    joined,
                )
            )
            members.append((next_user, producer["id"]))
            next_user += 1
        copier.copy(
            User,
            [
                "id",
                "password",
                "username",
                "first_name",
                "last_name",
                "email",
                "date_joined",
                "is_superuser",
                "is_staff",
                "is_active",
            ],
            (u + (False, False, True) for u in users),
        )
        copier.copy(Membership, ["user", "canteen", "role"], memberships)
        copier.copy(ProducerMember, ["user", "producer"], members)
        copier.copy(
            ApiToken,
            ["user", "name", "digest", "prefix", "password_stamp", "created_at", "expires_at"],
            tokens,
        )
        self.cook_ids = {k["id"]: users[3 * i][0] for i, k in enumerate(self.kitchens)}
