"""Finding a case (issue 17): the case list's search ``q`` and the search in the header.

Both search within the user's scope (``cases_visible_to``, ``pupils_visible_to``) by the
pupil's name, the case number, a BSN (by POST only) or a date of birth; the header's search
is audited with a keyed hash of what was typed.
"""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.services import absence_report_submit, case_close
from thuiszitters.audit import audit_hash, audit_hash_matches
from thuiszitters.models import AuditLogEntry
from thuiszitters.roles import RoleCode

from ..factories.registration import enrolled_pupil, report_input
from ..factories.users import member
from ..registration.test_bsn_not_in_url import assert_no_bsn_in_urls
from .test_lists import case_rows

pytestmark = pytest.mark.usefixtures("frozen_clock")

CASE_LIST = reverse("caselists:case_list")
SEARCH = reverse("search:search")
TIM_BSN = "111222333"
FAR_BSN = "123456782"


def open_case(school, *, given_names, surname, bsn=None, days=20):
    """A case opened by a report of ``school`` (shared with the SWV and leerplicht)."""
    reporter = member(school, RoleCode.ZORGCOORDINATOR)
    pupil = enrolled_pupil(school, given_names=given_names, surname=surname, bsn=bsn)
    started = timezone.localdate() - datetime.timedelta(days=days)
    return absence_report_submit(
        actor=reporter,
        reporting_organisation=school,
        data=report_input(pupil, absence_started_on=started),
        channel="form",
    ).case


@pytest.fixture
def tim(world):
    return open_case(world.school, given_names="Tim Johannes", surname="Smit", bsn=TIM_BSN)


@pytest.fixture
def other(world):
    return open_case(world.school, given_names="Sara", surname="Bakker")


@pytest.fixture
def far_tim(world):
    """Region B's Tim Smit: the same name, never found from region A."""
    return open_case(world.far_school, given_names="Tim", surname="Smit", bsn=FAR_BSN)


@pytest.fixture
def lp_client(user_with_role, login):
    return login(user_with_role(RoleCode.LEERPLICHT))


# --- the case list ------------------------------------------------------------------------


@pytest.mark.parametrize("q", ["smi", "SMIT", "tim smit", "Tim Johannes Smit", "johannes"])
def test_the_case_list_finds_by_partial_name(lp_client, tim, other, far_tim, q):
    response = lp_client.get(CASE_LIST, {"q": q})
    assert response.status_code == 200
    assert case_rows(response) == {tim.pk}


def test_the_case_list_finds_by_case_number(lp_client, tim, other, far_tim):
    for q in (str(tim.pk), f"Casus {tim.pk}", f"#{tim.pk}"):
        assert case_rows(lp_client.get(CASE_LIST, {"q": q})) == {tim.pk}, q
    # Region B's case number finds nothing: the scope comes first.
    assert case_rows(lp_client.get(CASE_LIST, {"q": str(far_tim.pk)})) == set()


def test_the_search_works_with_the_filters_and_keeps_them_in_the_links(
    world, lp_client, tim, other
):
    assert case_rows(lp_client.get(CASE_LIST, {"q": "smit", "status": "closed"})) == set()
    case_close(case=tim, reason="moved_away", actor=member(world.bureau, RoleCode.LEERPLICHT))
    response = lp_client.get(CASE_LIST, {"q": "smit", "status": "closed"})
    assert case_rows(response) == {tim.pk}
    assert "q=smit" in response.context["query"]
    assert "q=smit" in response.context["sort_links"]["pupil"]["query"]
    assert case_rows(lp_client.get(CASE_LIST, {"q": "smit"})) == set()  # open only: default


def test_a_posted_name_goes_back_to_the_bookmarkable_get(lp_client, tim):
    response = lp_client.post(CASE_LIST, {"q": "Smit", "status": "all", "sort": "pupil"})
    assert response.status_code == 302
    assert response["Location"] == f"{CASE_LIST}?q=Smit&status=all&sort=pupil"


@pytest.mark.parametrize("q", [TIM_BSN, "111 222 333", "111.222.333"])
def test_a_bsn_is_answered_in_place_when_posted_and_refused_in_a_url(lp_client, tim, other, q):
    found = lp_client.post(CASE_LIST, {"q": q, "status": "open"})
    assert found.status_code == 200
    assert case_rows(found) == {tim.pk}
    assert_no_bsn_in_urls(found, TIM_BSN)
    assert TIM_BSN not in found.context["query"]
    refused = lp_client.get(CASE_LIST, {"q": q})
    assert refused.status_code == 400
    assert case_rows(refused) == set()
    assert_no_bsn_in_urls(refused, TIM_BSN)


def test_the_bsn_of_another_regions_pupil_finds_nothing(lp_client, tim, far_tim):
    response = lp_client.post(CASE_LIST, {"q": FAR_BSN})
    assert response.status_code == 200
    assert case_rows(response) == set()


def test_the_case_list_search_is_scoped_by_role(world, user_with_role, login, tim):
    """A school sees its own cases only: School A2's coordinator does not find Tim."""
    school2 = login(user_with_role(RoleCode.ZORGCOORDINATOR, world.school2))
    assert case_rows(school2.get(CASE_LIST, {"q": "smit"})) == set()
    own = login(user_with_role(RoleCode.ZORGCOORDINATOR, world.school))
    assert case_rows(own.get(CASE_LIST, {"q": "smit"})) == {tim.pk}


# --- the header's search ------------------------------------------------------------------


def _main(response) -> str:
    """The page's content, without the header (where the user's own name stands)."""
    return response.content.decode().split('id="inhoud"')[1]


def _found(response) -> tuple[set[int], set[int]]:
    return {c.pk for c in response.context["cases"]}, {p.pk for p in response.context["pupils"]}


def test_every_page_has_the_search_in_its_header(lp_client):
    body = lp_client.get(reverse("home")).content.decode()
    assert f'action="{SEARCH}" role="search"' in body
    assert '<label for="header-search" class="app-visually-hidden">Zoeken</label>' in body


def test_the_header_finds_cases_and_pupils_by_name(lp_client, tim, other, far_tim):
    response = lp_client.post(SEARCH, {"q": "tim smi"})
    assert response.status_code == 200
    assert _found(response) == ({tim.pk}, {tim.pupil_id})
    body = _main(response)
    assert reverse("cases:case_detail", args=[tim.pk]) in body
    assert reverse("registration:pupil_detail", args=[tim.pupil_id]) in body
    assert reverse("cases:case_detail", args=[far_tim.pk]) not in body
    assert "Bakker" not in body


def test_the_header_finds_a_case_by_its_number_only_in_scope(lp_client, tim, far_tim):
    assert _found(lp_client.post(SEARCH, {"q": f"casus {tim.pk}"})) == ({tim.pk}, set())
    response = lp_client.post(SEARCH, {"q": f"Casus {far_tim.pk}"})
    assert _found(response) == (set(), set())
    assert "Smit" not in _main(response)


def test_the_header_finds_by_bsn_in_the_post_and_never_puts_it_in_a_url(lp_client, tim, far_tim):
    response = lp_client.post(SEARCH, {"q": "111 222 333"})
    assert response.status_code == 200  # answered here: no redirect carrying the BSN
    assert _found(response) == ({tim.pk}, {tim.pupil_id})
    assert_no_bsn_in_urls(response, TIM_BSN)
    assert _found(lp_client.post(SEARCH, {"q": FAR_BSN})) == (set(), set())


def test_the_header_search_takes_no_get(lp_client, tim):
    response = lp_client.get(SEARCH, {"q": "Smit"})
    assert response.status_code == 405
    assert b"Smit" not in response.content


def test_every_header_search_is_audited_without_what_was_typed(lp_client, tim):
    before = AuditLogEntry.objects.count()
    lp_client.post(SEARCH, {"q": "111.222.333"})
    lp_client.post(SEARCH, {"q": "Niemand"})
    rows = list(AuditLogEntry.objects.order_by("pk")[before:])
    searches = [r for r in rows if r.changes.get("search") == "header"]
    assert [(r.object_type, r.changes["by"], r.changes["ids"]) for r in searches] == [
        ("cases.case", "bsn", [str(tim.pk)]),
        ("registration.pupil", "bsn", [str(tim.pupil_id)]),
        ("cases.case", "name_or_date", []),
        ("registration.pupil", "name_or_date", []),
    ]
    assert audit_hash_matches(TIM_BSN, searches[0].changes["term"])
    assert searches[2].changes["term"] == audit_hash("Niemand")
    for row in rows:
        logged = json.dumps(row.changes) + row.reason
        assert TIM_BSN not in logged and "Niemand" not in logged and "Smit" not in logged


@pytest.mark.parametrize(
    "role",
    [RoleCode.POLICY, RoleCode.SWV_DIRECTOR, RoleCode.FUNCTIONAL_ADMIN, RoleCode.CARE_PARTNER],
)
def test_roles_without_sight_find_nothing_and_get_no_error(user_with_role, login, role, tim):
    client = login(user_with_role(role))
    for q in ("Smit", TIM_BSN, str(tim.pk)):
        response = client.post(SEARCH, {"q": q})
        assert response.status_code == 200
        assert _found(response) == (set(), set())
        assert "Johannes" not in _main(response)  # (Smit is echoed as what was typed)


def test_an_empty_search_shows_the_hint_and_audits_nothing(lp_client, tim):
    before = AuditLogEntry.objects.count()
    response = lp_client.post(SEARCH, {"q": "   "})
    assert response.status_code == 200
    assert _found(response) == (set(), set())
    assert AuditLogEntry.objects.count() == before


# --- query budgets --------------------------------------------------------------------------


def _queries(send) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = send()
    assert response.status_code == 200
    return len(ctx)


def test_the_header_search_costs_the_same_for_1_and_25_hits(world, lp_client):
    def grow(n):
        for i in range(n):
            open_case(world.school, given_names=f"Kind{i}", surname="Zoekers", days=30 + i)

    def send():
        return lp_client.post(SEARCH, {"q": "zoekers"})

    grow(1)
    one = _queries(send)
    assert [len(x) for x in _found(send())] == [1, 1]
    grow(24)
    many = _queries(send)
    assert [len(x) for x in _found(send())] == [25, 25]
    assert one == many
