"""A believable demo territory built from real places (Maine-et-Loire, around Angers).

Canteens sit in real communes; producers are real HVE-certified farms (activity, commune,
certification date) under invented names. Every object is looked up by a stable key before it
is created, so seeding twice changes nothing.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db import transaction

from cantine.local import LocalScope
from cantine.models import Canteen, Commune, CoverForecast, Membership, Role, User, Weekday
from cantine.services import load_commune_centres, load_geography
from cantine.validators import with_luhn_check_digit
from cantine.vocabulary import Label, Unit
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


KITCHEN = CanteenSpec(
    1, "Cuisine centrale d'Angers", Canteen.Kind.CENTRAL_KITCHEN, "49007", 47.4784, -0.5632, {}
)
SATELLITES = [
    CanteenSpec(
        2,
        "École Jean-Moulin",
        Canteen.Kind.SATELLITE,
        "49015",
        47.5069,
        -0.5886,
        {"maternelle": 95, "elementaire": 180},
    ),
    CanteenSpec(
        3,
        "École Paul-Bert",
        Canteen.Kind.SATELLITE,
        "49353",
        47.4456,
        -0.4658,
        {"maternelle": 70, "elementaire": 150},
    ),
    CanteenSpec(
        4,
        "Groupe scolaire des Ponts",
        Canteen.Kind.SATELLITE,
        "49246",
        47.4244,
        -0.5253,
        {"maternelle": 110, "elementaire": 210},
    ),
    CanteenSpec(
        5,
        "École Marie-Curie",
        Canteen.Kind.SATELLITE,
        "49267",
        47.4675,
        -0.4953,
        {"maternelle": 60, "elementaire": 125},
    ),
    CanteenSpec(
        6,
        "École du Bourg",
        Canteen.Kind.SATELLITE,
        "49020",
        47.4742,
        -0.6339,
        {"maternelle": 45, "elementaire": 90},
    ),
    CanteenSpec(
        7,
        "École de la Loire",
        Canteen.Kind.SATELLITE,
        "49035",
        47.4214,
        -0.6097,
        {"maternelle": 55, "elementaire": 105},
    ),
]
ADMINISTRATIVE = CanteenSpec(
    8,
    "Restaurant administratif de la Cité",
    Canteen.Kind.ADMINISTRATIVE,
    "49007",
    47.4709,
    -0.5518,
    {"adult": 420},
)

# How many farms of each kind the demo takes, so the catalogue covers a canteen's needs.
QUOTAS = {
    "vegetables": 18,
    "fruit": 10,
    "beef": 9,
    "dairy": 7,
    "poultry_eggs": 5,
    "other_livestock": 5,
    "cereals": 6,
}
NAME_PATTERNS = {
    "vegetables": ["Les Jardins de {place}", "Maraîchage du {place}", "Le Potager de {place}"],
    "fruit": ["Les Vergers de {place}", "Vergers {family}", "Domaine fruitier de {place}"],
    "beef": ["GAEC {family}", "Élevage du {place}", "EARL {family}"],
    "dairy": ["Laiterie fermière de {place}", "GAEC du Lait de {place}", "Ferme {family}"],
    "poultry_eggs": ["Volailles de {place}", "Les Poules de {place}", "Ferme avicole {family}"],
    "other_livestock": ["Bergerie de {place}", "Ferme {family}", "EARL {family}"],
    "cereals": ["Moulin de {place}", "Ferme céréalière {family}", "Les Blés de {place}"],
}
FAMILIES = [
    "Bouvier",
    "Chaillou",
    "Guérin",
    "Rabouin",
    "Cesbron",
    "Jamin",
    "Bellanger",
    "Gasnier",
    "Rousseau",
    "Brochard",
    "Chauvin",
    "Hamon",
    "Jouin",
    "Loiseau",
    "Moreau",
    "Pineau",
    "Raimbault",
    "Tessier",
    "Vaillant",
    "Cochard",
]


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
        name = rng.choice(NAME_PATTERNS[kind]).format(place=place, family=rng.choice(FAMILIES))
        status = Producer.Status.FARM
        if kind == "vegetables" and index % 9 == 0:
            name, status = f"Jardins d'insertion de {place}", Producer.Status.SIAE
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
    DemoUser("cuisinier", "Karim", "Benali", Role.COOK),
    DemoUser("dieteticienne", "Claire", "Morin", Role.DIETITIAN),
    DemoUser("gestionnaire", "Sophie", "Lambert", Role.MANAGER),
    DemoUser("producteur", "Julien", "Gasnier", Role.PRODUCER),
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


def seed_demo(password: str = DEFAULT_PASSWORD) -> dict[str, int]:
    """Seed everything; returns counts for the command to print."""
    geography = load_geography()
    load_commune_centres(FARMS_FILE, "code_insee_commune", "latitude", "longitude")
    canteens = seed_canteens()
    producers = seed_producers()
    users = seed_users(canteens, producers, password)
    nutrition = seed_nutrition(canteens[0])
    offers = seed_offers(producers)
    offers += seed_wholesaler(canteens[0])
    seed_food_prices(canteens)
    menus = seed_menus(canteens[0])
    purchases = seed_purchases(canteens, producers)
    return {
        "dishes": nutrition["dishes"],
        "planned_meals": menus,
        "communes": geography["communes"],
        "canteens": len(canteens),
        "producers": len(producers),
        "users": len(users),
        "offers": offers,
        "purchases": purchases,
    }


# --- nutrition: a school catalogue built from real CIQUAL foods -------------------------------

# An ingredient: (CIQUAL code of the food as served, grams on the plate) where grams is the
# primary-school portion (scaled to 0.7x nursery and 1.4x secondary/adults) or (nursery,
# primary, secondary) from annex II of the arrêté du 30 septembre 2011 where it gives one (a
# product bought by the piece is one piece for everyone); flags go third. A cooked food is
# bought as its raw product (nutrition/data/cooking_yields.csv): the seed turns the served
# grams into gross grams bought with the pair's yield.
CATALOGUE: list[tuple[str, str, tuple, str]] = [
    # (name, course, ingredients, allergens comma-separated)
    ("Carottes râpées vinaigrette", "entree", (("20009", 80), ("17130", 5)), ""),
    ("Concombre vinaigrette", "entree", (("20019", 80), ("17130", 5)), ""),
    ("Tomates vinaigrette", "entree", (("20385", 80), ("17130", 5)), ""),
    ("Salade de chou rouge", "entree", (("20014", 70), ("17130", 5)), ""),
    ("Radis beurre", "entree", (("20045", 60), ("16400", 8)), "milk"),
    ("Céleri rémoulade", "entree", (("25600", 80),), "celery,eggs,mustard"),
    ("Betteraves vinaigrette", "entree", (("20003", 80), ("17130", 5)), ""),
    ("Salade verte", "entree", (("20031", 40), ("17130", 5)), ""),
    ("Melon charentais", "entree", (("13026", 120),), ""),
    ("Avocat vinaigrette", "entree", (("13004", 60), ("17130", 5)), ""),
    ("Œuf dur mayonnaise", "entree", (("22010", 50), ("17130", 5)), "eggs,mustard"),
    ("Taboulé", "entree", (("25608", 80),), "gluten"),
    ("Salade de pommes de terre", "entree", (("4048", 100), ("17130", 5)), ""),
    ("Salade piémontaise", "entree", (("25609", 100),), "eggs,mustard"),
    ("Pâté de campagne", "entree", (("8211", 40),), ""),
    ("Saucisson sec", "entree", (("30300", 30),), ""),
    ("Rillettes", "entree", (("8000", 30),), ""),
    ("Quiche lorraine", "entree", (("25405", (70, 70, 90)),), "gluten,eggs,milk"),
    ("Pizza margherita", "entree", (("25404", (70, 70, 90)),), "gluten,milk"),
    ("Friand au fromage", "entree", (("25401", (62, 62, 100)),), "gluten,milk"),
    ("Crêpe au fromage", "entree", (("25549", (50, 50, 100)),), "gluten,milk,eggs"),
    ("Nem au poulet", "entree", (("25582", (50, 50, 100)),), "gluten,soybeans"),
    ("Salade de thon", "entree", (("25601", 80),), "fish"),
    ("Salade verte et dés d'emmental", "entree", (("20031", 30), ("12115", 20)), "milk"),
    ("Chou blanc râpé au comté", "entree", (("20116", 60), ("12110", 20)), "milk"),
    ("Endives vinaigrette", "entree", (("20026", 60), ("17130", 5)), ""),
    ("Mâche et betteraves", "entree", (("20099", 30), ("20003", 40), ("17130", 5)), ""),
    ("Bœuf braisé", "main", (("6101", (50, 70, 100)),), ""),
    ("Paleron braisé aux carottes", "main", (("6271", (50, 70, 100)), ("20353", 40)), ""),
    ("Rôti de veau", "main", (("6551", (50, 70, 100)),), ""),
    ("Escalope de veau", "main", (("6520", (50, 70, 100)),), ""),
    ("Gigot d'agneau", "main", (("21503", (50, 70, 100)),), ""),
    ("Rumsteck grillé", "main", (("6207", (50, 70, 100)),), ""),
    ("Foie de veau", "main", (("40107", (50, 70, 100)),), ""),
    ("Steak haché", "main", (("6253", (50, 70, 100)),), ""),
    ("Boulettes de bœuf", "main", (("25163", (60, 90, 135)),), "gluten"),
    ("Filet de poulet grillé", "main", (("36018", (50, 70, 100)),), ""),
    ("Cuisse de poulet rôtie", "main", (("36004", (60, 90, 130)),), ""),
    ("Escalope de dinde", "main", (("36306", (50, 70, 100)),), ""),
    ("Nuggets de volaille", "main", (("25512", (40, 60, 100), {"fried"}),), "gluten"),
    ("Cordon bleu de volaille", "main", (("25089", (50, 70, 110), {"fried"}),), "gluten,milk"),
    ("Lapin braisé", "main", (("34000", (50, 70, 100)),), ""),
    ("Rôti de porc", "main", (("28301", (50, 70, 100)),), ""),
    ("Saucisse de Toulouse", "main", (("30011", (50, 100, 125)),), ""),
    ("Merguez", "main", (("30155", (50, 100, 125)),), ""),
    ("Cabillaud au four", "main", (("26023", (60, 80, 110)),), "fish"),
    ("Lieu noir", "main", (("26015", (60, 80, 110)),), "fish"),
    ("Merlu à l'étouffée", "main", (("26120", (60, 80, 110)),), "fish"),
    ("Saumon rôti", "main", (("26230", (60, 80, 110)),), "fish"),
    ("Poisson pané", "main", (("26030", (50, 70, 110)),), "fish,gluten"),
    ("Plie panée frite", "main", (("26002", (50, 70, 110)),), "fish,gluten"),
    ("Maquereau rôti", "main", (("26019", (60, 80, 110)),), "fish"),
    ("Colin", "main", (("26192", (60, 80, 110)),), "fish"),
    ("Lasagnes à la bolognaise", "main", (("25081", (180, 250, 275)),), "gluten,milk"),
    ("Hachis parmentier", "main", (("25009", (180, 250, 275)),), "milk"),
    ("Chili con carne", "main", (("25111", (180, 250, 275)),), ""),
    ("Couscous au poulet", "main", (("25138", (180, 250, 275)),), "gluten"),
    ("Paëlla", "main", (("25031", (180, 250, 275)),), "fish,crustaceans,molluscs"),
    ("Pâtes à la bolognaise", "main", (("25085", (180, 250, 275)),), "gluten"),
    ("Omelette nature", "main", (("22500", (60, 90, 120)),), "eggs"),
    ("Omelette au fromage", "main", (("22500", (60, 90, 120)), ("12115", 15)), "eggs,milk"),
    ("Dahl de lentilles corail", "main", (("20589", 150), ("9104", 50)), ""),
    ("Curry de pois chiches", "main", (("20507", 120), ("20021", 50)), ""),
    ("Chili sin carne", "main", (("20503", 120), ("20385", 50, {"cooked"})), ""),
    ("Tofu sauté", "main", (("20904", 80), ("20021", 40)), "soybeans"),
    ("Galette de céréales au fromage", "main", (("25233", (80, 100, 130)),), "gluten,milk"),
    ("Falafels", "main", (("25590", 100),), "sesame"),
    ("Lasagnes aux légumes", "main", (("25131", (180, 250, 275)),), "gluten,milk"),
    ("Raviolis au fromage", "main", (("25149", (180, 250, 275)),), "gluten,milk,eggs"),
    ("Haricots verts", "side", (("20030", 120),), ""),
    ("Petits pois", "side", (("20037", 120),), ""),
    ("Courgettes", "side", (("20021", 120),), ""),
    ("Brocolis", "side", (("20351", 120),), ""),
    ("Chou-fleur vapeur", "side", (("20312", 120),), ""),
    ("Épinards", "side", (("20027", 120),), ""),
    ("Carottes Vichy", "side", (("20353", 120), ("16400", 5)), "milk"),
    ("Potiron", "side", (("20096", 120),), ""),
    ("Céleri-rave", "side", (("20025", 120),), "celery"),
    ("Navets", "side", (("20033", 120),), ""),
    ("Poêlée de légumes", "side", (("20262", 120, {"cooked"}),), ""),
    ("Riz blanc", "side", (("9104", 150),), ""),
    ("Riz complet", "side", (("9103", 150),), ""),
    ("Pâtes", "side", (("9811", 150),), "gluten"),
    ("Semoule", "side", (("9683", 150),), "gluten"),
    ("Boulgour", "side", (("9691", 150),), "gluten"),
    ("Quinoa", "side", (("9341", 150),), ""),
    ("Purée de pommes de terre", "side", (("4048", 130), ("19042", 25), ("16400", 5)), "milk"),
    ("Pommes de terre vapeur", "side", (("4048", 150),), ""),
    ("Frites", "side", (("4046", 120),), ""),
    ("Haricots blancs", "side", (("20502", 120),), ""),
    ("Lentilles vertes", "side", (("20587", 120),), ""),
    ("Patates douces", "side", (("4102", 150),), ""),
    ("Emmental", "dairy", (("12115", 30),), "milk"),
    ("Comté", "dairy", (("12110", 30),), "milk"),
    ("Camembert", "dairy", (("12001", 30),), "milk"),
    ("Brie", "dairy", (("12020", 30),), "milk"),
    ("Edam", "dairy", (("12729", 30),), "milk"),
    ("Gouda", "dairy", (("12736", 30),), "milk"),
    ("Mimolette", "dairy", (("12740", 30),), "milk"),
    ("Saint-Paulin", "dairy", (("12755", 30),), "milk"),
    ("Tomme", "dairy", (("12758", 30),), "milk"),
    ("Fromage fondu", "dairy", (("12303", (20, 20, 20)),), "milk"),
    ("Coulommiers", "dairy", (("12010", 30),), "milk"),
    ("Bûche de chèvre", "dairy", (("12812", 30),), "milk"),
    ("Cantal", "dairy", (("12724", 30),), "milk"),
    ("Mozzarella", "dairy", (("19590", 30),), "milk"),
    ("Yaourt nature", "dairy", (("19593", (125, 125, 125)),), "milk"),
    ("Yaourt nature sucré", "dairy", (("19599", (125, 125, 125)),), "milk"),
    ("Yaourt aromatisé", "dairy", (("19575", (125, 125, 125)),), "milk"),
    ("Yaourt aux fruits", "dairy", (("19581", (125, 125, 125)),), "milk"),
    ("Petit-suisse nature", "dairy", (("19663", (60, 60, 60)),), "milk"),
    ("Fromage blanc nature", "dairy", (("19646", (100, 100, 100)),), "milk"),
    ("Pomme", "dessert", (("13039", 120),), ""),
    ("Poire", "dessert", (("13037", 120),), ""),
    ("Banane", "dessert", (("13005", 120),), ""),
    ("Orange", "dessert", (("13034", 120),), ""),
    ("Clémentines", "dessert", (("13024", 100),), ""),
    ("Kiwi", "dessert", (("13021", 100),), ""),
    ("Fraises", "dessert", (("13014", 100),), ""),
    ("Raisin", "dessert", (("13395", 100),), ""),
    ("Abricots", "dessert", (("13000", 100),), ""),
    ("Pêche", "dessert", (("13043", 120),), ""),
    ("Prunes", "dessert", (("13100", 100),), ""),
    ("Ananas frais", "dessert", (("13002", 100),), ""),
    ("Salade de fruits frais", "dessert", (("13134", 120),), ""),
    ("Compote de pommes", "dessert", (("13038", 100),), ""),
    ("Crème dessert vanille", "dessert", (("39229", (100, 100, 100)),), "milk"),
    ("Crème dessert chocolat", "dessert", (("39200", (100, 100, 100)),), "milk"),
    ("Flan aux œufs", "dessert", (("19674", (100, 100, 100)),), "milk,eggs"),
    ("Riz au lait", "dessert", (("39212", (100, 100, 100)),), "milk"),
    ("Semoule au lait", "dessert", (("39218", (100, 100, 100)),), "milk,gluten"),
    ("Mousse au chocolat", "dessert", (("39206", (60, 60, 60)),), "milk,eggs"),
    ("Liégeois au chocolat", "dessert", (("19681", (100, 100, 100)),), "milk"),
    ("Gâteau de semoule", "dessert", (("23534", (100, 100, 100)),), "milk,gluten,eggs"),
    ("Quatre-quarts", "dessert", (("23080", (50, 50, 70)),), "gluten,milk,eggs"),
    ("Éclair au chocolat", "dessert", (("23477", (30, 30, 50)),), "gluten,milk,eggs"),
    ("Clafoutis aux fruits", "dessert", (("39216", (100, 100, 100)),), "milk,eggs,gluten"),
    ("Brownie", "dessert", (("23032", (50, 50, 70)),), "gluten,milk,eggs"),
    ("Muffin aux myrtilles", "dessert", (("23951", (50, 50, 70)),), "gluten,milk,eggs"),
    ("Sorbet", "dessert", (("39525", (50, 50, 50)),), ""),
]
# Dishes whose composite CIQUAL food does not say it holds no meat: the dietitian declares it.
DECLARED_VEGETARIAN = {
    "Galette de céréales au fromage",
    "Falafels",
    "Lasagnes aux légumes",
    "Raviolis au fromage",
}
PORK = {
    "Pâté de campagne",
    "Saucisson sec",
    "Rillettes",
    "Quiche lorraine",
    "Rôti de porc",
    "Saucisse de Toulouse",
}
DEMO_RULE_SET = "Cuisine centrale d'Angers — scolaire"


def _grams(spec) -> dict[str, Decimal]:
    if isinstance(spec, tuple):
        nursery, primary, secondary = (Decimal(value) for value in spec)
    else:
        primary = Decimal(spec)
        nursery, secondary = (primary * Decimal("0.7")).quantize(1), (primary * Decimal("1.4"))
        secondary = secondary.quantize(1)
    return {
        "maternelle": nursery,
        "elementaire": primary,
        "college_lycee": secondary,
        "adult": secondary,
    }


@lru_cache(maxsize=1)
def bought_codes() -> dict[str, str]:
    """CIQUAL code of the product bought for each cooked food (``cooking_yields.csv``)."""
    from nutrition.products import read_yields

    pairs: dict[str, str] = {}
    for row in read_yields():
        pairs.setdefault(row.served_code, row.bought_code)
    return pairs


def _ingredient(foods, yields, code: str, grams, flags):
    """A recipe line served as ``code``: bought as itself, or as its raw product (gross grams)."""
    from nutrition.services import IngredientData

    served = foods[code]
    portion = _grams(grams)
    if served.purchasable:
        return IngredientData(food=served, grams=portion, flags=frozenset(flags))
    bought = foods[bought_codes()[code]]
    ratio = yields[(bought.code, code)]
    gross = {age: (value / ratio).quantize(Decimal("0.1")) for age, value in portion.items()}
    return IngredientData(
        food=bought,
        grams=gross,
        flags=frozenset(flags),
        served_food=served,
        yield_factor=ratio,
    )


@transaction.atomic
def seed_nutrition(kitchen: Canteen) -> dict[str, int]:
    """Foods (if not loaded yet), the rule presets, a dish catalogue and the kitchen's rule set.

    Dishes are looked up by name in the kitchen: one the dietitian already changed is kept.
    """
    from nutrition.models import CanteenRuleSet, CookingYield, Dish, Food, RuleSet
    from nutrition.services import (
        assign_rule_set,
        copy_rule_set,
        import_foods,
        load_cooking_yields,
        load_rule_presets,
        save_dish,
    )

    if not Food.objects.exists():
        import_foods()
    load_cooking_yields()
    foods = {food.code: food for food in Food.objects.all()}
    yields = {(y.food.code, y.served_food.code): y.ratio for y in CookingYield.objects.all()}
    school, vegetarian = load_rule_presets()
    existing = set(Dish.objects.filter(kitchen=kitchen).values_list("name", flat=True))
    for name, component, parts, allergens in CATALOGUE:
        if name in existing:
            continue
        ingredients = [
            _ingredient(foods, yields, code, grams, extra[0] if extra else ())
            for code, grams, *extra in parts
        ]
        fields = {
            "name": name,
            "component": component,
            "allergens": [a for a in allergens.split(",") if a],
            "contains_pork": name in PORK,
            "vegetarian_declared": True if name in DECLARED_VEGETARIAN else None,
            "status": Dish.Status.VALIDATED,
        }
        save_dish(kitchen=kitchen, fields=fields, ingredients=ingredients)
    rule_set = RuleSet.objects.filter(name=DEMO_RULE_SET).first()
    if rule_set is None:
        rule_set = copy_rule_set(
            source=school, name=DEMO_RULE_SET, owner=kitchen, author=None, also_from=[vegetarian]
        )
    if not CanteenRuleSet.objects.filter(canteen=kitchen).exists():
        assign_rule_set(canteen=kitchen, rule_set=rule_set, author=None)
    return {
        "foods": len(foods),
        "dishes": Dish.objects.filter(kitchen=kitchen).count(),
        "rules": rule_set.rules.count(),
    }


# --- menus: the four weeks just served, planned by the optimiser ---------------------------------


def _twenty_school_days_before(kitchen: Canteen, end: date) -> date:
    """The first of the 20 service days up to ``end``, holidays skipped: one full GEMRCN
    window, so that the cook's next plan continues it (a shorter history meets the minimums
    scaled down, 3 fish in 19 meals, and leaves the 20th meal owing fish and red meat)."""
    from menus.closures import days_off
    from menus.services import service_weekdays

    weekdays = set(service_weekdays(kitchen))
    off = days_off(kitchen, end - timedelta(weeks=12), end)
    day, found = end, 0
    while True:
        if day.weekday() in weekdays and day not in off:
            found += 1
            if found == 20:
                return day
        day -= timedelta(days=1)


def seed_menus(kitchen: Canteen, today: date | None = None) -> int:
    """Plan the 20 school days before this week, so compliance windows and reports have a
    history.

    Skipped when those weeks already hold dishes (the cook's own menus are never replaced).
    """
    from django.utils import timezone

    from menus.models import MealDish, MenuPolicy
    from menus.policies import add_default_variety_rules, set_season_policy
    from menus.services import plan_now
    from nutrition.selectors import rule_set_for

    monday = (today or timezone.localdate()) - timedelta(
        days=(today or timezone.localdate()).weekday()
    )
    end = monday - timedelta(days=1)
    start = _twenty_school_days_before(kitchen, end)
    served = MealDish.objects.filter(meal__canteen=kitchen, meal__date__range=(start, end))
    rule_set = rule_set_for(kitchen)
    # The dietitian's menu rules beside GEMRCN: variety (main protein not two days running, a
    # starch at most twice a week, no week half a copy of another); in-season produce preferred
    # (only in season leaves winter with too few cooked vegetables for rule 3 in this catalogue).
    add_default_variety_rules(rule_set)
    if not MenuPolicy.objects.filter(rule_set=rule_set).exists():
        set_season_policy(rule_set=rule_set, season=MenuPolicy.Season.PREFER)
    if not served.exists():
        plan_now(
            canteen=kitchen,
            start=start,
            end=end,
            preset="lowest_carbon",
            rule_set=rule_set,
            user=User.objects.filter(username="cuisinier").first(),
        )
    return served.values("meal").distinct().count()


# --- offers: what each demo producer sells, by activity, for foods of the demo catalogue ------

# kind -> (CIQUAL codes the kind can sell, price range € HT per kg, pack sizes, weekly capacity)
OFFER_RANGES: dict[str, tuple[tuple[str, ...], tuple[float, float], tuple, tuple[int, int]]] = {
    "vegetables": (
        (
            "20009",
            "20019",
            "20385",
            "20014",
            "20045",
            "20003",
            "20031",
            "20030",
            "20037",
            "20021",
            "20351",
            "20312",
            "20027",
            "20353",
            "20096",
            "20025",
            "20033",
            "4048",
            "20026",
            "20099",
            "20116",
        ),
        (1.1, 3.6),
        (5, 10),
        (60, 400),
    ),
    "fruit": (
        (
            "13039",
            "13037",
            "13014",
            "13000",
            "13043",
            "13100",
            "13038",
            "13395",
            "13026",
            "13021",
            "13024",
        ),
        (1.6, 4.5),
        (5, 6, 10),
        (60, 300),
    ),
    "beef": (
        ("6101", "6271", "6207", "6253", "6551", "6520", "40107", "21503"),
        (11.0, 24.0),
        (2.5, 5),
        (20, 120),
    ),
    "dairy": (
        (
            "12115",
            "12110",
            "12001",
            "12020",
            "19593",
            "19599",
            "19575",
            "19581",
            "19663",
            "19646",
            "12010",
            "12758",
            "12724",
        ),
        (3.0, 14.0),
        (1, 2.5, 5),
        (30, 200),
    ),
    "milk": (("19042",), (1.0, 1.6), (5, 10, 20), (100, 600)),
    "poultry_eggs": (
        ("36018", "36004", "36306", "22500", "22506", "22010", "34000"),
        (5.0, 13.0),
        (2, 5),
        (30, 150),
    ),
    "other_livestock": (
        ("21503", "28301", "30011", "30155", "34000", "12812", "8211", "8000", "30300"),
        (8.0, 18.0),
        (2, 5),
        (15, 80),
    ),
    "cereals": (
        (
            "9104",
            "9103",
            "9811",
            "9683",
            "9691",
            "9341",
            "20502",
            "20587",
            "20589",
            "20507",
            "20503",
        ),
        (1.4, 4.2),
        (5, 10, 25),
        (100, 600),
    ),
}
OFFERS_PER_PRODUCER = 10


def producer_kind(producer: Producer) -> str | None:
    """The demo kind of a seeded producer, read back from its activities (see farm_kind)."""
    return farm_kind(
        {
            "activite_vegetale_principale": producer.plant_activity.replace("î", "i"),
            "activite_animale_principale": producer.animal_activity.replace("Œ", "Oe"),
        }
    )


@transaction.atomic
def seed_offers(producers: list[Producer]) -> int:
    """About ten offers per producer for foods its activity yields; idempotent (a producer that
    already has offers keeps them as they are). Returns how many offers the producers have."""
    from nutrition.models import Food
    from producers.models import Offer

    codes = {_bought_code(code) for spec in OFFER_RANGES.values() for code in spec[0]}
    foods = {f.code: f for f in Food.objects.filter(code__in=codes)}
    start = date(2026, 1, 1)
    for producer in producers:
        kind = producer_kind(producer)
        if kind is None or producer.offers.exists():
            continue
        rng = random.Random(f"{SEED}-{producer.siret}")
        available, (low, high), packs, (cap_low, cap_high) = OFFER_RANGES[kind]
        chosen = list(dict.fromkeys(_bought_code(c) for c in available if _bought_code(c) in foods))
        chosen = rng.sample(chosen, min(OFFERS_PER_PRODUCER, len(chosen)))
        if kind == "dairy" and rng.random() < 0.5:
            chosen.append(MILK)  # half the dairy farms also sell milk by the litre
        for code in chosen:
            food = foods.get(code)
            if food is None:
                continue
            labels = [
                label for label in producer.labels if label != Label.BIO or rng.random() < 0.8
            ]
            ranges = OFFER_RANGES["milk"] if code == MILK else OFFER_RANGES[kind]
            price_per_kg = Decimal(str(rng.uniform(*ranges[1])))
            pack_kg = Decimal(str(rng.choice(ranges[2])))
            capacity_kg = Decimal(rng.randrange(ranges[3][0], ranges[3][1] + 1, 10))
            Offer.objects.create(
                producer=producer,
                food=food,
                product_label=food.name.split(",")[0][:200],
                valid_from=start,
                valid_to=None,
                labels=labels,
                **_sold_in_its_unit(food, price_per_kg, pack_kg, capacity_kg),
            )
    return Offer.objects.filter(producer__in=producers).count()


MILK = "19042"
PIECE_PACKS = (12, 24, 48)  # pots, eggs: trays and crates as farms deliver them


def _bought_code(code: str) -> str:
    """The product a farm sells for a food of the catalogue (raw when the dish is cooked)."""
    return bought_codes().get(code, code)


def _sold_in_its_unit(food, price_per_kg: Decimal, pack_kg: Decimal, capacity_kg: Decimal) -> dict:
    """An offer's unit, pack, price and capacity in the unit the food is bought in."""
    cent = Decimal("0.01")
    if food.purchase_unit == Unit.PIECE:
        piece_kg = food.piece_grams / 1000
        pack = Decimal(PIECE_PACKS[int(pack_kg) % len(PIECE_PACKS)])
        return {
            "unit": Unit.PIECE,
            "pack_size": pack,
            "unit_price": max((price_per_kg * piece_kg).quantize(cent), cent),
            "weekly_capacity": (capacity_kg / piece_kg / pack).to_integral_value() * pack,
        }
    if food.purchase_unit == Unit.LITRE:
        return {
            "unit": Unit.LITRE,
            "pack_size": pack_kg,
            "unit_price": price_per_kg.quantize(cent),
            "weekly_capacity": capacity_kg,
        }
    return {
        "unit": Unit.KG,
        "pack_size": pack_kg,
        "unit_price": price_per_kg.quantize(cent),
        "weekly_capacity": capacity_kg,
    }


# --- a regional wholesaler, for what the farms around do not grow ------------------------------

WHOLESALER = ("Grossiste alimentaire régional", "44109", 47.2184, -1.5536)  # Nantes
# € HT per kg by CIQUAL group (or sub-group), typical catalogue prices for collective catering.
WHOLESALE_PRICES = {
    "viandes cuites": Decimal("13.50"),
    "viandes crues": Decimal("12.00"),
    "charcuteries": Decimal("11.00"),
    "poissons crus": Decimal("14.00"),
    "poissons cuits": Decimal("15.00"),
    "produits à base de poissons et produits de la mer": Decimal("9.50"),
    "fromages et alternatives végétales": Decimal("11.50"),
    "produits laitiers et desserts frais": Decimal("4.20"),
    "laits": Decimal("1.10"),
    "oeufs": Decimal("4.50"),
    "fruits": Decimal("2.60"),
    "légumes": Decimal("2.20"),
    "légumineuses": Decimal("2.80"),
    "pommes de terre et autres tubercules": Decimal("1.40"),
    "pâtes, riz et céréales": Decimal("2.10"),
    "entrées et plats composés": Decimal("6.50"),
    "produits céréaliers": Decimal("5.00"),
    "sucres et confiseries": Decimal("6.00"),
    "glaces et sorbets": Decimal("7.00"),
    "matières grasses": Decimal("6.00"),
    "aides culinaires et ingrédients divers": Decimal("5.00"),
}
DEFAULT_WHOLESALE_PRICE = Decimal("5.00")


def _wholesale_price(food) -> Decimal:
    for name in (food.subgroup_name, food.group_name):
        for key, price in WHOLESALE_PRICES.items():
            if name and key in name.lower():
                return price
    return DEFAULT_WHOLESALE_PRICE


@transaction.atomic
def seed_wholesaler(kitchen: Canteen) -> int:
    """One non-local wholesaler offering every food of the catalogue, so that every dish has a
    price and every need can be bought somewhere; idempotent."""
    from nutrition.models import DishIngredient
    from producers.models import Offer

    name, commune, latitude, longitude = WHOLESALER
    wholesaler, created = Producer.objects.get_or_create(
        siret=demo_siret("producer", 999),
        defaults={
            "name": name,
            "status": Producer.Status.WHOLESALER,
            "commune_id": commune,
            "latitude": latitude,
            "longitude": longitude,
            "delivery_weekdays": [0, 1, 2, 3, 4],
            "delivery_cost": Decimal("0"),
            "minimum_order_value": Decimal("150"),
            "contact_name": "Service collectivités",
            "email": "collectivites@grossiste.example",
        },
    )
    if not created:
        return wholesaler.offers.count()
    foods = {
        i.food for i in DishIngredient.objects.filter(dish__kitchen=kitchen).select_related("food")
    }
    offers = []
    for food in sorted(foods, key=lambda f: f.code):
        terms = _sold_in_its_unit(food, _wholesale_price(food), Decimal(1), Decimal(0))
        terms["pack_size"], terms["weekly_capacity"] = Decimal(1), None  # by the unit, no limit
        offers.append(
            Offer(
                producer=wholesaler,
                food=food,
                product_label=food.name.split(",")[0][:200],
                labels=[],
                valid_from=date(2026, 1, 1),
                **terms,
            )
        )
    Offer.objects.bulk_create(offers)
    return wholesaler.offers.count()


def seed_food_prices(canteens: list[Canteen]) -> None:
    """Reference prices from the current offers, for every kitchen of the demo."""
    from orders.prices import refresh_food_prices

    for canteen in canteens:
        if canteen.kind != Canteen.Kind.SATELLITE:
            refresh_food_prices(canteen)


# --- purchases: last year and this year so far, as the ledger of a manager would hold them ------

# What the wholesaler's lines carry, with their odds: mostly unlabelled, some organic or SIQO.
WHOLESALE_LABELS = [
    ([], 0.72),
    ([Label.BIO], 0.12),
    ([Label.LABEL_ROUGE], 0.08),
    ([Label.AOCAOP], 0.04),
]
WHOLESALE_ORIGINS = [("FRANCE", 0.6), ("EUROPE", 0.3), ("OTHER", 0.1)]


def _pick(rng: random.Random, choices):
    return rng.choices([c for c, _w in choices], weights=[w for _c, w in choices])[0]


def _purchase_line(canteen, offer, day, rng, kilos, local_definition, is_farm):
    """One delivered line: about ``kilos`` of the offer's product, in the offer's unit."""
    from purchases.models import Purchase, Source

    producer = offer.producer
    is_local = local_definition.is_local(producer.place)
    labels = list(offer.labels) if is_farm else _pick(rng, WHOLESALE_LABELS)
    quantity = offer.food.quantity_for_grams(kilos * 1000).quantize(Decimal("1"))
    return Purchase(
        canteen=canteen,
        date=day,
        description=offer.product_label,
        supplier=producer.name,
        producer=producer,
        family=offer.food.family,
        labels=labels,
        origin="FRANCE" if is_farm else _pick(rng, WHOLESALE_ORIGINS),
        is_short_chain=is_farm and producer.sells_direct,
        is_local=is_local,
        local_definition=canteen.local_scope if is_local else "",
        local_definition_km=canteen.local_radius_km
        if is_local and canteen.local_radius_km
        else None,
        price_ht=(offer.unit_price * quantity).quantize(Decimal("0.01")),
        quantity=quantity,
        unit=offer.unit,
        food=offer.food,
        source=Source.ORDER,
    )


@transaction.atomic
def seed_purchases(canteens: list[Canteen], producers: list[Producer], today=None) -> int:
    """Weekly deliveries for the kitchen and the administrative canteen from January of last year
    to last week: farms' offers (their labels, local or not under each canteen's definition)
    and the wholesaler for the rest, the farms' part growing over the months as a policy would.
    Idempotent: a canteen that already has purchases keeps them."""
    from producers.models import Offer
    from purchases.models import Purchase

    today = today or date.today()
    start = date(today.year - 1, 1, 1)
    start += timedelta(days=(7 - start.weekday()) % 7)  # first Monday
    farm_offers = list(
        Offer.objects.filter(producer__in=producers)
        .exclude(producer__status=Producer.Status.WHOLESALER)
        .select_related("producer__commune__department", "food")
        .order_by("pk")
    )
    wholesale_offers = list(
        Offer.objects.filter(producer__status=Producer.Status.WHOLESALER)
        .select_related("producer__commune__department", "food")
        .order_by("pk")
    )
    if not farm_offers or not wholesale_offers:
        return Purchase.objects.count()
    volumes = {canteens[0].pk: (6, 10), canteens[-1].pk: (2, 3)}  # (farm, wholesale) lines/week
    for canteen in (canteens[0], canteens[-1]):
        if Purchase.objects.filter(canteen=canteen).exists():
            continue
        rng = random.Random(f"{SEED}-purchases-{canteen.siret}")
        definition = canteen.local_definition()
        farm_lines, wholesale_lines = volumes[canteen.pk]
        lines = []
        day = start
        weeks = ((today - start).days // 7) or 1
        for week in range(weeks):
            if day.month == 8:  # school holidays: the kitchen is closed
                day += timedelta(days=7)
                continue
            growth = week / weeks  # 0 -> 1 over the period
            farms = farm_lines + round(3 * growth)
            for offer in rng.sample(farm_offers, min(farms, len(farm_offers))):
                kilos = Decimal(rng.randrange(10, 80))
                lines.append(_purchase_line(canteen, offer, day, rng, kilos, definition, True))
            for offer in rng.sample(wholesale_offers, min(wholesale_lines, len(wholesale_offers))):
                kilos = Decimal(rng.randrange(15, 120))
                lines.append(_purchase_line(canteen, offer, day, rng, kilos, definition, False))
            day += timedelta(days=7)
        Purchase.objects.bulk_create(lines, batch_size=2000)
    return Purchase.objects.count()
