"""The people most case tests act as."""

import pytest

from thuiszitters.roles import RoleCode


@pytest.fixture
def zc(user_with_role):
    """A school's zorgcoördinator (reports the absence)."""
    return user_with_role(RoleCode.ZORGCOORDINATOR)


@pytest.fixture
def lp(user_with_role):
    """A leerplicht officer of the bureau (works the case)."""
    return user_with_role(RoleCode.LEERPLICHT)
