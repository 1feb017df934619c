"""GEMRCN tags of a dish computed from its recipe (arrêté du 30 septembre 2011, annexe I).

Input: a ``DishComposition`` (component + ingredients with grams per portion for the reference
age group, per-100 g nutrients and CIQUAL group names). Output: one ``TagDecision`` per tag that
can be counted for the dish's component, with ``applies`` True/False, or None when the data do
not allow a decision, and a reason in French a dietitian can check.

Arithmetic (the annex's definitions):
- dish weight = sum of ingredient grams (the cooked, as-served weight);
- fat % = total fat / dish weight ("produits gras": > 15 % de matières grasses);
- calcium and sugars are per portion (sum over ingredients);
- shares of fish, of meat/fish/egg, of raw vegetables... are by weight.

Missing values are never read as zero. Each sum is kept as bounds: the known part, and an upper
bound when the missing part is limited (a food cannot hold more than 100 g of fat, protein or
sugars per 100 g; calcium has no useful bound). A tag is decided whenever every value inside the
bounds gives the same answer, otherwise it is None and the reason names the missing data.

Ingredient categories, from the CIQUAL 2025 sub-group (``alim_ssgrp_nom_fr``) and sub-sub-group:

| category | CIQUAL |
|---|---|
| fish | poissons crus, poissons cuits, produits à base de poissons et produits de la mer, mollusques et crustacés crus/cuits (seafood counts as fish) |
| meat | viandes crues, viandes cuites, autres produits à base de viande, charcuteries (except "alternatives végétales aux charcuteries") |
| red meat, unground | meat in sub-sub-group "boeuf et veau", "agneau et mouton" (names with "mouton" left out: the text says bœuf, veau, agneau) or "abats" (butcher's offal: poultry, rabbit and duck offal left out), not ground: flag ``ground_meat`` or a name with haché/boulette/burger/saucisse/merguez makes it ground, flag ``unground`` forces unground |
| egg | oeufs |
| cheese | fromages et alternatives végétales (except the plant alternatives). Fromage blanc counts as dairy, not cheese, as in GEMRCN practice |
| dairy | the other foods of group "produits laitiers" (laits, yaourts, fromages blancs, desserts lactés, crèmes); "desserts végétaux" are other, "autres desserts" (tiramisu, clafoutis...) unknown |
| vegetable | légumes (raw when sub-sub-group "légumes crus" or a name with "cru", else cooked) |
| fruit | fruits (raw when sub-sub-group "fruits crus" or a name with "cru"; compotes, canned and dried fruit are not raw) |
| pulses | légumineuses |
| starch | pommes de terre et autres tubercules, pâtes, riz et céréales |
| plant protein | ingrédients pour végétariens (tofu, tempeh, seitan, textured soy), plant alternatives to charcuterie and cheese: "produits végétaux transformés" for the vegetarian tags |
| unknown | group "entrées et plats composés", "aliments infantiles", or no group: a ready-made composite whose share of fish, meat or vegetables CIQUAL does not give |
| other | everything else (sauces, fats, sugars, herbs, nuts, bread, drinks...) |

Ingredient flags the dietitian sets: ``raw`` / ``cooked`` (override the raw state of a vegetable
or fruit), ``fried`` (fried or pre-fried; foods named "frit(e)", "frites", "préfrit(e)s" are recognised
too, except sauces and fats),
``ground_meat`` / ``unground``, ``plant_processed`` (an industrial plant-protein product).

Interpretations of the binding text, chosen here and open to review:
- rule 1: crudités = raw vegetables + raw fruit ≥ 50 % of the dish weight (GEMRCN guide);
- rule 2: 100 % of the dish weight is raw fruit (so no added sugar);
- rules 3, 4: cooked vegetables (resp. pulses + starches) ≥ 50 % of the side's weight;
- rules 5, 6: calcium brought by the cheese ingredients only; 150 mg belongs to rule 5;
- rule 7: dairy ≥ 50 % of the weight, total calcium > 100 mg and fat < 5 g per portion;
- rule 8: unground red meat or butcher's offal ≥ 50 % of the meat/fish/egg weight;
- rule 9: fish ≥ 70 % of the dish weight and protein ≥ 2 × fat, applied to plain fish too;
- rule 10: the dish contains meat, fish or egg and they make < 70 % of its weight (Adoria reads
  it as < 70 % of the annex II protein weight instead);
- rule 13: products fried, pre-fried or to fry (frites, nuggets, breaded fish, croquettes,
  pommes noisettes, fritters: the flag or the name) making ≥ 30 % of the dish, whatever fat
  CIQUAL gives for the oven-cooked product: school menus count them as "produits frits ou
  préfrits" (the fat the rule limits is the frying fat, which CIQUAL's oven-cooked or
  "à cuire" values leave out; 12 % for pre-fried chips as bought, well over 15 % as served);
- ready-made composites ("entrées et plats composés") are read by their sub-group and name
  (``composite_kind``): a quiche or a pizza holds no crudité, a céleri rémoulade does, a
  taboulé is a starch, a blanquette is meat in pieces, a hachis parmentier or nuggets are a
  preparation of less than 70 % meat;
- rule 14: fat ≥ protein on the whole dish;
- vegetarian: no meat or fish; its base is the category bringing most protein among
  pulses/cereals/starches, egg, cheese/dairy and processed plant protein.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
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


def composite_kind(ingredient: Ingredient) -> str | None:
    """What a ready-made composite is, for the tags (None: not a composite, or unreadable).

    - "pastry": quiche, pizza, friand, crêpe, nem... (no crudité, no plate of meat);
    - "raw_salad": céleri rémoulade, carottes râpées, coleslaw (crudités in a sauce);
    - "starch": taboulé, salade piémontaise, gratin dauphinois, risotto, pasta dishes;
    - "vegetable": macédoine, gratins and fritters of vegetables (cooked vegetables);
    - "pieces": meat in pieces in its sauce (blanquette, bourguignon);
    - "prep": a preparation of meat or fish with other foods (hachis parmentier, lasagnes
      bolognaise, nuggets, cordon bleu, brandade): less than 70 % meat or fish by nature;
    - "ground": meatballs, burgers (ground meat; never unground red meat);
    - "pulses": falafels and other pulse-based dishes;
    - "plant": a vegetarian galette, nuggets of wheat or soya (processed plant protein).
    """
    if (ingredient.group_name or "") not in _UNKNOWN_GROUPS:
        fish_or_meat = (ingredient.subgroup_name or "") in _FISH_SUBGROUPS | _MEAT_SUBGROUPS
        return "prep" if fish_or_meat and _BREADED_NAME.search(ingredient.name) else None
    sub = ingredient.subgroup_name or ""
    subsub = ingredient.subsubgroup_name or ""
    name = ingredient.name
    meaty = bool(_MEAT_OR_FISH_NAME.search(name))
    if sub in _PASTRY_SUBGROUPS:
        return "pastry"
    if subsub == "autres plats végétariens":
        return "plant"
    if sub == "salades composées et crudités":
        if "appertis" in name.lower() and not _STARCH_NAME.search(name):
            return "vegetable"  # canned: the vegetables are cooked
        if meaty and not _STARCH_NAME.search(name):
            return "prep" if "museau" not in name.lower() else "pieces"
        if _STARCH_NAME.search(name):
            return "starch"
        return "raw_salad" if _RAW_SALAD_NAME.search(name) else "vegetable"
    if meaty and _PIECES_NAME.search(name):
        return "pieces"
    if _PULSES_NAME.search(name) and not meaty:
        return "pulses"  # falafels, pulse galettes
    if meaty and _GROUND_PRODUCT_NAME.search(name) and not _BREADED_NAME.search(name):
        return "ground"  # meatballs, burgers: ground meat, not a preparation under 70 %
    if meaty and (subsub in _PREP_SUBSUBGROUPS or sub == "plats composés"):
        return "prep"
    if subsub == "plats de légumes/légumineuses" or subsub == "plats de céréales/pâtes":
        return "starch" if _STARCH_NAME.search(name) else "vegetable"
    return None


_COMPOSITE_CATEGORIES = {
    "pastry": Category.OTHER,
    "raw_salad": Category.VEGETABLE,
    "starch": Category.STARCH,
    "vegetable": Category.VEGETABLE,
    "pieces": Category.MEAT,
    "ground": Category.MEAT,
    "pulses": Category.PULSES,
    "plant": Category.PLANT_PROTEIN,
}
_MEAT_FREE_NAME = re.compile(r"végétarien|végétal|vegan", re.IGNORECASE)


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


# --- ingredient recognition ---------------------------------------------------------------------


def categorize(ingredient: Ingredient) -> Category:
    """The GEMRCN-relevant category of an ingredient, from its CIQUAL groups (table above)."""
    sub = ingredient.subgroup_name or ""
    subsub = ingredient.subsubgroup_name or ""
    group = ingredient.group_name or ""
    if "plant_processed" in ingredient.flags or subsub in _PLANT_ALTERNATIVES:
        return Category.PLANT_PROTEIN
    if sub in _FISH_SUBGROUPS:
        return Category.FISH
    if sub in _MEAT_SUBGROUPS or sub == "charcuteries et alternatives végétales":
        return Category.MEAT
    if sub == "oeufs":
        return Category.EGG
    if sub == "fromages et alternatives végétales":
        return Category.CHEESE
    if group == "produits laitiers":
        if subsub == "autres desserts":  # tiramisu, clafoutis, profiteroles: dairy share unknown
            return Category.UNKNOWN
        return Category.OTHER if subsub == "desserts végétaux" else Category.DAIRY
    simple = {
        "légumes": Category.VEGETABLE,
        "fruits": Category.FRUIT,
        "légumineuses": Category.PULSES,
        "ingrédients pour végétariens": Category.PLANT_PROTEIN,
    }
    if sub in simple:
        return simple[sub]
    if sub in _STARCH_SUBGROUPS:
        return Category.STARCH
    if not group or group in _UNKNOWN_GROUPS:
        kind = composite_kind(ingredient)
        return _COMPOSITE_CATEGORIES.get(kind, Category.UNKNOWN)
    return Category.OTHER


def is_raw(ingredient: Ingredient) -> bool:
    """Raw state of a vegetable or fruit: the dietitian's flag, else CIQUAL's wording."""
    if "raw" in ingredient.flags:
        return True
    if "cooked" in ingredient.flags:
        return False
    if composite_kind(ingredient) is not None:
        return composite_kind(ingredient) == "raw_salad"
    subsub = ingredient.subsubgroup_name or ""
    return subsub in ("légumes crus", "fruits crus") or bool(_RAW_NAME.search(ingredient.name))


def is_unground_red_meat(ingredient: Ingredient) -> bool:
    if categorize(ingredient) is not Category.MEAT:
        return False
    subsub = ingredient.subsubgroup_name or ""
    name = ingredient.name
    if composite_kind(ingredient) == "pieces":  # blanquette de veau, bœuf bourguignon
        red = bool(_RED_NAME.search(name))
    elif subsub in _RED_MEAT_SUBSUBGROUPS:
        red = "mouton" not in name.lower()
    elif subsub == "abats":
        red = not _NOT_BUTCHER_OFFAL.search(name)
    else:
        red = False
    if not red or "ground_meat" in ingredient.flags:
        return False
    return "unground" in ingredient.flags or not _GROUND_NAME.search(name)


def is_fried(ingredient: Ingredient) -> bool:
    """The dietitian's flag, or a product fried, pre-fried or to fry by its name: frites,
    nuggets, breaded fish, croquettes, pommes noisettes, fritters (not frying oil, nor a
    sauce for chips)."""
    if "fried" in ingredient.flags:
        return True
    return categorize(ingredient) is not Category.OTHER and bool(
        _FRIED_NAME.search(ingredient.name)
    )


def contains_meat_or_fish(ingredient: Ingredient) -> bool | None:
    """True/False when known; None for a composite whose name does not settle it."""
    category = categorize(ingredient)
    if category in (Category.MEAT, Category.FISH):
        return True
    if category is Category.PLANT_PROTEIN or _MEAT_FREE_NAME.search(ingredient.name):
        return False
    if ingredient.subsubgroup_name == "autres plats végétariens":
        return False
    if _MEAT_OR_FISH_NAME.search(ingredient.name):
        return True
    return None if category is Category.UNKNOWN else False


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


# --- French wording ---------------------------------------------------------------------------


def fmt(value: Decimal, places: int = 1, near: Decimal | None = None) -> str:
    """French decimal comma; more places when rounding would hide the gap to a threshold."""
    for digits in range(places, places + 4):
        text = f"{value:.{digits}f}"
        if near is None or value == near or Decimal(text) != near:
            break
    if "." in text:
        text = text.rstrip("0").rstrip(".") if digits > places else text
    return text.replace(".", ",")


def _describe(label: str, bound: Bound, unit: str, places: int, near: Decimal) -> str:
    lo = fmt(bound.lo, places, near)
    if bound.exact:
        return f"{label} {lo} {unit}"
    if bound.hi is None:
        return f"{label} ≥ {lo} {unit}"
    return f"{label} entre {lo} et {fmt(bound.hi, places, near)} {unit}"


def _missing_note(what: str, *bounds: Bound) -> str:
    names = sorted({name for bound in bounds for name in bound.missing})
    if not names:
        return ""
    listed = ", ".join(f"« {name} »" for name in names)
    return f" ({what} : {listed})"


def _symbol(result: bool | None, yes: str, no: str) -> str:
    return "?" if result is None else (yes if result else no)


def _compare(
    result: bool | None,
    label: str,
    bound: Bound,
    unit: str,
    symbols: tuple[str, str],
    threshold: Decimal,
    places: int = 1,
) -> str:
    described = _describe(label, bound, unit, places, threshold)
    limit_unit = unit.split("/")[0] if unit != "%" else "%"
    limit = f"{fmt(threshold, 0)} {limit_unit}"
    return f"{described} {_symbol(result, *symbols)} {limit}"


# --- the rules --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Totals:
    grams: Decimal
    protein: Bound
    fat: Bound
    sugars: Bound
    calcium: Bound

    @property
    def fat_percent(self) -> Bound:
        return self.fat.scaled(HUNDRED / self.grams)


def _totals(dish: DishComposition) -> _Totals:
    ingredients = dish.ingredients
    return _Totals(
        grams=dish.grams,
        protein=nutrient_total(ingredients, "protein"),
        fat=nutrient_total(ingredients, "fat"),
        sugars=nutrient_total(ingredients, "sugars"),
        calcium=nutrient_total(ingredients, "calcium", capped_by_weight=False),
    )


FIFTEEN, TWENTY, FIFTY, SEVENTY = Decimal(15), Decimal(20), Decimal(50), Decimal(70)
THIRTY = Decimal(30)


def _fatty(tag: str, totals: _Totals) -> TagDecision:
    fat = totals.fat_percent
    result = _more_than(fat, FIFTEEN)
    reason = _compare(result, "lipides", fat, "g/100 g", (">", "≤"), FIFTEEN)
    return TagDecision(tag, result, reason + _missing_note("lipides inconnus", fat))


def _share_text(
    label: str, share: Bound, threshold: Decimal, result: bool | None, yes: str, no: str
) -> str:
    return (
        f"{_describe(label, share, '%', 0, threshold)} du poids {_symbol(result, yes, no)} "
        f"{fmt(threshold, 0)} %"
    )


def _raw_veg_fruit(dish: DishComposition, _totals: _Totals) -> TagDecision:
    def raw(ingredient: Ingredient) -> bool | None:
        category = categorize(ingredient)
        if category is Category.UNKNOWN:
            return None
        return category in (Category.VEGETABLE, Category.FRUIT) and is_raw(ingredient)

    share = weight_share(dish, raw)
    result = _at_least(share, FIFTY)
    text = _share_text("crudités (légumes/fruits crus)", share, FIFTY, result, "≥", "<")
    return TagDecision("raw_veg_fruit", result, text + _missing_note("catégorie inconnue", share))


def _raw_fruit_dessert(dish: DishComposition, _totals: _Totals) -> TagDecision:
    def raw_fruit(ingredient: Ingredient) -> bool | None:
        if ingredient.subsubgroup_name == "autres desserts":
            return False  # clafoutis, tiramisu: baked or creamed, whatever fruit they hold
        category = categorize(ingredient)
        if category is Category.UNKNOWN:
            return None
        return category is Category.FRUIT and is_raw(ingredient)

    share = weight_share(dish, raw_fruit)
    result = _at_least(share, HUNDRED)
    text = _share_text("fruit cru", share, HUNDRED, result, "=", "<")
    return TagDecision(
        "raw_fruit_dessert", result, text + _missing_note("catégorie inconnue", share)
    )


def _cooked_veg(dish: DishComposition, _totals: _Totals) -> TagDecision:
    def cooked(ingredient: Ingredient) -> bool | None:
        category = categorize(ingredient)
        if category is Category.UNKNOWN:
            return None
        return category is Category.VEGETABLE and not is_raw(ingredient)

    share = weight_share(dish, cooked)
    result = _at_least(share, FIFTY)
    text = _share_text("légumes cuits (hors légumes secs)", share, FIFTY, result, "≥", "<")
    return TagDecision("cooked_veg", result, text + _missing_note("catégorie inconnue", share))


def _starch_pulses(dish: DishComposition, _totals: _Totals) -> TagDecision:
    share = weight_share(dish, _in(Category.PULSES, Category.STARCH))
    result = _at_least(share, FIFTY)
    text = _share_text("légumes secs, féculents, céréales", share, FIFTY, result, "≥", "<")
    return TagDecision("starch_pulses", result, text + _missing_note("catégorie inconnue", share))


def _cheese_calcium(dish: DishComposition) -> tuple[list[Ingredient], Bound]:
    cheeses = [i for i in dish.ingredients if categorize(i) is Category.CHEESE]
    return cheeses, nutrient_total(cheeses, "calcium", capped_by_weight=False)


def _cheese_ca_150(dish: DishComposition, _totals: _Totals) -> TagDecision:
    cheeses, calcium = _cheese_calcium(dish)
    if not cheeses:
        return TagDecision("cheese_ca_150", False, "pas de fromage dans le plat")
    threshold = Decimal(150)
    result = _at_least(calcium, threshold)
    text = _compare(result, "calcium du fromage", calcium, "mg/portion", ("≥", "<"), threshold, 0)
    return TagDecision("cheese_ca_150", result, text + _missing_note("calcium inconnu", calcium))


def _cheese_ca_100_150(dish: DishComposition, _totals: _Totals) -> TagDecision:
    cheeses, calcium = _cheese_calcium(dish)
    if not cheeses:
        return TagDecision("cheese_ca_100_150", False, "pas de fromage dans le plat")
    low, high = Decimal(100), Decimal(150)
    at_least_low = _at_least(calcium, low)
    below_high = _not(_at_least(calcium, high))
    result = _all(at_least_low, below_high)
    near = high if calcium.lo * 2 >= low + high else low  # show the gap to the closer bound
    described = _describe("calcium du fromage", calcium, "mg/portion", 0, near)
    if result is True:
        text = f"{described}, entre 100 et 150 mg (150 exclu)"
    elif at_least_low is False:
        text = f"{described} < 100 mg"
    elif below_high is False:
        text = f"{described} ≥ 150 mg (compté en fromage ≥ 150 mg)"
    else:
        text = f"{described} : bande 100-150 mg indéterminée"
    return TagDecision(
        "cheese_ca_100_150", result, text + _missing_note("calcium inconnu", calcium)
    )


def _dairy_ca100_fat5(dish: DishComposition, totals: _Totals) -> TagDecision:
    # "laitages": yogurts, fromages blancs, milky desserts; cheeses count for rules 5 and 6
    share = weight_share(dish, _in(Category.DAIRY))
    is_dairy = _at_least(share, FIFTY)
    hundred, five = Decimal(100), Decimal(5)
    calcium_ok = _more_than(totals.calcium, hundred)
    fat_ok = _not(_at_least(totals.fat, five))
    result = _all(is_dairy, calcium_ok, fat_ok)
    parts = [
        _share_text("produits laitiers", share, FIFTY, is_dairy, "≥", "<"),
        _compare(calcium_ok, "calcium", totals.calcium, "mg/portion", (">", "≤"), hundred, 0),
        _compare(fat_ok, "lipides", totals.fat, "g/portion", ("<", "≥"), five),
    ]
    note = _missing_note("données manquantes", share, totals.calcium, totals.fat)
    return TagDecision("dairy_ca100_fat5", result, ", ".join(parts) + note)


def _unground_red_meat(dish: DishComposition, _totals: _Totals) -> TagDecision:
    def animal(ingredient: Ingredient) -> bool | None:
        if composite_kind(ingredient) == "prep":  # ground or mixed meat, or fish
            return True
        return _in(Category.MEAT, Category.FISH, Category.EGG)(ingredient)

    red = sum((i.grams for i in dish.ingredients if is_unground_red_meat(i)), Decimal(0))
    known = sum((i.grams for i in dish.ingredients if animal(i)), Decimal(0))
    unknown = [i for i in dish.ingredients if animal(i) is None]
    slack = sum((i.grams for i in unknown), Decimal(0))
    if known + slack == 0:
        return TagDecision("unground_red_meat", False, "pas de viande, poisson ni œuf")
    share = Bound(
        red * HUNDRED / (known + slack),
        (red + slack) * HUNDRED / (known + slack),
        tuple(i.name for i in unknown),
    )
    result = _at_least(share, FIFTY) if red or slack else False
    label = "bœuf/veau/agneau non haché ou abats"
    text = (
        f"{_describe(label, share, '%', 0, FIFTY)} de la viande/poisson/œuf "
        f"{_symbol(result, '≥', '<')} 50 %"
    )
    return TagDecision(
        "unground_red_meat", result, text + _missing_note("catégorie inconnue", share)
    )


def _protein_vs_fat(totals: _Totals, factor: Decimal) -> bool | None:
    """protein ≥ factor × fat, on bounds."""
    if totals.fat.hi is not None and totals.protein.lo >= factor * totals.fat.hi:
        return True
    if totals.protein.hi is not None and totals.protein.hi < factor * totals.fat.lo:
        return False
    return None


def _fish_70(dish: DishComposition, totals: _Totals) -> TagDecision:
    if _preparation(dish):
        names = ", ".join(f"« {i.name} »" for i in _preparation(dish))
        return TagDecision("fish_70", False, f"préparation composée ({names}) : moins de 70 %")
    share = weight_share(dish, _in(Category.FISH))
    if share.hi == 0:
        return TagDecision("fish_70", False, "pas de poisson dans le plat")
    share_ok = _at_least(share, SEVENTY)
    two = Decimal(2)
    ratio_ok = _protein_vs_fat(totals, two)
    result = _all(share_ok, ratio_ok)
    protein = _describe("protéines", totals.protein, "g", 1, two * totals.fat.lo)
    fat = _describe("lipides", totals.fat, "g", 1, totals.protein.lo / two)
    text = (
        f"{_share_text('poisson', share, SEVENTY, share_ok, '≥', '<')}, "
        f"{protein} {_symbol(ratio_ok, '≥', '<')} 2 × {fat}"
    )
    note = _missing_note("données manquantes", share, totals.protein, totals.fat)
    return TagDecision("fish_70", result, text + note)


def _preparation(dish: DishComposition) -> list[Ingredient]:
    """The ready-made meat or fish preparations making at least half of the dish."""
    preps = [i for i in dish.ingredients if composite_kind(i) == "prep"]
    weight = sum((i.grams for i in preps), Decimal(0))
    return preps if preps and weight * 2 >= dish.grams else []


def _low_protein_prep(dish: DishComposition, _totals: _Totals) -> TagDecision:
    if _preparation(dish):
        names = ", ".join(f"« {i.name} »" for i in _preparation(dish))
        return TagDecision(
            "low_protein_prep",
            True,
            f"préparation composée ({names}) : moins de 70 % de viande, poisson ou œuf",
        )
    share = weight_share(dish, _in(Category.MEAT, Category.FISH, Category.EGG))
    if share.hi == 0:
        return TagDecision("low_protein_prep", False, "pas de viande, poisson ni œuf")
    result = _all(_more_than(share, Decimal(0)), _not(_at_least(share, SEVENTY)))
    text = _share_text("viande/poisson/œuf", share, SEVENTY, result, "<", "≥")
    return TagDecision(
        "low_protein_prep", result, text + _missing_note("catégorie inconnue", share)
    )


def _fried(dish: DishComposition, _totals: _Totals) -> TagDecision:
    fried = [i for i in dish.ingredients if is_fried(i)]
    if not fried:
        return TagDecision("fried", False, "aucun ingrédient frit ou préfrit")
    weight = sum((i.grams for i in fried), Decimal(0))
    share = weight * HUNDRED / dish.grams
    result = share >= THIRTY
    names = ", ".join(i.name for i in fried)
    fat = nutrient_total(fried, "fat").scaled(HUNDRED / weight)
    fat_text = f", lipides {fmt(fat.lo)} g/100 g" if fat.exact else ""
    sign = "≥" if result else "<"
    text = f"frit/préfrit ({names}) : {fmt(share, 0)} % du plat {sign} 30 %{fat_text}"
    return TagDecision("fried", result, text)


def _low_pl_ratio(dish: DishComposition, totals: _Totals) -> TagDecision:
    # "autant ou plus de matières grasses que de protéines": fat ≥ protein, equality counts
    if totals.protein.hi is not None and totals.fat.lo >= totals.protein.hi:
        result = True
    elif totals.fat.hi is not None and totals.protein.lo > totals.fat.hi:
        result = False
    else:
        result = None
    fat = _describe("lipides", totals.fat, "g", 1, totals.protein.lo)
    protein = _describe("protéines", totals.protein, "g", 1, totals.fat.lo)
    text = f"{fat} {_symbol(result, '≥', '<')} {protein} (rapport P/L {_ratio(totals)})"
    note = _missing_note("données manquantes", totals.protein, totals.fat)
    return TagDecision("low_pl_ratio", result, text + note)


def _ratio(totals: _Totals) -> str:
    if not totals.protein.exact or not totals.fat.exact:
        return "inconnu"
    if totals.fat.lo == 0:
        return "infini"
    return fmt(totals.protein.lo / totals.fat.lo, 2)


def _sweet_dessert(dish: DishComposition, totals: _Totals) -> TagDecision:
    sugar_ok = _more_than(totals.sugars, TWENTY)
    fat = totals.fat_percent
    lean = _not(_at_least(fat, FIFTEEN))
    result = _all(sugar_ok, lean)
    text = ", ".join(
        [
            _compare(sugar_ok, "sucres", totals.sugars, "g/portion", (">", "≤"), TWENTY),
            _compare(lean, "lipides", fat, "g/100 g", ("<", "≥"), FIFTEEN),
        ]
    )
    note = _missing_note("données manquantes", totals.sugars, fat)
    return TagDecision("sweet_dessert", result, text + note)


# --- vegetarian (CNRC 2020) ----------------------------------------------------------------------

_VEG_BASES: dict[str, tuple[str, tuple[Category, ...]]] = {
    "veg_pulses_cereals": ("légumineuses/céréales", (Category.PULSES, Category.STARCH)),
    "veg_egg": ("œuf", (Category.EGG,)),
    "veg_cheese": ("fromage/laitage", (Category.CHEESE, Category.DAIRY)),
    "veg_processed": ("produits végétaux transformés", (Category.PLANT_PROTEIN,)),
}


def _vegetarian(dish: DishComposition) -> TagDecision:
    verdicts = [(i, contains_meat_or_fish(i)) for i in dish.ingredients]
    meaty = [i.name for i, verdict in verdicts if verdict]
    unsure = [i.name for i, verdict in verdicts if verdict is None]
    if meaty:
        listed = ", ".join(f"« {name} »" for name in meaty)
        text = f"contient de la viande ou du poisson : {listed}"
        if dish.vegetarian:
            text += " (pourtant déclaré végétarien)"
        return TagDecision("vegetarian", False, text)
    if dish.vegetarian is not None:
        said = "végétarien" if dish.vegetarian else "non végétarien"
        return TagDecision("vegetarian", dish.vegetarian, f"déclaré {said} par la diététicienne")
    if unsure:
        listed = ", ".join(f"« {name} »" for name in unsure)
        return TagDecision("vegetarian", None, f"composition inconnue : {listed}")
    return TagDecision("vegetarian", True, "aucun ingrédient à base de viande ou de poisson")


def _vegetarian_bases(dish: DishComposition, vegetarian: TagDecision) -> list[TagDecision]:
    if vegetarian.applies is not True:
        applies = None if vegetarian.applies is None else False
        reason = "plat non végétarien" if applies is False else "végétarien ou non : inconnu"
        return [TagDecision(tag, applies, reason) for tag in _VEG_BASES]
    protein: dict[str, Decimal] = {}
    missing: list[str] = []
    for tag, (_label, categories) in _VEG_BASES.items():
        total = Decimal(0)
        for ingredient in dish.ingredients:
            if categorize(ingredient) in categories:
                amount = ingredient.nutrient("protein")
                if amount is None:
                    missing.append(ingredient.name)
                else:
                    total += amount
        protein[tag] = total
    unknown = [i.name for i in dish.ingredients if categorize(i) is Category.UNKNOWN]
    summary = ", ".join(f"{_VEG_BASES[tag][0]} {fmt(value)} g" for tag, value in protein.items())
    if missing or unknown or not any(protein.values()):
        names = ", ".join(f"« {name} »" for name in missing + unknown) or "aucune source"
        reason = f"protéines : {summary} ; base indéterminée ({names})"
        return [TagDecision(tag, None, reason) for tag in _VEG_BASES]
    base = max(protein, key=lambda tag: protein[tag])
    reason = f"protéines : {summary} → base {_VEG_BASES[base][0]}"
    return [TagDecision(tag, tag == base, reason) for tag in _VEG_BASES]


_RULES: dict[str, Callable[[DishComposition, _Totals], TagDecision]] = {
    "raw_veg_fruit": _raw_veg_fruit,
    "raw_fruit_dessert": _raw_fruit_dessert,
    "cooked_veg": _cooked_veg,
    "starch_pulses": _starch_pulses,
    "cheese_ca_150": _cheese_ca_150,
    "cheese_ca_100_150": _cheese_ca_100_150,
    "dairy_ca100_fat5": _dairy_ca100_fat5,
    "unground_red_meat": _unground_red_meat,
    "fish_70": _fish_70,
    "low_protein_prep": _low_protein_prep,
    "fatty_entree": lambda dish, totals: _fatty("fatty_entree", totals),
    "fatty_dessert": lambda dish, totals: _fatty("fatty_dessert", totals),
    "fried": _fried,
    "low_pl_ratio": _low_pl_ratio,
    "sweet_dessert": _sweet_dessert,
}


def classify(dish: DishComposition) -> list[TagDecision]:
    """Every tag countable for the dish's component, decided from its composition."""
    totals = _totals(dish)
    decisions: list[TagDecision] = []
    for tag in COMPONENT_TAGS[dish.component]:
        if tag in _RULES:
            decisions.append(_RULES[tag](dish, totals))
    if dish.component == "main":
        vegetarian = _vegetarian(dish)
        decisions.append(vegetarian)
        decisions.extend(_vegetarian_bases(dish, vegetarian))
    return decisions


# --- dietitian overrides -------------------------------------------------------------------------


@dataclass(frozen=True)
class TagOverride:
    """The dietitian's decision on a tag; it wins over the computed one, which is kept."""

    tag: str
    applies: bool
    author: str
    reason: str
    at: datetime | None = None

    def __post_init__(self) -> None:
        if self.tag not in ALL_TAGS:
            raise ValueError(f"unknown tag {self.tag!r}")
        if not self.author.strip() or not self.reason.strip():
            raise ValueError(f"override of {self.tag}: author and reason are required")


@dataclass(frozen=True)
class ResolvedTag:
    tag: str
    applies: bool | None
    computed: TagDecision | None
    override: TagOverride | None

    @property
    def source(self) -> str:
        return "override" if self.override is not None else "computed"


def apply_overrides(
    decisions: Iterable[TagDecision], overrides: Iterable[TagOverride]
) -> list[ResolvedTag]:
    """Merge computed decisions with overrides; with several overrides of a tag the last wins.

    An override may also add a tag that was not computed (computed is then None).
    """
    by_tag: dict[str, TagOverride] = {}
    for override in overrides:
        by_tag[override.tag] = override
    resolved: list[ResolvedTag] = []
    seen: set[str] = set()
    for decision in decisions:
        override = by_tag.get(decision.tag)
        applies = override.applies if override else decision.applies
        resolved.append(ResolvedTag(decision.tag, applies, decision, override))
        seen.add(decision.tag)
    for tag, override in by_tag.items():
        if tag not in seen:
            resolved.append(ResolvedTag(tag, override.applies, None, override))
    return resolved


def applied_tags(resolved: Iterable[ResolvedTag | TagDecision]) -> frozenset[str]:
    """Tags that hold for sure (what the menu planner counts)."""
    return frozenset(item.tag for item in resolved if item.applies is True)
