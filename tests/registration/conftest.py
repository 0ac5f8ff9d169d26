import pytest

from thuiszitters.roles import RoleCode


@pytest.fixture
def zc(world, user_with_role):
    """A zorgcoördinator of ``world.school``."""
    return user_with_role(RoleCode.ZORGCOORDINATOR)


@pytest.fixture
def zc_client(zc, login):
    return login(zc)
