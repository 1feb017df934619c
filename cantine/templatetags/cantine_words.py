"""The one layer between a code and the words a person reads, for every template.

``{{ code|say:"nutrient" }}`` names a code in the active language (``cantine.names``: the
shared vocabulary, and the codes each app registers); ``{{ codes|say_all:"allergen" }}`` names a
list; ``{{ quantity|unit_after:unit }}`` writes a unit after its quantity ("3 pièces").
A code with no name is shown as it is, so a new code shows up in the browser test
(``tests/browser/test_every_page.py``) instead of disappearing.
"""

from django import template
from django.utils.formats import date_format
from django.utils.timezone import template_localtime
from django.utils.translation import get_language, gettext

from cantine import names, vocabulary

register = template.Library()


def name_of(code, kind: str) -> str:
    try:
        return names.name_of(code, kind)
    except LookupError as error:
        raise template.TemplateSyntaxError(str(error)) from None


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
