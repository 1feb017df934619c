import pytest
from django.core.exceptions import ValidationError

from cantine.validators import siret_is_valid, validate_siret, with_luhn_check_digit


@pytest.mark.parametrize(
    "siret",
    [
        "73282932000074",  # a real, published SIRET (Apple France)
        "35600000000048",  # La Poste's head office: Luhn
        "35600000000047",  # a La Poste site: digit sum divisible by 5, not Luhn
    ],
)
def test_real_sirets_are_valid(siret):
    assert siret_is_valid(siret)


@pytest.mark.parametrize(
    "siret", ["73282932000075", "7328293200007", "7328293200007A", "", "356000000000481"]
)
def test_bad_sirets_are_rejected_with_a_clear_message(siret):
    with pytest.raises(ValidationError) as error:
        validate_siret(siret)
    assert error.value.code == "invalid_siret"
    assert "SIRET" in error.value.messages[0]


def test_check_digit_completes_a_valid_number():
    assert siret_is_valid(with_luhn_check_digit("9210000000001"))
