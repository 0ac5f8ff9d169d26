"""The lists' counts and pages of ids compiled once per key (``kept_sql``, issue 14): the case
list, the cases API and the pupil list answer as Django's own queries for every user, filter,
page and day, and a search text is never part of a key."""

import datetime
import re
from unittest import mock

import pytest
from django.urls import reverse

from cases.models import Case
from cases.services import case_close, case_transition
from thuiszitters import precompiled
from thuiszitters.roles import RoleCode

from .test_lists import case_rows, open_case

pytestmark = pytest.mark.usefixtures("frozen_clock")

CASE_LIST = reverse("caselists:case_list")
CASES_API = "/api/v1/cases/"
PUPIL_LIST = reverse("registration:pupil_list")


@pytest.fixture
def cases(world, user_with_role):
    """Cases at two schools of the SWV and at a VO school, in several phases and kinds, one
    closed."""
    zc = user_with_role(RoleCode.ZORGCOORDINATOR)
    zc2 = user_with_role(RoleCode.ZORGCOORDINATOR, world.school2)
    made = [open_case(zc, world.school, days=10 + 3 * i) for i in range(4)]
    made += [open_case(zc, world.school, days=50, kind="suspension")]
    made += [open_case(zc2, world.school2, days=15 + i, kind="sickness") for i in range(3)]
    made += [
        open_case(
            user_with_role(RoleCode.ZORGCOORDINATOR, world.vo_school), world.vo_school, days=30
        )
    ]
    case_transition(
        case=made[4], to_phase="casusregisseur", actor=zc, reason="Week 5", via="escalation"
    )
    case_close(case=made[1], reason="moved_away", actor=zc)
    return made


def _api_ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    body = response.json()
    return [body["count"], *(row["id"] for row in body["results"])]


def _page_ids(response) -> list[int]:
    assert response.status_code == 200
    ids = [int(pk) for pk in re.findall(rb'data-(?:case|pupil)="(\d+)"', response.content)]
    return [response.context["page"].paginator.count, *ids]


def _plain_and_kept(client, url, params, read):
    """The answer without a key (Django compiles every query), then twice with one."""
    with (
        mock.patch("cases.views.lists.list_key", return_value=None),
        mock.patch("cases.api.cases.list_key", return_value=None),
        mock.patch("registration.views.list_key", return_value=None),
        mock.patch("thuiszitters.pagination.kept_sql", side_effect=AssertionError("kept")),
    ):
        plain = read(client.get(url, params))
    return plain, read(client.get(url, params)), read(client.get(url, params))


PAGE_FILTERS = [
    {},
    {"status": "closed"},
    {"status": "all"},
    {"phase": "casusregisseur"},
    {"phase": ["school", "casusregisseur"]},
    {"kind": "sickness"},
    {"sort": "-pupil"},
    {"sort": "next_step"},
    {"status": "all", "sort": "-clock_start"},
]


@pytest.mark.parametrize("role", [RoleCode.SWV_CONSULTANT, RoleCode.ZORGCOORDINATOR])
def test_the_case_list_answers_as_djangos_own_query(world, cases, user_with_role, login, role):
    client = login(user_with_role(role))
    filters = [*PAGE_FILTERS, {"school": world.school2.pk}, {"lead": world.school.pk}]
    answers = set()
    for params in filters:
        plain, first, kept = _plain_and_kept(client, CASE_LIST, params, _page_ids)
        assert plain == first == kept, params
        answers.add(tuple(plain))
    assert len(answers) > 4  # the filters differ: one key's SQL would answer them all alike


def test_each_user_and_page_has_its_own_key(world, cases, user_with_role, login, settings):
    from cases.views import lists

    seen = {}
    for role, where in [
        (RoleCode.SWV_CONSULTANT, "swv"),
        (RoleCode.ZORGCOORDINATOR, "school"),
        (RoleCode.ZORGCOORDINATOR, "school2"),
        (RoleCode.LEERPLICHT, "bureau"),
    ]:
        client = login(user_with_role(role, getattr(world, where)))
        with mock.patch.object(lists, "PAGE_SIZE", 2):
            for number in (1, 2, 3):
                plain, first, kept = _plain_and_kept(
                    client, CASE_LIST, {"page": number, "status": "all"}, _page_ids
                )
                assert plain == first == kept, (where, number)
                seen[where, number] = plain
    assert seen["school", 1] != seen["school2", 1] != seen["swv", 1]
    assert seen["swv", 1] != seen["swv", 2]


def test_the_cases_api_answers_as_djangos_own_query(world, cases, user_with_role, login):
    client = login(user_with_role(RoleCode.SWV_CONSULTANT))
    for params in [
        {},
        {"open": "true"},
        {"open": "false"},
        {"phase": "casusregisseur"},
        {"kind": "sickness"},
        {"school": world.school2.pk},
        {"lead_organisation": world.school.pk},
        {"limit": 2},
        {"limit": 2, "offset": 2},
        {"limit": 2, "offset": 4, "open": "true"},
    ]:
        plain, first, kept = _plain_and_kept(client, CASES_API, params, _api_ids)
        assert plain == first == kept, params


def test_a_day_later_is_another_key(world, cases, user_with_role, login, frozen_clock):
    """The list's scope is of a day (its annotations): a key without the day would answer
    the next day's sort by the next step with the last day's SQL."""
    consultant = user_with_role(RoleCode.SWV_CONSULTANT)
    params = {"sort": "next_step", "status": "all"}
    _plain_and_kept(login(consultant), CASE_LIST, params, _page_ids)
    kept = len(precompiled._kept_sql)
    frozen_clock.shift(datetime.timedelta(days=2))
    client = login(consultant)  # (a new sign-in: the last one timed out)
    plain, first, again = _plain_and_kept(client, CASE_LIST, params, _page_ids)
    assert plain == first == again
    assert len(precompiled._kept_sql) == kept + 2  # the count and the ids of the new day


def test_a_second_view_compiles_nothing(world, cases, user_with_role, login):
    client = login(user_with_role(RoleCode.SWV_CONSULTANT))
    real = precompiled.kept_sql

    def never_built(key, queryset, using="default"):
        return real(key, lambda: pytest.fail(f"compiled again: {key}"), using)

    for url, read in [(CASE_LIST, _page_ids), (CASES_API, _api_ids), (PUPIL_LIST, _page_ids)]:
        first = read(client.get(url))
        with mock.patch("thuiszitters.pagination.kept_sql", side_effect=never_built) as kept:
            assert read(client.get(url)) == first
        assert kept.call_count == 2, url  # the count and the ids


def test_a_search_is_never_kept(world, cases, user_with_role, login):
    client = login(user_with_role(RoleCode.SWV_CONSULTANT))
    pupil = cases[0].pupil
    for url in (CASE_LIST, PUPIL_LIST):
        before = set(precompiled._kept_sql)
        response = client.get(url, {"q": pupil.surname})
        assert response.status_code == 200
        assert cases[0].pk in case_rows(response) or url == PUPIL_LIST
        assert set(precompiled._kept_sql) == before, url
    assert pupil.surname not in repr(list(precompiled._kept_sql))


def test_a_scope_that_grants_nothing_counts_nothing(world, cases, user_with_role, login):
    client = login(user_with_role(RoleCode.CARE_PARTNER))
    plain, first, kept = _plain_and_kept(client, CASE_LIST, {}, _page_ids)
    assert plain == first == kept == [0]


@pytest.mark.parametrize(
    "where", ["school", "school2", "swv", "swv_vo", "bureau", "m1", "region_admin"]
)
def test_the_filters_options_are_the_users_own(world, user_with_role, rf, where):
    """The school and organisation options come from a query compiled once per scope; they
    are the rows of the filter's own queryset, for every kind of organisation."""
    from cases.filters import CaseListFilter, SignalFilter
    from thuiszitters.selectors import organisations_visible_to, schools_visible_to

    roles = {
        "school": RoleCode.ZORGCOORDINATOR,
        "school2": RoleCode.ZORGCOORDINATOR,
        "swv": RoleCode.SWV_CONSULTANT,
        "swv_vo": RoleCode.SWV_CONSULTANT,
        "bureau": RoleCode.LEERPLICHT,
        "m1": RoleCode.POLICY,
        "region_admin": RoleCode.FUNCTIONAL_ADMIN,
    }
    organisation = world.region if where == "region_admin" else getattr(world, where)
    request = rf.get("/")
    request.user = user_with_role(roles[where], organisation)
    for filterset in (CaseListFilter, SignalFilter):
        for _again in range(2):
            form = filterset({}, queryset=Case.objects.none(), request=request).form
            schools = [pk for pk, _name in list(form.fields["school"].choices)[1:]]
            expected = schools_visible_to(request.user).order_by("name", "id")
            assert schools == [s.pk for s in expected]
    lead = CaseListFilter({}, queryset=Case.objects.none(), request=request).form.fields["lead"]
    expected = organisations_visible_to(request.user).order_by("name", "id")
    assert list(lead.choices)[1:] == [(o.pk, o.name) for o in expected]
