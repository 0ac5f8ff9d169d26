"""The "Termijnen" page (escalation/views/deadlines.py): the stored route deadlines of the
cases the user may see, the earliest (the overdue ones) first; the period, step and lead
filters; the scope (region B, another SWV, a stale row); who gets the page and its menu item;
and a query count that does not grow with the rows."""

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
from tests.page_text import shows
from thuiszitters.models import AuditLogEntry
from thuiszitters.roles import RoleCode

from ..factories.cases import CaseFactory
from ..factories.users import member

pytestmark = pytest.mark.usefixtures("frozen_clock")
URL = reverse("deadlines:deadline_list")


@pytest.fixture
def regisseur(world):
    return member(world.swv, RoleCode.CASUSREGISSEUR, full_name="Rik Regie")


def due_in(days: int, *, phase: str = Phase.SCHOOL, **kwargs):
    """An open case whose stored deadline (computed as the sweep does) is due in ``days``
    days from today (negative: overdue); the computed step is kept."""
    case = CaseFactory(phase=phase, **kwargs)
    deadlines_compute([case.pk])
    row = CaseDeadline.objects.get(case=case)
    assert row.step  # the case has a timed step to move
    due_on = timezone.localdate() + datetime.timedelta(days=days)
    CaseDeadline.objects.filter(case=case).update(due_on=due_on)
    return case


def rows(response) -> list[int]:
    assert response.status_code == 200
    return [int(pk) for pk in re.findall(r'data-case="(\d+)"', response.content.decode())]


def test_the_deadlines_are_sorted_by_date_overdue_first(world, regisseur, login, today):
    later = due_in(10, school=world.school)
    overdue = due_in(-3, school=world.school, lead_user=regisseur)
    tomorrow = due_in(1, school=world.school2)
    now = due_in(0, school=world.school)
    closed = CaseFactory(phase=Phase.CLOSED, school=world.school)
    response = login(regisseur).get(URL)
    assert rows(response) == [overdue.pk, now.pk, tomorrow.pk, later.pk]
    body = response.content.decode()
    assert not shows(body, closed.pupil.full_name)
    # Only the overdue row is marked, with how late it is.
    assert body.count('data-overdue="true"') == 1
    assert re.search(rf'data-case="{overdue.pk}" data-overdue="true"', body)
    assert "3 dagen te laat" in body and "vandaag" in body
    assert "nog 1 dag<" in body and "nog 10 dagen" in body
    # The columns: due date, step, the case linked, pupil, lead (organisation and person).
    overdue_row = re.search(rf'<tr [^>]*data-case="{overdue.pk}".*?</tr>', body, re.S).group(0)
    assert (today - datetime.timedelta(days=3)).strftime("%d-%m-%Y") in overdue_row
    assert str(Step.CASUSREGISSEUR.label) in overdue_row
    case_url = reverse("cases:case_detail", args=[overdue.pk])
    assert f'href="{case_url}#section-route">Casus {overdue.pk}</a>' in overdue_row
    assert shows(overdue_row, overdue.pupil.full_name)
    assert f"{overdue.lead_organisation.name} " in overdue_row and "(Rik Regie)" in overdue_row
    assert "4 termijnen" in body
    # The list's read is audited, as the other lists' are.
    entry = AuditLogEntry.objects.filter(actor=regisseur, object_type="cases.case").latest("pk")
    assert set(entry.changes["ids"]) == {str(c.pk) for c in (overdue, now, tomorrow, later)}


def test_the_period_filter(world, regisseur, login, today):
    # The clock's today is a Wednesday: this week ends on Sunday, in 4 days.
    assert today.weekday() == 2
    days = [-2, 4, 5, 11, 12, 39, 40]
    case = {d: due_in(d, school=world.school) for d in days}
    client = login(regisseur)

    def shown(period=None):
        return rows(client.get(URL, {"period": period} if period else {}))

    assert shown("week") == [case[-2].pk, case[4].pk]
    assert shown("two_weeks") == [case[d].pk for d in (-2, 4, 5, 11)]
    # The default is the next 6 weeks: up to the Sunday five weeks after this one.
    assert shown() == [case[d].pk for d in (-2, 4, 5, 11, 12, 39)]
    assert shown("six_weeks") == shown()
    assert shown("all") == [case[d].pk for d in days]
    # An unknown period is an error on the form and no list, not the unfiltered one.
    response = client.get(URL, {"period": "year"})
    assert rows(response) == []
    assert response.context["form"].errors["period"]


def test_the_step_filter(world, regisseur, login):
    week_four = due_in(5, phase=Phase.SCHOOL, school=world.school)
    assessment = due_in(6, phase=Phase.CASUSREGISSEUR, school=world.school)
    team = due_in(7, phase=Phase.DOORBRAAK_ASSESSMENT, school=world.school)
    client = login(regisseur)
    assert rows(client.get(URL)) == [week_four.pk, assessment.pk, team.pk]
    assert rows(client.get(URL, {"step": Step.DOORBRAAK_ASSESSMENT})) == [assessment.pk]
    response = client.get(URL, {"step": Step.DOORBRAAKTEAM})
    assert rows(response) == [team.pk]
    assert str(Step.DOORBRAAKTEAM.label) in response.content.decode()
    assert rows(client.get(URL, {"step": Step.OM_REFERRAL})) == []


def test_the_lead_filter(world, regisseur, login):
    mine = due_in(3, phase=Phase.CASUSREGISSEUR, school=world.school, lead_user=regisseur)
    colleague = member(world.swv, RoleCode.CASUSREGISSEUR)
    theirs = due_in(4, phase=Phase.CASUSREGISSEUR, school=world.school, lead_user=colleague)
    at_school = due_in(5, school=world.school2)  # phase school: the school holds the lead
    client = login(regisseur)
    assert rows(client.get(URL)) == [mine.pk, theirs.pk, at_school.pk]
    assert rows(client.get(URL, {"lead": "mine"})) == [mine.pk]
    assert rows(client.get(URL, {"lead": world.swv.pk})) == [mine.pk, theirs.pk]
    assert rows(client.get(URL, {"lead": world.school2.pk})) == [at_school.pk]
    # Only organisations the user sees are offered; another is an error, not a filter.
    response = client.get(URL, {"lead": world.far_swv.pk})
    assert rows(response) == []
    assert response.context["form"].errors["lead"]
    assert world.far_swv.name not in response.content.decode()


def test_only_current_deadlines_of_visible_cases(world, regisseur, login):
    own = due_in(2, school=world.school)
    far = due_in(1, school=world.far_school)  # region B
    other_swv = due_in(1, school=world.vo_school)  # another SWV of region A
    moved = due_in(1, phase=Phase.CASUSREGISSEUR, school=world.school)
    # A person moved the case on since the row was computed: the sweep will recompute it.
    CaseDeadline.objects.filter(case=moved).update(phase=Phase.SCHOOL)
    signal = due_in(1, school=world.school)
    signal.at_risk = True
    signal.save(update_fields=["at_risk"])
    response = login(regisseur).get(URL)
    assert rows(response) == [own.pk]
    body = response.content.decode()
    for case in (far, other_swv):
        assert not shows(body, case.pupil.full_name)
    assert not shows(body, world.far_school.name)
    # The page would have shown them: each has a stored, due deadline.
    assert CaseDeadline.objects.filter(case__in=[far, other_swv], step__gt="").count() == 2


def test_the_doorbraakteam_sees_the_cases_of_its_swv(world, user_with_role, login):
    own = due_in(2, phase=Phase.DOORBRAAK_ASSESSMENT, school=world.school)
    other_swv = due_in(1, school=world.vo_school)
    far = due_in(1, school=world.far_school)
    team = user_with_role(RoleCode.DOORBRAAKTEAM)
    response = login(team).get(URL)
    assert rows(response) == [own.pk]
    assert not shows(response.content.decode(), far.pupil.full_name)
    assert not shows(response.content.decode(), other_swv.pupil.full_name)


@pytest.mark.parametrize(
    "role", [RoleCode.SWV_DIRECTOR, RoleCode.POLICY, RoleCode.FUNCTIONAL_ADMIN]
)
def test_roles_without_sight_of_cases_get_no_page_and_no_menu_item(
    world, user_with_role, login, role
):
    due_in(1, school=world.school)
    client = login(user_with_role(role))
    assert client.get(URL).status_code == 404
    labels = [str(item["label"]) for item in client.get(reverse("home")).context["nav_items"]]
    assert "Termijnen" not in labels


@pytest.mark.parametrize(
    "role", [RoleCode.ZORGCOORDINATOR, RoleCode.CASUSREGISSEUR, RoleCode.DOORBRAAKTEAM]
)
def test_the_menu_item_for_roles_that_see_cases(world, user_with_role, login, role):
    client = login(user_with_role(role))
    items = client.get(reverse("home")).context["nav_items"]
    assert [i["url"] for i in items if str(i["label"]) == "Termijnen"] == [URL]
    page = client.get(URL).content.decode()
    assert f'href="{URL}" aria-current="page"' in page


def _count(client, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL, params or {})
    assert response.status_code == 200
    return len(ctx)


@pytest.mark.parametrize("params", [{}, {"lead": "mine", "step": Step.CASUSREGISSEUR}])
def test_the_query_count_does_not_grow_with_the_rows(world, regisseur, login, params):
    client = login(regisseur)

    def add(n):
        for i in range(n):
            due_in(i - 3, school=world.school, lead_user=regisseur)

    add(2)
    client.get(URL)  # warm the per-process caches (roles, content types)
    few = _count(client, params)
    assert len(rows(client.get(URL, params))) == 2
    add(18)
    many = _count(client, params)
    assert len(rows(client.get(URL, params))) == 20
    assert few == many
