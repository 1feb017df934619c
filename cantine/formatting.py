"""How a number, an amount, a share or a date is written, in the active language: one layer for
every page (the ``cantine_words`` filters), PDF and CSV export.

For people (pages, PDFs): Django's own format of the active locale
(``django.utils.formats``: decimal comma and a no-break space between thousands in French,
decimal point and a comma between thousands in English), never an exponent, whatever the
value (a normalised ``Decimal("5E+1")`` is "50"):

- ``quantity(Decimal("1234.5"), "kg")`` → "1 234,5 kg"; up to three decimals, trailing zeros
  trimmed, the unit under its translated name ("kg", "L", "pièce(s)");
- ``money(Decimal("6794.43"))`` → "6 794,43 €" ("€6,794.43" in English);
- ``percent(Decimal("12.5"))`` → "12,5 %" ("12.5%" in English);
- ``day(date(2026, 12, 4))`` → "vendredi 4 décembre 2026" ("short": "04/12/2026").

For files a program reads (CSV): :func:`csv_number`, no thousands separator, no exponent, a
point (or the comma French spreadsheets expect, when an export says so) before the decimals.

Pure formatting: it reads the shared vocabulary for unit names and nothing from the models.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

from django.utils.formats import date_format, get_format, number_format
from django.utils.translation import get_language, gettext, pgettext

from cantine import vocabulary

NONE = "—"  # what a person reads for a value not known (yet)


def to_decimal(value) -> Decimal:
    """``value`` (int, float, Decimal or numeric text) as a finite Decimal; ValueError else."""
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    try:
        number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ValueError(f"not a number: {value!r}") from None
    if not number.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return number


def rounded(value, places: int) -> Decimal:
    """``value`` rounded half up to ``places`` decimals, however large it is (no -0)."""
    number = to_decimal(value)
    exponent = Decimal(1).scaleb(-places)
    # Enough digits for the integer part and the decimals: quantize never overflows.
    with localcontext() as context:
        context.prec = max(28, number.adjusted() + places + 3)
        number = number.quantize(exponent, rounding=ROUND_HALF_UP)
    return abs(number) if number == 0 else number


def plain(value: Decimal, *, trim: bool = True) -> str:
    """A decimal as digits with a point, no exponent: 5E+1 → "50", 2.500 → "2.5"."""
    text = format(value, "f")
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _localised(text: str) -> str:
    """Plain digits ("-1234.5") in the active locale's way, with thousands grouped."""
    # A string goes through Django's grouping as it is: no float, no exponent on the way.
    return str(number_format(text, use_l10n=True, force_grouping=True))


def number(value, places: int = 3, *, trim: bool = True) -> str:
    """A number for people: up to ``places`` decimals (all of them when ``trim`` is False)."""
    if value is None or value == "":
        return NONE
    return _localised(plain(rounded(value, places), trim=trim))


def unit_name(value, unit) -> str:
    """The unit as written after ``value``: "kg", "L", "pièce" or "pièces" (more than one)."""
    try:
        counted = vocabulary.UNIT_COUNTED[vocabulary.Unit(unit)]
    except ValueError:
        return str(unit or "")
    try:
        many = abs(to_decimal(value)) > 1
    except ValueError:
        many = True
    return gettext(counted[1] if many else counted[0])


def quantity(value, unit=None, places: int = 3) -> str:
    """A quantity and its unit: "1 234,5 kg", "3 pièces", "0,25 L"."""
    if value is None or value == "":
        return NONE
    shown = number(value, places)
    name = unit_name(value, unit) if unit else ""
    return f"{shown}\u00a0{name}" if name else shown


def money(value, places: int = 2) -> str:
    """An amount in euros: "6 794,43 €" in French, "€6,794.43" in English."""
    if value is None or value == "":
        return NONE
    amount = rounded(value, places)
    shown = _localised(plain(amount.copy_abs(), trim=False))
    sign = "-" if amount < 0 else ""
    # Translators: an amount in euros; French writes "1 234,50 €" (a no-break space before €).
    return sign + pgettext("money", "€%(amount)s") % {"amount": shown}


def price(value) -> str:
    """A unit price: in cents, or to the tenth of a cent when it has one ("1,235 €")."""
    if value is None or value == "":
        return NONE
    return money(value, 3 if rounded(value, 3) != rounded(value, 2) else 2)


def percent(value, places: int = 1, *, trim: bool = False) -> str:
    """A share: "12,5 %" in French (a no-break space before %), "12.5%" in English; with
    ``trim``, no trailing zero ("50 %" for a target)."""
    if value is None or value == "":
        return NONE
    shown = _localised(plain(rounded(value, places), trim=trim))
    # Translators: a percentage; French writes "12,5 %" (a no-break space before %).
    return pgettext("percent", "%(value)s%%") % {"value": shown}


DAY_FORMATS = {
    "long": "l j F Y",  # vendredi 4 décembre 2026 · Friday 4 December 2026
    "weekday": "l j F",  # vendredi 4 décembre
    "short": "SHORT_DATE_FORMAT",  # 04/12/2026 · 12/04/2026
}


def day(value, fmt: str = "long") -> str:
    """A date in the active language: "long", "weekday", "short" or a Django date format.
    French writes day and month names without a capital ("ven. 4 déc." never "ven 4 Déc")."""
    if value in (None, ""):
        return ""
    if not isinstance(value, datetime.date):
        raise ValueError(f"not a date: {value!r}")
    text = date_format(value, DAY_FORMATS.get(fmt, fmt))
    return text.lower() if (get_language() or "").startswith("fr") else text


def csv_number(value, places: int | None = None, *, decimal: str = ".") -> str:
    """A number for a program: "1234.5" (or "1234,5" with ``decimal=","``), no thousands
    separator, no exponent; exactly ``places`` decimals, or as many as it has (trimmed) when
    ``places`` is None; empty for None."""
    if value is None or value == "":
        return ""
    if decimal not in (".", ","):
        raise ValueError(f"a CSV decimal separator is '.' or ',', not {decimal!r}")
    if places is None:
        text = plain(rounded(value, max(0, -to_decimal(value).as_tuple().exponent)))
    else:
        text = plain(rounded(value, places), trim=False)
    return text.replace(".", decimal)


def parse_localised(text: str) -> Decimal:
    """The number a person reads in ``text`` from :func:`number` (tests and round trips)."""
    grouping = str(get_format("THOUSAND_SEPARATOR"))
    separator = str(get_format("DECIMAL_SEPARATOR"))
    digits = text.replace(grouping, "").replace("\u00a0", "").replace("\u202f", "")
    return Decimal(digits.replace(separator, "."))
