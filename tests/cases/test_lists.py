"""Work lists: my work (cases, actions, check-ins), the case list with filters and sorting,
the home page's summary, and the query budget of the filtered list."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.services import (
    absence_report_submit,
    action_add,
    care_partner_invite,
    case_close,
    case_lead_change,
    case_transition,
)
from registration.services import consent_record
from thuiszitters.roles import RoleCode

from ..factories.registration import enrolled_pupil, report_input

pytestmark = pytest.mark.usefixtures("frozen_clock")

MY_WORK = reverse("caselists:my_work")
CASE_LIST = reverse("caselists:case_list")
SUMMARY = reverse("caselists:work_summary")


def open_case(actor, school, *, days=20, kind="unauthorised", surname=None, **pupil):
    """A case opened by a report of ``school`` whose clock started ``days`` ago."""
    today = timezone.localdate()
    if surname:
        pupil["surname"] = surname
    person = enrolled_pupil(school, bsn=None, **pupil)
    return absence_report_submit(
        actor=actor,
        reporting_organisation=school,
        data=report_input(
            person, kind=kind, absence_started_on=today - datetime.timedelta(days=days)
        ),
        channel="form",
    ).case


def own_action(case, actor, description, *, days):
    """An open action of ``actor`` on ``case``, due ``days`` from today (negative: past)."""
    return action_add(
        case=case,
        actor=actor,
        description=description,
        due_on=timezone.localdate() + datetime.timedelta(days=days),
        owner_user=actor,
    )


def overdue_action(case, actor):
    """An open action of ``actor`` on ``case`` that was due yesterday."""
    return own_action(case, actor, "Te laat", days=-1)


def give_care_consent(pupil, actor):
    today = timezone.localdate()
    consent_record(
        actor=actor,
        pupil=pupil,
        scope="share_with_care_partners",
        status="given",
        party="parents",
        stated_on=today,
        how="conversation",
    )


def case_rows(response) -> set[int]:
    """The case ids of the rows of the case table(s) on the page."""
    import re

    return {int(pk) for pk in re.findall(rb'data-case="(\d+)"', response.content)}


# --- my work ----------------------------------------------------------------------------


def test_my_work_lists_my_cases_with_phase_weeks_and_next_action(world, zc, login, today):
    case = open_case(zc, world.school, days=22)
    own_action(case, zc, "Huisbezoek", days=5)
    response = login(zc).get(MY_WORK)
    assert response.status_code == 200
    assert case_rows(response) == {case.pk}
    row = response.context["cases"][0]
    assert (row.weeks, row.next_action_due, row.overdue_actions) == (
        3,
        today + datetime.timedelta(days=5),
        0,
    )
    assert reverse("cases:case_detail", args=[case.pk]).encode() in response.content
    assert b"School" in response.content  # the phase


def test_my_work_excludes_cases_i_neither_lead_nor_take_part_in(world, zc, user_with_role, login):
    colleague = user_with_role(RoleCode.ZORGCOORDINATOR)
    open_case(colleague, world.school)
    response = login(zc).get(MY_WORK)
    assert case_rows(response) == set()


def test_overdue_actions_show_first_and_marked_on_the_owners_work_list(
    world, zc, lp, login, user_with_role, today
):
    case = open_case(zc, world.school)
    later = action_add(
        case=case,
        actor=zc,
        description="Later",
        due_on=today + datetime.timedelta(days=9),
        owner_user=lp,
    )
    overdue = action_add(
        case=case,
        actor=zc,
        description="Te laat",
        due_on=today - datetime.timedelta(days=2),
        owner_user=lp,
    )
    action_add(
        case=case,
        actor=zc,
        description="Van een ander",
        due_on=today - datetime.timedelta(days=2),
        owner_user=zc,
    )
    response = login(lp).get(MY_WORK)
    assert [a.pk for a in response.context["actions"]] == [overdue.pk, later.pk]
    assert f'data-action="{overdue.pk}" data-overdue="true"'.encode() in response.content
    assert f'data-action="{later.pk}">'.encode() in response.content
    assert response.context["overdue_count"] == 1
    assert b"Van een ander" not in response.content


def test_actions_of_my_organisation_without_a_person_are_mine(
    world, zc, user_with_role, login, today
):
    case = open_case(zc, world.school)
    colleague = user_with_role(RoleCode.ZORGCOORDINATOR)
    action_add(
        case=case,
        actor=zc,
        description="De school belt de ouders",
        due_on=today,
        owner_organisation=world.school,
    )
    response = login(colleague).get(MY_WORK)
    assert b"De school belt de ouders" in response.content


def test_a_due_aftercare_check_in_appears_on_the_work_list(world, zc, login, today):
    case = open_case(zc, world.school)
    case_close(case=case, reason="offer_started", actor=zc, offer_started_on=today)
    client = login(zc)
    response = client.get(MY_WORK)
    assert response.context["check_ins"] == []
    with time_machine.travel(today + datetime.timedelta(days=93), tick=False):
        client = login(zc)  # the session of today has expired by then
        response = client.get(MY_WORK)
        assert [c.case_id for c in response.context["check_ins"]] == [case.pk]
        assert b'data-testid="due-check-ins"' in response.content
        summary = client.get(SUMMARY, headers={"HX-Request": "true"})
    assert summary.context["due_check_ins"] == 1
    assert b"<html" not in summary.content


def test_work_summary_counts(world, zc, login, today):
    case = open_case(zc, world.school)
    open_case(zc, world.school)
    overdue_action(case, zc)
    response = login(zc).get(SUMMARY)
    assert response.status_code == 200
    assert (
        response.context["open_cases"],
        response.context["overdue_actions"],
        response.context["due_check_ins"],
    ) == (2, 1, 0)
    assert b"<html" in response.content  # without htmx: a page of its own


@pytest.mark.parametrize("role", [RoleCode.SWV_DIRECTOR, RoleCode.POLICY])
def test_roles_without_case_work_do_not_see_the_lists(role, user_with_role, login):
    client = login(user_with_role(role))
    for url in (MY_WORK, CASE_LIST, SUMMARY):
        assert client.get(url).status_code == 404


def test_home_loads_the_summary_only_for_case_workers(world, zc, user_with_role, login):
    assert SUMMARY.encode() in login(zc).get(reverse("home")).content
    director = user_with_role(RoleCode.SWV_DIRECTOR)
    response = login(director).get(reverse("home"))
    assert SUMMARY.encode() not in response.content
    assert MY_WORK.encode() not in response.content


def test_navigation_shows_my_work_and_cases(zc, login):
    labels = [str(i["label"]) for i in login(zc).get(reverse("home")).context["nav_items"]]
    assert "Mijn werk" in labels and "Casussen" in labels


# --- the case list: scoping ---------------------------------------------------------------


@pytest.fixture
def three_cases(world, user_with_role):
    """One case at school (m1, swv), one at school2 (m2, swv), one at the VO school (m1)."""
    at_school = open_case(user_with_role(RoleCode.ZORGCOORDINATOR), world.school)
    at_school2 = open_case(user_with_role(RoleCode.ZORGCOORDINATOR, world.school2), world.school2)
    at_vo = open_case(user_with_role(RoleCode.ZORGCOORDINATOR, world.vo_school), world.vo_school)
    return at_school, at_school2, at_vo


@pytest.mark.parametrize(
    ("role", "where", "expected"),
    [
        (RoleCode.ZORGCOORDINATOR, "school", {0}),
        (RoleCode.ZORGCOORDINATOR, "school2", {1}),
        (RoleCode.SWV_CONSULTANT, "swv", {0, 1}),
        (RoleCode.SWV_CONSULTANT, "swv_vo", {2}),
        (RoleCode.LEERPLICHT, "bureau", {0, 2}),
        (RoleCode.CARE_PARTNER, "care", set()),
    ],
)
def test_the_case_list_is_scoped(world, three_cases, user_with_role, login, role, where, expected):
    user = user_with_role(role, getattr(world, where))
    response = login(user).get(CASE_LIST)
    assert response.status_code == 200
    assert case_rows(response) == {three_cases[i].pk for i in expected}


def test_a_care_partner_sees_an_invited_case_only_while_consent_stands(
    world, three_cases, user_with_role, login, today
):
    case = three_cases[0]
    worker = case.lead_user
    partner = user_with_role(RoleCode.CARE_PARTNER)
    give_care_consent(case.pupil, worker)
    care_partner_invite(case=case, user=partner, actor=worker)
    client = login(partner)
    assert case_rows(client.get(CASE_LIST)) == {case.pk}
    consent_record(
        actor=worker,
        pupil=case.pupil,
        scope="share_with_care_partners",
        status="withdrawn",
        party="parents",
        stated_on=today,
        how="conversation",
    )
    assert case_rows(client.get(CASE_LIST)) == set()


# --- the case list: filters and sorting ---------------------------------------------------


@pytest.fixture
def consultant(user_with_role):
    return user_with_role(RoleCode.SWV_CONSULTANT)


def test_default_shows_open_cases_and_status_filter_shows_closed(world, zc, consultant, login):
    open_one = open_case(zc, world.school)
    closed = open_case(zc, world.school)
    case_close(case=closed, reason="moved_away", actor=zc)
    client = login(consultant)
    assert case_rows(client.get(CASE_LIST)) == {open_one.pk}
    assert case_rows(client.get(CASE_LIST, {"status": "closed"})) == {closed.pk}
    assert case_rows(client.get(CASE_LIST, {"status": "all"})) == {open_one.pk, closed.pk}


def test_filter_on_phase_multiple(world, zc, consultant, login):
    at_school = open_case(zc, world.school)
    moved = open_case(zc, world.school, days=40)
    case_transition(
        case=moved, to_phase="casusregisseur", actor=zc, reason="Week 5", via="escalation"
    )
    client = login(consultant)
    assert case_rows(client.get(CASE_LIST, {"phase": "casusregisseur"})) == {moved.pk}
    both = client.get(CASE_LIST, {"phase": ["school", "casusregisseur"]})
    assert case_rows(both) == {at_school.pk, moved.pk}


def test_filter_on_kind_uses_the_reports_in_the_case(world, zc, consultant, login):
    unauthorised = open_case(zc, world.school)
    suspended = open_case(zc, world.school, kind="suspension")
    client = login(consultant)
    assert case_rows(client.get(CASE_LIST, {"kind": "suspension"})) == {suspended.pk}
    response = client.get(CASE_LIST, {"kind": "unauthorised"})
    assert case_rows(response) == {unauthorised.pk}
    assert b"Ongeoorloofd (relatief) verzuim" in response.content


def test_a_report_not_shared_with_the_swv_neither_shows_nor_filters(world, zc, consultant, login):
    """A sickness report without consent stays with the school: the SWV cannot find the
    case by that kind, nor read the kind in the table."""
    case = open_case(zc, world.school, kind="sickness")
    assert case_rows(login(zc).get(CASE_LIST, {"kind": "sickness"})) == {case.pk}
    response = login(consultant).get(CASE_LIST, {"kind": "sickness"})
    assert case_rows(response) == set()


def test_filter_on_school_weeks_overdue_and_lead(world, consultant, user_with_role, lp, login):
    zc1 = user_with_role(RoleCode.ZORGCOORDINATOR)
    zc2 = user_with_role(RoleCode.ZORGCOORDINATOR, world.school2)
    young = open_case(zc1, world.school, days=10)
    old = open_case(zc2, world.school2, days=50)
    overdue_action(young, zc1)
    own_action(old, zc2, "Op tijd", days=1)
    case_lead_change(case=old, organisation=world.swv, actor=zc2, reason="Regie naar het SWV")
    client = login(consultant)
    assert case_rows(client.get(CASE_LIST, {"school": world.school2.pk})) == {old.pk}
    assert case_rows(client.get(CASE_LIST, {"weeks_min": 7})) == {old.pk}
    assert case_rows(client.get(CASE_LIST, {"weeks_min": 1})) == {young.pk, old.pk}
    overdue = client.get(CASE_LIST, {"overdue": "on"})
    assert case_rows(overdue) == {young.pk}
    assert b'data-testid="overdue"' in overdue.content
    assert case_rows(client.get(CASE_LIST, {"lead": world.swv.pk})) == {old.pk}


def test_the_list_counts_overdue_actions_as_of_each_day(world, consultant, zc, login, today):
    """The list's query is built once a day and kept (issue 14): the next day it counts an
    action overdue that was due the day before, in the rows and in the filter."""
    case = open_case(zc, world.school)
    own_action(case, zc, "Morgen", days=1)
    client = login(consultant)
    response = client.get(CASE_LIST)
    assert case_rows(response) == {case.pk}
    assert b'data-testid="overdue"' not in response.content
    assert case_rows(client.get(CASE_LIST, {"overdue": "on"})) == set()
    with time_machine.travel(today + datetime.timedelta(days=2), tick=False):
        client = login(consultant)  # the session of today has expired by then
        response = client.get(CASE_LIST)
        assert b'data-testid="overdue">1 ' in response.content
        assert case_rows(client.get(CASE_LIST, {"overdue": "on"})) == {case.pk}


def test_an_invalid_filter_shows_errors_and_no_rows(world, zc, consultant, login):
    open_case(zc, world.school)
    response = login(consultant).get(CASE_LIST, {"weeks_min": "veel"})
    assert response.status_code == 200
    assert case_rows(response) == set()
    assert response.context["form"].errors


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("", ["Oud", "Middel", "Nieuw"]),  # default: the oldest clock first
        ("clock_start", ["Oud", "Middel", "Nieuw"]),
        ("-clock_start", ["Nieuw", "Middel", "Oud"]),
        ("weeks", ["Nieuw", "Middel", "Oud"]),
        ("-weeks", ["Oud", "Middel", "Nieuw"]),
        ("pupil", ["Middel", "Nieuw", "Oud"]),
        ("-pupil", ["Oud", "Nieuw", "Middel"]),
        ("phase", ["Middel", "Nieuw", "Oud"]),
        ("school", ["Oud", "Middel", "Nieuw"]),
        ("-school", ["Nieuw", "Middel", "Oud"]),  # every key reversed
    ],
)
def test_sorting(world, user_with_role, consultant, login, sort, expected):
    zc1 = user_with_role(RoleCode.ZORGCOORDINATOR)
    zc2 = user_with_role(RoleCode.ZORGCOORDINATOR, world.school2)
    old = open_case(zc1, world.school, days=60, surname="Oud")
    open_case(zc2, world.school2, days=30, surname="Middel")
    open_case(zc2, world.school2, days=5, surname="Nieuw")
    case_transition(
        case=old, to_phase="casusregisseur", actor=zc1, reason="Week 8", via="escalation"
    )
    response = login(consultant).get(CASE_LIST, {"sort": sort} if sort else {})
    assert [c.pupil.surname for c in response.context["rows"]] == expected


def test_the_table_escapes_what_people_typed_and_speaks_english(world, zc, consultant, login):
    """The rows render through Jinja2 (ADR 0020): escaped, and translated like the rest."""
    case = open_case(zc, world.school, surname="<script>alert(1)</script>")
    overdue_action(case, zc)
    client = login(consultant)
    content = client.get(CASE_LIST).content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert "Start van de klok" in content and "1 verlopen" in content
    client.cookies["django_language"] = "en"
    content = client.get(CASE_LIST).content.decode()
    assert "Start van de klok" not in content and "1 overdue" in content


def test_a_long_list_counts_only_as_far_as_the_pages_near_the_one_shown(
    world, zc, consultant, login, monkeypatch
):
    from cases.views import lists
    from thuiszitters import pagination

    monkeypatch.setattr(lists, "PAGE_SIZE", 1)
    monkeypatch.setattr(pagination, "COUNT_BOUND", 2)
    cases = [open_case(zc, world.school, days=d) for d in (50, 40, 30, 20, 10)]
    client = login(consultant)
    first = client.get(CASE_LIST)
    content = first.content.decode()
    assert "Meer dan 2 casussen" in content and "Pagina 1<" in content and 'rel="next"' in content
    assert case_rows(first) == {cases[0].pk}
    # Page 4 counts up to page 5, which is the last: exact again.
    fourth = client.get(CASE_LIST, {"page": 4})
    content = fourth.content.decode()
    assert "5 casussen" in content and "Pagina 4 van 5" in content
    assert case_rows(fourth) == {cases[3].pk}
    assert case_rows(client.get(CASE_LIST, {"page": 5})) == {cases[4].pk}


def test_the_list_is_paginated_by_25(world, zc, consultant, login, monkeypatch):
    from cases.views import lists

    assert lists.PAGE_SIZE == 25
    from cases.views import lists

    monkeypatch.setattr(lists, "PAGE_SIZE", 2)
    cases = [open_case(zc, world.school, days=d) for d in (30, 20, 10)]
    client = login(consultant)
    assert case_rows(client.get(CASE_LIST)) == {cases[0].pk, cases[1].pk}
    assert case_rows(client.get(CASE_LIST, {"page": 2})) == {cases[2].pk}


# --- query budgets ---------------------------------------------------------------------


def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx)


def _grow_to(n, world, zc, lp, surname=None):
    for i in range(n):
        case = open_case(zc, world.school, days=40 + i, kind="unauthorised", surname=surname)
        overdue_action(case, zc)


FILTERS_ON = {
    "status": "open",
    "phase": ["school", "casusregisseur"],
    "kind": "unauthorised",
    "weeks_min": "2",
    "overdue": "on",
    "sort": "-phase",
}


def test_case_list_with_all_filters_costs_the_same_for_1_and_25_cases(world, zc, lp, login):
    client = login(lp)
    params = {**FILTERS_ON, "school": world.school.pk, "lead": world.school.pk}
    _grow_to(1, world, zc, lp)
    one = _queries(client, CASE_LIST, params)
    assert len(client.get(CASE_LIST, params).context["rows"]) == 1
    _grow_to(24, world, zc, lp)
    many = _queries(client, CASE_LIST, params)
    assert len(client.get(CASE_LIST, params).context["rows"]) == 25
    assert one == many
    assert many <= 13  # 12 and the audit row of the list (one INSERT)


def test_case_list_with_a_search_and_filters_costs_the_same_for_1_and_25_cases(
    world, zc, lp, login
):
    client = login(lp)
    params = {**FILTERS_ON, "school": world.school.pk, "q": "zoekerse"}
    _grow_to(3, world, zc, lp)  # found by the filters, not by the search
    _grow_to(1, world, zc, lp, surname="Zoekersen")
    one = _queries(client, CASE_LIST, params)
    assert len(client.get(CASE_LIST, params).context["rows"]) == 1
    _grow_to(24, world, zc, lp, surname="Zoekersen")
    many = _queries(client, CASE_LIST, params)
    assert len(client.get(CASE_LIST, params).context["rows"]) == 25
    assert one == many
    assert many <= 13  # as without the search: the pupils' match is a subquery


def test_my_work_costs_the_same_for_1_and_25_items(world, zc, lp, login):
    client = login(zc)
    _grow_to(1, world, zc, lp)
    one = _queries(client, MY_WORK)
    _grow_to(24, world, zc, lp)
    many = _queries(client, MY_WORK)
    assert one == many


def test_a_page_reads_its_rows_by_id_without_the_scope_again(world, zc, consultant, login):
    """The bounded count and the page's ids apply the scope; the rows of those ids are read
    by primary key alone (``rows_of_page``), on the page and in the API."""
    for days in (30, 20):
        open_case(zc, world.school, days=days)
    client = login(consultant)
    for url in (CASE_LIST, "/api/v1/cases/"):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        where = [q["sql"].partition(" WHERE ")[2] for q in ctx]
        assert sum('"cases_case"."shared_with_swv"' in w for w in where) == 2, url
