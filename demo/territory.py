"""The demo territory: canteens in real communes of Maine-et-Loire, real HVE-certified farms
under invented names, one user per role. Each object is looked up by a stable key first."""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction

from cantine.local import LocalScope
from cantine.models import Canteen, Commune, CoverForecast, Membership, Role, User, Weekday
from cantine.validators import with_luhn_check_digit
from cantine.vocabulary import Label
from demo import datafiles
from producers.models import Producer, ProducerMember

FARMS_FILE = Path(settings.BASE_DIR) / "producers" / "data" / "hve_food_farms_by_commune.csv"
DEMO_DEPARTMENT = "49"
NEIGHBOUR_DEPARTMENTS = ("44", "85", "72", "53", "37", "79")
DEFAULT_PASSWORD = "cantine-demo-2026"
SEED = 49


@dataclass(frozen=True)
class CanteenSpec:
    key: int
    name: str
    kind: str
    commune: str
    latitude: float
    longitude: float
    covers: dict[str, int]  # age group -> covers on a normal school day
    address: str = ""  # where producers deliver (the kitchen's, for orders)
    delivery_window: str = ""
    phone: str = ""


_CANTEENS = datafiles.read("canteens.json")


def _spec(row: dict) -> CanteenSpec:
    return CanteenSpec(**{**row, "kind": Canteen.Kind(row["kind"])})


KITCHEN = _spec(_CANTEENS["kitchen"])
SATELLITES = [_spec(row) for row in _CANTEENS["satellites"]]
ADMINISTRATIVE = _spec(_CANTEENS["administrative"])

_PRODUCERS = datafiles.read("producers.json")
# How many farms of each kind the demo takes, so the catalogue covers a canteen's needs.
QUOTAS: dict[str, int] = _PRODUCERS["quotas"]
NAME_PATTERNS: dict[str, list[str]] = _PRODUCERS["name_patterns"]
FAMILIES: list[str] = _PRODUCERS["families"]


def farm_kind(row: dict) -> str | None:
    """The part of a canteen's needs a farm can answer, from its main activities."""
    plant, animal = row["activite_vegetale_principale"], row["activite_animale_principale"]
    if plant == "Maraichage":
        return "vegetables"
    if animal in ("Volailles", "Oeufs"):
        return "poultry_eggs"
    if animal == "Bovins Lait":
        return "dairy"
    if animal == "Bovins Viande":
        return "beef"
    if animal in ("Ovins", "Caprins", "Porcins", "Lapins"):
        return "other_livestock"
    if plant == "Arboriculture":
        return "fruit"
    if plant == "Grandes Cultures" and not animal:
        return "cereals"
    return None


def choose_farms(rows: list[dict], known_communes: set[str]) -> list[tuple[str, dict]]:
    """Fill each quota with farms of the demo department first, then its neighbours.

    Farms whose commune has since merged into another (code absent from the COG) are skipped.
    """
    departments = (DEMO_DEPARTMENT, *NEIGHBOUR_DEPARTMENTS)
    ordered = sorted(
        (
            r
            for r in rows
            if r["code_insee_commune"][:2] in departments
            and r["code_insee_commune"] in known_communes
        ),
        key=lambda r: (
            departments.index(r["code_insee_commune"][:2]),
            r["code_insee_commune"],
            r["date_certification"],
            r["latitude"],
        ),
    )
    chosen: list[tuple[str, dict]] = []
    taken = dict.fromkeys(QUOTAS, 0)
    for row in ordered:
        kind = farm_kind(row)
        if kind and taken[kind] < QUOTAS[kind]:
            taken[kind] += 1
            chosen.append((kind, row))
    return chosen


def _read_farms() -> list[dict]:
    with FARMS_FILE.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def demo_siret(kind: str, key: int) -> str:
    """Invented but checksum-valid SIRETs (prefix 9 = not a real company range here)."""
    prefix = {"canteen": "921", "producer": "949"}[kind]
    return with_luhn_check_digit(f"{prefix}{key:010d}")


@transaction.atomic
def seed_canteens() -> list[Canteen]:
    kitchen = _canteen(KITCHEN, central_kitchen=None, local_scope=LocalScope.DEPARTEMENT)
    canteens = [kitchen]
    for spec in SATELLITES:
        canteens.append(_canteen(spec, central_kitchen=kitchen, local_scope=LocalScope.DEPARTEMENT))
    canteens.append(_canteen(ADMINISTRATIVE, central_kitchen=None, local_scope=LocalScope.KM))
    return canteens


def _canteen(spec: CanteenSpec, central_kitchen, local_scope) -> Canteen:
    canteen, created = Canteen.objects.get_or_create(
        siret=demo_siret("canteen", spec.key),
        defaults={
            "name": spec.name,
            "kind": spec.kind,
            "central_kitchen": central_kitchen,
            "commune_id": spec.commune,
            "latitude": spec.latitude,
            "longitude": spec.longitude,
            "local_scope": local_scope,
            "local_radius_km": 50 if local_scope == LocalScope.KM else None,
            "address": spec.address,
            "delivery_window": spec.delivery_window,
            "phone": spec.phone,
        },
    )
    if created:
        school_days = [Weekday.MONDAY, Weekday.TUESDAY, Weekday.THURSDAY, Weekday.FRIDAY]
        days = school_days if spec.kind == Canteen.Kind.SATELLITE else list(Weekday)[:5]
        CoverForecast.objects.bulk_create(
            CoverForecast(canteen=canteen, weekday=day, age_group=age, covers=covers)
            for age, covers in spec.covers.items()
            for day in days
        )
        if spec.kind == Canteen.Kind.SATELLITE:
            # Wednesday: the leisure centre, about a fifth of the children.
            CoverForecast.objects.bulk_create(
                CoverForecast(
                    canteen=canteen, weekday=Weekday.WEDNESDAY, age_group=age, covers=covers // 5
                )
                for age, covers in spec.covers.items()
            )
    return canteen


@transaction.atomic
def of_place(place: str) -> str:
    """ "de" before a commune's name as French writes it: d’Allonnes, du Lion-d’Angers, des
    Ponts-de-Cé, de La Flèche, de Brissac (a farm "de Allonnes" reads as a typo)."""
    for article, contracted in (("Le ", "du "), ("Les ", "des ")):
        if place.startswith(article):
            return contracted + place[len(article) :]
    if place[:1].lower() in "aeiouyhàâéèêëîïôœûü":
        return f"d’{place}"
    return f"de {place}"


def seed_producers() -> list[Producer]:
    rng = random.Random(SEED)
    producers = []
    rows = _read_farms()
    commune_names = dict(
        Commune.objects.filter(code__in={r["code_insee_commune"] for r in rows}).values_list(
            "code", "name"
        )
    )
    for index, (kind, row) in enumerate(choose_farms(rows, set(commune_names)), start=1):
        siret = demo_siret("producer", index)
        existing = Producer.objects.filter(siret=siret).first()
        if existing:
            producers.append(existing)
            continue
        place = commune_names[row["code_insee_commune"]]
        name = rng.choice(NAME_PATTERNS[kind]).format(
            of_place=of_place(place), family=rng.choice(FAMILIES)
        )
        status = Producer.Status.FARM
        if kind == "vegetables" and index % 9 == 0:
            name, status = f"Jardins d’insertion {of_place(place)}", Producer.Status.SIAE
        labels = [Label.HVE] + ([Label.BIO] if rng.random() < 0.3 else [])
        if kind in ("beef", "poultry_eggs") and rng.random() < 0.4:
            labels.append(Label.LABEL_ROUGE)
        if kind == "dairy" and rng.random() < 0.5:
            labels.append(Label.FERMIER)
        weekdays = sorted(rng.sample(range(5), rng.choice([1, 2, 2, 3])))
        producers.append(
            Producer.objects.create(
                name=name,
                siret=siret,
                status=status,
                commune_id=row["code_insee_commune"],
                latitude=float(row["latitude"]),
                longitude=float(row["longitude"]),
                plant_activity=_pretty(row["activite_vegetale_principale"]),
                animal_activity=_pretty(row["activite_animale_principale"]),
                sells_direct=row["vente_directe"] == "OUI",
                labels=labels,
                hve_certified_on=date.fromisoformat(row["date_certification"]),
                delivery_weekdays=weekdays,
                delivery_cost=Decimal(rng.choice([0, 0, 8, 10, 12, 15, 20])),
                minimum_order_value=Decimal(rng.choice([0, 50, 80, 80, 100, 150])),
                contact_name=f"{rng.choice(['Anne', 'Luc', 'Marie', 'Paul', 'Élise', 'Hugo'])} "
                f"{rng.choice(FAMILIES)}",
                email=f"contact{index:03d}@ferme.example",
            )
        )
    return producers


def _pretty(activity: str) -> str:
    return {"Maraichage": "Maraîchage", "Equidés": "Équidés", "Oeufs": "Œufs"}.get(
        activity, activity
    )


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    role: Role


DEMO_USERS = [
    DemoUser(row["username"], row["first_name"], row["last_name"], Role(row["role"]))
    for row in datafiles.read("users.json")
]


@transaction.atomic
def seed_users(canteens: list[Canteen], producers: list[Producer], password: str) -> list[User]:
    kitchen, administrative = canteens[0], canteens[-1]
    market_gardener = next(p for p in producers if p.plant_activity == "Maraîchage")
    users = []
    for spec in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=spec.username,
            defaults={
                "first_name": spec.first_name,
                "last_name": spec.last_name,
                "email": f"{spec.username}@cantine.example",
            },
        )
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
        if spec.role == Role.PRODUCER:
            ProducerMember.objects.get_or_create(user=user, defaults={"producer": market_gardener})
        else:
            for canteen in (kitchen, administrative):
                Membership.objects.get_or_create(user=user, canteen=canteen, role=spec.role)
        users.append(user)
    admin, created = User.objects.get_or_create(
        username="admin",
        defaults={"is_staff": True, "is_superuser": True, "email": "admin@cantine.example"},
    )
    if created:
        admin.set_password(password)
        admin.save(update_fields=["password"])
    return [*users, admin]
