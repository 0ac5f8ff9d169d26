"""Query budgets: the pupil list, the pupil page, the report history and the case page run
the same number of queries for 1 and for 25 rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Case
from cases.services import absence_report_submit
from thuiszitters.roles import RoleCode

from ..factories.registration import GuardianFactory, enrolled_pupil, report_input

# Session, user, memberships, the data and its prefetches, consent, signals, audit, slack;
# the case page also lists the colleagues who may be added as participants.
BUDGET = 21


@pytest.fixture
def zc(world, user_with_role):
    return user_with_role(RoleCode.ZORGCOORDINATOR)


def _report(zc, world, pupil, **overrides):
    return absence_report_submit(
        actor=zc,
        reporting_organisation=world.school,
        data=report_input(pupil, **overrides),
        channel="form",
    )


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx)


def _grow_pupils(zc, world, n):
    for _ in range(n):
        # No BSN: the factory's BSN sequence can repeat a number within 25 pupils.
        pupil = enrolled_pupil(world.school, bsn=None, given_names="Anna")
        GuardianFactory(pupil=pupil)
        _report(zc, world, pupil, hours_missed_last_4_weeks=12)


def _assert_same(url, small, large):
    assert small == large, f"{url}: {small} queries for 1 row, {large} for 25"
    assert large <= BUDGET, f"{url}: {large} queries"


@pytest.mark.parametrize("name", ["registration:pupil_list", "registration:report_list"])
def test_lists_do_not_grow_with_rows(world, zc, login, name):
    url = reverse(name)
    _grow_pupils(zc, world, 1)
    small = _count(login(zc), url)
    _grow_pupils(zc, world, 24)
    large = _count(login(zc), url)
    _assert_same(url, small, large)


def test_search_on_the_pupil_list_does_not_grow_with_rows(world, zc, login):
    url = reverse("registration:pupil_list") + "?q=anna"
    _grow_pupils(zc, world, 1)
    small = _count(login(zc), url)
    _grow_pupils(zc, world, 24)
    large = _count(login(zc), url)
    _assert_same(url, small, large)


def _grow_reports(zc, world, pupil, n):
    for _ in range(n):
        _report(zc, world, pupil, kind="sickness")
        GuardianFactory(pupil=pupil)


@pytest.mark.parametrize("page", ["pupil", "case"])
def test_pupil_and_case_pages_do_not_grow_with_reports(world, zc, login, page):
    pupil = enrolled_pupil(world.school)
    _grow_reports(zc, world, pupil, 1)
    case = Case.objects.get(pupil=pupil)
    if page == "pupil":
        url = reverse("registration:pupil_detail", args=[pupil.pk])
    else:
        url = reverse("cases:case_detail", args=[case.pk])
    small = _count(login(zc), url)
    _grow_reports(zc, world, pupil, 24)
    large = _count(login(zc), url)
    _assert_same(url, small, large)
