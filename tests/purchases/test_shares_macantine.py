"""Shares equal ma cantine's for 2024, 2025 and 2026, to the cent, with the same verdicts.

``macantine_stats`` below transcribes ma cantine's own computation (betagouv/ma-cantine,
``data/models/purchase.py``: ``PurchaseQuerySet.aggregated_stats`` and the per-year
``Purchase._complete_diag_data`` branches; ``data/models/diagnostic.py``:
``compute_pourcentage_bio`` / ``compute_pourcentage_egalim``, ``round(100 * x / total, 2)``;
``macantine/utils.py``: ``objectifs_egalim_atteints``) over ma cantine's representation of a
line, its ``caracteristiques`` list, as its import builds it. cantine computes the same figures
in SQL from its own columns (``purchases.selectors``, ``purchases.targets``); both must agree.
"""

from datetime import date
from decimal import Decimal as D

import pytest

from cantine.labels import Family, Label
from purchases import selectors, targets
from purchases.importer import CIRCUIT_COURT, LOCAL
from purchases.models import MaCantineLink, Origin, Purchase
from tests.purchases.factories import PurchaseFactory

# ma cantine's groups (Purchase.CHARACTERISTIC_LABELS_* upstream).
BIO = {Label.BIO}
SIQO = {Label.LABEL_ROUGE, Label.AOCAOP, Label.IGP, Label.STG}
AUTRES = {Label.HVE, Label.PECHE_DURABLE, Label.RUP, Label.FERMIER, Label.COMMERCE_EQUITABLE}
EXT = {Label.EXTERNALITES, Label.PERFORMANCE}
EGALIM = BIO | SIQO | AUTRES | EXT
CE = Label.COMMERCE_EQUITABLE

F = Family
# (price, family, labels, origin, short chain, local)
LINES = [
    (D("100.00"), F.FRUITS_ET_LEGUMES, [Label.BIO, CE], Origin.FRANCE, True, True),
    (D("50.00"), F.VIANDES_VOLAILLES, [Label.LABEL_ROUGE], Origin.FRANCE, False, False),
    (D("30.00"), F.VIANDES_VOLAILLES, [], Origin.EUROPE, False, False),
    (D("40.00"), F.PRODUITS_DE_LA_MER, [Label.PECHE_DURABLE], "", False, False),
    (D("20.00"), F.PRODUITS_DE_LA_MER, [], "", False, False),
    (D("25.00"), F.AUTRES, [Label.HVE, CE], "", False, True),
    (D("15.00"), F.AUTRES, [CE, Label.IGP], "", True, False),
    (D("10.00"), F.BOISSONS, [Label.EXTERNALITES], "", False, False),
    (D("60.00"), F.PRODUITS_LAITIERS, [], Origin.FRANCE, False, False),
    (D("9.99"), F.CHARCUTERIE, [Label.BIO], "", False, False),
]


def caracteristiques(labels, origin, short_chain, local):
    """api/views/purchase_import.py::_get_caracteristiques: labels, origin, CC, LOCAL."""
    return [*labels, *([origin] if origin else []), *([CIRCUIT_COURT] if short_chain else []),
            *([LOCAL] if local else [])]  # fmt: skip


def macantine_stats(lines, year):
    """ma cantine's figures for one year's lines (see the module docstring)."""
    rows = [(price, family, set(caracteristiques(*rest))) for price, family, *rest in lines]

    def total(keep):
        return sum((price for price, family, c in rows if keep(family, c)), D(0))

    stats = {
        "valeur_totale": total(lambda f, c: True),
        "valeur_bio": total(lambda f, c: c & BIO),
        "valeur_bio_dont_commerce_equitable": total(lambda f, c: c & BIO and CE in c),
        "valeur_siqo": total(lambda f, c: not c & BIO and c & SIQO),
        "valeur_egalim_autres": total(lambda f, c: not c & (BIO | SIQO) and c & AUTRES),
        "valeur_egalim_autres_dont_commerce_equitable": total(
            lambda f, c: not c & (BIO | SIQO) and c & AUTRES and CE in c
        ),
        "valeur_externalites_performance": total(
            lambda f, c: not c & (BIO | SIQO | AUTRES) and c & EXT
        ),
        "valeur_viandes_volailles": total(lambda f, c: f == F.VIANDES_VOLAILLES),
        "valeur_viandes_volailles_egalim": total(
            lambda f, c: f == F.VIANDES_VOLAILLES and c & EGALIM
        ),
        "valeur_viandes_volailles_france": total(
            lambda f, c: f == F.VIANDES_VOLAILLES and Origin.FRANCE in c
        ),
        "valeur_produits_de_la_mer": total(lambda f, c: f == F.PRODUITS_DE_LA_MER),
        "valeur_produits_de_la_mer_egalim": total(
            lambda f, c: f == F.PRODUITS_DE_LA_MER and c & EGALIM
        ),
    }
    # _complete_diag_data: France by family, summed (before 2025 / 2025 / after).
    france = {Origin.FRANCE, CIRCUIT_COURT, LOCAL} if year == 2025 else {Origin.FRANCE}
    stats["valeur_france"] = total(lambda f, c: c & france)
    stats["valeur_europe"] = total(lambda f, c: Origin.EUROPE in c) if year >= 2026 else None
    egalim = sum(stats[k] for k in ("valeur_bio", "valeur_siqo", "valeur_egalim_autres",
                                    "valeur_externalites_performance"))  # fmt: skip
    stats["pourcentage_bio"] = round(100 * stats["valeur_bio"] / stats["valeur_totale"], 2)
    stats["pourcentage_egalim"] = round(100 * egalim / stats["valeur_totale"], 2)
    stats["objectifs_egalim_atteints"] = (
        stats["pourcentage_bio"] >= 20 and stats["pourcentage_egalim"] >= 50
    )
    return stats


def ours(shares: selectors.Shares) -> dict:
    return {
        "valeur_totale": shares.total,
        "valeur_bio": shares.bio,
        "valeur_bio_dont_commerce_equitable": shares.bio_fair_trade,
        "valeur_siqo": shares.siqo,
        "valeur_egalim_autres": shares.other_egalim,
        "valeur_egalim_autres_dont_commerce_equitable": shares.other_fair_trade,
        "valeur_externalites_performance": shares.externalities,
        "valeur_viandes_volailles": shares.meat_total,
        "valeur_viandes_volailles_egalim": shares.meat_egalim,
        "valeur_viandes_volailles_france": shares.meat_france,
        "valeur_produits_de_la_mer": shares.fish_total,
        "valeur_produits_de_la_mer_egalim": shares.fish_egalim,
        "valeur_france": shares.france_counted,
        "valeur_europe": shares.europe if shares.campaign.europe_reported else None,
        "pourcentage_bio": shares.bio_pct,
        "pourcentage_egalim": shares.egalim_pct,
        "objectifs_egalim_atteints": bool(
            targets.met(shares.bio_pct, targets.HEXAGONE.bio)
            and targets.met(shares.egalim_pct, targets.HEXAGONE.egalim)
        ),
    }


@pytest.fixture
def ledger(world):
    for year in (2024, 2025, 2026):
        for price, family, labels, origin, short_chain, local in LINES:
            PurchaseFactory(canteen=world.kitchen, date=date(year, 6, 1), price_ht=price,
                            family=family, labels=labels, origin=origin,
                            is_short_chain=short_chain, is_local=local)  # fmt: skip
    return world.kitchen


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_shares_equal_ma_cantine_s_aggregated_stats(ledger, year):
    lines = selectors.ledger([ledger.pk], selectors.LedgerFilter(year=year))
    assert ours(selectors.shares(lines, year)) == macantine_stats(LINES, year)


def test_the_figures_by_hand():
    """The oracle itself, against sums done by hand."""
    stats = {y: macantine_stats(LINES, y) for y in (2024, 2025, 2026)}
    assert stats[2024]["valeur_totale"] == D("359.99")
    assert stats[2024]["valeur_bio"] == D("109.99")
    assert stats[2024]["valeur_bio_dont_commerce_equitable"] == D("100.00")
    assert stats[2024]["valeur_siqo"] == D("65.00")  # label rouge 50 + IGP 15 (over CE)
    assert stats[2024]["valeur_egalim_autres"] == D("65.00")
    assert stats[2024]["valeur_egalim_autres_dont_commerce_equitable"] == D("25.00")
    assert stats[2024]["valeur_externalites_performance"] == D("10.00")
    assert (stats[2024]["pourcentage_bio"], stats[2024]["pourcentage_egalim"]) == (
        D("30.55"),
        D("69.44"),
    )
    assert stats[2024]["valeur_france"] == stats[2026]["valeur_france"] == D("210.00")
    assert stats[2025]["valeur_france"] == D("250.00")  # + local 25 + short chain 15
    assert (stats[2025]["valeur_europe"], stats[2026]["valeur_europe"]) == (None, D("30.00"))


@pytest.mark.parametrize(
    ("bio", "egalim", "met"),
    [
        (D("199.50"), D("600"), False),  # 19.95 %: not 20 % (it read "met" at 0.1 %)
        (D("199.95"), D("600"), True),  # 19.995 %: round(..., 2) on Decimal is 20.00
        (D("199.94"), D("600"), False),  # 19.994 %
        (D("200.00"), D("499.94"), False),  # 49.994 % EGalim
        (D("200.00"), D("499.95"), True),  # 49.995 %: 50.00
    ],
)
def test_target_verdicts_at_the_threshold(world, bio, egalim, met):
    lines = [(bio, F.AUTRES, [Label.BIO], "", False, False),
             (egalim - bio, F.AUTRES, [Label.HVE], "", False, False),
             (D(1000) - egalim, F.AUTRES, [], "", False, False)]  # fmt: skip
    for price, family, labels, *_ in lines:
        PurchaseFactory(canteen=world.kitchen, date=date(2025, 3, 1), price_ht=price,
                        family=family, labels=labels)  # fmt: skip
    shares = selectors.shares(Purchase.objects.filter(canteen=world.kitchen), 2025)
    expected = macantine_stats(lines, 2025)["objectifs_egalim_atteints"]
    assert ours(shares)["objectifs_egalim_atteints"] is expected is met


def test_meat_and_fish_target_has_its_start_year_and_the_state_rule(world):
    region = world.kitchen.commune.department.region
    assert targets.target_for(world.kitchen, 2023).meat_fish is None
    assert targets.target_for(world.kitchen, 2024).meat_fish == D(60)
    MaCantineLink.objects.create(canteen=world.kitchen, macantine_id=1, state_restaurant=True)
    world.kitchen.refresh_from_db()
    assert targets.target_for(world.kitchen, 2025).meat_fish == D(100)
    assert targets.target_for(world.kitchen, 2023).meat_fish is None
    assert region.zone == "metro"


@pytest.mark.parametrize(
    ("region", "zone", "bio", "egalim"),
    [("01", "drom", 5, 20), ("02", "drom", 5, 20), ("03", "drom", 5, 20), ("04", "drom", 5, 20),
     ("978", "com", 5, 20), ("06", "drom", 2, 5), ("975", "com", 10, 30), ("52", "metro", 20, 50),
     ("94", "metro", 20, 50)],
)  # fmt: skip
def test_every_territory_s_targets(region, zone, bio, egalim):
    target = targets.target_for_region(region, zone, 2026)
    assert (target.bio, target.egalim) == (D(bio), D(egalim))
    assert (target.meat_fish is None) == (zone != "metro")


@pytest.mark.parametrize("region", ["977", "984", "986", "987", "988", "989"])
def test_pacific_and_southern_collectivities_have_no_target(region):
    assert targets.target_for_region(region, "com", 2026) is None


def test_campaign_rules_are_one_row_per_year():
    assert targets.campaign(2025).france == targets.FRANCE_2025
    assert targets.campaign(2024).france == targets.campaign(2026).france == targets.FRANCE_ORIGIN
    assert targets.campaign(2030) == targets.CAMPAIGNS[max(targets.CAMPAIGNS)]
    assert not targets.campaign(2025).europe_reported and targets.campaign(2026).europe_reported
