"""Product families of public procurement lots, read from a food's CIQUAL groups.

The codes are the optimiser's ``FAMILIES`` (orders.allocation). Fresh families are delivered
the day before use; the others ("AUTRES": dry goods, groceries; "BOISSONS") once a week.
"""

from nutrition.models import Food

FAMILY_LABELS = {
    "VIANDES_VOLAILLES": "Viandes, volailles et œufs",
    "CHARCUTERIE": "Charcuterie",
    "PRODUITS_DE_LA_MER": "Produits de la mer",
    "FRUITS_ET_LEGUMES": "Fruits et légumes",
    "PRODUITS_LAITIERS": "Produits laitiers",
    "BOULANGERIE": "Boulangerie",
    "BOISSONS": "Boissons",
    "AUTRES": "Épicerie et autres",
}
NON_PERISHABLE = frozenset({"AUTRES", "BOISSONS"})


def family_of(food: Food) -> str:
    """The lot family of a food, from its CIQUAL group (02 fruits & vegetables, 04 meat...)."""
    group, subgroup = food.group_code, (food.subgroup_name or "").lower()
    if group == "02" and "coque" not in subgroup and "légumineuses" not in subgroup:
        return "FRUITS_ET_LEGUMES"
    if group == "04":
        if "charcuterie" in subgroup:
            return "CHARCUTERIE"
        if any(word in subgroup for word in ("poisson", "mollusque", "crustac", "mer")):
            return "PRODUITS_DE_LA_MER"
        return "VIANDES_VOLAILLES"
    if group == "05":
        return "PRODUITS_LAITIERS"
    if group == "03" and "pain" in subgroup:
        return "BOULANGERIE"
    if group == "06":
        return "BOISSONS"
    return "AUTRES"


def is_perishable(family: str) -> bool:
    return family not in NON_PERISHABLE
