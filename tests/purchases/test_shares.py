"""Share formulas on hand-computed ledgers, and targets by territory."""

import itertools
from datetime import date
from decimal import Decimal as D

import pytest

from cantine.labels import Label, egalim_group
from purchases.egalim import egalim_group_expression
from purchases.models import Family, Origin, Purchase
from purchases.selectors import LedgerFilter, group_of, ledger, shares, shares_by
from purchases.targets import HEXAGONE, target_for, target_for_region
from tests.factories import CanteenFactory, CommuneFactory, DepartmentFactory, RegionFactory
from tests.purchases.factories import PurchaseFactory

MEAT, FISH = Family.VIANDES_VOLAILLES, Family.PRODUITS_DE_LA_MER
VEG = Family.FRUITS_ET_LEGUMES


@pytest.fixture
def ledger_2025(world):
    """Seven 2025 lines for the kitchen group (1,000 €), plus lines that must not count.

    line  canteen    family  labels                     €    group   local short France
    1     kitchen    meat    BIO, LABEL_ROUGE           100  bio
    2     kitchen    meat    LABEL_ROUGE, HVE           200  SIQO
    3     kitchen    fish    PECHE_DURABLE               50  other
    4     kitchen    fish    —                          150  none
    5     satellite  veg     HVE, EXTERNALITES          300  other   yes   yes   yes
    6     satellite  veg     PERFORMANCE                100  ext.                yes
    7     kitchen    other   —                          100  none    yes
    """
    k, s = world.kitchen, world.satellite
    rows = [
        (k, date(2025, 1, 10), MEAT, ["BIO", "LABEL_ROUGE"], "100", {}),
        (k, date(2025, 1, 20), MEAT, ["LABEL_ROUGE", "HVE"], "200", {"supplier": "Boucherie"}),
        (k, date(2025, 3, 5), FISH, ["PECHE_DURABLE"], "50", {}),
        (k, date(2025, 3, 6), FISH, [], "150", {}),
        (
            s,
            date(2025, 7, 1),
            VEG,
            ["HVE", "EXTERNALITES"],
            "300",
            {"is_local": True, "is_short_chain": True, "origin": Origin.FRANCE},
        ),
        (s, date(2025, 9, 1), VEG, ["PERFORMANCE"], "100", {"origin": Origin.FRANCE}),
        (k, date(2025, 9, 2), Family.AUTRES, [], "100", {"is_local": True}),
    ]
    for canteen, day, family, labels, price, extra in rows:
        PurchaseFactory(
            canteen=canteen, date=day, family=family, labels=labels, price_ht=D(price), **extra
        )
    # Not counted: another year, another canteen.
    PurchaseFactory(canteen=k, date=date(2024, 12, 31), labels=["BIO"], price_ht=D("1000"))
    PurchaseFactory(canteen=world.other_canteen, date=date(2025, 5, 1), labels=["BIO"])
    return world


def year_lines(world, canteen=None):
    return ledger(group_of(canteen or world.kitchen), LedgerFilter(year=2025))


def test_each_line_counts_once_in_its_highest_group(ledger_2025):
    figures = shares(year_lines(ledger_2025))
    assert figures.lines == 7
    assert figures.total == D("1000")
    assert (figures.bio, figures.siqo, figures.other_egalim, figures.externalities) == (
        D("100"),
        D("200"),
        D("350"),
        D("100"),
    )
    assert figures.egalim == D("750")
    assert (figures.bio_pct, figures.egalim_pct) == (D("10.0"), D("75.0"))


def test_meat_and_fish_share_is_of_meat_and_fish_only(ledger_2025):
    figures = shares(year_lines(ledger_2025))
    assert (figures.meat_fish_total, figures.meat_fish_egalim) == (D("500"), D("350"))
    assert figures.meat_fish_pct == D("70.0")


def test_local_short_chain_and_france_are_apart_from_egalim(ledger_2025):
    figures = shares(year_lines(ledger_2025))
    assert (figures.local, figures.local_pct) == (D("400"), D("40.0"))
    assert (figures.short_chain, figures.short_chain_pct) == (D("300"), D("30.0"))
    assert (figures.france, figures.france_pct) == (D("400"), D("40.0"))


def test_a_satellite_alone_and_the_kitchen_group_by_canteen(ledger_2025):
    world = ledger_2025
    satellite = shares(year_lines(world, world.satellite))
    assert (satellite.total, satellite.egalim, satellite.bio_pct) == (D("400"), D("400"), D("0"))
    rows = {row.name: row.shares for row in shares_by(year_lines(world), "canteen")}
    assert {name: s.total for name, s in rows.items()} == {
        "Cuisine centrale": D("600"),
        "École satellite": D("400"),
    }
    assert rows["Cuisine centrale"].egalim == D("350")


def test_by_quarter_month_family_supplier(ledger_2025):
    lines = year_lines(ledger_2025)
    by_quarter = {row.key: row.shares for row in shares_by(lines, "quarter")}
    # A quarter or a month with nothing bought between two that have purchases is a row of
    # its own (a table of the year never skips August), with no share to show.
    assert {q: s.total for q, s in by_quarter.items()} == {1: D("500"), 2: 0, 3: D("500")}
    assert by_quarter[1].egalim == D("350") and by_quarter[2].bio_pct is None
    by_month = {row.key: row.shares.total for row in shares_by(lines, "month")}
    assert by_month == {1: D("300"), 3: D("200"), 7: D("300"), 9: D("200")} | {
        month: 0 for month in (2, 4, 5, 6, 8)
    }
    by_family = {row.key: row.shares for row in shares_by(lines, "family")}
    assert by_family[MEAT].bio_pct == D("33.33")  # two decimals, as ma cantine
    assert by_family[VEG].egalim_pct == D("100.0")
    suppliers = shares_by(lines, "supplier")
    assert [(r.name, r.shares.total) for r in suppliers] == [
        ("Grossiste", D("800")),
        ("Boucherie", D("200")),
    ]
    by_year = {
        row.key: row.shares.total
        for row in shares_by(ledger(group_of(ledger_2025.kitchen)), "year")
    }
    assert by_year == {2024: D("1000"), 2025: D("1000")}


@pytest.mark.parametrize(
    ("group", "expected"),
    [("bio", 1), ("siqo", 1), ("other", 2), ("externalities", 1), ("egalim", 5), ("none", 2)],
)
def test_drill_down_filters_match_the_figures(ledger_2025, group, expected):
    lines = ledger(group_of(ledger_2025.kitchen), LedgerFilter(year=2025, group=group))
    assert lines.count() == expected


def test_drill_down_by_flag(ledger_2025):
    kitchen = group_of(ledger_2025.kitchen)
    meat_fish_egalim = ledger(kitchen, LedgerFilter(year=2025, group="egalim", flag="meat_fish"))
    assert sorted(p.price_ht for p in meat_fish_egalim) == [D("50"), D("100"), D("200")]
    assert ledger(kitchen, LedgerFilter(year=2025, flag="local")).count() == 2


def test_empty_ledger_has_no_percentages(world):
    figures = shares(year_lines(world))
    assert (figures.total, figures.bio_pct, figures.meat_fish_pct) == (D("0"), None, None)


def test_database_group_matches_the_python_rule_for_every_label_combination(world):
    """The SQL CASE (stored and as an expression) agrees with cantine.labels, 0 to 3 labels."""
    codes = list(Label.values)
    combos = [list(c) for n in range(4) for c in itertools.combinations(codes, n)]
    Purchase.objects.bulk_create(
        [
            Purchase(
                canteen=world.kitchen,
                date=date(2025, 1, 1),
                description=",".join(combo),
                family=Family.AUTRES,
                labels=combo,
                price_ht=D("1"),
                source="manual",
            )
            for combo in combos
        ]
    )
    stored = dict(Purchase.objects.values_list("description", "egalim_group"))
    got = dict(
        Purchase.objects.annotate(group=egalim_group_expression()).values_list(
            "description", "group"
        )
    )
    assert got == stored
    assert len(got) == len(combos) == 299
    for combo in combos:
        assert got[",".join(combo)] == egalim_group(combo), combo


def _canteen_in(region_code, zone, department_code):
    region = RegionFactory(code=region_code, name=f"Région {region_code}", zone=zone)
    department = DepartmentFactory(code=department_code, name="D", region=region)
    commune = CommuneFactory(code=f"{department_code}01"[:5], name="C", department=department)
    return CanteenFactory(commune=commune)


@pytest.mark.parametrize(
    ("region", "zone", "department", "bio", "egalim", "meat_fish"),
    [
        ("52", "metro", "49", 20, 50, 60),
        ("94", "metro", "2A", 20, 50, 60),
        ("01", "drom", "971", 5, 20, None),
        ("02", "drom", "972", 5, 20, None),
        ("03", "drom", "973", 5, 20, None),
        ("04", "drom", "974", 5, 20, None),
        ("978", "com", "978", 5, 20, None),
        ("06", "drom", "976", 2, 5, None),
        ("975", "com", "975", 10, 30, None),
    ],
)
def test_targets_by_territory(db, region, zone, department, bio, egalim, meat_fish):
    target = target_for(_canteen_in(region, zone, department))
    assert (target.bio, target.egalim, target.meat_fish) == (bio, egalim, meat_fish)


def test_no_target_where_egalim_sets_none(db):
    assert target_for_region("987", "com") is None
    assert target_for_region("84") is HEXAGONE


def test_the_stored_group_follows_a_change_of_labels(world):
    line = PurchaseFactory(canteen=world.kitchen, labels=["HVE"])
    line.refresh_from_db()
    assert line.egalim_group == 2
    Purchase.objects.filter(pk=line.pk).update(labels=["HVE", "BIO"])
    line.refresh_from_db()
    assert line.egalim_group == 4
