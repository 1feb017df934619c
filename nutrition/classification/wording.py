"""The French wording of the reasons: decimal comma, bounds described, missing data named."""

from __future__ import annotations

from decimal import Decimal

from .bounds import Bound

# --- French wording ---------------------------------------------------------------------------


def fmt(value: Decimal, places: int = 1, near: Decimal | None = None) -> str:
    """French decimal comma; more places when rounding would hide the gap to a threshold."""
    for digits in range(places, places + 4):
        text = f"{value:.{digits}f}"
        if near is None or value == near or Decimal(text) != near:
            break
    if "." in text:
        text = text.rstrip("0").rstrip(".") if digits > places else text
    return text.replace(".", ",")


def _describe(label: str, bound: Bound, unit: str, places: int, near: Decimal) -> str:
    lo = fmt(bound.lo, places, near)
    if bound.exact:
        return f"{label} {lo} {unit}"
    if bound.hi is None:
        return f"{label} ≥ {lo} {unit}"
    return f"{label} entre {lo} et {fmt(bound.hi, places, near)} {unit}"


def _missing_note(what: str, *bounds: Bound) -> str:
    names = sorted({name for bound in bounds for name in bound.missing})
    if not names:
        return ""
    listed = ", ".join(f"« {name} »" for name in names)
    return f" ({what} : {listed})"


def _symbol(result: bool | None, yes: str, no: str) -> str:
    return "?" if result is None else (yes if result else no)


def _compare(
    result: bool | None,
    label: str,
    bound: Bound,
    unit: str,
    symbols: tuple[str, str],
    threshold: Decimal,
    places: int = 1,
) -> str:
    described = _describe(label, bound, unit, places, threshold)
    limit_unit = unit.split("/")[0] if unit != "%" else "%"
    limit = f"{fmt(threshold, 0)} {limit_unit}"
    return f"{described} {_symbol(result, *symbols)} {limit}"
