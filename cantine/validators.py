"""Validators for French identifiers."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

LA_POSTE_SIREN = "356000000"


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def siret_is_valid(value: str) -> bool:
    """A SIRET is 14 digits with a Luhn checksum.

    La Poste has more sites than the Luhn key allows for one SIREN, so its SIRETs may instead
    have a digit sum divisible by 5.
    """
    if len(value) != 14 or not value.isdigit():
        return False
    if value.startswith(LA_POSTE_SIREN) and sum(int(c) for c in value) % 5 == 0:
        return True
    return luhn_valid(value)


def validate_siret(value: str) -> None:
    if not siret_is_valid(value):
        raise ValidationError(
            _("%(value)s is not a valid SIRET (14 digits with a valid checksum)."),
            params={"value": value},
            code="invalid_siret",
        )


def with_luhn_check_digit(prefix: str) -> str:
    """Append the digit that makes ``prefix`` Luhn-valid (used to invent demo SIRETs)."""
    for digit in "0123456789":
        if luhn_valid(prefix + digit):
            return prefix + digit
    raise AssertionError("unreachable: one digit always completes a Luhn number")
