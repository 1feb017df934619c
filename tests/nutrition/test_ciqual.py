"""CIQUAL / AGRIBALYSE / seasons import: every official quirk, real counts, all-or-nothing."""

from decimal import Decimal

import pytest

from nutrition.ciqual import (
    CIQUAL_PATH,
    NUTRIENT_COLUMNS,
    CiqualFormatError,
    DataFormatError,
    NutrientKind,
    import_ciqual,
    parse_nutrient,
    read_agribalyse,
    read_ciqual,
    read_seasons,
)


@pytest.fixture(scope="module")
def ciqual():
    return import_ciqual()


@pytest.fixture(scope="module")
def foods(ciqual):
    return {food.code: food for food in ciqual.foods}


# --- parsing one cell ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "kind", "amount", "limit"),
    [
        ("18,2", NutrientKind.EXACT, Decimal("18.2"), None),
        ("978", NutrientKind.EXACT, Decimal("978"), None),
        ("0", NutrientKind.EXACT, Decimal("0"), None),
        ("0,00097", NutrientKind.EXACT, Decimal("0.00097"), None),
        ("12.5", NutrientKind.EXACT, Decimal("12.5"), None),
        ("-", NutrientKind.MISSING, None, None),
        ("", NutrientKind.MISSING, None, None),
        ("   ", NutrientKind.MISSING, None, None),
        ("traces", NutrientKind.TRACES, Decimal(0), None),
        ("Traces", NutrientKind.TRACES, Decimal(0), None),
        ("< 0,5", NutrientKind.BELOW_LIMIT, Decimal(0), Decimal("0.5")),
        ("<0,5", NutrientKind.BELOW_LIMIT, Decimal(0), Decimal("0.5")),
        ("<\n0,03", NutrientKind.BELOW_LIMIT, Decimal(0), Decimal("0.03")),
        ("< 20", NutrientKind.BELOW_LIMIT, Decimal(0), Decimal("20")),
        ("< 0", NutrientKind.BELOW_LIMIT, Decimal(0), Decimal("0")),
    ],
)
def test_each_official_form_parses(raw, kind, amount, limit):
    value = parse_nutrient(raw)
    assert value.kind is kind
    assert value.amount == amount
    assert value.limit == limit
    assert value.raw == raw
    assert value.is_estimate is (kind in (NutrientKind.TRACES, NutrientKind.BELOW_LIMIT))


def test_missing_is_none_not_zero():
    assert parse_nutrient("-").amount is None
    assert parse_nutrient("0").amount == 0


@pytest.mark.parametrize("raw", ["abc", "1,2,3", "-3", "< x", "n.d.", "12,", "> 5", "1 000"])
def test_unknown_forms_are_rejected(raw):
    with pytest.raises(ValueError, match="unreadable"):
        parse_nutrient(raw)


# --- the real table -----------------------------------------------------------------------------

# Measured on the shipped CIQUAL 2025 file: a change here means the file or the parser changed.
EXPECTED_COUNTS = {
    "energy_kcal": (3339, 2, 0, 143),
    "energy_kj": (3339, 2, 0, 143),
    "water": (2934, 1, 4, 545),
    "protein": (3451, 4, 0, 29),
    "fat": (3283, 15, 166, 20),
    "saturated_fat": (3093, 8, 135, 248),
    "carbohydrate": (3272, 134, 8, 70),
    "sugars": (2996, 205, 60, 223),
    "fibre": (3239, 45, 130, 70),
    "salt": (3141, 2, 151, 190),
    "calcium": (2676, 1, 23, 784),
    "iron": (2459, 6, 188, 831),
    "vitamin_c": (1803, 27, 568, 1086),
}


def test_real_file_loads_all_foods(ciqual):
    assert ciqual.report.foods_read == 3484
    assert len(ciqual.foods) == 3484
    assert len({food.code for food in ciqual.foods}) == 3484
    assert ciqual.report.row_errors == []


@pytest.mark.parametrize("nutrient", list(NUTRIENT_COLUMNS))
def test_real_file_counts_per_nutrient(ciqual, nutrient):
    exact, traces, below, missing = EXPECTED_COUNTS[nutrient]
    report = ciqual.report
    assert report.count(nutrient, "exact") == exact
    assert report.count(nutrient, "traces") == traces
    assert report.count(nutrient, "below_limit") == below
    assert report.count(nutrient, "missing") == missing
    assert exact + traces + below + missing == 3484


def test_real_file_totals_and_summary(ciqual):
    report = ciqual.report
    assert report.total("missing") == 4382
    assert report.total("traces") == 452
    assert report.total("below_limit") == 1433
    summary = report.summary()
    assert summary.startswith("3484 foods read")
    assert "calcium: exact 2676, traces 1, below_limit 23, missing 784" in summary


def test_real_foods_keep_each_quirk(foods):
    emmental = foods["12115"]
    assert emmental.name == "Emmental ou emmenthal"
    assert emmental.group_name == "produits laitiers"
    assert emmental.subgroup_name == "fromages et alternatives végétales"
    assert emmental.subsubgroup_name == "fromages à pâte pressée ou dure"
    assert emmental.amount("calcium") == Decimal("978")
    assert emmental.amount("fat") == Decimal("28.8")
    assert emmental.nutrients["sugars"].kind is NutrientKind.TRACES
    assert emmental.amount("sugars") == 0
    # Emmental de Savoie: calcium "-" is unknown, not zero
    assert foods["12099"].amount("calcium") is None
    assert foods["12099"].nutrients["calcium"].kind is NutrientKind.MISSING
    # Saucisson sec pur porc qualité supérieure: calcium "< 20"
    calcium = foods["30302"].nutrients["calcium"]
    assert (calcium.kind, calcium.amount, calcium.limit) == (
        NutrientKind.BELOW_LIMIT,
        Decimal(0),
        Decimal(20),
    )
    # Huile de tournesol: water is "<" + line break + "0,03" inside a quoted cell
    water = foods["17440"].nutrients["water"]
    assert water.kind is NutrientKind.BELOW_LIMIT and water.limit == Decimal("0.03")


def test_sub_sub_group_dash_and_blank_group_become_none(foods):
    assert foods["26234"].subsubgroup_name is None  # "-" in the file
    generic = foods["24999"]  # "Dessert (aliment moyen)", group 00 with empty names
    assert generic.group_code == "00"
    assert generic.group_name is None and generic.subgroup_name is None


# --- malformed files ----------------------------------------------------------------------------


def _copy_with(tmp_path, replace):
    text = CIQUAL_PATH.read_text(encoding="utf-8")
    for old, new in replace:
        assert old in text
        text = text.replace(old, new, 1)
    path = tmp_path / "ciqual.csv"
    path.write_text(text, encoding="utf-8")
    return path, text


def _line_of(text, start):
    return next(i for i, line in enumerate(text.splitlines(), 1) if line.startswith(start))


def test_malformed_file_is_rejected_whole_with_physical_line_numbers(tmp_path):
    # Two bad rows after the cells that contain line breaks: line numbers must still be exact.
    path, text = _copy_with(
        tmp_path,
        [
            (
                "17440,Huile de tournesol,09,matières grasses,huiles et graisses végétales,-,900,",
                "17440,Huile de tournesol,09,matières grasses,huiles et graisses végétales,-,9OO,",
            ),
            ("12115,Emmental ou emmenthal,", "X12115,Emmental ou emmenthal,"),
        ],
    )
    with pytest.raises(CiqualFormatError) as caught:
        read_ciqual(path)
    error = caught.value
    lines = sorted(e.line for e in error.errors)
    assert lines == sorted([_line_of(text, "17440,"), _line_of(text, "X12115,")])
    assert _line_of(text, "17440,") > 3180  # after several multi-line records
    assert len(error.errors) == 2
    message = str(error)
    assert "nothing imported" in message
    assert f"line {_line_of(text, '17440,')}" in message and "'9OO'" in message
    assert "food code 'X12115' is not a number" in message
    assert error.report.foods_read == 3482  # the others parsed, but nothing is returned


def test_wrong_cell_count_and_duplicate_code_are_reported(tmp_path):
    header = CIQUAL_PATH.read_text(encoding="utf-8").splitlines()[0]
    good = "1,Pomme test,02,fruits,fruits,fruits crus" + ",1" * 13
    path = tmp_path / "small.csv"
    path.write_text(
        "\n".join([header, good, "2,Trop court,02,fruits", good, ""]) + "\n", encoding="utf-8"
    )
    with pytest.raises(CiqualFormatError) as caught:
        read_ciqual(path)
    assert [(e.line, e.message) for e in caught.value.errors] == [
        (3, "4 cells, expected 19"),
        (4, "food code 1 already on line 2"),
    ]


def test_blank_nutrient_cell_is_missing(tmp_path):
    header = CIQUAL_PATH.read_text(encoding="utf-8").splitlines()[0]
    row = "1,Pomme test,02,fruits,fruits,fruits crus" + ",1" * 12 + ","
    path = tmp_path / "blank.csv"
    path.write_text(f"{header}\n{row}\n", encoding="utf-8")
    (food,) = read_ciqual(path)
    assert food.amount("vitamin_c") is None
    assert food.nutrients["vitamin_c"].kind is NutrientKind.MISSING


def test_missing_column_is_reported_on_line_1(tmp_path):
    header = CIQUAL_PATH.read_text(encoding="utf-8").splitlines()[0]
    path = tmp_path / "nocalcium.csv"
    path.write_text(header.replace("Calcium (mg/100 g)", "Ca") + "\n", encoding="utf-8")
    with pytest.raises(DataFormatError, match=r"line 1, column 'Calcium \(mg/100 g\)'"):
        read_ciqual(path)


# --- AGRIBALYSE and seasons ---------------------------------------------------------------------


def test_agribalyse_real_file(foods):
    co2 = read_agribalyse()
    assert len(co2) == 2474  # 2,480 rows, 4 CIQUAL codes with variants
    assert co2["12112"] == Decimal("6.27")  # Abondance
    assert co2["13014"] == Decimal("0.53")  # strawberry: French consumption mix, not in-season
    assert co2["20047"] == Decimal("0.62")  # tomato: mix
    assert co2["13025"] == Decimal("0.66")  # mango: by boat, not flown in (14.90)
    assert co2["20061"] == Decimal("0.48")  # green beans: not flown in (10.32)
    assert len(set(co2) & set(foods)) == 2293


def test_agribalyse_bad_value_is_rejected(tmp_path):
    header = (
        "Code AGB,Code CIQUAL,Saisonnalité,Transport par avion (1 : par avion),"
        "Changement climatique (kg CO2 eq/kg de produit)"
    )
    path = tmp_path / "agb.csv"
    path.write_text(
        f'{header}\n1,1,mix de consommation FR,0,"1,5"\n2,2,mix,0,beaucoup\n3,3,mix,0,-\n',
        encoding="utf-8",
    )
    with pytest.raises(DataFormatError, match="line 3.*beaucoup"):
        read_agribalyse(path)


def test_seasons_real_file():
    seasons = read_seasons()
    assert len(seasons) == 103
    assert seasons["pomme de terre"] == frozenset({9, 10, 11, 12, 1, 2, 3})
    assert all(months and months <= set(range(1, 13)) for months in seasons.values())


def test_seasons_month_name_must_match_number(tmp_path):
    path = tmp_path / "saisons.csv"
    path.write_text(
        "aliment,type,mois,int_mois\npoireau,legume,décembre,12\npoireau,legume,janvier,2\n"
        "navet,legume,brumaire,11\nnavet,legume,mars,13\n",
        encoding="utf-8",
    )
    with pytest.raises(DataFormatError) as caught:
        read_seasons(path)
    assert [e.line for e in caught.value.errors] == [3, 4, 5]
