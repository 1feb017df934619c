"""The one layer between a code and the words a person reads, for every template.

``{{ code|say:"nutrient" }}`` names a code of the shared vocabulary (``cantine.vocabulary``)
or of a model's choices in the active language; ``{{ codes|say_all:"allergen" }}`` names a
list; ``{{ quantity|unit_after:unit }}`` writes a unit after its quantity ("3 pièces").
A code with no name is shown as it is, so a new code shows up in the browser test
(``tests/browser/test_every_page.py``) instead of disappearing.
"""

from django import template
from django.utils.formats import date_format
from django.utils.timezone import template_localtime
from django.utils.translation import get_language, gettext

from cantine import vocabulary

register = template.Library()


def _names(kind: str) -> dict:
    from cantine.models import AgeGroup
    from nutrition.models import TAG_LABELS, Allergen, Component

    match kind:
        case "nutrient":
            return vocabulary.NUTRIENT_NAMES
        case "tag":
            return TAG_LABELS
        case "allergen":
            return dict(Allergen.choices)
        case "component":
            return dict(Component.choices)
        case "age_group":
            return dict(AgeGroup.choices)
        case "label":
            return {code.value: name for code, name in vocabulary.LABEL_NAMES.items()}
        case "label_short":
            return {code.value: name for code, name in vocabulary.LABEL_SHORT_NAMES.items()}
        case "family":
            return {code.value: name for code, name in vocabulary.FAMILY_LABELS.items()}
        case "unit":
            return {code.value: name for code, name in vocabulary.UNIT_NAMES.items()}
    raise template.TemplateSyntaxError(f"no vocabulary named {kind!r}")


def name_of(code, kind: str) -> str:
    if code in (None, ""):
        return ""
    name = _names(kind).get(str(code))
    return gettext(str(name)) if name is not None else str(code)


@register.filter
def say(code, kind: str) -> str:
    """The name of one code: ``{{ "energy_kcal"|say:"nutrient" }}`` → "Énergie (kcal)"."""
    return name_of(code, kind)


@register.filter
def say_all(codes, kind: str) -> str:
    """The names of a list of codes, comma-separated: allergens, labels, components."""
    if isinstance(codes, str):
        codes = [code.strip() for code in codes.split(",") if code.strip()]
    return ", ".join(name_of(code, kind) for code in codes or [])


@register.filter
def unit_after(quantity, unit) -> str:
    """The unit as written after ``quantity``: "kg", "L", "pièce" or "pièces"."""
    try:
        counted = vocabulary.UNIT_COUNTED[vocabulary.Unit(unit)]
    except ValueError:
        return str(unit)
    try:
        many = abs(float(quantity)) > 1
    except (TypeError, ValueError):
        many = True
    return gettext(counted[1] if many else counted[0])


@register.filter
def day(value, fmt: str = "D j M") -> str:
    """A date (or a moment, in local time) in the active language's way: "ven 4 déc",
    "vendredi 4 décembre" in French, where day and month names take no capital; "Fri 4 Dec",
    "Friday 4 December" in English. ``fmt`` is a Django date format."""
    if value in (None, ""):
        return ""
    text = date_format(template_localtime(value), fmt)
    return text.lower() if (get_language() or "").startswith("fr") else text
