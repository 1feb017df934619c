"""Menus in the national open-data shape, SCDL "menus collectifs" (schema.data.gouv.fr).

One CSV row per dish. Export writes the schema's columns (v1.2.3) so a canteen can publish its
menus; import reads the columns that carry the menu itself (date, meal, course type, dish name,
labels) so a canteen can bring its past menus in. Import is all-or-nothing: every problem is
reported with its line number and nothing is written unless the whole file is valid.
Dishes are matched by name (case and accents ignored) in the kitchen's catalogue; unknown ones
are created as drafts for the dietitian to classify. Bread and "other" rows are not courses of
the calendar: they are listed back to the user, never dropped silently.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from cantine.models import Canteen
from menus.models import Meal, MealDish
from nutrition.models import Dish

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
REQUIRED_ON_IMPORT = ["menuDate", "menuRepasType", "menuPlatType", "menuPlatNom"]
COURSE_TYPES = {
    "entree": "entrée",
    "main": "plat principal",
    "side": "garniture",
    "dairy": "produit laitier",
    "dessert": "dessert",
}
NOT_A_COURSE = {"pain", "autre"}
LUNCH = "déjeuner"
RESTAURANT_TYPES = {
    Canteen.Kind.SCHOOL: "restaurant scolaire",
    Canteen.Kind.ADMINISTRATIVE: "restaurant administratif",
    Canteen.Kind.HEALTH: "établissement de santé",
    Canteen.Kind.CENTRAL_KITCHEN: "cuisine centrale",
    Canteen.Kind.SATELLITE: "restaurant satellite",
}


def normalise(text: str) -> str:
    """Lower case, no accents, single spaces: how names and course types are compared."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.lower().split())


COURSE_BY_TYPE = {normalise(label): component for component, label in COURSE_TYPES.items()}
COURSE_BY_TYPE.update(
    {
        "plat": "main",
        "plat protidique": "main",
        "accompagnement": "side",
        "fromage": "dairy",
        "laitage": "dairy",
        "entree": "entree",
    }
)


# --- export ---------------------------------------------------------------------------------


def export_menus(canteen: Canteen, start: date, end: date) -> str:
    """The served courses of [start, end] as SCDL CSV text (comma separated, UTF-8)."""
    courses = (
        MealDish.objects.filter(
            meal__canteen=canteen, meal__date__range=(start, end), meal__closed=False
        )
        .select_related("meal", "dish")
        .order_by("meal__date", "component")
    )
    order = list(COURSE_TYPES)
    rows = sorted(courses, key=lambda c: (c.meal.date, order.index(c.component)))
    published = timezone.now().isoformat(timespec="seconds")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for course in rows:
        dish = course.dish
        writer.writerow(
            {
                "menuCollNom": canteen.name,
                "menuCollSiret": canteen.siret,
                "menuEtablissementNom": canteen.name,
                "menuEtablissementSiret": canteen.siret,
                "menuRestaurantNom": canteen.name,
                "menuRestaurantInsee": canteen.commune_id,
                "menuRestaurantId": canteen.siret,
                "menuRestaurantIdType": "SIRET",
                "menuRestaurantType": RESTAURANT_TYPES.get(canteen.kind, ""),
                "menuRestaurantConvive": "",
                "menuDate": course.meal.date.isoformat(),
                "menuRepasType": LUNCH,
                "menuPlatType": COURSE_TYPES[course.component],
                "menuPlatNom": dish.name,
                "menuPlatCode": f"D{dish.pk}",
                "menuPlatRegime": "végétarien" if dish.is_vegetarian else "",
                "menuPlatAllergene": ",".join(dish.allergens),
                "menuPublicationDate": published,
            }
        )
    return out.getvalue()


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


@dataclass(frozen=True)
class _Row:
    line: int
    day: date
    component: str
    name: str


def _read(text: str, report: ImportReport) -> list[dict]:
    try:
        dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else "", delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [column for column in REQUIRED_ON_IMPORT if column not in header]
    if missing:
        report.errors.append(f"colonnes obligatoires absentes : {', '.join(missing)}")
        return []
    unknown = [column for column in header if column not in COLUMNS]
    if unknown:
        report.notices.append(f"colonnes ignorées (hors schéma) : {', '.join(unknown)}")
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
        if meal and meal != normalise(LUNCH):
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
            report.errors.append(f"ligne {line} : type de plat « {row['menuPlatType']} » inconnu")
            continue
        if not name:
            report.errors.append(f"ligne {line} : nom du plat manquant")
            continue
        if (day, component) in seen:
            report.errors.append(
                f"ligne {line} : un autre plat est déjà donné pour ce jour et cette composante "
                f"(ligne {seen[(day, component)]})"
            )
            continue
        seen[(day, component)] = line
        parsed.append(_Row(line, day, component, name))
    return parsed


def import_menus(canteen: Canteen, text: str) -> ImportReport:
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
