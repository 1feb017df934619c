"""The shared vocabulary: one place for families, labels and units, and the rules they carry."""

import ast
from decimal import Decimal
from pathlib import Path

import pytest

from cantine import vocabulary as v
from cantine.vocabulary import Family, Unit, family_of_ciqual

ROOT = Path(__file__).resolve().parents[2]
CODES = {
    *v.FAMILIES,
    *v.LABELS,
    *v.UNITS,
    "l",  # the ledger once spelled litres this way
}
UNIT_CODES = {*v.UNITS, "l"}


def _project_files():
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in (".venv", "tests") or "migrations" in relative.parts:
            continue
        if relative == Path("cantine/vocabulary.py"):
            continue
        yield relative, path


def _keys_and_subscripts(tree) -> set[int]:
    """Nodes that name a quantity ({"kg": ...}, row["kg"]) rather than a unit value."""
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            ids.update(id(key) for key in node.keys if key is not None)
        elif isinstance(node, ast.Subscript):
            ids.add(id(node.slice))
    return ids


def literal_codes(source: str) -> list[tuple[int, str]]:
    tree = ast.parse(source)
    keys = _keys_and_subscripts(tree)
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            continue
        if node.value not in CODES:
            continue
        if node.value in UNIT_CODES and id(node) in keys:
            continue
        found.append((node.lineno, node.value))
    return found


def test_no_family_label_or_unit_code_is_written_outside_the_vocabulary():
    offenders = [
        f"{relative}:{line}: {code!r}"
        for relative, path in _project_files()
        for line, code in literal_codes(path.read_text(encoding="utf-8"))
    ]
    assert not offenders, "use cantine.vocabulary instead:\n" + "\n".join(offenders)


def test_the_literal_check_catches_a_code_and_spares_a_quantity_key():
    assert literal_codes('family = "VIANDES_VOLAILLES"') == [(1, "VIANDES_VOLAILLES")]
    assert literal_codes('labels = ["BIO"]') == [(1, "BIO")]
    assert literal_codes('unit = "L"') == [(1, "L")]
    assert literal_codes('row = {"kg": 1}; row["kg"]') == []


@pytest.mark.parametrize(
    ("group", "subgroup", "family"),
    [
        ("04", "oeufs", Family.PRODUITS_LAITIERS),  # ma cantine files eggs with dairy (BOF)
        ("09", "beurres", Family.PRODUITS_LAITIERS),  # and butter too
        ("09", "huiles et graisses végétales", Family.AUTRES),
        ("04", "poissons cuits", Family.PRODUITS_DE_LA_MER),
        ("04", "mollusques et crustacés crus", Family.PRODUITS_DE_LA_MER),
        ("04", "charcuteries et alternatives végétales", Family.CHARCUTERIE),
        ("04", "viandes crues", Family.VIANDES_VOLAILLES),
        ("02", "légumes", Family.FRUITS_ET_LEGUMES),
        ("02", "pommes de terre et autres tubercules", Family.FRUITS_ET_LEGUMES),
        ("02", "légumineuses", Family.AUTRES),
        ("02", "fruits à coque et graines oléagineuses", Family.AUTRES),
        ("05", "laits", Family.PRODUITS_LAITIERS),
        ("03", "pains et assimilés", Family.BOULANGERIE),
        ("03", "pâtes, riz et céréales", Family.AUTRES),
        ("07", "viennoiseries", Family.BOULANGERIE),
        ("06", "boissons sans alcool", Family.BOISSONS),
    ],
)
def test_family_of_a_ciqual_food(group, subgroup, family):
    assert family_of_ciqual(group, subgroup) is family


def test_eggs_are_not_in_the_meat_and_fish_share():
    assert family_of_ciqual("04", "oeufs") not in v.MEAT_AND_FISH
    assert set(v.MEAT_AND_FISH) == {Family.VIANDES_VOLAILLES, Family.PRODUITS_DE_LA_MER}


def test_units_convert_with_a_density_or_a_piece_weight():
    assert v.grams_to_unit(Decimal(2500), Unit.KG) == Decimal("2.5")
    assert v.grams_to_unit(Decimal(1030), Unit.LITRE, density_kg_per_l=Decimal("1.03")) == 1
    assert v.grams_to_unit(Decimal(250), Unit.PIECE, piece_grams=Decimal(125)) == 2
    assert v.unit_to_kg(Decimal(2), Unit.PIECE, piece_grams=Decimal(125)) == Decimal("0.25")
    assert v.unit_to_kg(Decimal(2), Unit.LITRE) is None  # no density: weight unknown
    with pytest.raises(v.UnitConversionError):
        v.grams_to_unit(Decimal(100), Unit.PIECE)


def test_price_lists_spell_units_and_labels_many_ways():
    assert v.parse_unit(" Pièce ") is Unit.PIECE
    assert v.parse_unit("l") is Unit.LITRE
    assert v.parse_unit("carton") is None
    assert v.LABEL_ALIASES["AB"] is v.Label.BIO


def test_a_line_counts_once_in_its_highest_group():
    assert v.egalim_group([v.Label.HVE, v.Label.BIO]) is v.EgalimGroup.BIO
    assert v.egalim_group([v.Label.IGP, v.Label.EXTERNALITES]) is v.EgalimGroup.SIQO
    assert v.egalim_group([]) is v.EgalimGroup.NONE
