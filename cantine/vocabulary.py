"""The words every part of cantine shares: product families, EGalim labels, units.

One place for each code, pure Python (no Django import), so the optimisers, the importers and
exporters, the models' choices and the demo all read the same list. A test
(``tests/cantine/test_vocabulary.py``) fails when a family, label or unit code is written as a
literal anywhere else.

Labels here are the English message ids; the Django layer wraps them in ``gettext_lazy`` and
the French catalogue translates them (``gettext_noop`` marks them for ``makemessages``).

Sources: the ma cantine purchase format (``macantine_achats_categories_labels.json``, betagouv
/ma-cantine, MIT) for the families and labels; domain.md §3 for the EGalim groups.
"""

from __future__ import annotations

from decimal import Decimal
from enum import IntEnum, StrEnum


def gettext_noop(message: str) -> str:
    """Marks a message for translation without translating it (read by ``makemessages``)."""
    return message


# --- Product families (ma cantine's eight) ---------------------------------------------------


class Family(StrEnum):
    VIANDES_VOLAILLES = "VIANDES_VOLAILLES"
    CHARCUTERIE = "CHARCUTERIE"
    PRODUITS_DE_LA_MER = "PRODUITS_DE_LA_MER"
    FRUITS_ET_LEGUMES = "FRUITS_ET_LEGUMES"
    PRODUITS_LAITIERS = "PRODUITS_LAITIERS"
    BOULANGERIE = "BOULANGERIE"
    BOISSONS = "BOISSONS"
    AUTRES = "AUTRES"


FAMILY_LABELS: dict[Family, str] = {
    Family.VIANDES_VOLAILLES: gettext_noop("Meat and poultry"),
    Family.CHARCUTERIE: gettext_noop("Delicatessen (charcuterie)"),
    Family.PRODUITS_DE_LA_MER: gettext_noop("Fish and seafood"),
    Family.FRUITS_ET_LEGUMES: gettext_noop("Fruit and vegetables"),
    Family.PRODUITS_LAITIERS: gettext_noop("Dairy, butter and eggs"),
    Family.BOULANGERIE: gettext_noop("Bakery and pastry"),
    Family.BOISSONS: gettext_noop("Drinks"),
    Family.AUTRES: gettext_noop("Other products"),
}
FAMILIES: tuple[str, ...] = tuple(f.value for f in Family)

# EGalim sets a separate target on these two families together (domain.md §3): eggs are not
# meat, they are filed with dairy ("BOF: produits laitiers, beurre et œufs") as ma cantine does.
MEAT_AND_FISH: tuple[Family, ...] = (Family.VIANDES_VOLAILLES, Family.PRODUITS_DE_LA_MER)

# Delivered once a week (dry goods, groceries, drinks); every other family is fresh and comes
# the last open day before it is served (orders.needs.delivery_date).
NON_PERISHABLE: frozenset[Family] = frozenset({Family.AUTRES, Family.BOISSONS})


def is_perishable(family: str) -> bool:
    return Family(family) not in NON_PERISHABLE


def family_of_ciqual(group_code: str, subgroup_name: str = "", name: str = "") -> Family:
    """The ma cantine family of a CIQUAL food, from its group and subgroup.

    CIQUAL files eggs with meat and fish (group 04) and butter with fats (group 09); ma cantine
    files both with dairy ("BOF"). Pulses and nuts are groceries, not fresh produce.
    """
    subgroup = (subgroup_name or "").lower()
    if group_code == "02":
        if "coque" in subgroup or "légumineuses" in subgroup:
            return Family.AUTRES
        return Family.FRUITS_ET_LEGUMES
    if group_code == "04":
        if "oeuf" in subgroup or "œuf" in subgroup:
            return Family.PRODUITS_LAITIERS
        if "charcuterie" in subgroup:
            return Family.CHARCUTERIE
        if any(word in subgroup for word in ("poisson", "mollusque", "crustac", "mer")):
            return Family.PRODUITS_DE_LA_MER
        return Family.VIANDES_VOLAILLES
    if group_code == "05":
        return Family.PRODUITS_LAITIERS
    if group_code == "09" and "beurre" in subgroup:
        return Family.PRODUITS_LAITIERS
    if group_code == "03" and "pain" in subgroup:
        return Family.BOULANGERIE
    if group_code == "07" and ("viennoiserie" in subgroup or "pâtisserie" in subgroup):
        return Family.BOULANGERIE
    if group_code == "06":
        return Family.BOISSONS
    return Family.AUTRES


# --- EGalim labels and their groups ----------------------------------------------------------


class Label(StrEnum):
    BIO = "BIO"
    LABEL_ROUGE = "LABEL_ROUGE"
    AOCAOP = "AOCAOP"
    IGP = "IGP"
    STG = "STG"
    HVE = "HVE"
    PECHE_DURABLE = "PECHE_DURABLE"
    RUP = "RUP"
    FERMIER = "FERMIER"
    COMMERCE_EQUITABLE = "COMMERCE_EQUITABLE"
    EXTERNALITES = "EXTERNALITES"
    PERFORMANCE = "PERFORMANCE"


LABEL_NAMES: dict[Label, str] = {
    Label.BIO: gettext_noop("Organic (incl. in conversion)"),
    Label.LABEL_ROUGE: gettext_noop("Label Rouge"),
    Label.AOCAOP: gettext_noop("AOC / AOP"),
    Label.IGP: gettext_noop("IGP"),
    Label.STG: gettext_noop("STG"),
    Label.HVE: gettext_noop("High environmental value (HVE)"),
    Label.PECHE_DURABLE: gettext_noop("Sustainable fishing"),
    Label.RUP: gettext_noop("Outermost region (RUP)"),
    Label.FERMIER: gettext_noop("Farm product (fermier)"),
    Label.COMMERCE_EQUITABLE: gettext_noop("Fair trade"),
    Label.EXTERNALITES: gettext_noop("Environmental externalities"),
    Label.PERFORMANCE: gettext_noop("Environmental performance"),
}
LABELS: tuple[str, ...] = tuple(label.value for label in Label)

# The few characters a badge shows (message ids: French as buyers and producers say them).
LABEL_SHORT_NAMES: dict[Label, str] = {
    Label.BIO: gettext_noop("Organic"),
    Label.LABEL_ROUGE: gettext_noop("Label Rouge"),
    Label.AOCAOP: "AOC/AOP",
    Label.IGP: "IGP",
    Label.STG: "STG",
    Label.HVE: "HVE",
    Label.PECHE_DURABLE: gettext_noop("Sustainable fishing"),
    Label.RUP: "RUP",
    Label.FERMIER: gettext_noop("Farm-made"),
    Label.COMMERCE_EQUITABLE: gettext_noop("Fair-trade"),
    Label.EXTERNALITES: gettext_noop("Externalities"),
    Label.PERFORMANCE: gettext_noop("Performance"),
}

# Spellings met in price lists and other software, read as the code they mean.
LABEL_ALIASES: dict[str, Label] = {
    "AOC": Label.AOCAOP,
    "AOP": Label.AOCAOP,
    "AOC_AOP": Label.AOCAOP,
    "AB": Label.BIO,
    "LR": Label.LABEL_ROUGE,
}


class EgalimGroup(IntEnum):
    """Higher value = counted first: a line counts once, in its highest group."""

    NONE = 0
    EXTERNALITIES = 1
    OTHER = 2
    SIQO = 3
    BIO = 4


EGALIM_GROUP_NAMES: dict[EgalimGroup, str] = {
    EgalimGroup.NONE: gettext_noop("Not EGalim"),
    EgalimGroup.EXTERNALITIES: gettext_noop("Externalities / performance"),
    EgalimGroup.OTHER: gettext_noop("Other EGalim labels"),
    EgalimGroup.SIQO: gettext_noop("Official quality signs (SIQO)"),
    EgalimGroup.BIO: gettext_noop("Organic"),
}

LABEL_GROUP: dict[Label, EgalimGroup] = {
    Label.BIO: EgalimGroup.BIO,
    Label.LABEL_ROUGE: EgalimGroup.SIQO,
    Label.AOCAOP: EgalimGroup.SIQO,
    Label.IGP: EgalimGroup.SIQO,
    Label.STG: EgalimGroup.SIQO,
    Label.HVE: EgalimGroup.OTHER,
    Label.PECHE_DURABLE: EgalimGroup.OTHER,
    Label.RUP: EgalimGroup.OTHER,
    Label.FERMIER: EgalimGroup.OTHER,
    Label.COMMERCE_EQUITABLE: EgalimGroup.OTHER,
    Label.EXTERNALITES: EgalimGroup.EXTERNALITIES,
    Label.PERFORMANCE: EgalimGroup.EXTERNALITIES,
}


# The Hexagone's purchase-share targets (code rural L230-5-1), in % of the value excluding
# VAT: 50 % EGalim, of which 20 % organic. One place for the figures: the declarations'
# per-territory table (``purchases.targets.HEXAGONE``) and the menu plans that aim at the
# year's shares (``PLAN_SHARE_TARGETS``, as fractions) both read them from the kernel.
HEXAGONE_TARGETS_PCT = {"organic": 20, "egalim": 50}
PLAN_SHARE_TARGETS = {key: pct / 100 for key, pct in HEXAGONE_TARGETS_PCT.items()}


def egalim_group(labels) -> EgalimGroup:
    """The single group a line with these labels counts in."""
    return max((LABEL_GROUP[Label(code)] for code in labels), default=EgalimGroup.NONE)


def is_organic(labels) -> bool:
    return Label.BIO in {Label(code) for code in labels}


def is_egalim(labels) -> bool:
    return egalim_group(labels) > EgalimGroup.NONE


# --- Units -----------------------------------------------------------------------------------


class Unit(StrEnum):
    """What a product is counted in when it is bought: needs, offers, orders and the ledger."""

    KG = "kg"
    LITRE = "L"
    PIECE = "piece"


UNIT_NAMES: dict[Unit, str] = {
    Unit.KG: gettext_noop("kg"),
    Unit.LITRE: gettext_noop("litre"),
    Unit.PIECE: gettext_noop("piece"),
}
UNITS: tuple[str, ...] = tuple(unit.value for unit in Unit)

# Spellings met in price lists and other software (lower-cased before lookup).
UNIT_ALIASES: dict[str, Unit] = {
    "kg": Unit.KG,
    "kilo": Unit.KG,
    "kilogramme": Unit.KG,
    "l": Unit.LITRE,
    "litre": Unit.LITRE,
    "liter": Unit.LITRE,
    "piece": Unit.PIECE,
    "pièce": Unit.PIECE,
    "pc": Unit.PIECE,
    "pcs": Unit.PIECE,
    "unit": Unit.PIECE,
    "unité": Unit.PIECE,
    "u": Unit.PIECE,
}


def parse_unit(text: str) -> Unit | None:
    """The unit a price list or a file means by ``text``, or None when it names none."""
    return UNIT_ALIASES.get((text or "").strip().lower())


class UnitConversionError(ValueError):
    """A quantity cannot change unit: a density or a piece weight is missing."""


def grams_to_unit(
    grams: Decimal,
    unit: str,
    *,
    density_kg_per_l: Decimal | None = None,
    piece_grams: Decimal | None = None,
) -> Decimal:
    """``grams`` of a product, expressed in the unit it is bought in (not rounded)."""
    unit = Unit(unit)
    kg = Decimal(grams) / 1000
    if unit is Unit.KG:
        return kg
    if unit is Unit.LITRE:
        if not density_kg_per_l or density_kg_per_l <= 0:
            raise UnitConversionError("a product bought by the litre needs its density")
        return kg / Decimal(density_kg_per_l)
    if not piece_grams or piece_grams <= 0:
        raise UnitConversionError("a product bought by the piece needs the weight of a piece")
    return Decimal(grams) / Decimal(piece_grams)


def unit_to_kg(
    quantity: Decimal,
    unit: str,
    *,
    density_kg_per_l: Decimal | None = None,
    piece_grams: Decimal | None = None,
) -> Decimal | None:
    """The weight of ``quantity`` in ``unit`` in kg, or None when it cannot be known."""
    unit = Unit(unit)
    quantity = Decimal(quantity)
    if unit is Unit.KG:
        return quantity
    if unit is Unit.LITRE:
        return quantity * Decimal(density_kg_per_l) if density_kg_per_l else None
    return quantity * Decimal(piece_grams) / 1000 if piece_grams else None


# --- Nutrients (CIQUAL columns), with the unit of their amounts ------------------------------

NUTRIENT_NAMES: dict[str, str] = {
    "energy_kcal": gettext_noop("Energy (kcal)"),
    "energy_kj": gettext_noop("Energy (kJ)"),
    "water": gettext_noop("Water (g)"),
    "protein": gettext_noop("Protein (g)"),
    "fat": gettext_noop("Fat (g)"),
    "saturated_fat": gettext_noop("Saturated fat (g)"),
    "carbohydrate": gettext_noop("Carbohydrate (g)"),
    "sugars": gettext_noop("Sugars (g)"),
    "fibre": gettext_noop("Fibre (g)"),
    "salt": gettext_noop("Salt (g)"),
    "calcium": gettext_noop("Calcium (mg)"),
    "iron": gettext_noop("Iron (mg)"),
    "vitamin_c": gettext_noop("Vitamin C (mg)"),
}

# A quantity's unit as a person writes it after a number: "1 piece", "3 pieces".
UNIT_COUNTED: dict[Unit, tuple[str, str]] = {
    Unit.KG: (gettext_noop("kg"), gettext_noop("kg")),
    Unit.LITRE: (gettext_noop("L"), gettext_noop("L")),
    Unit.PIECE: (gettext_noop("piece"), gettext_noop("pieces")),
}
