import pytest

from .foreign_world import foreign_objects


@pytest.fixture
def foreign(world):
    """Objects of region B that no user of region A may see (``foreign_world.py``)."""
    return foreign_objects(world)
