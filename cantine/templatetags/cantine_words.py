"""The one layer between a code and the words a person reads, for every template.

``{{ code|say:"nutrient" }}`` names a code in the active language (``cantine.names``: the
shared vocabulary, and the codes each app registers); ``{{ codes|say_all:"allergen" }}`` names a
list; ``{{ quantity|unit_after:unit }}`` writes a unit after its quantity ("3 pièces").
Numbers go through ``cantine.formatting``, as in PDFs and exports: ``{{ q|quantity:unit }}``
("1 234,5 kg"), ``{{ amount|money }}`` ("6 794,43 €"), ``{{ share|percent }}`` ("12,5 %"),
``{{ date|day:"long" }}`` ("vendredi 4 décembre 2026").
A code with no name is shown as it is, so a new code shows up in the browser test
(``tests/browser/test_every_page.py``) instead of disappearing.
"""

from django import template
from django.utils.timezone import template_localtime

from cantine import formatting, names

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
    return formatting.unit_name(quantity, unit)


@register.filter
def quantity(value, unit=None) -> str:
    """``{{ need.quantity|quantity:need.unit }}`` → "1 234,5 kg", "3 pièces" (no exponent)."""
    return _shown(formatting.quantity, value, unit)


@register.filter
def money(value) -> str:
    """``{{ order.total|money }}`` → "6 794,43 €" ("€6,794.43" in English)."""
    return _shown(formatting.money, value)


@register.filter
def price(value) -> str:
    """A unit price: ``{{ line.unit_price|price }}`` → "1,50 €", "1,235 €" (a tenth of a cent)."""
    return _shown(formatting.price, value)


@register.filter
def percent(value, places=1) -> str:
    """``{{ shares.bio_pct|percent }}`` → "12,5 %" ("12.5%" in English)."""
    return _shown(formatting.percent, value, int(places))


@register.filter
def day(value, fmt: str = "D j M") -> str:
    """A date (or a moment, in local time) in the active language's way: "ven 4 déc",
    "vendredi 4 décembre" in French, where day and month names take no capital; "Fri 4 Dec",
    "Friday 4 December" in English. ``fmt`` is a Django date format or one of
    ``cantine.formatting.DAY_FORMATS`` ("long", "weekday", "short")."""
    if value in (None, ""):
        return ""
    return _shown(formatting.day, template_localtime(value), fmt)


def _shown(write, value, *args) -> str:
    """``write(value, *args)``, or the value as it is when it is no number or date (a page
    shows it rather than failing)."""
    try:
        return write(value, *args)
    except ValueError:
        return str(value)
