"""Money as the orders show it: amounts rounded to the cent, quantities without trailing zeros."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def plain(value: Decimal) -> str:
    """A decimal without trailing zeros nor exponent: 10.000 -> "10", 2.500 -> "2.5"."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def cents(value: Decimal) -> Decimal:
    """Rounded to the cent, half up."""
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
