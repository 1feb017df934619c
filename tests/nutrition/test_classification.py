"""GEMRCN tags computed from recipes made of real CIQUAL foods, and the bounds of each rule."""

from decimal import Decimal

import pytest

from nutrition.ciqual import read_ciqual
from nutrition.classification import (
    COMPONENT_TAGS,
    Category,
    DishComposition,
    Ingredient,
    TagDecision,
    TagOverride,
    applied_tags,
    apply_overrides,
    categorize,
    classify,
)

D = Decimal


@pytest.fixture(scope="module")
def foods():
    return {food.code: food for food in read_ciqual()}


@pytest.fixture
def dish(foods):
    """dish("main", ("26023", 100), ("11158", 20, {"fried"})) from CIQUAL codes."""

    def make(component, *parts, vegetarian=None, name="plat"):
        ingredients = [
            Ingredient.from_food(foods[code], D(str(grams)), *(extra or ()))
            for code, grams, *extra in parts
        ]
        return DishComposition(name, component, ingredients, vegetarian=vegetarian)

    return make


def tags(dish_composition):
    return {decision.tag: decision for decision in classify(dish_composition)}


def synthetic(name, grams, subgroup, subsub=None, group="viandes, oeufs, poissons", **per_100):
    """A made-up food with real CIQUAL group names, to sit exactly on a threshold."""
    nutrients = {key: (None if value is None else D(str(value))) for key, value in per_100.items()}
    return Ingredient(
        name=name,
        grams=D(str(grams)),
        nutrients=nutrients,
        group_name=group,
        subgroup_name=subgroup,
        subsubgroup_name=subsub,
    )


CHEESE = dict(group="produits laitiers", subgroup="fromages et alternatives végétales")
DAIRY = dict(group="produits laitiers", subgroup="laits", subsub="laits de vaches liquides")
FISH = dict(subgroup="poissons cuits")
SAUCE = dict(group="aides culinaires et ingrédients divers", subgroup="sauces")
VEG = dict(group="fruits, légumes, légumineuses et oléagineux", subgroup="légumes")


# --- real foods ---------------------------------------------------------------------------------


def test_emmental_portion_is_cheese_over_150_mg(dish):
    decided = tags(dish("dairy", ("12115", 30)))  # Emmental, 978 mg Ca/100 g
    assert decided["cheese_ca_150"] == TagDecision(
        "cheese_ca_150", True, "calcium du fromage 293 mg/portion ≥ 150 mg"
    )
    assert decided["cheese_ca_100_150"].applies is False
    assert decided["dairy_ca100_fat5"].applies is False
    assert "lipides 8,6 g/portion ≥ 5 g" in decided["dairy_ca100_fat5"].reason


def test_comte_in_an_entree_counts_its_calcium(dish):
    decided = tags(dish("entree", ("12110", 30), ("20009", 70)))  # Comté + raw carrot
    assert decided["cheese_ca_150"].applies is True
    assert decided["cheese_ca_150"].reason == "calcium du fromage 272 mg/portion ≥ 150 mg"


def test_camembert_portion_lands_in_100_150_band(dish):
    decided = tags(dish("dairy", ("12001", 30)))  # Camembert, 439 mg/100 g -> 131.7 mg
    assert decided["cheese_ca_150"].applies is False
    assert decided["cheese_ca_100_150"].applies is True
    assert decided["cheese_ca_100_150"].reason.startswith("calcium du fromage 132 mg/portion")


def test_brie_de_melun_portion_is_under_100_mg(dish):
    decided = tags(dish("dairy", ("12022", 30)))  # 180 mg/100 g -> 54 mg
    assert decided["cheese_ca_150"].applies is False
    assert decided["cheese_ca_100_150"].applies is False
    assert "< 100 mg" in decided["cheese_ca_100_150"].reason


def test_cheese_with_unknown_calcium_is_undecided_and_says_which(dish):
    decided = tags(dish("dairy", ("12099", 30)))  # Emmental de Savoie: calcium "-"
    for tag in ("cheese_ca_150", "cheese_ca_100_150"):
        assert decided[tag].applies is None
        assert "« Emmental de Savoie ou emmenthal de Savoie »" in decided[tag].reason


def test_cod_fillet_dish_is_fish_70(dish):
    # cod 100 g + butter sauce 20 g: 83 % fish, protein 22.7 g vs fat 4.2 g
    decided = tags(dish("main", ("26023", 100), ("11158", 20)))
    fish = decided["fish_70"]
    assert fish.applies is True
    assert fish.reason == "poisson 83 % du poids ≥ 70 %, protéines 22,7 g ≥ 2 × lipides 4,2 g"
    assert decided["low_protein_prep"].applies is False
    assert decided["unground_red_meat"].applies is False
    assert decided["vegetarian"].applies is False
    assert decided["low_pl_ratio"].applies is False


def test_fatty_salmon_is_not_fish_70_because_of_the_protein_fat_ratio(dish):
    decided = tags(dish("main", ("26230", 100)))  # farmed salmon: P 22.1, L 13.5
    assert decided["fish_70"].applies is False
    assert "protéines 22,1 g < 2 × lipides 13,5 g" in decided["fish_70"].reason


def test_saucisson_and_pate_are_fatty_entrees(dish):
    saucisson = tags(dish("entree", ("30300", 40)))  # Saucisson sec, 33.1 g fat/100 g
    assert saucisson["fatty_entree"] == TagDecision(
        "fatty_entree", True, "lipides 33,1 g/100 g > 15 g"
    )
    pate = tags(dish("entree", ("8211", 50), ("20009", 10)))  # pâté de campagne + carrot
    assert pate["fatty_entree"].applies is True
    assert pate["fatty_entree"].reason == "lipides 23,5 g/100 g > 15 g"


def test_grated_carrot_entree_is_raw_vegetables_and_not_fatty(dish):
    decided = tags(dish("entree", ("20009", 100), ("11158", 10)))
    assert decided["raw_veg_fruit"].applies is True
    assert decided["raw_veg_fruit"].reason == "crudités (légumes/fruits crus) 91 % du poids ≥ 50 %"
    assert decided["fatty_entree"].applies is False


def test_raw_apple_is_a_raw_fruit_dessert_and_compote_is_not(dish):
    apple = tags(dish("dessert", ("13039", 120)))
    assert apple["raw_fruit_dessert"].applies is True
    assert apple["sweet_dessert"].applies is False
    compote = tags(dish("dessert", ("13038", 100)))  # compote de pomme, 22.6 g sugars
    assert compote["raw_fruit_dessert"].applies is False
    assert compote["sweet_dessert"].applies is True
    assert compote["sweet_dessert"].reason.startswith("sucres 22,6 g/portion > 20 g")


def test_fruit_salad_with_sugar_is_not_100_percent_fruit(dish):
    decided = tags(dish("dessert", ("13039", 100), ("31016", 5)))
    assert decided["raw_fruit_dessert"].applies is False
    assert "95 % du poids < 100 %" in decided["raw_fruit_dessert"].reason


def test_cooked_green_beans_and_rice_sides(dish):
    beans = tags(dish("side", ("20030", 150)))
    assert beans["cooked_veg"].applies is True and beans["starch_pulses"].applies is False
    assert beans["raw_veg_fruit"].applies is False
    rice = tags(dish("side", ("9104", 150)))
    assert rice["starch_pulses"].applies is True and rice["cooked_veg"].applies is False


def test_raw_flag_and_cooked_flag_override_ciqual_wording(dish):
    cooked = tags(dish("side", ("20061", 150, {"cooked"})))  # "Haricot vert, cru" cooked here
    assert cooked["cooked_veg"].applies is True
    assert cooked["raw_veg_fruit"].applies is False


def test_yoghurt_is_dairy_over_100_mg_calcium_under_5_g_fat(dish):
    decided = tags(dish("dairy", ("19575", 125)))  # yaourt aromatisé sucré
    assert decided["dairy_ca100_fat5"].applies is True
    assert decided["dairy_ca100_fat5"].reason == (
        "produits laitiers 100 % du poids ≥ 50 %, calcium 154 mg/portion > 100 mg, "
        "lipides 2,8 g/portion < 5 g"
    )
    assert decided["cheese_ca_150"].applies is False


def test_unground_beef_versus_minced_steak(dish):
    stew = tags(dish("main", ("6271", 100), ("20353", 40)))  # paleron braisé + carrots
    assert stew["unground_red_meat"].applies is True
    minced = tags(dish("main", ("6253", 100)))  # steak haché 10 % MG
    assert minced["unground_red_meat"].applies is False
    chicken = tags(dish("main", ("36018", 100)))
    assert chicken["unground_red_meat"].applies is False
    veal_liver = tags(dish("main", ("40107", 100)))  # foie de veau: butcher's offal
    assert veal_liver["unground_red_meat"].applies is True
    poultry_liver = tags(dish("main", ("40109", 100)))  # foie de volaille: not butcher's
    assert poultry_liver["unground_red_meat"].applies is False


def test_homemade_shepherds_pie_is_a_low_protein_preparation(dish):
    decided = tags(dish("main", ("6253", 60), ("4018", 140)))  # minced beef + mash
    assert decided["low_protein_prep"].applies is True
    assert decided["low_protein_prep"].reason == "viande/poisson/œuf 30 % du poids < 70 %"


def test_ready_made_composite_is_read_as_a_preparation(dish):
    """Issue 15: a hachis parmentier is a preparation under 70 % meat by nature, its meat
    ground; CIQUAL gives no share, the dietitian needs none."""
    decided = tags(dish("main", ("25009", 250)))  # Hachis parmentier préemballé (group 01)
    assert decided["low_protein_prep"].applies is True
    assert "préparation composée" in decided["low_protein_prep"].reason
    assert decided["unground_red_meat"].applies is False
    assert decided["fish_70"].applies is False  # whatever its fish share, P < 2 × L
    assert decided["vegetarian"].applies is False
    assert "« Hachis parmentier à la viande, préemballé »" in decided["vegetarian"].reason
    assert decided["low_pl_ratio"].applies is True  # P 5.99 < L 8.22 whatever it contains


def test_fried_and_pre_fried_products_count_whatever_their_cooked_fat(dish):
    """Issue 15: frites, nuggets, breaded fish, croquettes and pommes noisettes are what
    rule 13 limits, though CIQUAL gives some of them under 15 % fat as oven-cooked."""
    plaice = tags(dish("main", ("26002", 100)))  # plie panée frite, 16.8 % fat
    assert plaice["fried"].applies is True
    assert "100 % du plat ≥ 30 %, lipides 16,8 g/100 g" in plaice["fried"].reason
    assert plaice["low_protein_prep"].applies is True  # breaded: under 70 % fish
    assert plaice["fish_70"].applies is False
    for component, code in [
        ("side", "4046"),  # frites préfrites, 12.1 % fat
        ("main", "25512"),  # nuggets de volaille, 13.2 % fat
        ("main", "26030"),  # poisson pané
        ("side", "4049"),  # croquettes de pomme de terre
        ("side", "4035"),  # pommes noisettes
        ("main", "25089"),  # cordon bleu
    ]:
        assert tags(dish(component, (code, 120)))["fried"].applies is True, code
    chips = tags(dish("side", ("4046", 150)))
    assert chips["starch_pulses"].applies is True
    salad = tags(dish("side", ("20031", 100), ("4046", 20)))  # a few crisp chips on a salad
    assert salad["fried"].applies is False


def test_frying_oil_in_a_recipe_does_not_make_the_dish_fried(dish):
    decided = tags(dish("side", ("20030", 150), ("16128", 5)))
    assert decided["fried"].applies is False


def test_omelette_is_vegetarian_egg_based_and_fat_heavy(dish):
    decided = tags(dish("main", ("22500", 120)))  # omelette nature: P 13.8, L 15.3
    assert decided["vegetarian"].applies is True
    assert decided["veg_egg"].applies is True
    assert decided["veg_pulses_cereals"].applies is False
    assert decided["low_pl_ratio"].applies is True
    assert decided["low_pl_ratio"].reason.startswith("lipides 18,4 g ≥ protéines 16,6 g")


def test_lentil_rice_dish_is_vegetarian_pulses_cereals(dish):
    decided = tags(dish("main", ("20360", 150), ("9104", 100), ("11107", 50)))
    assert decided["vegetarian"].applies is True
    assert decided["veg_pulses_cereals"].applies is True
    for tag in ("veg_egg", "veg_cheese", "veg_processed"):
        assert decided[tag].applies is False
    assert "base légumineuses/céréales" in decided["veg_pulses_cereals"].reason


def test_tofu_dish_is_processed_plant_protein(dish):
    decided = tags(dish("main", ("20904", 100), ("9104", 100)))
    assert decided["veg_processed"].applies is True


def test_bolognese_sauce_makes_pasta_not_vegetarian(dish):
    decided = tags(dish("main", ("11114", 100), ("9104", 150), vegetarian=True))
    assert decided["vegetarian"].applies is False
    assert "pourtant déclaré végétarien" in decided["vegetarian"].reason


def test_composites_vegetarian_from_name_group_or_declaration(dish):
    # CIQUAL "autres plats végétariens": meat-free whatever the declaration says is missing
    assert tags(dish("main", ("25225", 100)))["vegetarian"].applies is True
    assert tags(dish("main", ("25188", 200)))["vegetarian"].applies is False  # fruits de mer
    assert tags(dish("main", ("25135", 250)))["vegetarian"].applies is False  # carbonara
    lasagna = tags(dish("main", ("25131", 250)))  # pasta and vegetables, no meat named
    assert lasagna["vegetarian"].applies is True
    assert lasagna["veg_pulses_cereals"].applies is True  # a pasta dish: cereal-based
    risotto = tags(dish("main", ("25189", 250), vegetarian=True))  # declared by the dietitian
    assert risotto["vegetarian"] == TagDecision(
        "vegetarian", True, "déclaré végétarien par la diététicienne"
    )
    assert risotto["veg_pulses_cereals"].applies is True
    assert tags(dish("main", ("25111", 250)))["vegetarian"].applies is False  # chili con carne
    quiche = tags(dish("entree", ("25405", 80)))
    assert quiche["raw_veg_fruit"].applies is False  # a tart holds no crudité
    assert tags(dish("entree", ("25600", 80)))["raw_veg_fruit"].applies is True  # rémoulade
    assert tags(dish("entree", ("25608", 80)))["raw_veg_fruit"].applies is False  # taboulé


def test_missing_protein_leaves_ratio_undecided(dish):
    # "Riz blanc, précuit, cuit": protein "-"; with saucisson, fat 15.2 g vs protein ≥ 9.7 g
    decided = tags(dish("main", ("9107", 150), ("30300", 40)))
    assert decided["low_pl_ratio"].applies is None
    assert "« Riz blanc, précuit, cuit, sans sel ajouté »" in decided["low_pl_ratio"].reason


def test_components_only_get_their_tags(dish):
    for component, expected in COMPONENT_TAGS.items():
        decided = classify(dish(component, ("13039", 100)))
        assert tuple(d.tag for d in decided) == expected


def test_categories_of_real_foods(foods):
    def category(code):
        return categorize(Ingredient.from_food(foods[code], D(10)))

    assert category("26023") is Category.FISH
    assert category("30300") is Category.MEAT  # saucisson: charcuterie
    assert category("22500") is Category.EGG
    assert category("12115") is Category.CHEESE
    assert category("19501") is Category.DAIRY  # fromage blanc is dairy, not cheese
    assert category("20009") is Category.VEGETABLE
    assert category("13039") is Category.FRUIT
    assert category("20360") is Category.PULSES
    assert category("9104") is Category.STARCH
    assert category("4018") is Category.STARCH
    assert category("20904") is Category.PLANT_PROTEIN
    assert category("25009") is Category.UNKNOWN
    assert category("11158") is Category.OTHER


# --- thresholds: exactly at, just below, just above ---------------------------------------------


@pytest.mark.parametrize(
    ("fat", "expected"), [("15", False), ("14.99", False), ("15.01", True), ("30", True)]
)
def test_fatty_entree_threshold(fat, expected):
    entree = DishComposition("e", "entree", [synthetic("x", 100, "poissons cuits", fat=fat)])
    assert tags(entree)["fatty_entree"].applies is expected


def test_fat_percent_is_on_the_whole_cooked_weight():
    # 30 g of fat in 200 g of dish = 15 %: not "gras"
    entree = DishComposition(
        "e",
        "entree",
        [synthetic("a", 100, **SAUCE, fat=30), synthetic("b", 100, **VEG, fat=0)],
    )
    assert tags(entree)["fatty_entree"].reason == "lipides 15,0 g/100 g ≤ 15 g"


@pytest.mark.parametrize(
    ("calcium", "over_150", "band_100_150"),
    [
        ("150", True, False),
        ("149.9", False, True),
        ("150.1", True, False),
        ("100", False, True),
        ("99.9", False, False),
        ("100.1", False, True),
    ],
)
def test_cheese_calcium_bounds(calcium, over_150, band_100_150):
    # 100 g portion so that the per-100 g value is the per-portion value
    dairy = DishComposition("d", "dairy", [synthetic("f", 100, **CHEESE, calcium=calcium)])
    decided = tags(dairy)
    assert decided["cheese_ca_150"].applies is over_150
    assert decided["cheese_ca_100_150"].applies is band_100_150


@pytest.mark.parametrize(
    ("calcium", "fat", "expected"),
    [
        ("100", "1", False),
        ("100.1", "1", True),
        ("99.9", "1", False),
        ("150", "5", False),
        ("150", "4.99", True),
        ("150", "5.01", False),
    ],
)
def test_dairy_calcium_and_fat_bounds(calcium, fat, expected):
    dairy = DishComposition("d", "dairy", [synthetic("y", 100, **DAIRY, calcium=calcium, fat=fat)])
    assert tags(dairy)["dairy_ca100_fat5"].applies is expected


@pytest.mark.parametrize(
    ("sugars", "fat", "expected"),
    [
        ("20", "1", False),
        ("20.01", "1", True),
        ("19.99", "1", False),
        ("25", "15", False),
        ("25", "14.99", True),
    ],
)
def test_sweet_dessert_bounds(sugars, fat, expected):
    dessert = DishComposition(
        "s", "dessert", [synthetic("g", 100, **SAUCE, sugars=sugars, fat=fat)]
    )
    assert tags(dessert)["sweet_dessert"].applies is expected


@pytest.mark.parametrize(
    ("fish_grams", "protein", "fat", "expected"),
    [
        ("70", "20", "10", True),  # 70 % fish, P = 2 × L exactly
        ("69.9", "20", "10", False),
        ("70.1", "20", "10", True),
        ("80", "20", "10.01", False),
        ("80", "20", "9.99", True),
    ],
)
def test_fish_share_and_protein_fat_bounds(fish_grams, protein, fat, expected):
    fish = synthetic(
        "poisson",
        fish_grams,
        **FISH,
        protein=D(protein) * 100 / D(fish_grams),
        fat=D(fat) * 100 / D(fish_grams),
    )
    sauce = synthetic("sauce", D(100) - D(fish_grams), **SAUCE, protein=0, fat=0)
    decided = tags(DishComposition("p", "main", [fish, sauce]))
    assert decided["fish_70"].applies is expected


@pytest.mark.parametrize(("meat_grams", "expected"), [("70", False), ("69.9", True), ("0", False)])
def test_low_protein_preparation_bound(meat_grams, expected):
    parts = [synthetic("sauce", D(100) - D(meat_grams), **SAUCE, protein=1, fat=1)]
    if D(meat_grams):
        parts.append(synthetic("boeuf", meat_grams, "viandes cuites", protein=20, fat=5))
    assert tags(DishComposition("p", "main", parts))["low_protein_prep"].applies is expected


@pytest.mark.parametrize(("fat", "expected"), [("10", True), ("9.99", False), ("10.01", True)])
def test_protein_fat_ratio_bound(fat, expected):
    main = DishComposition(
        "p", "main", [synthetic("x", 100, "viandes cuites", protein=10, fat=fat)]
    )
    assert tags(main)["low_pl_ratio"].applies is expected


@pytest.mark.parametrize(("raw_grams", "expected"), [("50", True), ("49.9", False), ("50.1", True)])
def test_raw_vegetable_share_bound(raw_grams, expected):
    entree = DishComposition(
        "c",
        "entree",
        [
            synthetic("carotte", raw_grams, **VEG, subsub="légumes crus"),
            synthetic("sauce", D(100) - D(raw_grams), **SAUCE),
        ],
    )
    assert tags(entree)["raw_veg_fruit"].applies is expected


@pytest.mark.parametrize(("fried_grams", "expected"), [("29.9", False), ("30", True)])
def test_fried_share_bound(fried_grams, expected):
    """Fried or pre-fried products count from 30 % of the dish weight."""
    fritter = Ingredient(
        name="beignet",
        grams=D(fried_grams),
        nutrients={"fat": D(15), "protein": D(10)},
        group_name="viandes, oeufs, poissons",
        subgroup_name="poissons cuits",
        flags=frozenset({"fried"}),
    )
    rest = synthetic("légumes", D(100) - D(fried_grams), **VEG)
    assert tags(DishComposition("f", "main", [fritter, rest]))["fried"].applies is expected


def test_missing_fat_decided_when_bounds_agree():
    # 2 g of an ingredient with unknown fat cannot push 10 % fat over 15 %
    entree = DishComposition(
        "e",
        "entree",
        [synthetic("a", 198, **VEG, fat="10.1"), synthetic("herbe", 2, **SAUCE, fat=None)],
    )
    decided = tags(entree)["fatty_entree"]
    assert decided.applies is False
    assert decided.reason.startswith("lipides entre 10,0 et 11,0 g/100 g ≤ 15 g")
    assert "« herbe »" in decided.reason
    # ... but 20 g of it could
    entree = DishComposition(
        "e",
        "entree",
        [synthetic("a", 180, **VEG, fat="10"), synthetic("herbe", 20, **SAUCE, fat=None)],
    )
    assert tags(entree)["fatty_entree"].applies is None


def test_bad_inputs_are_rejected():
    with pytest.raises(ValueError, match="unknown component"):
        DishComposition("x", "soup", [synthetic("a", 10, **VEG)])
    with pytest.raises(ValueError, match="at least one ingredient"):
        DishComposition("x", "main", [])
    with pytest.raises(ValueError, match="positive"):
        synthetic("a", 0, **VEG)
    with pytest.raises(ValueError, match="unknown flags"):
        Ingredient("a", D(10), flags=frozenset({"crispy"}))


# --- overrides ------------------------------------------------------------------------------------


def test_override_wins_and_both_are_kept(dish):
    decisions = classify(dish("dairy", ("12001", 30)))  # camembert: band 100-150
    override = TagOverride("cheese_ca_150", True, "Mme Diet", "portion réelle de 40 g")
    resolved = {r.tag: r for r in apply_overrides(decisions, [override])}
    changed = resolved["cheese_ca_150"]
    assert changed.applies is True and changed.source == "override"
    assert changed.computed.applies is False  # the computed decision is still there
    assert changed.override is override
    untouched = resolved["cheese_ca_100_150"]
    assert untouched.applies is True and untouched.source == "computed"
    assert applied_tags(resolved.values()) == {"cheese_ca_150", "cheese_ca_100_150"}


def test_override_can_add_a_tag_and_the_last_one_wins(dish):
    decisions = classify(dish("dessert", ("13039", 100)))
    overrides = [
        TagOverride("dairy_ca100_fat5", True, "A", "servi avec un fromage blanc"),
        TagOverride("fatty_dessert", True, "A", "premier avis"),
        TagOverride("fatty_dessert", False, "B", "avis corrigé"),
    ]
    resolved = {r.tag: r for r in apply_overrides(decisions, overrides)}
    assert resolved["fatty_dessert"].applies is False
    assert resolved["fatty_dessert"].override.author == "B"
    assert resolved["dairy_ca100_fat5"].applies is True


def test_override_of_unknown_tag_or_without_reason_is_refused():
    with pytest.raises(ValueError, match="unknown tag"):
        TagOverride("tasty", True, "A", "why")
    with pytest.raises(ValueError, match="author and reason"):
        TagOverride("fish_70", True, "A", "  ")


def test_undecided_tag_is_not_applied(dish):
    decisions = classify(dish("dairy", ("12099", 30)))
    assert "cheese_ca_150" not in applied_tags(decisions)
    resolved = apply_overrides(
        decisions, [TagOverride("cheese_ca_150", True, "A", "fiche technique du fromager")]
    )
    assert "cheese_ca_150" in applied_tags(resolved)
