"""Each of ma cantine's purchase test files gets ma cantine's verdict.

The files are ma cantine's own (``tests/purchases/data/macantine_tests/``, MIT, copied from
betagouv/ma-cantine ``api/tests/files/achats/`` and ``web/static/documents/``); the verdict and
the rows of each are the ones its test suite sets, named per file below:
``api/tests/test_purchases_import.py`` (current format, "new") and
``api/tests/test_purchases_import_old.py`` (one ``caracteristiques`` column, "old").

``strict=True`` is ma cantine's rules and nothing else; the default import adds tolerances that
cannot change a line's meaning, and the only files whose verdict they change are named in
``TOLERATED`` with the notice that says so.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation

from cantine.labels import Family, Label
from cantine.local import LocalScope
from cantine.models import Role
from purchases import importer, services
from purchases.models import MaCantineLink, Origin, Purchase
from tests.factories import CanteenFactory, MembershipFactory

FILES = Path(__file__).resolve().parent / "data" / "macantine_tests"
NEW = "api/tests/test_purchases_import.py"
OLD = "api/tests/test_purchases_import_old.py"

SIRET = (
    "21010034300016"  # upstream: CanteenFactory(siret="21010034300016", managers=[user], id=949)
)
MACANTINE_ID = 949
OTHER_SIRET = "36462492895701"  # upstream: CanteenFactory(siret="36462492895701"), not managed
EMPTY_COLUMNS_SIRET = "65449096241683"  # ..._with_empty_columns.xlsx
EXAMPLE_SIRET = "21390218200020"  # ma cantine's example file


@dataclass(frozen=True)
class Line:
    """What upstream asserts of one imported purchase (None: not asserted there)."""

    description: str
    price: Decimal | None = None
    day: date | None = None
    family: str | None = None
    labels: tuple | None = None
    origin: str | None = None
    short_chain: bool | None = None
    local: bool | None = None
    definition: str | None = None
    km: Decimal | None = None


P = Family.PRODUITS_LAITIERS
A = Family.AUTRES
# Upstream test_import_good_purchases (both formats): BIO + LOCAL + DEPARTEMENT, 90.11, 2022-05-02.
GOOD_LINES = [
    Line("Pommes, rouges, local", Decimal("90.11"), date(2022, 5, 2), P, (Label.BIO,),
         "", False, True, LocalScope.DEPARTEMENT, None),
    Line("Pommes, vertes 1", family=A, labels=()),
    Line("Pommes, vertes 2", family=P, labels=(Label.RUP,)),
    Line("Pommes, vertes 4", definition=""),
    Line("Pommes, vertes 5", definition=LocalScope.COMMUNE, local=True),
    Line("Pommes, vertes 6", definition=LocalScope.KM, km=None, local=True),
    Line("Pommes, vertes 7", definition=LocalScope.KM, km=Decimal(200), local=True),
]  # fmt: skip
# Upstream test_import_siret_separated_caracteristics / test_import_id_separated_caracteristics.
SPLIT_LINES = [
    Line("Pomme 1", Decimal("100.00"), family=A,
         labels=(Label.BIO, Label.COMMERCE_EQUITABLE), origin=Origin.FRANCE,
         short_chain=True, local=True, definition=LocalScope.REGION),
    Line("Pomme 2", Decimal("200.00"), family=A,
         labels=(Label.BIO, Label.COMMERCE_EQUITABLE), short_chain=False, definition=""),
]  # fmt: skip
ROUGES = [Line("Pommes, rouges", Decimal("90.11"))]


@dataclass(frozen=True)
class Verdict:
    file: str
    accepted: int | None  # lines imported, None when refused
    upstream: str  # the upstream test that sets it
    lines: tuple = ()


VERDICTS = [
    # Current format, SIRET.
    Verdict("purchases_good.csv", 8, f"{NEW}::PurchasesImportApiSuccessTest::test_import_good_purchases", tuple(GOOD_LINES)),
    Verdict("purchases_good.xlsx", 1, f"{NEW}::PurchasesImportApiSuccessTest::test_import_excel_file",
            (Line("Pommes, rouges, local", Decimal("90.11")),)),
    Verdict("purchases_good_with_empty_columns.xlsx", 2,
            f"{NEW}::PurchasesImportApiSuccessTest::test_import_good_purchases_with_empty_columns"),
    Verdict("purchases_good_separator_comma.csv", 1,
            f"{NEW}::PurchasesImportApiSuccessTest::test_import_comma_separated_numbers", tuple(ROUGES)),
    Verdict("purchases_good_separator_tab.tsv", 1, f"{NEW}::PurchasesImportApiSuccessTest::test_import_different_separators"),
    Verdict("purchases_good_separator_semicolon.csv", 1,
            f"{NEW}::PurchasesImportApiSuccessTest::test_import_different_separators"),
    Verdict("purchases_good_floating_number.csv", 1, f"{NEW}::PurchasesImportApiSuccessTest::test_round_cents",
            tuple(ROUGES)),
    Verdict("purchases_good_local_vs_circuit_court.csv", 2,
            f"{NEW}::PurchasesImportApiSuccessTest::test_import_local_and_circuit_court_independent",
            (Line("Only local", short_chain=False, local=True, definition=LocalScope.DEPARTEMENT),
             Line("Only circuit court", short_chain=True, local=False, definition=""))),
    Verdict("purchases_good_siret_caracteristics.csv", 2,
            f"{NEW}::PurchasesImportApiSuccessTest::test_import_siret_separated_caracteristics", tuple(SPLIT_LINES)),
    # Current format, ma cantine id.
    Verdict("purchases_good_id.csv", 1, f"{NEW}::PurchasesImportIdApiSuccessTest::test_import_with_canteen_id",
            tuple(ROUGES)),
    Verdict("purchases_good_id_caracteristics.csv", 2,
            f"{NEW}::PurchasesImportIdApiSuccessTest::test_import_id_separated_caracteristics", tuple(SPLIT_LINES)),
    # Current format, refused.
    Verdict("purchases_bad.csv", None, f"{NEW}::PurchasesImportApiErrorTest::test_validata_format_error"),
    Verdict("purchases_bad_corrupt.csv", None, f"{NEW}::PurchasesImportApiErrorTest::test_import_corrupt_purchases_file"),
    Verdict("purchases_bad_empty_rows.csv", None, f"{NEW}::PurchasesImportApiErrorTest::test_validata_empty_rows_error"),
    Verdict("purchases_bad_extra_columns.csv", None,
            f"{NEW}::PurchasesImportApiErrorTest::test_validata_header_error_with_extra_columns"),
    Verdict("purchases_bad_no_header.csv", None, f"{NEW}::PurchasesImportApiErrorTest::test_validata_header_error"),
    Verdict("purchases_bad_wrong_header.csv", None, f"{NEW}::PurchasesImportApiErrorTest::test_validata_header_error"),
    Verdict("purchases_bad_partial_header.csv", None, f"{NEW}::PurchasesImportApiErrorTest::test_validata_header_error"),
    Verdict("purchases_bad_wrong_header_typo.csv", None,
            f"{NEW}::PurchasesImportApiErrorTest::test_validata_header_error_return_columns_correct_and_incorrect_values"),
    Verdict("purchases_bad_one_error.csv", None, f"{NEW}::PurchasesImportApiErrorTest::test_when_errors_count_is_0"),
    # Old format, SIRET and id.
    Verdict("purchases_good_old.csv", 8, f"{OLD}::PurchasesImportOldApiSuccessTest::test_import_good_purchases",
            tuple(GOOD_LINES)),
    Verdict("purchases_good_old.xlsx", 1, f"{OLD}::PurchasesImportOldApiSuccessTest::test_import_excel_file",
            (Line("Pommes, rouges, local", Decimal("90.11")),)),
    Verdict("purchases_good_with_empty_columns_old.xlsx", 2,
            f"{OLD}::PurchasesImportOldApiSuccessTest::test_import_good_purchases_with_empty_columns"),
    Verdict("purchases_good_separator_comma_old.csv", 1,
            f"{OLD}::PurchasesImportOldApiSuccessTest::test_import_comma_separated_numbers", tuple(ROUGES)),
    Verdict("purchases_good_separator_tab_old.tsv", 1,
            f"{OLD}::PurchasesImportOldApiSuccessTest::test_import_different_separators"),
    Verdict("purchases_good_separator_semicolon_old.csv", 1,
            f"{OLD}::PurchasesImportOldApiSuccessTest::test_import_different_separators"),
    Verdict("purchases_good_floating_number_old.csv", 1, f"{OLD}::PurchasesImportOldApiSuccessTest::test_round_cents",
            tuple(ROUGES)),
    Verdict("purchases_good_id_old.csv", 1, f"{OLD}::PurchasesImportOldIdApiSuccessTest::test_import_with_canteen_id",
            (Line("Pommes, rouges", Decimal("90.11"), labels=(Label.BIO,), local=True,
                  definition=LocalScope.DEPARTEMENT),)),
    # Old format, refused.
    Verdict("purchases_bad_old.csv", None, f"{OLD}::PurchasesImportOldApiErrorTest::test_validata_format_error"),
    Verdict("purchases_bad_corrupt_old.csv", None,
            f"{OLD}::PurchasesImportOldApiErrorTest::test_import_corrupt_purchases_file"),
    Verdict("purchases_bad_empty_rows_old.csv", None,
            f"{OLD}::PurchasesImportOldApiErrorTest::test_validata_empty_rows_error"),
    Verdict("purchases_bad_extra_columns_old.csv", None,
            f"{OLD}::PurchasesImportOldApiErrorTest::test_validata_header_error_with_extra_columns"),
    Verdict("purchases_bad_no_header_old.csv", None, f"{OLD}::PurchasesImportOldApiErrorTest::test_validata_header_error"),
    Verdict("purchases_bad_wrong_header_old.csv", None,
            f"{OLD}::PurchasesImportOldApiErrorTest::test_validata_header_error"),
    Verdict("purchases_bad_partial_header_old.csv", None,
            f"{OLD}::PurchasesImportOldApiErrorTest::test_validata_header_error"),
    Verdict("purchases_bad_wrong_header_typo_old.csv", None,
            f"{OLD}::PurchasesImportOldApiErrorTest::test_validata_header_error_return_columns_correct_and_incorrect_values"),
    Verdict("purchases_bad_one_error_old.csv", None, f"{OLD}::PurchasesImportOldApiErrorTest::test_when_errors_count_is_0"),
    # ma cantine's published example files: no upstream test imports them. Its header check
    # (common/api/validata.py::process_header_errors) refuses the two 11-column ones (no
    # definition_local_km, added after they were made); its old import reads the old one.
    Verdict("achats_siret_ancien_format_fichier_exemple_ma_cantine.csv", 1,
            "none (old header = data/schemas/imports/achats_siret_old.json)",
            (Line("Pommes, rouges", Decimal("90.11"), labels=(Label.BIO,), local=True,
                  definition=LocalScope.DEPARTEMENT),)),
    Verdict("achats_siret_fichier_exemple_ma_cantine.xlsx", None,
            "none (11 columns < 12 in data/schemas/imports/achats_siret.json)"),
    Verdict("achats_id_fichier_exemple_ma_cantine.xlsx", None,
            "none (11 columns < 12 in data/schemas/imports/achats_id.json)"),
]  # fmt: skip

# What cantine's default import does differently, and the notice it shows for it.
TOLERATED = {
    "purchases_bad_empty_rows.csv": (2, "empty lines were skipped"),
    "purchases_bad_empty_rows_old.csv": (2, "empty lines were skipped"),
    "achats_siret_fichier_exemple_ma_cantine.xlsx": (6, "definition_local_km"),
    "achats_id_fichier_exemple_ma_cantine.xlsx": (2, "definition_local_km"),
}


def test_every_file_has_a_verdict():
    shipped = {p.name for p in FILES.iterdir() if p.suffix in {".csv", ".tsv", ".xlsx"}}
    assert shipped == {v.file for v in VERDICTS}


@pytest.fixture
def canteens(world):
    manager = world.users["manager"]
    managed = CanteenFactory(name="Cantine du test", siret=SIRET)
    MaCantineLink.objects.create(canteen=managed, macantine_id=MACANTINE_ID)
    for siret in (EMPTY_COLUMNS_SIRET, EXAMPLE_SIRET):
        MembershipFactory(user=manager, canteen=CanteenFactory(siret=siret), role=Role.MANAGER)
    MembershipFactory(user=manager, canteen=managed, role=Role.MANAGER)
    CanteenFactory(name="Cantine d'un autre", siret=OTHER_SIRET)
    manager._cantine_roles = None
    return manager


def _check_lines(expected):
    stored = {p.description: p for p in Purchase.objects.all()}
    for line in expected:
        p = stored[line.description]
        actual = {
            "price": p.price_ht,
            "day": p.date,
            "family": p.family,
            "labels": tuple(p.labels),
            "origin": p.origin,
            "short_chain": p.is_short_chain,
            "local": p.is_local,
            "definition": p.local_definition,
            "km": p.local_definition_km,
        }
        for name, value in actual.items():
            wanted = getattr(line, name)
            if wanted is not None or name == "km":
                assert value == wanted, (line.description, name)


@pytest.mark.parametrize("verdict", VERDICTS, ids=lambda v: f"{v.file}: {v.upstream}")
def test_ma_cantine_verdict_under_its_rules(canteens, verdict):
    outcome = services.import_purchases(
        actor=canteens,
        file_name=verdict.file,
        content=(FILES / verdict.file).read_bytes(),
        strict=True,
    )
    if verdict.accepted is None:
        assert not outcome.ok, f"ma cantine refuses {verdict.file} ({verdict.upstream})"
        assert Purchase.objects.count() == 0
        return
    assert outcome.ok, (verdict.upstream, outcome.result.errors)
    assert outcome.imported == Purchase.objects.count() == verdict.accepted
    _check_lines(verdict.lines)


@pytest.mark.parametrize("verdict", VERDICTS, ids=lambda v: v.file)
def test_default_import_differs_only_by_named_tolerances(canteens, verdict):
    with translation.override("en"):
        outcome = services.import_purchases(
            actor=canteens, file_name=verdict.file, content=(FILES / verdict.file).read_bytes()
        )
    if verdict.file in TOLERATED:
        count, notice = TOLERATED[verdict.file]
        assert outcome.ok, outcome.result.errors
        assert outcome.imported == count
        assert any(notice in n for n in outcome.result.notices), outcome.result.notices
    elif verdict.accepted is None:
        assert not outcome.ok
    else:
        assert outcome.ok, outcome.result.errors
        assert outcome.imported == verdict.accepted
        _check_lines(verdict.lines)


def test_bad_file_fails_where_ma_cantine_s_schema_check_does():
    """test_validata_format_error: 11 errors, on every line but "Non-existent canteen" and
    "Don't manage canteen" (found later, by the canteen lookup) and "Missing local definition"
    (accepted since ma cantine #6845)."""
    result = importer.parse(
        "purchases_bad.csv", (FILES / "purchases_bad.csv").read_bytes(), strict=True
    )
    assert result.error_lines() == [2, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15]
    assert len(result.errors) == 11
    assert [r.line for r in result.rows] == [3, 4, 14]


def test_bad_file_canteen_lookup_adds_the_two_canteen_lines(canteens):
    outcome = services.import_purchases(
        actor=canteens,
        file_name="purchases_bad.csv",
        content=(FILES / "purchases_bad.csv").read_bytes(),
        strict=True,
    )
    codes = {(e.line, e.code) for e in outcome.result.errors}
    assert {(3, "unknown_siret"), (4, "not_manager")} <= codes


@pytest.mark.parametrize(
    ("file", "errors"),
    [
        ("purchases_bad_no_header.csv", 12),
        ("purchases_bad_wrong_header.csv", 5),
        ("purchases_bad_partial_header.csv", 1),
        ("purchases_bad_wrong_header_typo.csv", 12),
        ("purchases_bad_extra_columns.csv", 1),
        ("purchases_bad_corrupt.csv", 1),
        ("purchases_bad_wrong_header_typo_old.csv", 8),
        ("purchases_bad_no_header_old.csv", 8),
        ("purchases_bad_wrong_header_old.csv", 5),
        ("purchases_bad_partial_header_old.csv", 1),
        ("purchases_bad_extra_columns_old.csv", 1),
    ],
)
def test_header_errors_are_counted_as_ma_cantine_counts_them(file, errors):
    """test_validata_header_error* upstream: the same number of header errors."""
    result = importer.parse(file, (FILES / file).read_bytes(), strict=True)
    assert len(result.errors) == errors
    assert {e.line for e in result.errors} == {1}


def test_extra_columns_are_counted():
    result = importer.parse(
        "x.csv", (FILES / "purchases_bad_extra_columns.csv").read_bytes(), strict=True
    )
    assert result.errors[0].code == "extra_columns"
    assert "4" in result.errors[0].message
