"""The vocabulary of the classifier: components, tags, flags, ingredient categories, the
CIQUAL groups and names read, and the dish and decision types."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from nutrition.ciqual import CiqualFood

COMPONENTS = ("entree", "main", "side", "dairy", "dessert")

# Tags that can be counted for each component (annex I + CNRC 2020 vegetarian guidance).
COMPONENT_TAGS: dict[str, tuple[str, ...]] = {
    "entree": ("raw_veg_fruit", "cheese_ca_150", "cheese_ca_100_150", "fatty_entree"),
    "main": (
        "unground_red_meat",
        "fish_70",
        "low_protein_prep",
        "fried",
        "low_pl_ratio",
        "vegetarian",
        "veg_pulses_cereals",
        "veg_egg",
        "veg_cheese",
        "veg_processed",
    ),
    "side": ("raw_veg_fruit", "cooked_veg", "starch_pulses", "fried"),
    "dairy": ("cheese_ca_150", "cheese_ca_100_150", "dairy_ca100_fat5"),
    "dessert": ("raw_fruit_dessert", "dairy_ca100_fat5", "fatty_dessert", "sweet_dessert"),
}
ALL_TAGS = frozenset(tag for tags in COMPONENT_TAGS.values() for tag in tags)

FLAGS = frozenset({"raw", "cooked", "fried", "ground_meat", "unground", "plant_processed"})

HUNDRED = Decimal(100)


class Category(StrEnum):
    FISH = "fish"
    MEAT = "meat"
    EGG = "egg"
    CHEESE = "cheese"
    DAIRY = "dairy"
    VEGETABLE = "vegetable"
    FRUIT = "fruit"
    PULSES = "pulses"
    STARCH = "starch"
    PLANT_PROTEIN = "plant_protein"
    OTHER = "other"
    UNKNOWN = "unknown"


CATEGORY_LABELS_FR = {
    Category.FISH: "poisson",
    Category.MEAT: "viande",
    Category.EGG: "œuf",
    Category.CHEESE: "fromage",
    Category.DAIRY: "produit laitier",
    Category.VEGETABLE: "légume",
    Category.FRUIT: "fruit",
    Category.PULSES: "légumineuse",
    Category.STARCH: "féculent",
    Category.PLANT_PROTEIN: "protéine végétale transformée",
    Category.OTHER: "autre",
    Category.UNKNOWN: "composition inconnue",
}

_FISH_SUBGROUPS = frozenset(
    {
        "poissons crus",
        "poissons cuits",
        "produits à base de poissons et produits de la mer",
        "mollusques et crustacés crus",
        "mollusques et crustacés cuits",
    }
)
_MEAT_SUBGROUPS = frozenset({"viandes crues", "viandes cuites", "autres produits à base de viande"})
_STARCH_SUBGROUPS = frozenset({"pommes de terre et autres tubercules", "pâtes, riz et céréales"})
_UNKNOWN_GROUPS = frozenset({"entrées et plats composés", "aliments infantiles"})
_PLANT_ALTERNATIVES = frozenset(
    {"alternatives végétales aux charcuteries", "alternatives végétales aux fromages"}
)
_RED_MEAT_SUBSUBGROUPS = frozenset({"boeuf et veau", "agneau et mouton"})
_RAW_NAME = re.compile(r"\bcrue?s?\b", re.IGNORECASE)
_GROUND_NAME = re.compile(r"hach[ée]|boulette|burger|saucisse|merguez", re.IGNORECASE)
_NOT_BUTCHER_OFFAL = re.compile(r"poulet|volaille|dinde|canard|\boie\b|lapin|gésier", re.IGNORECASE)
_FRIED_NAME = re.compile(
    r"\b(?:pré)?frit(?:e|es|s)?\b|\bpanée?s?\b|nugget|croquette|cordon bleu|"
    r"pommes? de terre (?:noisette|dauphine)|pommes? (?:noisettes?|dauphines?)|potatoes|wedges|"
    r"\bbeignets?\b|\baccras?\b|à la romaine|viennoise|milanaise",
    re.IGNORECASE,
)
_MEAT_OR_FISH_NAME = re.compile(
    r"viande|boeuf|bœuf|veau|porc|poulet|volaille|dinde|agneau|jambon|lardon|bolognaise|"
    r"poisson|thon|saumon|anchois|crevette|canard|fruits de mer|moules?\b|carbonara|chorizo|"
    r"saucisse|merguez|bacon|calamar|seiche|crabe|surimi|con carne|paëlla|paella|cassoulet|"
    r"choucroute garnie|moussaka|tajine de (?:poulet|mouton|agneau)|couscous (?:au|à la) "
    r"(?:poulet|viande|mouton|poisson)|couscous royal|hachis|parmentier|nugget|cordon bleu|"
    r"\bnems?\b|burrito|fajita|museau|lorraine|blanquette|bourguignon|pot-au-feu",
    re.IGNORECASE,
)
# Ready-made composites (CIQUAL group "entrées et plats composés") hold no sub-group saying
# what they are made of; their sub-group and name say what a dietitian reads in them.
_PASTRY_SUBGROUPS = frozenset({"pizzas, tartes et crêpes salées", "feuilletées et autres entrées"})
_RAW_SALAD_NAME = re.compile(r"céleri|carotte|coleslaw|chou\b|crudités|concombre", re.IGNORECASE)
_STARCH_NAME = re.compile(
    r"taboulé|semoule|pommes? de terre|piémontaise|\briz\b|pâtes|dauphinois|aligot|risotto|"
    r"ravioli|couscous de légumes|gnocchi|lasagnes ou cannellonis aux légumes",
    re.IGNORECASE,
)
_PIECES_NAME = re.compile(r"blanquette|bourguignon|sauté de|navarin|pot-au-feu", re.IGNORECASE)
_GROUND_PRODUCT_NAME = re.compile(r"boulette|steak|burger|saucisse|merguez", re.IGNORECASE)
_PULSES_NAME = re.compile(r"falafel|pois[- ]chiche|lentille|haricot", re.IGNORECASE)
# Breaded or battered meat and fish: the coating makes some 30-40 % of the product.
_BREADED_NAME = re.compile(
    r"\bpanée?s?\b|nugget|croquette|cordon bleu|beignet|à la romaine|accra|viennoise|milanaise",
    re.IGNORECASE,
)
_RED_NAME = re.compile(r"boeuf|bœuf|veau|agneau", re.IGNORECASE)
_PREP_SUBSUBGROUPS = frozenset(
    {
        "plats de viande et féculents",
        "plats de viande et légumes/légumineuses",
        "plats de poisson et féculents",
        "plats de poisson sans garniture",
    }
)


@dataclass(frozen=True)
class Ingredient:
    """One ingredient of a dish: grams per portion (as served) and per-100 g nutrients."""

    name: str
    grams: Decimal
    nutrients: Mapping[str, Decimal | None] = field(default_factory=dict)
    group_name: str | None = None
    subgroup_name: str | None = None
    subsubgroup_name: str | None = None
    code: str | None = None
    flags: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if not isinstance(self.grams, Decimal) or self.grams <= 0:
            raise ValueError(f"{self.name}: grams must be a positive Decimal, got {self.grams!r}")
        unknown = set(self.flags) - FLAGS
        if unknown:
            raise ValueError(f"{self.name}: unknown flags {sorted(unknown)}")

    @classmethod
    def from_food(
        cls, food: CiqualFood, grams: Decimal | int | str, flags: Iterable[str] = ()
    ) -> Ingredient:
        """Build an ingredient from a CIQUAL food (traces/below limit count as 0)."""
        return cls(
            name=food.name,
            grams=Decimal(grams),
            nutrients=food.amounts(),
            group_name=food.group_name,
            subgroup_name=food.subgroup_name,
            subsubgroup_name=food.subsubgroup_name,
            code=food.code,
            flags=frozenset(flags),
        )

    def nutrient(self, key: str) -> Decimal | None:
        """Amount in this portion (grams × per-100 g / 100), None when unknown."""
        per_100 = self.nutrients.get(key)
        return None if per_100 is None else self.grams * per_100 / HUNDRED


@dataclass(frozen=True)
class DishComposition:
    """A dish as the dietitian composed it; ``vegetarian`` is her declaration, if any."""

    name: str
    component: str
    ingredients: Sequence[Ingredient]
    vegetarian: bool | None = None

    def __post_init__(self) -> None:
        if self.component not in COMPONENTS:
            raise ValueError(f"{self.name}: unknown component {self.component!r}")
        if not self.ingredients:
            raise ValueError(f"{self.name}: a dish needs at least one ingredient")

    @property
    def grams(self) -> Decimal:
        return sum((ingredient.grams for ingredient in self.ingredients), Decimal(0))


@dataclass(frozen=True)
class TagDecision:
    tag: str
    applies: bool | None
    reason: str
