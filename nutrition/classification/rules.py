"""The rules of annex I, one per tag, the vegetarian tags (CNRC 2020), and ``classify``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from .bounds import Bound, _all, _at_least, _in, _more_than, _not, nutrient_total, weight_share
from .recognition import (
    categorize,
    composite_kind,
    contains_meat_or_fish,
    is_fried,
    is_raw,
    is_unground_red_meat,
)
from .vocabulary import COMPONENT_TAGS, HUNDRED, Category, DishComposition, Ingredient, TagDecision
from .wording import _compare, _describe, _missing_note, _symbol, fmt

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
