"""Menus in the national open-data shape, SCDL "menus collectifs" 1.2.3 (schema.data.gouv.fr).

One CSV row per dish and restaurant. The schema is shipped in
``menus/data/scdl_menus_collectifs_1.2.3_schema.json`` (rebuilt from its published
documentation, see ``menus/data/SOURCE_scdl.md``) and both directions follow it:

- export writes its 26 columns; ``menuRestaurantType`` from the schema's list (the canteen's
  kind, for a school the age group with the most covers), ``menuRestaurantConvive`` "tous" (the
  schema's default), dish names cut to 160 characters, ``menuPlatRegime`` and
  ``menuPlatAllergene`` as the schema's lists (``["lait","fruits à coques"]``) with allergens in
  French (annex II of regulation 1169/2011); a central kitchen's menus are written once per
  restaurant it serves, each naming the kitchen as the establishment that produced the meal;
- import checks the values of the columns it reads against the schema (dates, the meal and
  course types of its lists, names of at most 160 characters, allergens of the vocabulary), and
  reads the date, meal, course type, dish name and allergens so a canteen can bring its past
  menus in. Columns the schema requires but the import does not need are only noticed.

Import is all-or-nothing: every problem is reported with its line number and nothing is written
unless the whole file is valid. A file of more than :data:`MAX_ROWS` lines is refused before any
line is checked; the page shows the first problems and counts the others; a dish name that a
spreadsheet would run as a formula is refused (it would reach the SCDL export).
Dishes are matched by name (case and accents ignored) in the kitchen's catalogue; unknown ones
are created as drafts for the dietitian to classify. Bread and "other" rows are not courses of
the calendar: they are listed back to the user, never dropped silently.

A service module: its writes take keyword arguments only, the acting user as ``actor``.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from cantine import csv_export, tables
from cantine.models import AgeGroup, Canteen, CoverForecast
from cantine.uploads import capped
from menus.models import Meal, MealDish
from nutrition.models import Allergen, Dish

SCHEMA_PATH = Path(__file__).resolve().parent / "data" / "scdl_menus_collectifs_1.2.3_schema.json"
SCHEMA = json.loads(SCHEMA_PATH.read_text("utf-8"))
_FIELDS = {f["name"]: f for f in SCHEMA["fields"]}

COLUMNS = [
    "menuCollNom",
    "menuCollSiret",
    "menuEtablissementNom",
    "menuEtablissementSiret",
    "menuRestaurantNom",
    "menuRestaurantInsee",
    "menuRestaurantId",
    "menuRestaurantIdType",
    "menuRestaurantType",
    "menuRestaurantConvive",
    "menuDate",
    "menuRepasType",
    "menuPlatType",
    "menuPlatNom",
    "menuPlatCode",
    "menuPlatSiqo",
    "menuPlatLabel",
    "menuPlatPrecision",
    "menuPlatRegime",
    "menuPlatAllergene",
    "menuPlatTexture",
    "menuPlatNutriscore",
    "menuPlatPrix",
    "menuPublicationDate",
    "menuModificationDate",
    "menuModificationInfo",
]
assert [f["name"] for f in SCHEMA["fields"]] == COLUMNS, "columns drifted from the schema"
REQUIRED_ON_IMPORT = ["menuDate", "menuRepasType", "menuPlatType", "menuPlatNom"]
SCHEMA_REQUIRED = [n for n, f in _FIELDS.items() if f.get("constraints", {}).get("required")]


def _enum(name: str) -> list[str]:
    return _FIELDS[name]["constraints"]["enum"]


RESTAURANT_TYPE_VALUES = _enum("menuRestaurantType")
MEAL_TYPES = _enum("menuRepasType")
DISH_TYPES = _enum("menuPlatType")
NAME_MAX = _FIELDS["menuPlatNom"]["constraints"]["maxLength"]
CODE_MAX = _FIELDS["menuPlatCode"]["constraints"]["maxLength"]
# A year of five courses a day for a kitchen and dozens of restaurants fits well below this.
MAX_ROWS = 50_000
DEFAULT_CONVIVE = "tous"  # the schema's default for menuRestaurantConvive
VEGETARIAN = "végétarien"
# Annex II of regulation (EU) 1169/2011, as French labels write them (the schema's example:
# ["lait","fruits à coques"]).
ALLERGENS_FR = {
    Allergen.GLUTEN: "gluten",
    Allergen.CRUSTACEANS: "crustacés",
    Allergen.EGGS: "œufs",
    Allergen.FISH: "poissons",
    Allergen.PEANUTS: "arachides",
    Allergen.SOYBEANS: "soja",
    Allergen.MILK: "lait",
    Allergen.NUTS: "fruits à coques",
    Allergen.CELERY: "céleri",
    Allergen.MUSTARD: "moutarde",
    Allergen.SESAME: "graines de sésame",
    Allergen.SULPHITES: "anhydride sulfureux et sulfites",
    Allergen.LUPIN: "lupin",
    Allergen.MOLLUSCS: "mollusques",
}
assert set(ALLERGENS_FR) == set(Allergen), "an allergen has no French name"
COURSE_TYPES = {
    "entree": "entrée",
    "main": "plat principal",
    "side": "garniture",
    "dairy": "produit laitier",
    "dessert": "dessert",
}
NOT_A_COURSE = {"pain", "autre"}
LUNCH = "déjeuner"
OTHER = "autre"
# menuRestaurantType from the schema's list: by kind, and for schools by the age group served.
RESTAURANT_TYPES = {
    Canteen.Kind.ADMINISTRATIVE: "administration",
    Canteen.Kind.HEALTH: OTHER,  # hospital or EHPAD: the kind does not say which
    Canteen.Kind.CENTRAL_KITCHEN: OTHER,
}
SCHOOL_TYPES = {
    AgeGroup.MATERNELLE: "maternelle",
    AgeGroup.ELEMENTAIRE: "élémentaire",
    AgeGroup.COLLEGE_LYCEE: "collège",
    AgeGroup.ADULT: OTHER,
}
assert set(COURSE_TYPES.values()) <= set(DISH_TYPES) and LUNCH in MEAL_TYPES
assert {*RESTAURANT_TYPES.values(), *SCHOOL_TYPES.values()} <= set(RESTAURANT_TYPE_VALUES)


def normalise(text: str) -> str:
    """Lower case, no accents, single spaces: how names and course types are compared."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.lower().split())


COURSE_BY_TYPE = {normalise(label): component for component, label in COURSE_TYPES.items()}
ALLERGEN_BY_NAME = {normalise(name): code for code, name in ALLERGENS_FR.items()}


# --- export ---------------------------------------------------------------------------------


def restaurants(kitchen: Canteen) -> list[Canteen]:
    """Where a kitchen's meals are served: its satellites, and itself unless it only cooks
    (a central kitchen serves only if covers are forecast for it)."""
    group = list(kitchen.group().select_related("commune").order_by("pk"))
    served = set(
        CoverForecast.objects.filter(canteen__in=group, covers__gt=0).values_list(
            "canteen_id", flat=True
        )
    )
    found = [c for c in group if c.kind != Canteen.Kind.CENTRAL_KITCHEN or c.pk in served]
    return found or [kitchen]


def restaurant_type(canteen: Canteen) -> str:
    """The schema's ``menuRestaurantType`` for a canteen."""
    if canteen.kind in RESTAURANT_TYPES:
        return RESTAURANT_TYPES[canteen.kind]
    covers = (
        CoverForecast.objects.filter(canteen=canteen)
        .values("age_group")
        .annotate(total=Sum("covers"))
        .order_by("-total", "age_group")
        .first()
    )
    return SCHOOL_TYPES.get(covers and covers["age_group"], OTHER)


def scdl_list(values) -> str:
    """The schema's list format: ``["végétarien","sans porc"]``; empty for no value."""
    values = list(values)
    return json.dumps(values, ensure_ascii=False, separators=(",", ":")) if values else ""


def dish_name(name: str) -> str:
    """At most the schema's 160 characters."""
    name = " ".join(name.split())
    return name if len(name) <= NAME_MAX else name[: NAME_MAX - 1].rstrip() + "…"


def export_menus(
    canteen: Canteen, start: date, end: date, restaurant: Canteen | None = None
) -> str:
    """The served courses of [start, end] as SCDL CSV text (comma separated, UTF-8).

    ``canteen`` is the kitchen that plans the menus; its meals are written for every
    restaurant it serves, or for ``restaurant`` only."""
    courses = (
        MealDish.objects.filter(
            meal__canteen=canteen, meal__date__range=(start, end), meal__closed=False
        )
        .select_related("meal", "dish")
        .order_by("meal__date", "component")
    )
    order = list(COURSE_TYPES)
    rows = sorted(courses, key=lambda c: (c.meal.date, order.index(c.component)))
    places = [restaurant] if restaurant is not None else restaurants(canteen)
    published = timezone.now().isoformat(timespec="seconds")
    out = io.StringIO()
    writer = csv_export.dict_writer(out, COLUMNS, lineterminator="\n")
    writer.writeheader()
    for place in places:
        kind = restaurant_type(place)
        for course in rows:
            dish = course.dish
            writer.writerow(
                {
                    "menuCollNom": canteen.name,
                    "menuCollSiret": canteen.siret,
                    # The establishment that produced the meal: the kitchen, also for its
                    # satellites.
                    "menuEtablissementNom": canteen.name,
                    "menuEtablissementSiret": canteen.siret,
                    "menuRestaurantNom": place.name,
                    "menuRestaurantInsee": place.commune_id,
                    "menuRestaurantId": place.siret,
                    "menuRestaurantIdType": "SIRET",
                    "menuRestaurantType": kind,
                    "menuRestaurantConvive": DEFAULT_CONVIVE,
                    "menuDate": course.meal.date.isoformat(),
                    "menuRepasType": LUNCH,
                    "menuPlatType": COURSE_TYPES[course.component],
                    "menuPlatNom": dish_name(dish.name),
                    "menuPlatCode": f"D{dish.pk}"[:CODE_MAX],
                    "menuPlatRegime": scdl_list([VEGETARIAN] if dish.is_vegetarian else []),
                    "menuPlatAllergene": scdl_list(
                        ALLERGENS_FR[Allergen(code)] for code in dish.allergens
                    ),
                    "menuPublicationDate": published,
                }
            )
    return out.getvalue()


def read_list(value: str) -> list[str] | None:
    """A schema list (``["a","b"]``); a bare comma-separated list is read too. None: unreadable."""
    value = (value or "").strip()
    if not value:
        return []
    if value.startswith("["):
        try:
            items = json.loads(value)
        except ValueError:
            return None
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            return None
        return [i.strip() for i in items if i.strip()]
    return [i.strip() for i in value.split(",") if i.strip()]


# --- import ---------------------------------------------------------------------------------


@dataclass
class ImportReport:
    errors: list[str] = field(default_factory=list)  # "ligne 4 : ..." — nothing imported if any
    notices: list[str] = field(default_factory=list)
    courses: int = 0
    new_dishes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def shown_errors(self) -> list[str]:
        return capped(self.errors)[0]

    @property
    def more_errors(self) -> int:
        return capped(self.errors)[1]


@dataclass(frozen=True)
class _Row:
    line: int
    day: date
    component: str
    name: str
    allergens: tuple[str, ...] = ()


def _read(text: str, report: ImportReport) -> list[dict]:
    # The delimiter is the one that splits the header into the most columns; quotes are
    # standard CSV ones (a list cell is "[""lait"",""gluten""]").
    first = text.splitlines()[0] if text else ""
    delimiter = max(",;\t", key=first.count)
    try:
        tables.check_csv_lines(text, MAX_ROWS, delimiter)
    except tables.TableTooLarge as error:
        report.errors.append(error.message)
        return []
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [column for column in REQUIRED_ON_IMPORT if column not in header]
    if missing:
        report.errors.append(f"colonnes obligatoires absentes : {', '.join(missing)}")
        return []
    unknown = [column for column in header if column not in COLUMNS]
    if unknown:
        report.notices.append(f"colonnes ignorées (hors schéma) : {', '.join(unknown)}")
    absent = [column for column in SCHEMA_REQUIRED if column not in header]
    if absent:
        report.notices.append(
            "colonnes obligatoires du schéma SCDL 1.2.3 absentes, inutiles à l'import des "
            f"menus : {', '.join(absent)}"
        )
    return [{k.strip(): (v or "").strip() for k, v in row.items() if k} for row in reader]


def _parse(rows: list[dict], report: ImportReport) -> list[_Row]:
    parsed: list[_Row] = []
    seen: dict[tuple[date, str], int] = {}
    for line, row in enumerate(rows, start=2):
        meal = normalise(row["menuRepasType"])
        kind = normalise(row["menuPlatType"])
        name = row["menuPlatNom"]
        try:
            day = datetime.strptime(row["menuDate"], "%Y-%m-%d").date()
        except ValueError:
            report.errors.append(f"ligne {line} : date « {row['menuDate']} » invalide (AAAA-MM-JJ)")
            continue
        if meal not in {normalise(m) for m in MEAL_TYPES}:
            report.errors.append(
                f"ligne {line} : type de repas « {row['menuRepasType']} » hors du schéma "
                f"({', '.join(MEAL_TYPES)})"
            )
            continue
        if meal != normalise(LUNCH):
            report.notices.append(
                f"ligne {line} : repas « {row['menuRepasType']} » non planifié ici (seul le "
                "déjeuner l'est) — ligne non importée"
            )
            continue
        if kind in NOT_A_COURSE:
            report.notices.append(
                f"ligne {line} : « {name} » ({row['menuPlatType']}) n'est pas une composante du "
                "calendrier — ligne non importée"
            )
            continue
        component = COURSE_BY_TYPE.get(kind)
        if component is None:
            report.errors.append(
                f"ligne {line} : type de plat « {row['menuPlatType']} » hors du schéma "
                f"({', '.join(DISH_TYPES)})"
            )
            continue
        if not name:
            report.errors.append(f"ligne {line} : nom du plat manquant")
            continue
        if csv_export.looks_like_formula(name):
            report.errors.append(
                f"ligne {line} : un tableur exécuterait le nom « {name} » comme une formule : "
                f"retirez son premier caractère « {name[0]} »"
            )
            continue
        if len(name) > NAME_MAX:
            report.errors.append(
                f"ligne {line} : nom du plat de {len(name)} caractères (le schéma en permet "
                f"{NAME_MAX})"
            )
            continue
        allergens = read_list(row.get("menuPlatAllergene", ""))
        codes = [ALLERGEN_BY_NAME.get(normalise(a)) for a in allergens or []]
        if allergens is None or None in codes:
            unknown = [a for a, c in zip(allergens or [], codes, strict=True) if c is None]
            report.errors.append(
                f"ligne {line} : allergènes « {row['menuPlatAllergene']} » illisibles"
                + (f" ({', '.join(unknown)} hors de la liste : " if unknown else " (")
                + f'{", ".join(ALLERGENS_FR.values())}, écrits ["lait","gluten"])'
            )
            continue
        if (day, component) in seen:
            report.errors.append(
                f"ligne {line} : un autre plat est déjà donné pour ce jour et cette composante "
                f"(ligne {seen[(day, component)]})"
            )
            continue
        seen[(day, component)] = line
        parsed.append(_Row(line, day, component, name, tuple(dict.fromkeys(codes))))
    return parsed


def import_menus(*, canteen: Canteen, text: str) -> ImportReport:
    """Import an SCDL menu file into a kitchen's calendar; all rows or none."""
    report = ImportReport()
    rows = _parse(_read(text, report), report)
    if not report.errors and not rows:
        report.errors.append("le fichier ne contient aucun plat à importer")
    by_name = {normalise(d.name): d for d in Dish.objects.filter(kitchen=canteen)}
    for row in rows:
        known = by_name.get(normalise(row.name))
        if known is not None and known.component != row.component:
            report.errors.append(
                f"ligne {row.line} : « {row.name} » est déjà au catalogue comme "
                f"{COURSE_TYPES[known.component]}, pas comme {COURSE_TYPES[row.component]}"
            )
    if report.errors:
        return report
    with transaction.atomic():
        catalogue = {(normalise(d.name), d.component): d for d in by_name.values()}
        for row in rows:
            dish = catalogue.get((normalise(row.name), row.component))
            if dish is None:
                dish = Dish.objects.create(
                    kitchen=canteen,
                    name=row.name,
                    component=row.component,
                    allergens=list(row.allergens),
                    status=Dish.Status.DRAFT,
                    notes="Créé par l'import d'un menu SCDL : à classer.",
                )
                catalogue[(normalise(row.name), row.component)] = dish
                report.new_dishes.append(row.name)
            meal, _ = Meal.objects.get_or_create(canteen=canteen, date=row.day)
            if meal.closed:
                meal.closed = False
                meal.save(update_fields=["closed"])
            MealDish.objects.update_or_create(
                meal=meal, component=row.component, defaults={"dish": dish}
            )
            report.courses += 1
    return report
