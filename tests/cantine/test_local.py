"""Each buyer's definition of local decides which producers count as local."""

import pytest
from django.utils import translation

from cantine.local import LocalDefinition, LocalScope, Place, distance_km


@pytest.fixture(autouse=True)
def french():
    """The labels read in the active language: French here, whatever an earlier test left."""
    with translation.override("fr"):
        yield


ANGERS = Place("49007", "49", "52", 47.4784, -0.5632)
AVRILLE = Place("49015", "49", "52", 47.5069, -0.5886)  # ~4 km north, same department
NANTES = Place("44109", "44", "52", 47.2184, -1.5536)  # ~80 km west, same region
CHOLET_FAR = Place("26362", "26", "84", 44.93, 4.89)  # Valence, another region
NO_COORDS = Place("49099", "49", "52")


def test_distance_between_angers_and_nantes_is_about_80_km():
    assert distance_km(ANGERS, NANTES) == pytest.approx(80.0, abs=0.5)


@pytest.mark.parametrize(
    ("scope", "place", "expected"),
    [
        (LocalScope.COMMUNE, ANGERS, True),
        (LocalScope.COMMUNE, AVRILLE, False),
        (LocalScope.DEPARTEMENT, AVRILLE, True),
        (LocalScope.DEPARTEMENT, NANTES, False),
        (LocalScope.REGION, NANTES, True),
        (LocalScope.REGION, CHOLET_FAR, False),
    ],
)
def test_administrative_scopes(scope, place, expected):
    assert LocalDefinition(scope, ANGERS).is_local(place) is expected


def test_radius_includes_the_edge_and_excludes_beyond():
    assert LocalDefinition(LocalScope.KM, ANGERS, radius_km=81).is_local(NANTES)
    assert not LocalDefinition(LocalScope.KM, ANGERS, radius_km=79).is_local(NANTES)


def test_radius_never_counts_a_place_without_coordinates():
    assert not LocalDefinition(LocalScope.KM, ANGERS, radius_km=500).is_local(NO_COORDS)


def test_territory_is_its_list_of_communes():
    pat = LocalDefinition(
        LocalScope.PAT, ANGERS, territory_name="PAT Loire Angers", territory_communes={"49015"}
    )
    assert pat.is_local(AVRILLE)
    assert not pat.is_local(ANGERS)
    assert pat.label == "territoire du PAT Loire Angers"


def test_labels_state_the_definition_in_french():
    assert LocalDefinition(LocalScope.KM, ANGERS, radius_km=50).label == "moins de 50 km"
    assert (
        LocalDefinition(LocalScope.DEPARTEMENT, ANGERS, centre_label="Maine-et-Loire (49)").label
        == "même département (Maine-et-Loire (49))"
    )
