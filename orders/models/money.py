"""Money as the orders count it: amounts rounded to the cent (``cantine.formatting`` writes
them for people and files)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def cents(value: Decimal) -> Decimal:
    """Rounded to the cent, half up."""
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
