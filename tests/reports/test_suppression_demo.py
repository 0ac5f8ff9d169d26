"""The reader of ``attacker.py`` against the demo region and a larger seeded region: for
every SWV, municipality and the region, the running quarter and the one before (frozen as
the daily task freezes it), no hidden figure can be worked out, and every marker is true."""

import pytest
from django.utils import timezone

from reports.periods import Quarter
from reports.scopes import SCOPE_ORGANISATION_KINDS, scope_of_organisation
from tests.factories.demo import demo_fixture
from thuiszitters.models import Organisation

from .test_suppression import assert_markers_true, assert_unrecoverable, publish


def _every_scope():
    organisations = Organisation.objects.filter(kind__in=list(SCOPE_ORGANISATION_KINDS))
    return [scope_of_organisation(o) for o in organisations.order_by("kind", "pk")]


def _check_region() -> int:
    today = timezone.localdate()
    quarter = Quarter.of(today)
    hidden = 0
    scopes = _every_scope()
    assert len(scopes) >= 3
    for scope in scopes:
        previous_raw, previous = publish(scope, quarter.previous(), today)
        assert_markers_true(previous_raw, previous)
        raw, out = publish(scope, quarter, today)
        assert_markers_true(raw, out)
        hidden += assert_unrecoverable(raw, out, previous_raw, previous)
        hidden += assert_unrecoverable(previous_raw, previous)
    return hidden


seeded_module, seeded = demo_fixture()


@pytest.mark.django_db
def test_no_hidden_figure_of_the_demo_region_can_be_worked_out(seeded):
    assert _check_region() > 0  # the demo does hide figures
