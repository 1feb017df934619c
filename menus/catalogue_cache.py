"""The kitchen's planner catalogue, kept between requests until something it is made of changes.

Building the catalogue (about 2,000 model instances for 140 dishes: ingredients, foods, tags,
prices, then the costs and the variety families) was half the calendar's time. The cache key
is a fingerprint of every column the catalogue reads, taken in four flat ``values_list``
queries, so any edit — a dish, an ingredient's grams, a food's unit, a tag override (it
rewrites the dish's tag rows), a price — changes the key at once, whatever wrote it (services,
admin, bulk updates, another process). No signal to forget, no expiry to wait for.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache

from cantine.models import AgeGroup, Canteen
from nutrition import mealplan
from nutrition.models import Dish, DishIngredient, DishTag, FoodPrice

KEY_PREFIX = "planner-catalogue"
TIMEOUT_S = 24 * 3600  # an unused key just ages out; correctness comes from the fingerprint

_GRAMS = tuple(f"grams_{group}" for group in AgeGroup.values)
_FOOD = ("food__name", "food__purchase_unit", "food__density_kg_per_l", "food__piece_grams")


def fingerprint(canteen: Canteen) -> str:
    """A digest of everything ``menus.instances.catalogue`` reads for this kitchen."""
    parts = (
        Dish.objects.filter(kitchen=canteen)
        .order_by("pk")
        .values_list("pk", "name", "component", "is_vegetarian", "co2e_per_portion"),
        DishTag.objects.filter(dish__kitchen=canteen, applies=True)
        .order_by("dish_id", "tag")
        .values_list("dish_id", "tag"),
        DishIngredient.objects.filter(dish__kitchen=canteen)
        .order_by("pk")
        .values_list("dish_id", "food_id", *_GRAMS, *_FOOD),
        FoodPrice.objects.filter(kitchen=canteen)
        .order_by("food_id")
        .values_list("food_id", "unit_price", "local_share", "organic_share"),
    )
    digest = hashlib.blake2b(digest_size=16)
    for rows in parts:
        digest.update(repr(list(rows)).encode())
        digest.update(b"|")
    return digest.hexdigest()


def cached_catalogue(canteen: Canteen) -> dict[str, mealplan.Dish]:
    """``menus.instances.catalogue(canteen)``, from the cache while its fingerprint holds."""
    from menus.instances import catalogue

    key = f"{KEY_PREFIX}:{canteen.pk}:{fingerprint(canteen)}"
    dishes = cache.get(key)
    if dishes is None:
        dishes = catalogue(canteen)
        cache.set(key, dishes, TIMEOUT_S)
    return dishes
