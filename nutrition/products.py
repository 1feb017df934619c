"""What a kitchen buys versus what it serves: purchasable products, yields, purchase units.

A recipe names the product the kitchen *buys* (raw, or as sold: "Cabillaud, cru", "Pâtes
sèches, crues", "Yaourt nature" by the piece) with its gross weight per portion, and a yield:
the served weight per gram bought (peeling, trimming, cooking). The nutrients of the served
portion come from the food *as served* ("Cabillaud, rôti/cuit au four") times the served
weight, because CIQUAL measures cooked foods as they are eaten. Needs, offers, purchase orders
and the ledger speak of purchasable products only.

Pure Python (no Django): the import, the migrations and the tests read the same rules.

Data, each with its source:
- ``data/cooking_yields.csv``: pairs (bought food, served food) and their yield. A yield left
  blank is computed from CIQUAL 2025's water contents of the pair by the dry-matter balance
  (``yield_from_water``): cooking changes water, not dry matter, so
  ``served / bought = (100 - water bought) / (100 - water served)``. It is the yield-factor
  method of the EuroFIR recipe calculation guidelines (Bognár 2002; Reinivuo et al. 2009,
  J. Food Comp. Anal. 22:563), applied to CIQUAL's own raw / cooked pairs.
- ``data/purchase_units.csv``: products bought by the litre (with their density) or by the
  piece (with the weight of one piece), and the few foods CIQUAL does not mark as cooked that
  a kitchen prepares rather than buys (a home-made purée).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

from cantine.vocabulary import Unit

DATA_DIR = Path(__file__).resolve().parent / "data"
YIELDS_FILE = DATA_DIR / "cooking_yields.csv"
UNITS_FILE = DATA_DIR / "purchase_units.csv"
YIELD_PLACES = Decimal("0.001")
WATER_METHOD = (
    "CIQUAL 2025, bilan de matière sèche : eau {bought} g/100 g achetée, {served} g/100 g servie"
)

# Words of a CIQUAL name or sub-group that say the food was cooked or prepared in a kitchen.
_COOKED = re.compile(
    r"(?<!non )\b(cuit|cuite|cuits|cuites|bouilli|bouillie|rôti|rôtie|braisé|braisée|grillé|grillée"
    r"|poêlé|poêlée|frit|frite|à la vapeur|à l'étouffée"
    r"|fait maison|faite maison|cuisiné|cuisinée)\b"
)
# A name that says raw is bought as it is ("Porc, rôti cru": "rôti" is the cut).
_RAW = re.compile(r"\b(cru|crue|crus|crues)\b")
# ...and so is a food sold ready: a pre-packed, canned, frozen or chilled product.
_AS_SOLD = re.compile(
    r"\b(préemballé|préemballée|préemballés|préemballées|appertisé|appertisée|appertisés"
    r"|appertisées|surgelé|surgelée|surgelés|surgelées|rayon frais|en conserve|pot individuel"
    r"|artisanal|semi-conserve)\b"
)


def is_cooked_preparation(name: str, subgroup: str = "", subsubgroup: str = "") -> bool:
    """True for a food as a kitchen serves it after cooking, not as it is bought.

    CIQUAL sorts many foods into raw and cooked sub-groups ("légumes crus" / "légumes
    cuits"); the name says it for the others ("Boeuf braisé", "Omelette, faite maison").
    A product sold ready (pre-packed, canned, frozen, chilled) is bought as it is.
    """
    text = f"{name} | {subgroup} | {subsubgroup}".lower()
    if _RAW.search(name.lower()) or _AS_SOLD.search(name.lower()):
        return False
    return bool(_COOKED.search(text))


# Above this water content (g/100 g) on both sides the balance is ill-conditioned: one gram of
# water more or less in either CIQUAL sample moves the ratio by over 10 %. Such pairs (most
# boiled vegetables) get no computed yield; the dietitian's figure or 1 applies.
WATERY = Decimal(85)


def yield_from_water(bought_water: Decimal | None, served_water: Decimal | None) -> Decimal | None:
    """Served grams per gram bought, by the dry-matter balance (see the module docstring)."""
    if bought_water is None or served_water is None:
        return None
    if bought_water >= WATERY and served_water >= WATERY:
        return None
    dry_served = Decimal(100) - Decimal(served_water)
    if dry_served <= 0:
        return None
    ratio = (Decimal(100) - Decimal(bought_water)) / dry_served
    return ratio.quantize(YIELD_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class YieldRow:
    """One line of ``cooking_yields.csv``: a bought food, how it is served, and the ratio."""

    bought_code: str
    served_code: str
    ratio: Decimal | None  # None: computed from the two foods' water contents
    source: str


def _decimal(text: str) -> Decimal | None:
    text = (text or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation as error:
        raise ValueError(f"not a number: {text!r}") from error


def read_yields(path: Path = YIELDS_FILE) -> list[YieldRow]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            YieldRow(
                row["bought_code"].strip(),
                row["served_code"].strip(),
                _decimal(row["yield"]),
                row["source"].strip(),
            )
            for row in csv.DictReader(line for line in handle if not line.startswith("#"))
        ]


@dataclass(frozen=True)
class PurchaseUnitRow:
    """One line of ``purchase_units.csv``."""

    code: str
    unit: Unit
    piece_grams: Decimal | None
    density_kg_per_l: Decimal | None
    purchasable: bool | None  # None: decided by ``is_cooked_preparation``
    source: str


def read_purchase_units(path: Path = UNITS_FILE) -> list[PurchaseUnitRow]:
    rows = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(line for line in handle if not line.startswith("#")):
            flag = row["purchasable"].strip().lower()
            rows.append(
                PurchaseUnitRow(
                    code=row["code"].strip(),
                    unit=Unit(row["unit"].strip() or Unit.KG),
                    piece_grams=_decimal(row["piece_grams"]),
                    density_kg_per_l=_decimal(row["density_kg_per_l"]),
                    purchasable={"oui": True, "non": False}.get(flag),
                    source=row["source"].strip(),
                )
            )
    return rows


UNKNOWN_YIELD_SOURCE = (
    "rendement non calculable par le bilan de matière sèche (eau ≥ 85 g/100 g des deux "
    "côtés) : 1 par défaut, à ajuster"
)


def resolve_yield(
    row: YieldRow, bought_water: Decimal | None, served_water: Decimal | None
) -> tuple[Decimal, str]:
    """The ratio of a yield row and the source to show with it."""
    if row.ratio is not None:
        return row.ratio, row.source
    computed = yield_from_water(bought_water, served_water)
    if computed is None:
        return Decimal(1), UNKNOWN_YIELD_SOURCE
    return computed, WATER_METHOD.format(bought=bought_water, served=served_water)


def purchase_fields(
    code: str, name: str, subgroup: str, subsubgroup: str, units: dict[str, PurchaseUnitRow]
) -> dict:
    """How a CIQUAL food is bought: the model fields ``Food`` stores for it."""
    row = units.get(code)
    purchasable = not is_cooked_preparation(name, subgroup, subsubgroup)
    if row is None:
        return {"purchasable": purchasable, "purchase_unit": Unit.KG.value}
    return {
        "purchasable": purchasable if row.purchasable is None else row.purchasable,
        "purchase_unit": row.unit.value,
        "piece_grams": row.piece_grams,
        "density_kg_per_l": row.density_kg_per_l,
        "purchase_source": row.source,
    }
