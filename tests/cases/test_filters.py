"""``cases.filters``: the case list page and ``/api/v1/cases/`` give the same cases for the
same filter, under the page's names (``status``, ``lead``, the ``overdue`` box) and the
API's (``open``, ``lead_organisation``, ``overdue=true``)."""

import pytest

from cases.services import case_close, case_lead_change
from thuiszitters.roles import RoleCode

from ..thuiszitters.test_filters import api_ids
from .test_lists import CASE_LIST, case_rows, open_case, overdue_action

pytestmark = pytest.mark.usefixtures("frozen_clock")

API = "/api/v1/cases/"


@pytest.fixture
def cases(world, user_with_role, today):
    zc1 = user_with_role(RoleCode.ZORGCOORDINATOR)
    zc2 = user_with_role(RoleCode.ZORGCOORDINATOR, world.school2)
    young = open_case(zc1, world.school, days=10)
    old = open_case(zc2, world.school2, days=50, kind="suspension")
    closed = open_case(zc1, world.school, days=30, kind="suspension")
    case_close(case=closed, reason="moved_away", actor=zc1)
    overdue_action(young, zc1)
    case_lead_change(case=old, organisation=world.swv, actor=zc2, reason="Regie naar het SWV")
    return {"young": young.pk, "old": old.pk, "closed": closed.pk}


@pytest.fixture
def swv_client(user_with_role, login):
    return login(user_with_role(RoleCode.SWV_CONSULTANT))


@pytest.mark.parametrize(
    ("page", "api", "expected"),
    [
        ({}, {"open": "true"}, {"young", "old"}),
        ({"status": "closed"}, {"open": "false"}, {"closed"}),
        ({"status": "all"}, {}, {"young", "old", "closed"}),
        ({"status": "all", "kind": "suspension"}, {"kind": "suspension"}, {"old", "closed"}),
        ({"status": "all", "weeks_min": 4}, {"weeks_min": 4}, {"old", "closed"}),
        ({"status": "all", "weeks_min": 7}, {"weeks_min": 7}, {"old"}),
        ({"status": "all", "phase": "closed"}, {"phase": "closed"}, {"closed"}),
        ({"overdue": "on"}, {"open": "true", "overdue": "true"}, {"young"}),
    ],
)
def test_page_and_api_give_the_same_cases(swv_client, cases, page, api, expected):
    want = {cases[name] for name in expected}
    assert case_rows(swv_client.get(CASE_LIST, page)) == want
    assert api_ids(swv_client.get(API, api)) == want


def test_page_and_api_agree_on_school_and_lead(world, swv_client, cases):
    school = {"status": "all", "school": world.school2.pk}
    assert case_rows(swv_client.get(CASE_LIST, school)) == {cases["old"]}
    assert api_ids(swv_client.get(API, school)) == {cases["old"]}
    assert case_rows(swv_client.get(CASE_LIST, {"lead": world.swv.pk})) == {cases["old"]}
    lead = {"open": "true", "lead_organisation": world.swv.pk}
    assert api_ids(swv_client.get(API, lead)) == {cases["old"]}


def test_an_invalid_filter_is_an_error_on_page_and_api(swv_client, cases):
    page = swv_client.get(CASE_LIST, {"weeks_min": "veel"})
    assert "weeks_min" in page.context["form"].errors and case_rows(page) == set()
    api = swv_client.get(API, {"weeks_min": "veel"})
    assert api.status_code == 400 and "weeks_min" in api.json()["fields"]
