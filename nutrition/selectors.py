"""Reads of the nutrition app, scoped to what the user may see.

Dishes belong to a kitchen's catalogue: a member of the kitchen (or of a canteen it cooks for)
sees them. Rule sets are shared presets (read-only) or belong to a kitchen.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet, prefetch_related_objects

from cantine.models import Canteen, Role
from cantine.roles import kitchens_for as kitchens_acting
from cantine.search import matching, search_words
from cantine.vocabulary import UnitConversionError
from nutrition.models import (
    CanteenRuleSet,
    Dish,
    DishIngredient,
    DishTag,
    Food,
    FoodPrice,
    FrequencyRule,
    RuleSet,
    TagOverride,
)
from nutrition.portions import portion_age_group

READERS = (Role.COOK, Role.DIETITIAN)


def kitchens_for(user, *roles: Role, write: bool = False) -> QuerySet[Canteen]:
    """Kitchens whose catalogue the user may open (a satellite's staff read their kitchen's)
    or, with ``write``, change (the kitchen's own staff only): ``cantine.roles.kitchens_for``."""
    return kitchens_acting(user, *(roles or READERS), write=write, served=True)


def visible_dishes(user, *roles: Role, write: bool = False) -> QuerySet[Dish]:
    return Dish.objects.filter(kitchen__in=kitchens_for(user, *roles, write=write).values("pk"))


def dish_list(
    user,
    *,
    component: str = "",
    tag: str = "",
    vegetarian: bool | None = None,
    search: str = "",
    kitchen: int | None = None,
) -> QuerySet[Dish]:
    dishes = visible_dishes(user).select_related("kitchen")
    if kitchen:
        dishes = dishes.filter(kitchen_id=kitchen)
    if component:
        dishes = dishes.filter(component=component)
    if tag:
        dishes = dishes.filter(tag_rows__tag=tag, tag_rows__applies=True)
    if vegetarian is not None:
        dishes = dishes.filter(is_vegetarian=vegetarian)
    dishes = matching(dishes, search)
    tags = DishTag.objects.filter(applies=True).order_by("tag")
    return dishes.prefetch_related(Prefetch("tag_rows", queryset=tags, to_attr="applied_tags"))


def dish_detail(user, pk: int, *roles: Role, write: bool = False) -> Dish:
    """The dish with its recipe and tags; Dish.DoesNotExist if the user may not see it (or,
    with ``write``, change it)."""
    return (
        visible_dishes(user, *roles, write=write)
        .select_related("kitchen")
        .prefetch_related(
            Prefetch("ingredients", queryset=DishIngredient.objects.select_related("food")),
            "tag_rows",
            Prefetch("overrides", queryset=TagOverride.objects.select_related("author")),
        )
        .get(pk=pk)
    )


def food_search(query: str, limit: int = 20) -> list[Food]:
    """Foods whose name holds every word typed, accent-blind; a CIQUAL code matches too."""
    query = query.strip()
    if not query:
        return []
    if query.isdigit():
        return list(Food.objects.filter(code__startswith=query).order_by("code")[:limit])
    foods = Food.objects.all()
    for word in search_words(query):
        foods = foods.filter(search_name__contains=word)
    return list(foods.order_by("name")[:limit])


def food_by_label(text: str) -> Food | None:
    """The food a '<code> · <name>' label (or a bare code) points to."""
    code = text.strip().split(" ", 1)[0].strip("·")
    if not code.isdigit():
        return None
    return Food.objects.filter(code=code).first()


def visible_rule_sets(user, *roles: Role) -> QuerySet[RuleSet]:
    """Presets and the rule sets of kitchens the user works for."""
    kitchens = kitchens_for(user, *roles).values("pk")
    return RuleSet.objects.filter(Q(owner__isnull=True) | Q(owner__in=kitchens))


def editable_rule_sets(user) -> QuerySet[RuleSet]:
    owners = kitchens_for(user, Role.DIETITIAN, write=True).values("pk")
    return RuleSet.objects.filter(is_preset=False, owner__in=owners)


def rule_set_list(user) -> QuerySet[RuleSet]:
    return (
        visible_rule_sets(user)
        .select_related("owner", "based_on")
        .annotate(rule_count=Count("rules", distinct=True))
        .prefetch_related(
            Prefetch("assignments", queryset=CanteenRuleSet.objects.select_related("canteen"))
        )
    )


def rule_set_detail(user, pk: int) -> RuleSet:
    return (
        visible_rule_sets(user)
        .select_related("owner", "based_on")
        .prefetch_related(
            Prefetch("rules", queryset=FrequencyRule.objects.order_by("position", "pk"))
        )
        .get(pk=pk)
    )


def rule_set_for(canteen: Canteen) -> RuleSet | None:
    """The rule set a canteen uses: its own assignment, else its central kitchen's."""
    for candidate in (canteen, canteen.central_kitchen):
        if candidate is None:
            continue
        assignment = CanteenRuleSet.objects.filter(canteen=candidate).select_related("rule_set")
        found = assignment.first()
        if found:
            # Its rules are read by every check of a page (windows, planner rules, variety):
            # once here rather than at each.
            prefetch_related_objects([found.rule_set], "rules", "variety_rules")
            return found.rule_set
    return None


def portion_nutrients(dishes, age_group: str, keys) -> dict[int, dict[str, Decimal | None]]:
    """Nutrients of one served portion of each dish for an age group (None when unknown).

    Unknown stays unknown: a missing CIQUAL value or a missing portion makes the sum None.
    """
    ingredients = DishIngredient.objects.filter(dish__in=dishes).select_related("food")
    totals: dict[int, dict[str, Decimal | None]] = {
        dish.pk: dict.fromkeys(keys, Decimal(0)) for dish in dishes
    }
    with_recipe = set()
    for ingredient in ingredients:
        with_recipe.add(ingredient.dish_id)
        grams = ingredient.grams(age_group)
        row = totals[ingredient.dish_id]
        for key in keys:
            value = getattr(ingredient.food, key)
            if row[key] is None or grams is None or value is None:
                row[key] = None
            else:
                row[key] += grams * value / 100
    for dish_id in set(totals) - with_recipe:
        totals[dish_id] = dict.fromkeys(keys)  # no recipe: nothing is known
    return totals


@dataclass(frozen=True)
class DishEconomics:
    """Cost of one portion (the gross weight bought, in each product's unit) and value shares."""

    cost: Decimal | None  # € HT, None when an ingredient has no known price
    local_share: float
    organic_share: float
    # (food id, € HT of that ingredient in the portion), what ``cost`` sums; empty if unknown
    parts: tuple[tuple[int, Decimal], ...] = ()


# What a recipe shown on a menu reads of its products: the name, the seasons and the
# purchase unit (cost of a portion). A CIQUAL food has some thirty columns, nutrients and
# classification included; building them for every ingredient of a month of menus was a
# fifth of the calendar's time.
RECIPE_FOOD_FIELDS = (
    "id",
    "name",
    "season_months",
    "purchase_unit",
    "piece_grams",
    "density_kg_per_l",
)


def recipe_ingredients(lookup: str = "ingredients") -> Prefetch:
    """Prefetch a dish's ``ingredients`` (through ``lookup``) with the ``RECIPE_FOOD_FIELDS`` of their food (menu pages).

    Other fields stay readable (Django loads a deferred one on access), at one query each."""
    return Prefetch(
        lookup,
        queryset=DishIngredient.objects.select_related("food").only(
            *(f.name for f in DishIngredient._meta.concrete_fields),
            *(f"food__{name}" for name in RECIPE_FOOD_FIELDS),
        ),
    )


def _has_ingredients(dish) -> bool:
    """Whether the dish's ingredients, with their food, are already prefetched."""
    rows = getattr(dish, "_prefetched_objects_cache", {}).get("ingredients")
    food = DishIngredient._meta.get_field("food")
    return rows is not None and all(food.is_cached(row) for row in rows)


def dish_economics(
    dishes, kitchen: Canteen, age_group: str = "elementaire"
) -> dict[int, DishEconomics]:
    """Per-portion cost and local/organic shares from the kitchen's food prices."""
    prices = {p.food_id: p for p in FoodPrice.objects.filter(kitchen=kitchen)}
    parts: dict[int, list[tuple[Decimal, FoodPrice, int] | None]] = {d.pk: [] for d in dishes}
    recipes: dict[int, list[DishIngredient]] = {d.pk: [] for d in dishes}
    if isinstance(dishes, list) and all(_has_ingredients(d) for d in dishes):
        # The caller prefetched them (the planner's catalogue): no second read of the recipes.
        for dish in dishes:
            recipes[dish.pk] = list(dish.ingredients.all())
    else:
        for ingredient in DishIngredient.objects.filter(dish__in=dishes).select_related("food"):
            recipes[ingredient.dish_id].append(ingredient)
    for ingredient in (row for rows in recipes.values() for row in rows):
        # A dish not written for this age group costs the portion that group would eat.
        portion = portion_age_group(recipes[ingredient.dish_id], age_group)
        gross = ingredient.grams(portion) if portion else None
        price = prices.get(ingredient.food_id)
        if gross is None or price is None:
            parts[ingredient.dish_id].append(None)
            continue
        try:
            quantity = ingredient.food.quantity_for_grams(gross)
        except UnitConversionError:
            parts[ingredient.dish_id].append(None)
            continue
        parts[ingredient.dish_id].append((quantity * price.unit_price, price, ingredient.food_id))
    result = {}
    for dish_id, items in parts.items():
        if not items or any(item is None for item in items):
            result[dish_id] = DishEconomics(None, 0.0, 0.0)
            continue
        total = sum((cost for cost, _, _ in items), Decimal(0))
        weight = float(total) or 1.0
        result[dish_id] = DishEconomics(
            total.quantize(Decimal("0.001")),
            sum(float(cost) * p.local_share for cost, p, _ in items) / weight,
            sum(float(cost) * p.organic_share for cost, p, _ in items) / weight,
            tuple((food, cost) for cost, _, food in items),
        )
    return result
