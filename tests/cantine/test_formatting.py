"""One formatting layer (issue 18): quantities, money, shares and dates in the active locale,
never an exponent, and CSV numbers a program reads back to the same value."""

from datetime import date
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cantine import formatting
from cantine.formatting import csv_number, day, money, parse_localised, percent, quantity

NBSP = "\u00a0"

# Decimals of every exponent, as a normalised Decimal or a database value would come.
decimals = st.builds(
    lambda sign, digits, exponent: Decimal((sign, tuple(int(d) for d in str(digits)), exponent)),
    st.integers(0, 1),
    st.integers(0, 10**30),
    st.integers(-40, 60),
)
SPECIAL = [Decimal("5E+1"), Decimal("1E-7"), Decimal("1E+300"), Decimal("-2.5E+4"), Decimal("0E-9")]


def expected(value: Decimal, places: int) -> Decimal:
    return formatting.rounded(value, places)


@pytest.mark.parametrize("language", ["fr", "en"])
@settings(max_examples=300, deadline=None)
@given(value=decimals)
@example(value=Decimal("5E+1"))
@example(value=Decimal("1E-7"))
@example(value=Decimal("1E+300"))
@example(value=Decimal("-9.9995"))
def test_a_number_never_has_an_exponent_and_reads_back_to_its_value(language, value):
    with translation.override(language):
        shown = formatting.number(value)
        assert "e" not in shown.lower()
        assert parse_localised(shown) == expected(value, 3)
        written = quantity(value, "kg")
        assert "e" not in written.lower().replace("kg", "")
        assert written.endswith(f"{NBSP}kg")
        amount = money(value)
        assert "e" not in amount.lower()
        assert parse_localised(amount.replace("€", "").strip(NBSP)) == expected(value, 2)
        share = percent(value)
        assert parse_localised(share.replace("%", "").strip(NBSP)) == expected(value, 1)


@settings(max_examples=300, deadline=None)
@given(value=decimals)
def test_a_csv_number_is_plain_digits_that_read_back_exactly(value):
    text = csv_number(value)
    assert "e" not in text.lower() and "," not in text and " " not in text
    assert Decimal(text) == value
    cents = csv_number(value, 2, decimal=",")
    assert Decimal(cents.replace(",", ".")) == expected(value, 2)


@pytest.mark.parametrize("value", SPECIAL)
def test_the_cases_of_the_issue(value):
    assert "e" not in formatting.number(value).lower()
    assert "e" not in csv_number(value).lower()


def test_french_writes_like_django_s_french_locale():
    with translation.override("fr"):
        assert quantity(Decimal("5E+1"), "kg") == f"50{NBSP}kg"
        assert quantity(Decimal("1234.5000"), "L") == f"1{NBSP}234,5{NBSP}L"
        assert quantity(Decimal("0.1234"), "kg") == f"0,123{NBSP}kg"
        assert quantity(1, "piece") == f"1{NBSP}pièce"
        assert quantity(Decimal("3"), "piece") == f"3{NBSP}pièces"
        assert money(Decimal("6794.43")) == f"6{NBSP}794,43{NBSP}€"
        assert money(Decimal("-20.8")) == f"-20,80{NBSP}€"
        assert money(Decimal("33722.81"), 0) == f"33{NBSP}723{NBSP}€"
        assert percent(Decimal("12.5")) == f"12,5{NBSP}%"
        assert formatting.price(Decimal("1.235")) == f"1,235{NBSP}€"
        assert formatting.price(Decimal("1.200")) == f"1,20{NBSP}€"
        assert day(date(2026, 12, 4)) == "vendredi 4 décembre 2026"
        assert day(date(2026, 12, 4), "short") == "04/12/2026"
        assert day(date(2026, 12, 4), "D j M") == "ven 4 déc"


def test_english_writes_like_django_s_english_locale():
    with translation.override("en"):
        assert quantity(Decimal("1234.5"), "piece") == f"1,234.5{NBSP}pieces"
        assert money(Decimal("6794.43")) == "€6,794.43"
        assert money(Decimal("-20.8")) == "-€20.80"
        assert percent(Decimal("12.5")) == "12.5%"
        assert day(date(2026, 12, 4)) == "Friday 4 December 2026"


def test_unknown_values():
    assert quantity(None, "kg") == money(None) == percent(None) == formatting.NONE
    assert csv_number(None) == "" and day(None) == ""
    assert quantity(Decimal(2), "crate") == f"2{NBSP}crate"  # an unknown unit shows as it is
    for bad in ("abc", float("nan"), Decimal("Infinity"), True):
        with pytest.raises(ValueError):
            formatting.number(bad)
    with pytest.raises(ValueError):
        csv_number(1, decimal=";")


def test_csv_numbers():
    assert csv_number(Decimal("5E+1")) == "50"
    assert csv_number(Decimal("1E-7")) == "0.0000001"
    assert csv_number(Decimal("33722.8100000000")) == "33722.81"
    assert csv_number(Decimal("12.5"), 2) == "12.50"
    assert csv_number(Decimal("1.2"), decimal=",") == "1,2"


def test_the_template_filters_write_the_same():
    template = Template(
        "{% load cantine_words %}{{ q|quantity:'piece' }}|{{ a|money }}|{{ p|percent }}|"
        "{{ d|day:'long' }}|{{ bad|money }}|{{ u|price }}"
    )
    context = Context(
        {
            "q": Decimal("2E+3"),
            "a": Decimal("1234.5"),
            "p": 50,
            "d": date(2026, 12, 4),
            "bad": "x",
            "u": Decimal("1.235"),
        }
    )
    with translation.override("fr"):
        assert template.render(context) == (
            f"2{NBSP}000{NBSP}pièces|1{NBSP}234,50{NBSP}€|50,0{NBSP}%|vendredi 4 décembre 2026|x|1,235{NBSP}€"
        )
