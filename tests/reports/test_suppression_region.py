"""The reader of ``attacker.py`` against a seeded region of 1,500 pupils (another seed than
the demo): see ``test_suppression_demo``."""

import pytest

from tests.factories.demo import demo_fixture

from .test_suppression_demo import _check_region

seeded_module, seeded = demo_fixture(seed=7, pupils=1500)


@pytest.mark.django_db
def test_no_hidden_figure_of_a_seeded_region_can_be_worked_out(seeded):
    assert _check_region() > 0
