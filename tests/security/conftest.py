"""Fixtures of the security tests: the world of ``tests.security.world``."""

import pytest

from tests.security.world import build_world


@pytest.fixture
def sworld(db):
    return build_world()
