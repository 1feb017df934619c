"""Rule-set presets: the 15 annex I rules with the text's thresholds, vegetarian guidance, portions."""

import csv
import json
import re
from decimal import Decimal

import pytest

from nutrition.classification import COMPONENT_TAGS
from nutrition.presets import (
    DATA_DIR,
    PRESETS_DIR,
    PresetError,
    available_presets,
    load_preset,
    parse_portion,
    read_portion_sizes,
)

ANNEX_I = (DATA_DIR / "gemrcn" / "arrete_2011-09-30_annexe-I_frequences.md").read_text("utf-8")
TRANSCRIPTION = DATA_DIR / "gemrcn" / "frequences_20_repas_arrete_2011_TRANSCRIPTION.csv"

# (tag, components, min, max) read from annex I by hand.
EXPECTED = {
    "gemrcn-1": ("raw_veg_fruit", ("entree", "side"), 10, None),
    "gemrcn-2": ("raw_fruit_dessert", ("dessert",), 8, None),
    "gemrcn-3": ("cooked_veg", ("side",), 10, 10),
    "gemrcn-4": ("starch_pulses", ("side",), 10, 10),
    "gemrcn-5": ("cheese_ca_150", ("entree", "dairy"), 8, None),
    "gemrcn-6": ("cheese_ca_100_150", ("entree", "dairy"), 4, None),
    "gemrcn-7": ("dairy_ca100_fat5", ("dairy", "dessert"), 6, None),
    "gemrcn-8": ("unground_red_meat", ("main",), 4, None),
    "gemrcn-9": ("fish_70", ("main",), 4, None),
    "gemrcn-10": ("low_protein_prep", ("main",), None, 3),
    "gemrcn-11": ("fatty_entree", ("entree",), None, 4),
    "gemrcn-12": ("fatty_dessert", ("dessert",), None, 3),
    "gemrcn-13": ("fried", ("main", "side"), None, 4),
    "gemrcn-14": ("low_pl_ratio", ("main",), None, 2),
    "gemrcn-15": ("sweet_dessert", ("dessert",), None, 4),
}


@pytest.fixture(scope="module")
def school():
    return load_preset("gemrcn_school_2011")


def test_both_presets_are_available():
    assert available_presets() == ["gemrcn_school_2011", "vegetarian_cnrc_2020"]


def test_school_preset_has_the_15_rules_with_the_texts_thresholds(school):
    assert [rule.id for rule in school.rules] == [f"gemrcn-{n}" for n in range(1, 16)]
    for rule in school.rules:
        assert (rule.tag, rule.components, rule.min, rule.max) == EXPECTED[rule.id]
        assert rule.window == 20
        assert rule.source == "Arrêté du 30 septembre 2011, annexe I"
    assert school.window == 20


def test_each_rule_quotes_the_binding_text_verbatim(school):
    for rule in school.rules:
        assert rule.text and rule.text in ANNEX_I, rule.id
        assert rule.heading and rule.heading in ANNEX_I, rule.id
    for definition in school.definitions:
        assert definition in ANNEX_I


def test_numbers_in_each_text_match_the_bounds(school):
    """The bound follows from the French wording: au moins N / N / moins de N / plus de N."""
    for rule in school.rules:
        text = rule.text
        if match := re.match(r"au moins (\d+) repas", text):
            assert (rule.min, rule.max) == (int(match[1]), None)
        elif match := re.match(r"moins de (\d+) repas", text):
            assert (rule.min, rule.max) == (None, int(match[1]) - 1)
        elif match := re.match(r"plus de (\d+) ", text):  # under "il convient de ne pas servir"
            assert "ne pas servir" in rule.heading
            assert (rule.min, rule.max) == (None, int(match[1]))
        elif match := re.match(r"(\d+) repas", text):
            assert (rule.min, rule.max) == (int(match[1]), int(match[1]))
        else:
            pytest.fail(f"{rule.id}: unexpected wording {text!r}")


def test_rules_agree_with_the_transcription_csv_except_the_documented_operator(school):
    with TRANSCRIPTION.open(encoding="utf-8") as handle:
        rows = {f"gemrcn-{row['id']}": row for row in csv.DictReader(handle)}
    for rule in school.rules:
        row = rows[rule.id]
        number = int(row["nb_repas_sur_20"])
        operator = row["operateur"]
        if operator == ">=":
            assert (rule.min, rule.max) == (number, None)
        elif operator == "=":
            assert (rule.min, rule.max) == (number, number)
        elif operator == "<=":
            assert (rule.min, rule.max) == (None, number)
        else:  # rule 10: "< 4" is max 3
            assert (rule.id, operator, rule.max) == ("gemrcn-10", "<", 3)


def test_rule_tags_are_counted_on_components_that_can_carry_them(school):
    for rule in school.rules:
        for component in rule.components:
            assert rule.tag in COMPONENT_TAGS[component]


def test_rules_export_to_the_planner_instance_shape(school):
    assert school.rule("gemrcn-9").to_instance() == {
        "id": "gemrcn-9",
        "tag": "fish_70",
        "min": 4,
        "max": None,
        "window": 20,
    }
    assert school.rule("gemrcn-3").to_instance()["min"] == 10
    assert school.rule("gemrcn-3").to_instance()["max"] == 10


def test_spacing_is_a_house_default_not_law(school):
    spacing = school.min_meals_between_repeats
    assert spacing.value == 10
    assert spacing.basis == "house_default"
    assert "pas une obligation légale" in spacing.note


def test_vegetarian_guidance():
    veg = load_preset("vegetarian_cnrc_2020")
    bounds = {rule.tag: (rule.min, rule.max, rule.window) for rule in veg.rules}
    assert bounds == {
        "vegetarian": (4, None, 20),
        "veg_pulses_cereals": (2, None, 20),
        "veg_egg": (None, 1, 20),
        "veg_cheese": (None, 1, 20),
        "veg_processed": (None, 1, 20),
    }
    assert veg.vegetarian_per_week == 1
    assert all("CNRC 2020" in rule.source for rule in veg.rules)
    four_day_weeks = load_preset("vegetarian_cnrc_2020", meals_per_week=4)
    assert four_day_weeks.rule("cnrc-vegetarian").min == 5
    with pytest.raises(PresetError, match="3 meals a week"):
        load_preset("vegetarian_cnrc_2020", meals_per_week=3)


# --- portions (annex II) --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("50", (Decimal(50), Decimal(50))),
        ("55 à 70", (Decimal(55), Decimal(70))),
        ("20-45", (Decimal(20), Decimal(45))),
        ("2 à 3", (Decimal(2), Decimal(3))),
        ("", (None, None)),
        ("  ", (None, None)),
    ],
)
def test_parse_portion(raw, expected):
    assert parse_portion(raw) == expected


@pytest.mark.parametrize("raw", ["beaucoup", "70 à 55", "50 g", "1-2-3"])
def test_parse_portion_rejects_nonsense(raw):
    with pytest.raises(PresetError):
        parse_portion(raw)


def test_portions_by_age_group_from_annex_ii(school):
    assert len(school.portions) == 19 * 3
    steak = {p.age_group: p for p in school.portions_for("Steak haché de bœuf")}
    assert [
        (steak[a].min, steak[a].max) for a in ("maternelle", "elementaire", "college_lycee")
    ] == [
        (50, 50),
        (70, 70),
        (100, 100),
    ]
    assert steak["college_lycee"].unit == "g"
    friand = {p.age_group: p for p in school.portions_for("Friand, feuilleté")}
    assert (friand["maternelle"].min, friand["maternelle"].max) == (55, 70)
    sausages = {p.age_group: p for p in school.portions_for("Merguez")}
    assert sausages["college_lycee"].unit == "piece"
    assert (sausages["college_lycee"].min, sausages["college_lycee"].max) == (2, 3)
    assert {p.unit for p in school.portions_for("Glaces")} == {"ml"}
    assert {p.unit for p in school.portions_for("Mousse")} == {"cl"}
    dry = {p.age_group: p for p in school.portions_for("Pâtisseries sèches")}
    assert not dry["college_lycee"].known  # empty cell in the text stays unknown
    assert dry["college_lycee"].min is None and dry["college_lycee"].max is None
    assert (dry["elementaire"].min, dry["elementaire"].max) == (30, 50)


def test_bad_portion_file_names_the_line(tmp_path):
    path = tmp_path / "grammages.csv"
    path.write_text(
        "section,produit,maternelle,elementaire,college_lycee,note\n"
        "X,Quenelle,60,80,120 à 160,\nX,Flan,beaucoup,80,90,\n",
        encoding="utf-8",
    )
    with pytest.raises(PresetError, match="line 3, maternelle"):
        read_portion_sizes(path)


# --- validation of edited presets -----------------------------------------------------------------


def _write_preset(tmp_path, monkeypatch, rules):
    data = json.loads((PRESETS_DIR / "vegetarian_cnrc_2020.json").read_text("utf-8"))
    data["rules"] = rules
    (tmp_path / "edited.json").write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setattr("nutrition.presets.PRESETS_DIR", tmp_path)


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"tag": "tasty", "min": 1}, "unknown tag"),
        ({"min": 5, "max": 3}, "min 5 > max 3"),
        ({"min": None, "max": None}, "needs min or max"),
        ({"min": 25}, "exceeds the window"),
        ({"components": ["soup"]}, "bad components"),
        ({"window": 0}, "window must be a positive integer"),
        ({"min": -1}, "non-negative integer"),
    ],
)
def test_edited_preset_is_validated(tmp_path, monkeypatch, rule, message):
    base = {
        "id": "r1",
        "tag": "vegetarian",
        "components": ["main"],
        "min": 1,
        "max": None,
        "window": 20,
    }
    _write_preset(tmp_path, monkeypatch, [{**base, **rule}])
    with pytest.raises(PresetError, match=message):
        load_preset("edited")


def test_unknown_preset_lists_the_available_ones():
    with pytest.raises(PresetError, match="gemrcn_school_2011"):
        load_preset("gemrcn_hospital")
