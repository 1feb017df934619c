"""Writes on dishes: ingredients, the analysis of a recipe, its computed tags kept in step
with the dietitian's overrides."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cantine.models import AgeGroup, Canteen, User
from nutrition.classification import (
    DishComposition,
    TagDecision,
    apply_overrides,
    contains_meat_or_fish,
)
from nutrition.classification import TagOverride as PureOverride
from nutrition.classification import classify as classify_composition
from nutrition.models import (
    NUTRIENT_KEYS,
    CookingYield,
    Dish,
    DishIngredient,
    DishTag,
    Food,
    TagOverride,
)
from nutrition.portions import reference_age_group

# --- dishes -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class IngredientData:
    """One ingredient as typed in the editor or the API.

    ``food`` is the product bought, ``grams`` its gross weight per portion keyed by age group;
    ``served_food`` and ``yield_factor`` say how it is served (``DishIngredient``). A yield
    left out is the known one for the pair (``CookingYield``), else 1.
    """

    food: Food
    grams: dict[str, Decimal | None]
    flags: frozenset[str] = frozenset()
    served_food: Food | None = None
    yield_factor: Decimal | None = None

    def resolved_yield(self) -> Decimal:
        if self.yield_factor is not None:
            return self.yield_factor
        return known_yield(self.food, self.served_food)

    def as_model(self, dish: Dish | None = None, position: int = 0) -> DishIngredient:
        return DishIngredient(
            dish=dish,
            food=self.food,
            served_food=self.served_food,
            yield_factor=self.resolved_yield(),
            position=position,
            **{f"grams_{age}": self.grams.get(age) for age in AgeGroup.values},
            **{flag: flag in self.flags for flag in DishIngredient.FLAG_FIELDS},
        )


def known_yield(food: Food, served_food: Food | None) -> Decimal:
    """The recorded yield of ``food`` served as ``served_food`` (1 when none is recorded)."""
    if served_food is None or served_food.pk == food.pk:
        return Decimal(1)
    found = CookingYield.objects.filter(food=food, served_food=served_food).first()
    return found.ratio if found else Decimal(1)


@dataclass(frozen=True)
class NutrientTotal:
    """A per-portion total: the known amount, and the foods whose value is unknown."""

    key: str
    amount: Decimal
    missing: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return not self.missing


@dataclass(frozen=True)
class DishAnalysis:
    """What the editor's live panel and the save service compute from a recipe."""

    age_group: str | None
    grams: Decimal
    nutrients: list[NutrientTotal]
    co2e: Decimal | None  # kg per portion, None when an ingredient has no AGRIBALYSE value
    co2e_missing: tuple[str, ...]
    decisions: list[TagDecision]
    vegetarian: bool
    problem: str = ""

    @property
    def nutrient_map(self) -> dict[str, NutrientTotal]:
        return {total.key: total for total in self.nutrients}


def analyse(
    component: str,
    ingredients: Sequence[DishIngredient],
    vegetarian_declared: bool | None = None,
    name: str = "",
) -> DishAnalysis:
    """Per-portion nutrients, CO2e and GEMRCN tags of a recipe, saved or not."""
    age_group = reference_age_group(ingredients)
    if age_group is None:
        problem = (
            _("Add at least one ingredient.")
            if not ingredients
            else _("Tags need one age group for which every ingredient has grams.")
        )
        return DishAnalysis(None, Decimal(0), [], None, (), [], False, problem)
    pure = [i.as_ingredient(age_group) for i in ingredients]
    composition = DishComposition(name or "—", component, pure, vegetarian=vegetarian_declared)
    nutrients = []
    for key in NUTRIENT_KEYS:
        known = [i for i in pure if i.nutrient(key) is not None]
        amount = sum((i.nutrient(key) for i in known), Decimal(0))
        missing = tuple(i.name for i in pure if i.nutrient(key) is None)
        nutrients.append(NutrientTotal(key, amount, missing))
    footprints = [_co2e_grams(i, age_group) for i in ingredients]
    co2e_missing = tuple(
        i.food.name for i, kg in zip(ingredients, footprints, strict=True) if kg is None
    )
    co2e = None if co2e_missing else sum(footprints, Decimal(0))
    decisions = classify_composition(composition)
    return DishAnalysis(
        age_group=age_group,
        grams=composition.grams,
        nutrients=nutrients,
        co2e=co2e,
        co2e_missing=co2e_missing,
        decisions=decisions,
        vegetarian=_is_vegetarian(decisions, pure, vegetarian_declared),
    )


def _co2e_grams(ingredient: DishIngredient, age_group: str) -> Decimal | None:
    """kg CO2e of one portion: AGRIBALYSE of the food as served, else of the product bought."""
    served = ingredient.composition_food
    if served.co2e_per_kg is not None:
        return ingredient.served_grams(age_group) * served.co2e_per_kg / 1000
    if ingredient.food.co2e_per_kg is not None:
        return ingredient.grams(age_group) * ingredient.food.co2e_per_kg / 1000
    return None


def _is_vegetarian(decisions, pure, declared) -> bool:
    for decision in decisions:
        if decision.tag == "vegetarian":
            return decision.applies is True
    if any(contains_meat_or_fish(i) for i in pure):
        return False
    if declared is not None:
        return declared
    return all(contains_meat_or_fish(i) is False for i in pure)


def _latest_overrides(dish: Dish) -> list[PureOverride]:
    """The latest override of each tag, oldest first; a withdrawn one drops out."""
    latest: dict[str, TagOverride] = {}
    for override in dish.overrides.order_by("created_at", "pk").select_related("author"):
        latest[override.tag] = override
    return [
        PureOverride(o.tag, o.value, o.author.get_username(), o.reason, o.created_at)
        for o in latest.values()
        if o.value is not None
    ]


def recompute_dish(*, dish: Dish) -> DishAnalysis:
    """Store the dish's computed tags (overrides applied), vegetarian flag and CO2e."""
    ingredients = list(dish.ingredients.select_related("food", "served_food"))
    analysis = analyse(dish.component, ingredients, dish.vegetarian_declared, dish.name)
    resolved = apply_overrides(analysis.decisions, _latest_overrides(dish))
    rows = []
    vegetarian = analysis.vegetarian
    for item in resolved:
        computed = item.computed
        reason = computed.reason if computed else ""
        if item.override is not None:
            reason = _("Set by %(author)s: %(reason)s (computed: %(computed)s)") % {
                "author": item.override.author,
                "reason": item.override.reason,
                "computed": reason or "—",
            }
        rows.append(
            DishTag(
                dish=dish,
                tag=item.tag,
                computed=computed.applies if computed else None,
                applies=item.applies,
                reason=reason,
                overridden=item.override is not None,
            )
        )
        if item.tag == "vegetarian" and item.override is not None:
            vegetarian = bool(item.applies)
    DishTag.objects.filter(dish=dish).delete()
    DishTag.objects.bulk_create(rows)
    dish.is_vegetarian = vegetarian
    dish.co2e_per_portion = None if analysis.co2e is None else analysis.co2e.quantize(CO2E_PLACES)
    dish.reference_age_group = analysis.age_group or ""
    Dish.objects.filter(pk=dish.pk).update(
        is_vegetarian=vegetarian,
        co2e_per_portion=dish.co2e_per_portion,
        reference_age_group=dish.reference_age_group,
    )
    return analysis


CO2E_PLACES = Decimal("0.0001")
DISH_FIELDS = (
    "name",
    "component",
    "vegetarian_declared",
    "contains_pork",
    "allergens",
    "status",
    "notes",
)


@transaction.atomic
def save_dish(
    *,
    kitchen: Canteen,
    fields: dict,
    ingredients: Sequence[IngredientData],
    dish: Dish | None = None,
) -> Dish:
    """Create or replace a dish and its recipe, then recompute its tags (ValidationError if bad)."""
    if not ingredients:
        raise ValidationError(_("A dish needs at least one ingredient."))
    dish = dish or Dish()
    dish.kitchen = kitchen
    for name in DISH_FIELDS:
        if name in fields:
            setattr(dish, name, fields[name])
    dish.full_clean(validate_unique=True)
    dish.save()
    rows = [data.as_model(dish, position) for position, data in enumerate(ingredients)]
    for row in rows:
        row.full_clean(exclude=["dish"])
    dish.ingredients.all().delete()
    DishIngredient.objects.bulk_create(rows)
    recompute_dish(dish=dish)
    return dish


@transaction.atomic
def override_tag(
    *, dish: Dish, tag: str, value: bool | None, reason: str, actor: User
) -> TagOverride:
    """Record the dietitian's decision (None withdraws it) and refresh the stored tags."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the tag is overridden.")})
    override = TagOverride(dish=dish, tag=tag, value=value, reason=reason.strip(), author=actor)
    override.full_clean()
    override.save()
    recompute_dish(dish=dish)
    return override
