"""A département-sized data set for the load test (issue 16), loaded by PostgreSQL COPY.

    .venv/bin/python -m bench.departement --database-url postgres://postgres@127.0.0.1:5432/DB

On a migrated PostgreSQL database (the script runs ``migrate`` first, a no-op when done) it
loads the demo (``seed_demo``: geography, CIQUAL foods, rule presets, the demo kitchen's dish
catalogue), then, seeded and deterministic, Maine-et-Loire as a département would run it:

- 100 kitchens: 30 central kitchens with 3 to 8 satellites each, 40 schools, 15 administrative
  canteens and 15 care homes cooking for themselves; cover forecasts for every canteen;
- 600 producers (590 real HVE farms nearest Angers under invented names, 10 wholesalers) with
  about ten offers each (every food of the catalogue for a wholesaler);
- each kitchen's dish catalogue (the demo's, copied in SQL with its ingredients and tags), its
  own rule set (GEMRCN + vegetarian, variety rules, in-season preferred) and food prices;
- a year of menus (the 52 weeks before this one, every service day, holidays skipped);
- about 1,000,000 purchase lines over that year, by kitchen size, farms' share growing;
- a year of purchase orders and their lines (paid, delivered, confirmed, and sent ones for the
  two weeks to come that producers have to answer);
- users: ``cook001``..``cook100``, ``dietitian001``.., ``manager001``.. (one of each per kitchen,
  in kitchen order), ``producer001``..``producer600``, all with ``--password``; each manager
  has an API key, ``api_key(seed, username)`` (the load test computes it too).

API keys are stamped with the password hash under ``SECRET_KEY``: load with the SECRET_KEY the
server will run with. Everything but the demo and the rule sets goes through ``cursor.copy``
with ids assigned here, so nothing is read back. Prints counts and seconds.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import math
import os
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

KITCHENS_CENTRAL, SCHOOLS, ADMINISTRATIVE, HEALTH = 30, 40, 15, 15
PRODUCERS, WHOLESALERS = 600, 10
PURCHASE_LINES = 1_000_000
WEEKS = 52
DEFAULT_PASSWORD = "cantine-bench-2026"
SIRET_CANTEEN, SIRET_PRODUCER = "931", "959"
COMPONENTS = ("entree", "main", "side", "dairy", "dessert")


def api_key(seed: int, username: str) -> str:
    """The API key the data set issues to ``username`` (stored only as its SHA-256)."""
    return "bench" + hashlib.sha256(f"departement-{seed}-{username}".encode()).hexdigest()[:43]


def username(role: str, index: int) -> str:
    return f"{role}{index:03d}"


# --- COPY ---------------------------------------------------------------------------------------


def _text(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, (list, dict)):
        value = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, (date, datetime)):
        return value.isoformat()
    else:
        value = str(value)
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        value = (
            value.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return value


class Copier:
    """COPY rows (dicts of field names) into a model's table, ids assigned from ``next_id``."""

    def __init__(self, connection):
        self.connection = connection
        self.counts: dict[str, int] = {}

    def next_id(self, model) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute(f'SELECT coalesce(max(id), 0) + 1 FROM "{model._meta.db_table}"')
            return cursor.fetchone()[0]

    def copy(self, model, fields: list[str], rows) -> int:
        columns = [model._meta.get_field(name).column for name in fields]
        table = model._meta.db_table
        quoted = ", ".join(f'"{c}"' for c in columns)
        sql = f'COPY "{table}" ({quoted}) FROM STDIN'
        count = 0
        buffer: list[str] = []
        with self.connection.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                buffer.append("\t".join(_text(v) for v in row) + "\n")
                count += 1
                if len(buffer) >= 5000:
                    copy.write("".join(buffer))
                    buffer.clear()
            if buffer:
                copy.write("".join(buffer))
        if "id" in fields:
            with self.connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                    f'(SELECT max(id) FROM "{table}"))'
                )
        self.counts[model._meta.label] = self.counts.get(model._meta.label, 0) + count
        return count


# --- the world ----------------------------------------------------------------------------------


class Departement:
    def __init__(self, *, seed: int, password: str, purchase_lines: int, today: date):
        self.seed = seed
        self.password = password
        self.purchase_lines = purchase_lines
        self.today = today
        self.monday = today - timedelta(days=today.weekday())
        self.start = self.monday - timedelta(weeks=WEEKS)
        self.rng = random.Random(seed)
        self.now = datetime.combine(today, datetime.min.time(), tzinfo=UTC)

    # - canteens -

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

    # - producers and offers -

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
                place=place, family=rng.choice(demo.FAMILIES)
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

    # - users, roles and API keys -

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

    # - catalogues, rule sets, prices -

    def catalogues(self, copier: Copier):
        from django.db import connection

        from menus.models import MenuPolicy
        from menus.policies import add_default_variety_rules, set_season_policy
        from nutrition.models import Dish, DishIngredient, DishTag, FoodPrice, RuleSet
        from nutrition.services import assign_rule_set, copy_rule_set

        ids = [k["id"] for k in self.kitchens]
        demo = self.demo_kitchen

        def columns(model, skip):
            return [
                f.column
                for f in model._meta.concrete_fields
                if f.column not in skip and not getattr(f, "generated", False)
            ]

        with connection.cursor() as cursor:
            dish_cols = columns(Dish, {"id", "kitchen_id"})
            cursor.execute(
                f"INSERT INTO nutrition_dish (kitchen_id, {', '.join(dish_cols)}) "
                f"SELECT k, {', '.join('d.' + c for c in dish_cols)} FROM nutrition_dish d, "
                "unnest(%s::int[]) k WHERE d.kitchen_id = %s ORDER BY k, d.id",
                [ids, demo],
            )
            for model in (DishIngredient, DishTag):
                cols = columns(model, {"id", "dish_id"})
                cursor.execute(
                    f'INSERT INTO "{model._meta.db_table}" (dish_id, {", ".join(cols)}) '
                    f"SELECT n.id, {', '.join('x.' + c for c in cols)} "
                    f'FROM "{model._meta.db_table}" x JOIN nutrition_dish d ON d.id = x.dish_id '
                    "JOIN nutrition_dish n ON n.name = d.name AND n.kitchen_id = ANY(%s) "
                    "WHERE d.kitchen_id = %s ORDER BY n.id, x.id",
                    [ids, demo],
                )
                copier.counts[model._meta.label] = cursor.rowcount
            cols = columns(FoodPrice, {"id", "kitchen_id"})
            cursor.execute(
                f"INSERT INTO nutrition_foodprice (kitchen_id, {', '.join(cols)}) "
                f"SELECT k, {', '.join('p.' + c for c in cols)} FROM nutrition_foodprice p, "
                "unnest(%s::int[]) k WHERE p.kitchen_id = %s ORDER BY k, p.id",
                [ids, demo],
            )
            copier.counts[FoodPrice._meta.label] = cursor.rowcount
        copier.counts[Dish._meta.label] = Dish.objects.filter(kitchen_id__in=ids).count()
        from cantine.models import Canteen
        from nutrition.services import load_rule_presets

        school, vegetarian = load_rule_presets()

        for kitchen in Canteen.objects.filter(pk__in=ids).order_by("pk"):
            rule_set = copy_rule_set(
                source=school,
                name=f"{kitchen.name} — règles",
                owner=kitchen,
                author=None,
                also_from=[vegetarian],
            )
            add_default_variety_rules(rule_set)
            set_season_policy(rule_set=rule_set, season=MenuPolicy.Season.PREFER)
            assign_rule_set(canteen=kitchen, rule_set=rule_set, author=None)
        copier.counts[RuleSet._meta.label] = len(ids)
        self.dishes = {}
        for pk, kitchen, component, vegetarian_ in (
            Dish.objects.filter(kitchen_id__in=ids)
            .order_by("pk")
            .values_list("pk", "kitchen_id", "component", "is_vegetarian")
        ):
            self.dishes.setdefault(kitchen, {}).setdefault(component, []).append((pk, vegetarian_))

    # - a year of menus -

    def menus(self, copier: Copier):
        from cantine.models import Canteen
        from menus.closures import days_off
        from menus.models import Meal, MealDish
        from menus.services import service_weekdays

        end = self.monday - timedelta(days=1)
        meals, courses = [], []
        next_meal = copier.next_id(Meal)
        self.service_days: dict[int, list[date]] = {}
        for kitchen in Canteen.objects.filter(pk__in=[k["id"] for k in self.kitchens]).order_by(
            "pk"
        ):
            rng = random.Random(f"{self.seed}-menus-{kitchen.pk}")
            weekdays = set(service_weekdays(kitchen))
            off = days_off(kitchen, self.start, end + timedelta(weeks=2))
            days = [
                self.start + timedelta(days=n)
                for n in range((end - self.start).days + 1 + 14)
                if (self.start + timedelta(days=n)).weekday() in weekdays
                and (self.start + timedelta(days=n)) not in off
            ]
            self.service_days[kitchen.pk] = days
            catalogue = self.dishes[kitchen.pk]
            vegetarian_mains = [d for d, veg in catalogue["main"] if veg]
            other_mains = [d for d, veg in catalogue["main"] if not veg]
            for day in days:
                if day > end:
                    break  # the weeks to come are the cook's to plan
                meals.append((next_meal, kitchen.pk, day, False, "", ""))
                for component in COMPONENTS:
                    if component == "main":
                        pool = vegetarian_mains if day.weekday() == 1 else other_mains
                        dish = rng.choice(pool or [d for d, _v in catalogue["main"]])
                    else:
                        dish = rng.choice(catalogue[component])[0]
                    courses.append((next_meal, component, dish, False))
                next_meal += 1
        copier.copy(Meal, ["id", "canteen", "date", "closed", "closure", "note"], meals)
        copier.copy(MealDish, ["meal", "component", "dish", "locked"], courses)

    # - the ledger: about a million lines -

    def ledger(self, copier: Copier):
        from cantine.models import Canteen
        from cantine.vocabulary import Label
        from producers.models import Producer
        from purchases.models import Purchase

        rng = random.Random(f"{self.seed}-ledger")
        producers = {
            p.pk: p
            for p in Producer.objects.filter(
                pk__in=[r["id"] for r in self.producer_rows]
            ).select_related("commune__department")
        }
        farm_offers = [o for o in self.offers if producers[o["producer_id"]].status != "wholesaler"]
        wholesale_offers = [
            o for o in self.offers if producers[o["producer_id"]].status == "wholesaler"
        ]
        total_covers = sum(self.covers.values()) or 1
        kitchens = (
            Canteen.objects.filter(pk__in=[k["id"] for k in self.kitchens])
            .select_related("commune__department", "local_territory")
            .order_by("pk")
        )
        fields = [
            "canteen", "date", "description", "supplier", "producer", "family", "labels",
            "origin", "is_short_chain", "is_local", "local_definition", "local_definition_km",
            "price_ht", "quantity", "unit", "food", "source", "created_at",
        ]  # fmt: skip
        wholesale_labels = [
            ([], 72),
            ([Label.BIO], 12),
            ([Label.LABEL_ROUGE], 8),
            ([Label.AOCAOP], 4),
            ([Label.HVE], 4),
        ]
        label_choices = [json.dumps(c) for c, _w in wholesale_labels]
        label_weights = [w for _c, w in wholesale_labels]
        cent = Decimal("0.01")

        # Everything the rows need is read first: no query may run while COPY holds the
        # connection.
        kitchens = list(kitchens)
        local_of = {}
        for kitchen in kitchens:
            definition = kitchen.local_definition()
            local_of[kitchen.pk] = {pk: definition.is_local(p.place) for pk, p in producers.items()}

        def rows():
            for kitchen in kitchens:
                local = local_of[kitchen.pk]
                # A kitchen buys from the farms near it: the 60 nearest, by the offers' order.
                near = sorted(
                    {o["producer_id"] for o in farm_offers},
                    key=lambda pk: (
                        math.hypot(
                            (producers[pk].latitude or 0) - (kitchen.latitude or 0),
                            (producers[pk].longitude or 0) - (kitchen.longitude or 0),
                        ),
                        pk,
                    ),
                )[:60]
                near_set = set(near)
                farms = [o for o in farm_offers if o["producer_id"] in near_set]
                days = [d for d in self.service_days[kitchen.pk] if d < self.monday]
                if not days:
                    continue
                lines = round(self.purchase_lines * self.covers[kitchen.pk] / total_covers)
                per_day = lines / len(days)
                carry = 0.0
                scope = kitchen.local_scope
                km = Decimal(kitchen.local_radius_km) if kitchen.local_radius_km else None
                for n, day in enumerate(days):
                    carry += per_day
                    count, carry = int(carry), carry - int(carry)
                    farm_share = 0.25 + 0.2 * n / len(days)
                    created = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(
                        hours=14
                    )
                    for _ in range(count):
                        is_farm = rng.random() < farm_share
                        offer = rng.choice(farms if is_farm else wholesale_offers)
                        producer = producers[offer["producer_id"]]
                        packs = rng.randint(1, 12)
                        quantity = offer["pack_size"] * packs
                        is_local = local[producer.pk]
                        yield (
                            kitchen.pk, day, offer["product_label"], producer.name, producer.pk,
                            offer["family"],
                            json.dumps(offer["labels"]) if is_farm else rng.choices(label_choices, label_weights)[0],
                            "FRANCE" if is_farm else rng.choices(("FRANCE", "EUROPE", "OTHER"), (6, 3, 1))[0],
                            is_farm and producer.sells_direct, is_local,
                            scope if is_local else "", km if is_local else None,
                            (offer["unit_price"] * quantity).quantize(cent), quantity, offer["unit"],
                            offer["food_id"], "order" if is_farm else "import", created,
                        )  # fmt: skip

        copier.copy(Purchase, fields, rows())

    # - a year of purchase orders -

    def orders(self, copier: Copier):
        from orders.models import PurchaseOrder, PurchaseOrderLine

        rng = random.Random(f"{self.seed}-orders")
        producers = {p["id"]: p for p in self.producer_rows if p["status"] != "wholesaler"}
        offers_of: dict[int, list[dict]] = {}
        for offer in self.offers:
            if offer["producer_id"] in producers:
                offers_of.setdefault(offer["producer_id"], []).append(offer)
        farm_ids = sorted(offers_of)
        orders, lines = [], []
        next_order, next_line = copier.next_id(PurchaseOrder), copier.next_id(PurchaseOrderLine)
        cent = Decimal("0.01")
        for position, kitchen in enumerate(self.kitchens):
            # Each kitchen orders from 12 farms, spread so that every farm has buyers.
            pool = [farm_ids[(position * 12 + n) % len(farm_ids)] for n in range(12)]
            cook = self.cook_ids[kitchen["id"]]
            weeks = {}
            for day in self.service_days[kitchen["id"]]:
                weeks.setdefault(day - timedelta(days=day.weekday()), []).append(day)
            for monday, days in sorted(weeks.items()):
                for producer_id in rng.sample(pool, rng.randint(3, 5)):
                    producer = producers[producer_id]
                    on = [d for d in days if d.weekday() in producer["delivery_weekdays"]]
                    delivery = on[0] if on else days[0]
                    sent_at = datetime.combine(
                        monday - timedelta(days=7), datetime.min.time(), tzinfo=UTC
                    ) + timedelta(hours=9)
                    if delivery + timedelta(days=28) <= self.today:
                        status = "paid"
                    elif delivery <= self.today:
                        status = "delivered"
                    elif delivery <= self.today + timedelta(days=2):
                        status = "confirmed"
                    else:
                        status = "sent"
                    answered = status != "sent"
                    received = status in ("delivered", "paid")
                    goods = Decimal(0)
                    chosen = rng.sample(
                        offers_of[producer_id], min(len(offers_of[producer_id]), rng.randint(2, 6))
                    )
                    for offer in chosen:
                        packs = rng.randint(1, 6)
                        quantity = offer["pack_size"] * packs
                        total = (quantity * offer["unit_price"]).quantize(cent)
                        goods += total
                        lines.append((
                            next_line, next_order, offer["id"], monday, offer["product_label"],
                            offer["unit"], offer["pack_size"], offer["labels"], packs, None,
                            quantity, offer["unit_price"], total, packs if answered else None, "",
                            sent_at + timedelta(hours=20) if answered else None,
                            quantity if received else None, "",
                        ))  # fmt: skip
                        next_line += 1
                    orders.append((
                        next_order, kitchen["id"], producer_id, delivery, None, status, goods,
                        producer["delivery_cost"], cook, sent_at - timedelta(hours=1), sent_at,
                        datetime.combine(delivery - timedelta(days=2), datetime.min.time(), tzinfo=UTC) + timedelta(hours=18) if status == "sent" else None,
                        delivery if received else None,
                        delivery + timedelta(days=3) if status == "paid" else None,
                        delivery + timedelta(days=28) if status == "paid" else None,
                        None, 0,
                    ))  # fmt: skip
                    next_order += 1
        copier.copy(
            PurchaseOrder,
            ["id", "canteen", "producer", "delivery_date", "run", "status", "goods_total",
             "delivery_cost", "created_by", "created_at", "sent_at", "answer_deadline",
             "received_on", "invoiced_on", "paid_on", "amended_at", "revision"],
            orders,
        )  # fmt: skip
        copier.copy(
            PurchaseOrderLine,
            ["id", "order", "offer", "week", "product_label", "unit", "pack_size", "labels",
             "packs", "previous_packs", "quantity", "unit_price", "total", "confirmed_packs",
             "refusal_reason", "answered_at", "received_quantity", "quality_remark"],
            lines,
        )  # fmt: skip


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="postgres://… (a migrated database)")
    parser.add_argument("--seed", type=int, default=49)
    parser.add_argument("--password", default=DEFAULT_PASSWORD)
    parser.add_argument("--purchase-lines", type=int, default=PURCHASE_LINES)
    parser.add_argument("--today", type=date.fromisoformat, default=None, help="default: today")
    args = parser.parse_args(argv)
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("the data set is loaded by PostgreSQL COPY: give a postgres:// URL")
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from cantine.models import Canteen
    from demo.seed import KITCHEN, demo_siret, seed_demo

    clock = time.perf_counter()
    steps: list[tuple[str, float]] = []

    def step(name: str, since: float) -> float:
        now = time.perf_counter()
        steps.append((name, now - since))
        print(f"{name:<28} {now - since:7.1f} s", flush=True)
        return now

    call_command("migrate", "--noinput", verbosity=0)
    mark = step("migrate", clock)
    if Canteen.objects.filter(siret__startswith=SIRET_CANTEEN).exists():
        print("The département data set is already loaded in this database.", file=sys.stderr)
        return 1
    seed_demo()
    mark = step("demo (seed_demo)", mark)
    world = Departement(
        seed=args.seed,
        password=args.password,
        purchase_lines=args.purchase_lines,
        today=args.today or date.today(),
    )
    world.demo_kitchen = Canteen.objects.get(siret=demo_siret("canteen", KITCHEN.key)).pk
    connection.ensure_connection()
    copier = Copier(connection.connection)
    with transaction.atomic():
        world.canteens(copier)
        mark = step("canteens, covers", mark)
        world.producers(copier)
        mark = step("producers, offers", mark)
        world.users(copier)
        mark = step("users, roles, API keys", mark)
        world.catalogues(copier)
        mark = step("dishes, rule sets, prices", mark)
        world.menus(copier)
        mark = step("a year of menus", mark)
        world.ledger(copier)
        mark = step("purchase ledger", mark)
        world.orders(copier)
        mark = step("purchase orders", mark)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    mark = step("analyze", mark)
    print()
    for label, count in copier.counts.items():
        print(f"{label:<32} {count:>10,}")
    print(f"{'total':<32} {time.perf_counter() - clock:9.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
