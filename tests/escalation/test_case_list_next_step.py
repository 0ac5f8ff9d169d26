"""The case lists' "Volgende stap" column (issue 17): the next route step and its date from
the stored deadline (escalation registers it with ``cases.selectors``), overdue marked, a dash
when nothing timed is left or the stored row is stale; the case list sorted on it (soonest
first, cases without a step last either way, ties by id); and the query count of a page."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.workflow import Phase
from escalation.models import CaseDeadline, Step
from escalation.services.deadlines import deadlines_compute
from thuiszitters.roles import RoleCode

from ..factories.cases import CaseFactory
from ..factories.users import member

pytestmark = pytest.mark.usefixtures("frozen_clock")
CASE_LIST = reverse("caselists:case_list")
DASH = "\N{EN DASH}"  # nothing timed left
MY_WORK = reverse("caselists:my_work")


@pytest.fixture
def regisseur(world):
    return member(world.swv, RoleCode.CASUSREGISSEUR, full_name="Rik Regie")


def due_in(days: int | None, *, phase: str = Phase.SCHOOL, **kwargs):
    """An open case whose stored deadline (computed as the sweep does) is due in ``days``
    days from today (negative: overdue); ``None``: a case without a stored row."""
    case = CaseFactory(phase=phase, **kwargs)
    if days is None:
        return case
    deadlines_compute([case.pk])
    assert CaseDeadline.objects.get(case=case).step
    due_on = timezone.localdate() + datetime.timedelta(days=days)
    CaseDeadline.objects.filter(case=case).update(due_on=due_on)
    return case


def rows(response) -> list[int]:
    assert response.status_code == 200
    return [int(pk) for pk in re.findall(r'data-case="(\d+)"', response.content.decode())]


def next_step_cell(response, case) -> str:
    body = response.content.decode()
    row = re.search(rf'<tr [^>]*data-case="{case.pk}".*?</tr>', body, re.S)
    assert row, f"case {case.pk} not in the list"
    cell = re.search(r'data-testid="next-step">(.*?)</td>', row.group(0), re.S)
    assert cell, "no next step in the row"
    text = re.sub(r"<[^>]+>", "", cell.group(1))
    # A second line under the phase, named for screen readers.
    assert text.startswith("Volgende stap: "), text
    return text.removeprefix("Volgende stap: ")


def day(days: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).strftime("%d-%m-%Y")


def test_the_case_list_shows_the_next_step_with_its_date_and_overdue(world, regisseur, login):
    coming = due_in(10, school=world.school)
    late = due_in(-3, phase=Phase.DOORBRAAK_ASSESSMENT, school=world.school)
    none = due_in(None, school=world.school)
    stale = due_in(4, phase=Phase.CASUSREGISSEUR, school=world.school)
    # A person moved the case on since the row was computed: the sweep will recompute it.
    CaseDeadline.objects.filter(case=stale).update(phase=Phase.SCHOOL)
    response = login(regisseur).get(CASE_LIST)
    assert set(rows(response)) == {coming.pk, late.pk, none.pk, stale.pk}
    body = response.content.decode()

    assert next_step_cell(response, coming) == f"{Step.CASUSREGISSEUR.label}, uiterlijk {day(10)}"
    assert (
        next_step_cell(response, late)
        == f"{Step.DOORBRAAKTEAM.label}, uiterlijk {day(-3)} verlopen"
    )
    # The marker is text (read out), not only a colour; only on the overdue row.
    assert body.count('data-testid="next-step-overdue"') == 1
    assert 'class="app-overdue" data-testid="next-step-overdue">verlopen</strong>' in body
    assert next_step_cell(response, none) == DASH
    assert next_step_cell(response, stale) == DASH  # never a step the case already took


def test_a_due_today_step_is_not_overdue_and_a_closed_case_shows_none(world, regisseur, login):
    today = due_in(0, school=world.school)
    closed = due_in(-5, school=world.school)
    closed.phase = Phase.CLOSED
    closed.closed_at = timezone.now()
    closed.save(update_fields=["phase", "closed_at"])
    response = login(regisseur).get(CASE_LIST, {"status": "all"})
    assert next_step_cell(response, today) == f"{Step.CASUSREGISSEUR.label}, uiterlijk {day(0)}"
    assert next_step_cell(response, closed) == DASH


def test_my_work_shows_the_next_step(world, regisseur, login):
    mine = due_in(-1, phase=Phase.CASUSREGISSEUR, school=world.school, lead_user=regisseur)
    response = login(regisseur).get(MY_WORK)
    assert rows(response) == [mine.pk]
    assert (
        next_step_cell(response, mine)
        == f"{Step.DOORBRAAK_ASSESSMENT.label}, uiterlijk {day(-1)} verlopen"
    )


def test_the_signal_list_shows_the_next_step_of_an_expected_thuiszitter(world, login):
    zc = member(world.school, RoleCode.ZORGCOORDINATOR)
    expected = due_in(-2, school=world.school, expects_thuiszitter_soon=True)
    worry = CaseFactory(phase=Phase.SCHOOL, school=world.school, at_risk=True)
    deadlines_compute([worry.pk])  # a signal has no clock: no step
    response = login(zc).get(reverse("caselists:signal_list"))
    assert set(rows(response)) == {expected.pk, worry.pk}
    body = response.content.decode()
    assert ">Volgende stap<" in body

    def cell(case):
        row = re.search(rf'<tr [^>]*data-case="{case.pk}".*?</tr>', body, re.S).group(0)
        found = re.search(r'data-testid="next-step">(.*?)</td>', row, re.S).group(1)
        return re.sub(r"<[^>]+>", "", found)

    assert cell(expected) == f"{Step.CASUSREGISSEUR.label}, uiterlijk {day(-2)} verlopen"
    assert cell(worry) == DASH


def test_the_case_list_sorts_by_the_next_deadline(world, regisseur, login):
    later = due_in(20, school=world.school)
    none = due_in(None, school=world.school)
    soon = due_in(2, school=world.school2)
    tie_a = due_in(7, school=world.school)
    late = due_in(-4, school=world.school)
    tie_b = due_in(7, school=world.school2)
    stale = due_in(1, phase=Phase.CASUSREGISSEUR, school=world.school)
    CaseDeadline.objects.filter(case=stale).update(phase=Phase.SCHOOL)
    client = login(regisseur)

    soonest_first = [late.pk, soon.pk, tie_a.pk, tie_b.pk, later.pk]
    without = sorted([none.pk, stale.pk])  # no (current) step: last, by id
    response = client.get(CASE_LIST, {"sort": "next_step"})
    assert rows(response) == soonest_first + without
    # And back: the latest first; still without a step last (ties by id reversed).
    response_back = client.get(CASE_LIST, {"sort": "-next_step"})
    assert rows(response_back) == soonest_first[::-1] + without[::-1]

    # The header says how the list is sorted and links to the other direction.
    body = response.content.decode()
    header = re.search(r'<th scope="col"[^>]*aria-sort="ascending"[^>]*>(.*?)</th>', body, re.S)
    assert header and "Volgende stap" in header.group(1)
    assert "sort=-next_step" in header.group(1)
    assert body.count("aria-sort=") == 1
    assert 'aria-sort="descending"' in response_back.content.decode()
    # The filter form offers it too.
    assert '<option value="next_step"' in body and '<option value="-next_step"' in body


def test_the_sort_pages_stably(world, regisseur, login, monkeypatch):
    from cases.views import lists

    monkeypatch.setattr(lists, "PAGE_SIZE", 2)
    cases = [due_in(d, school=world.school) for d in (3, 3, 3, None, 1)]
    client = login(regisseur)
    pages = [rows(client.get(CASE_LIST, {"sort": "next_step", "page": n})) for n in (1, 2, 3)]
    assert pages == [[cases[4].pk, cases[0].pk], [cases[1].pk, cases[2].pk], [cases[3].pk]]


def _count(client, url, params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx)


@pytest.mark.parametrize(
    ("url", "params"),
    [
        (CASE_LIST, {"sort": "next_step"}),
        (CASE_LIST, {"sort": "-next_step", "phase": [Phase.SCHOOL, Phase.CASUSREGISSEUR]}),
        (MY_WORK, {}),
        (reverse("caselists:signal_list"), {}),
    ],
)
def test_the_column_and_sort_cost_no_query_per_row(world, regisseur, login, url, params):
    client = login(regisseur)

    def add(n):
        for i in range(n):
            due_in(
                i - 3 if i % 3 else None,
                school=world.school,
                lead_user=regisseur,
                expects_thuiszitter_soon=True,  # (on the signal list too)
            )

    add(2)
    client.get(url)  # warm the per-process caches (roles, content types)
    few = _count(client, url, params)
    add(23)
    many = _count(client, url, params)
    assert len(rows(client.get(url, params))) == 25
    assert few == many
    # The same as the list's default sort: the column is in the page's own queries.
    if url == CASE_LIST:
        assert _count(client, url, {}) == many
