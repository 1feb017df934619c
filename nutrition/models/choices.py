"""The codes the nutrition models share: courses, allergens, GEMRCN tag labels, and the
validators of the lists stored as JSON (allergens, months, courses)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from nutrition.ciqual import NUTRIENT_COLUMNS
from nutrition.classification import ALL_TAGS, COMPONENTS

NUTRIENT_KEYS = tuple(NUTRIENT_COLUMNS)


class Component(models.TextChoices):
    ENTREE = "entree", _("Starter")
    MAIN = "main", _("Main dish")
    SIDE = "side", _("Side dish")
    DAIRY = "dairy", _("Dairy")
    DESSERT = "dessert", _("Dessert")


assert tuple(Component.values) == COMPONENTS  # the classifier and the models speak alike


class Allergen(models.TextChoices):
    """The 14 allergens of annex II of EU regulation 1169/2011."""

    GLUTEN = "gluten", _("Cereals containing gluten")
    CRUSTACEANS = "crustaceans", _("Crustaceans")
    EGGS = "eggs", _("Eggs")
    FISH = "fish", _("Fish")
    PEANUTS = "peanuts", _("Peanuts")
    SOYBEANS = "soybeans", _("Soybeans")
    MILK = "milk", _("Milk")
    NUTS = "nuts", _("Nuts")
    CELERY = "celery", _("Celery")
    MUSTARD = "mustard", _("Mustard")
    SESAME = "sesame", _("Sesame seeds")
    SULPHITES = "sulphites", _("Sulphur dioxide and sulphites")
    LUPIN = "lupin", _("Lupin")
    MOLLUSCS = "molluscs", _("Molluscs")


TAG_LABELS = {
    "raw_veg_fruit": _("Raw vegetables or fruit"),
    "raw_fruit_dessert": _("Raw fruit dessert"),
    "cooked_veg": _("Cooked vegetables"),
    "starch_pulses": _("Pulses, starches, cereals"),
    "cheese_ca_150": _("Cheese, calcium ≥ 150 mg"),
    "cheese_ca_100_150": _("Cheese, calcium 100-150 mg"),
    "dairy_ca100_fat5": _("Dairy, calcium > 100 mg, fat < 5 g"),
    "unground_red_meat": _("Unground red meat or offal"),
    "fish_70": _("Fish ≥ 70 %"),
    "low_protein_prep": _("Meat/fish/egg preparation < 70 %"),
    "fatty_entree": _("Fatty starter"),
    "fatty_dessert": _("Fatty dessert"),
    "fried": _("Fried or pre-fried"),
    "low_pl_ratio": _("Protein/fat ratio ≤ 1"),
    "sweet_dessert": _("Sweet dessert"),
    "vegetarian": _("Vegetarian"),
    "veg_pulses_cereals": _("Vegetarian: pulses/cereals"),
    "veg_egg": _("Vegetarian: egg"),
    "veg_cheese": _("Vegetarian: cheese/dairy"),
    "veg_processed": _("Vegetarian: processed plant protein"),
}
assert set(TAG_LABELS) == ALL_TAGS
TAG_CHOICES = [(tag, TAG_LABELS[tag]) for tag in sorted(ALL_TAGS)]


def validate_allergens(value) -> None:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError(_("Allergens must be a list of codes."))
    unknown = sorted(set(value) - set(Allergen.values))
    if unknown:
        raise ValidationError(
            _("Unknown allergens: %(codes)s."), params={"codes": ", ".join(unknown)}
        )
    if len(set(value)) != len(value):
        raise ValidationError(_("An allergen is listed twice."))


def validate_months(value) -> None:
    if not isinstance(value, list) or not all(
        isinstance(m, int) and not isinstance(m, bool) and 1 <= m <= 12 for m in value
    ):
        raise ValidationError(_("Months must be a list of numbers from 1 to 12."))


def validate_components(value) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Choose at least one course."))
    unknown = sorted(set(value) - set(COMPONENTS))
    if unknown:
        raise ValidationError(
            _("Unknown courses: %(codes)s."), params={"codes": ", ".join(unknown)}
        )
