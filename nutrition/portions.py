"""Portions, written once: which age group's grams feed whom, and the arithmetic of a portion.

Needs (what to buy), dish economics (what a portion costs) and tags (what a portion holds)
all read these functions, so a rule about portions changes in one place:

- a recipe gives the gross weight *bought* per portion for each age group it is written for;
- an age group the recipe was not written for eats the nearest written group's portion
  (``FALLBACK``); an ingredient left blank in a group the dish does serve is not served to it;
- tags and nutrients are computed on one reference portion: the first of ``REFERENCE_AGE_ORDER``
  every ingredient has grams for;
- served grams = gross grams x yield; what to buy for ``count`` portions = gross grams x count.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import TypeVar

from cantine.models import AgeGroup

FALLBACK: dict[str, tuple[str, ...]] = {
    AgeGroup.MATERNELLE: (AgeGroup.ELEMENTAIRE, AgeGroup.COLLEGE_LYCEE, AgeGroup.ADULT),
    AgeGroup.ELEMENTAIRE: (AgeGroup.COLLEGE_LYCEE, AgeGroup.MATERNELLE, AgeGroup.ADULT),
    AgeGroup.COLLEGE_LYCEE: (AgeGroup.ADULT, AgeGroup.ELEMENTAIRE, AgeGroup.MATERNELLE),
    AgeGroup.ADULT: (AgeGroup.COLLEGE_LYCEE, AgeGroup.ELEMENTAIRE, AgeGroup.MATERNELLE),
}

# Tags are computed on one portion: the first age group every ingredient has grams for.
REFERENCE_AGE_ORDER: tuple[str, ...] = (
    AgeGroup.ELEMENTAIRE,
    AgeGroup.COLLEGE_LYCEE,
    AgeGroup.ADULT,
    AgeGroup.MATERNELLE,
)

Row = TypeVar("Row")
Grams = Callable[[Row, str], Decimal | None]


def _grams(row, age_group: str) -> Decimal | None:
    return row.grams(age_group)


def portion_age_group(
    ingredients: Iterable[Row], age_group: str, grams: Grams = _grams
) -> str | None:
    """The age group whose portions feed ``age_group`` in this recipe (itself, or a fallback)."""
    ingredients = list(ingredients)
    for group in (age_group, *FALLBACK[AgeGroup(age_group)]):
        if any(grams(i, group) is not None for i in ingredients):
            return str(group)
    return None


def reference_age_group(ingredients: Iterable[Row], grams: Grams = _grams) -> str | None:
    """The first of primary, secondary, adults, nursery that every ingredient has grams for."""
    ingredients = list(ingredients)
    for group in REFERENCE_AGE_ORDER:
        if ingredients and all(grams(i, group) for i in ingredients):
            return str(group)
    return None


def served_grams(gross_grams: Decimal, yield_factor: Decimal) -> Decimal:
    """Grams on the plate from ``gross_grams`` bought."""
    return Decimal(gross_grams) * Decimal(yield_factor)


def gross_grams_for(ingredients: Iterable[Row], covers: dict[str, int], grams: Grams = _grams):
    """Gross grams to buy of each ingredient for ``covers`` (age group -> portions).

    Returns a list of (ingredient, grams) in recipe order; an ingredient served to nobody is
    left out.
    """
    ingredients = list(ingredients)
    totals: dict[int, Decimal] = {}
    for age_group, count in covers.items():
        if not count:
            continue
        group = portion_age_group(ingredients, age_group, grams)
        if group is None:
            continue
        for index, ingredient in enumerate(ingredients):
            portion = grams(ingredient, group)
            if portion:
                totals[index] = totals.get(index, Decimal(0)) + Decimal(portion) * count
    return [(ingredients[index], total) for index, total in sorted(totals.items())]
