"""Ingredient recognition: what a CIQUAL food is for the tags (category, raw, fried, ground
or unground red meat, meat or fish) and what a ready-made composite holds."""

from __future__ import annotations

import re

from .vocabulary import (
    _BREADED_NAME,
    _FISH_SUBGROUPS,
    _FRIED_NAME,
    _GROUND_NAME,
    _GROUND_PRODUCT_NAME,
    _MEAT_OR_FISH_NAME,
    _MEAT_SUBGROUPS,
    _NOT_BUTCHER_OFFAL,
    _PASTRY_SUBGROUPS,
    _PIECES_NAME,
    _PLANT_ALTERNATIVES,
    _PREP_SUBSUBGROUPS,
    _PULSES_NAME,
    _RAW_NAME,
    _RAW_SALAD_NAME,
    _RED_MEAT_SUBSUBGROUPS,
    _RED_NAME,
    _STARCH_NAME,
    _STARCH_SUBGROUPS,
    _UNKNOWN_GROUPS,
    Category,
    Ingredient,
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
