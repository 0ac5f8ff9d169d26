"""The demo region seeded once for a test module (the demo builds through the services, which
takes seconds), at the tests' clock, inside a transaction rolled back after the module."""

from contextlib import contextmanager

import pytest
import time_machine
from django.db import transaction

from thuiszitters.demo import demo_region_seed


@contextmanager
def demo_seeded_once(django_db_blocker, **kwargs):
    from tests.conftest import CLOCK_START

    with django_db_blocker.unblock(), transaction.atomic():
        with time_machine.travel(CLOCK_START, tick=False):
            demo_region_seed(**kwargs)
        yield
        transaction.set_rollback(True)


def demo_fixture(**kwargs):
    """A module's ``seeded`` fixture: each test runs in its own savepoint within the seed, on
    the day the seed was made (the tests' ``CLOCK_START``)."""

    @pytest.fixture(scope="module")
    def seeded_module(django_db_setup, django_db_blocker):
        with demo_seeded_once(django_db_blocker, **kwargs):
            yield

    @pytest.fixture
    def seeded(seeded_module, db, frozen_clock):
        return None

    return seeded_module, seeded
