"""Bounded sums: a nutrient total or a weight share kept as [known, upper bound] when data
are missing, and the three-valued comparisons on them (None: the bounds do not decide)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from .recognition import categorize
from .vocabulary import HUNDRED, Category, DishComposition, Ingredient

# --- bounded sums -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Bound:
    """A quantity known to lie in [lo, hi]; hi None means no upper bound. ``missing`` says why."""

    lo: Decimal
    hi: Decimal | None
    missing: tuple[str, ...] = ()

    @property
    def exact(self) -> bool:
        return self.hi is not None and self.hi == self.lo

    def scaled(self, factor: Decimal) -> Bound:
        hi = None if self.hi is None else self.hi * factor
        return Bound(self.lo * factor, hi, self.missing)


def nutrient_total(
    ingredients: Iterable[Ingredient], key: str, capped_by_weight: bool = True
) -> Bound:
    """Per-portion total of a nutrient; an unknown value adds at most its weight if capped."""
    lo, slack, missing, unbounded = Decimal(0), Decimal(0), [], False
    for ingredient in ingredients:
        amount = ingredient.nutrient(key)
        if amount is None:
            missing.append(ingredient.name)
            slack += ingredient.grams
            unbounded = unbounded or not capped_by_weight
        else:
            lo += amount
    return Bound(lo, None if unbounded else lo + slack, tuple(missing))


def weight_share(dish: DishComposition, predicate: Callable[[Ingredient], bool | None]) -> Bound:
    """Percentage of the dish weight for which ``predicate`` holds (None = cannot tell)."""
    sure, maybe, unknown = Decimal(0), Decimal(0), []
    for ingredient in dish.ingredients:
        verdict = predicate(ingredient)
        if verdict is None:
            maybe += ingredient.grams
            unknown.append(ingredient.name)
        elif verdict:
            sure += ingredient.grams
    factor = HUNDRED / dish.grams
    return Bound(sure * factor, (sure + maybe) * factor, tuple(unknown))


def _in(*categories: Category) -> Callable[[Ingredient], bool | None]:
    def predicate(ingredient: Ingredient) -> bool | None:
        category = categorize(ingredient)
        if category is Category.UNKNOWN:
            return None
        return category in categories

    return predicate


def _at_least(bound: Bound, threshold: Decimal) -> bool | None:
    if bound.lo >= threshold:
        return True
    if bound.hi is not None and bound.hi < threshold:
        return False
    return None


def _more_than(bound: Bound, threshold: Decimal) -> bool | None:
    if bound.lo > threshold:
        return True
    if bound.hi is not None and bound.hi <= threshold:
        return False
    return None


def _not(value: bool | None) -> bool | None:
    return None if value is None else not value


def _all(*values: bool | None) -> bool | None:
    if any(value is False for value in values):
        return False
    if any(value is None for value in values):
        return None
    return True
