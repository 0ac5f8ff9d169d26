"""The inbox per case (issue 17): groups that name the case's pupil, school and phase only
while the reader sees the case, "Algemeen" for messages without one, the filters, the flat
view, marking a case as read, and a query budget that does not grow with the page."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Case
from cases.selectors import cases_in_restricted_view, cases_visible_to
from cases.workflow import Phase
from escalation.models import NotificationKind, Step
from escalation.selectors.inbox import (
    inbox_cases,
    inbox_group_messages,
    inbox_groups,
    notifications_of,
    unread_count,
)
from escalation.services.inbox import notifications_mark_case_read
from tests.page_text import shows
from thuiszitters.models import AuditAction, AuditLogEntry
from thuiszitters.roles import RoleCode

from ..factories.cases import CaseFactory
from ..factories.escalation import NotificationFactory
from ..factories.registration import enrolled_pupil

HTMX = {"HTTP_HX_REQUEST": "true"}
pytestmark = pytest.mark.usefixtures("frozen_clock")


def _ago(hours: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(hours=hours)


def _rows(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-notification="(\d+)"', html)]


def _groups(html: str) -> list[str]:
    return re.findall(r'data-group="(\w+)"', html)


def _group(html: str, key) -> str:
    found = re.search(rf'<section [^>]*data-group="{key}".*?</section>', html, re.S)
    assert found, f"no group {key}"
    return found.group(0)


def _inbox(client, **params) -> str:
    response = client.get(reverse("inbox:inbox"), params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def zc(world, user_with_role):
    """A zorgcoordinator of School A1: sees the cases of that school."""
    return user_with_role(RoleCode.ZORGCOORDINATOR)


@pytest.fixture
def colleague(world, user_with_role):
    return user_with_role(RoleCode.ZORGCOORDINATOR)


def _case(world, surname: str, **kwargs) -> Case:
    kwargs.setdefault("school", world.school)
    kwargs.setdefault("phase", Phase.CASUSREGISSEUR)
    return CaseFactory(pupil=enrolled_pupil(kwargs["school"], surname=surname), **kwargs)


def _lose_sight(case: Case, world) -> None:
    """The case moves to School A2 (as after a change of school): School A1 no longer sees
    it, nor knows it (no report of its own is joined: the case was made without one)."""
    case.school = world.school2
    case.save(update_fields=["school"])


# --- Names only for cases the reader sees now ----------------------------------------------


def test_a_group_names_pupil_school_and_phase_only_while_the_case_is_visible(world, zc, login):
    seen = _case(world, "Zichtbaarhuizen")
    lost = _case(world, "Verlorenhoeve", report=False)
    NotificationFactory(user=zc, case=seen, created_at=_ago(1))
    NotificationFactory(user=zc, case=lost, created_at=_ago(2))
    NotificationFactory(user=zc, case=None, kind=NotificationKind.ARBITRATION, created_at=_ago(3))
    client = login(zc)
    assert "Verlorenhoeve" in _inbox(client)  # while it is visible, the name shows
    _lose_sight(lost, world)
    assert not cases_visible_to(zc).filter(pk=lost.pk).exists()
    assert not cases_in_restricted_view(zc).filter(pk=lost.pk).exists()

    html = _inbox(client)

    assert _groups(html) == [str(seen.pk), str(lost.pk), "algemeen"]
    visible = _group(html, seen.pk)
    assert shows(visible, seen.pupil.full_name)
    assert "School A1" in visible and "Fase: Casusregisseur" in visible
    assert f'href="{reverse("cases:case_detail", args=[seen.pk])}"' in visible
    hidden = _group(html, lost.pk)
    assert f"Casus {lost.pk}" in hidden
    assert "U heeft geen toegang meer tot deze casus." in hidden
    assert reverse("cases:case_detail", args=[lost.pk]) not in html  # no link
    assert "Verlorenhoeve" not in html
    assert "School A2" not in html
    assert "Algemeen" in _group(html, "algemeen")
    # The names shown are audited as a list read: the visible case only.
    entry = AuditLogEntry.objects.filter(
        actor=zc, action=AuditAction.READ, object_type="cases.case"
    ).latest("pk")
    assert entry.changes["ids"] == [str(seen.pk)]


def test_the_flat_view_names_visible_cases_only(world, zc, login):
    seen = _case(world, "Platzichtbaar")
    lost = _case(world, "Platverloren", report=False)
    mine = [NotificationFactory(user=zc, case=c) for c in (seen, lost)]
    _lose_sight(lost, world)

    html = _inbox(login(zc), view="message")

    assert set(_rows(html)) == {n.pk for n in mine}
    assert "Platzichtbaar" in html and "Platverloren" not in html
    assert "U heeft geen toegang meer tot deze casus." in html
    assert reverse("cases:case_detail", args=[lost.pk]) not in html


def test_a_case_in_the_restricted_view_keeps_its_link_without_a_name(world, user_with_role, login):
    regisseur = user_with_role(RoleCode.CASUSREGISSEUR)
    # The SWV leads, but no report is shared with it: the restricted view (ADR 0014).
    case = _case(world, "Beperktzicht", report__shared=False)
    assert cases_in_restricted_view(regisseur).filter(pk=case.pk).exists()
    NotificationFactory(user=regisseur, case=case)

    html = _inbox(login(regisseur))

    group = _group(html, case.pk)
    assert f'href="{reverse("cases:case_detail", args=[case.pk])}">Casus {case.pk}</a>' in group
    assert "Beperktzicht" not in html
    assert "geen toegang meer" not in group


def test_another_users_notifications_never_appear(world, zc, colleague, login):
    mine = _case(world, "Eigenbericht")
    theirs = _case(world, "Andermansbericht")
    own = NotificationFactory(user=zc, case=mine)
    foreign = [
        NotificationFactory(user=colleague, case=theirs),
        NotificationFactory(user=colleague, case=mine),
        NotificationFactory(user=colleague, case=None),
    ]
    client = login(zc)

    for params in ({}, {"view": "message"}, {"case": theirs.pk}, {"case": 0}):
        html = _inbox(client, **params)
        assert set(_rows(html)) <= {own.pk}, params
        assert not {n.pk for n in foreign} & set(_rows(html))
    assert _groups(_inbox(client)) == [str(mine.pk)]
    assert "U heeft 1 ongelezen bericht." in _inbox(client)


# --- Groups ---------------------------------------------------------------------------------


def test_groups_with_unread_first_then_newest_and_five_messages_each(world, zc, login, now):
    quiet = _case(world, "Stilhuizen")  # newest message, but read
    busy = _case(world, "Drukhuizen")  # seven messages, two unread
    NotificationFactory(user=zc, case=quiet, created_at=_ago(1), read_at=now)
    busy_messages = [
        NotificationFactory(
            user=zc, case=busy, created_at=_ago(10 + i), read_at=None if i in (5, 6) else now
        )
        for i in range(7)
    ]
    general = NotificationFactory(user=zc, case=None, created_at=_ago(20))

    html = _inbox(login(zc))

    assert _groups(html) == [str(busy.pk), "algemeen", str(quiet.pk)]
    group = _group(html, busy.pk)
    # Unread first (newest of them first), then the newest read ones: five in all.
    expected = [busy_messages[5], busy_messages[6], *busy_messages[:3]]
    assert _rows(group) == [n.pk for n in expected]
    assert "2 ongelezen" in group
    link = f"{reverse('inbox:inbox')}?case={busy.pk}"
    assert f'href="{link}">Alle 7 berichten van deze casus</a>' in group
    assert "Markeer deze casus als gelezen" in group
    assert _rows(_group(html, "algemeen")) == [general.pk]
    assert "Markeer deze casus als gelezen" not in _group(html, quiet.pk)  # all read


def test_the_link_of_a_group_lists_all_its_messages(world, zc, login):
    case = _case(world, "Allesbijelkaar")
    messages = NotificationFactory.create_batch(7, user=zc, case=case)
    NotificationFactory(user=zc, case=_case(world, "Andereleerling"))
    NotificationFactory(user=zc, case=None)

    html = _inbox(login(zc), case=case.pk)

    assert set(_rows(html)) == {n.pk for n in messages}
    assert "Allesbijelkaar" in html and "Andereleerling" not in html
    chosen = re.search(r'data-testid="chosen-case".*?</div>\s*</div>', html, re.S).group(0)
    assert "Fase: Casusregisseur" in chosen
    assert 'action="' + reverse("inbox:mark_case_read", args=[case.pk]) + '"' in chosen
    assert f'<input type="hidden" name="case" value="{case.pk}"' in html  # kept by the form


def test_the_general_group_link_lists_the_messages_without_a_case(world, zc, login):
    general = NotificationFactory.create_batch(6, user=zc, case=None)
    NotificationFactory(user=zc, case=_case(world, "Metcasus"))
    html = _inbox(login(zc))
    assert f'href="{reverse("inbox:inbox")}?case=0">Alle 6 berichten zonder casus</a>' in html

    assert set(_rows(_inbox(login(zc), case=0))) == {n.pk for n in general}


# --- Filters --------------------------------------------------------------------------------


def test_the_filters_kind_unread_and_step(world, zc, login, now):
    case = _case(world, "Filterhuizen")
    warning = NotificationFactory(user=zc, case=case, step=Step.CASUSREGISSEUR)
    passed = NotificationFactory(
        user=zc, case=case, kind=NotificationKind.DEADLINE_PASSED, step=Step.DOORBRAAKTEAM
    )
    read = NotificationFactory(user=zc, case=None, read_at=now, step="")
    client = login(zc)

    assert set(_rows(_inbox(client))) == {warning.pk, passed.pk, read.pk}
    assert set(_rows(_inbox(client, kind=NotificationKind.DEADLINE_PASSED))) == {passed.pk}
    assert set(_rows(_inbox(client, status="unread"))) == {warning.pk, passed.pk}
    assert _groups(_inbox(client, status="unread")) == [str(case.pk)]
    assert set(_rows(_inbox(client, step=Step.DOORBRAAKTEAM))) == {passed.pk}
    flat = _inbox(client, view="message", status="unread", step=Step.CASUSREGISSEUR)
    assert _rows(flat) == [warning.pk]
    empty = _inbox(client, kind=NotificationKind.ARBITRATION)
    assert "Geen berichten gevonden die bij deze filters passen." in empty
    # An invalid filter lists nothing, never everything.
    assert _rows(_inbox(client, kind="onbekend")) == []
    assert _rows(_inbox(client, case="abc")) == []


def test_the_filter_form_works_with_htmx(world, zc, login, now):
    NotificationFactory(user=zc, read_at=now)
    unread = NotificationFactory(user=zc)
    response = login(zc).get(reverse("inbox:inbox"), {"status": "unread"}, **HTMX)
    html = response.content.decode()
    assert "<html" not in html
    assert _rows(html) == [unread.pk]
    page = _inbox(login(zc))
    assert 'hx-get="/berichten/"' in page and 'hx-target="#berichten"' in page
    assert '<select name="status"' in page and '<select name="kind"' in page


# --- Marking a case read --------------------------------------------------------------------


def test_mark_case_read_marks_only_own_notifications_of_that_case(world, zc, colleague):
    case = _case(world, "Gelezenhuizen")
    other_case = _case(world, "Ongelezenhuizen")
    mine = NotificationFactory.create_batch(2, user=zc, case=case)
    earlier = _ago(5)
    already = NotificationFactory(user=zc, case=case, read_at=earlier)
    elsewhere = NotificationFactory(user=zc, case=other_case)
    general = NotificationFactory(user=zc, case=None)
    theirs = NotificationFactory(user=colleague, case=case)

    assert notifications_mark_case_read(user=zc, case_id=case.pk) == 2

    for n in mine:
        n.refresh_from_db()
        assert n.read_at is not None
    for n, was in ((already, earlier), (elsewhere, None), (general, None), (theirs, None)):
        n.refresh_from_db()
        assert n.read_at == was
    assert notifications_mark_case_read(user=zc, case_id=case.pk) == 0


def test_mark_case_read_over_http(world, zc, colleague, login):
    case = _case(world, "Httphuizen")
    NotificationFactory.create_batch(3, user=zc, case=case)
    NotificationFactory(user=zc, case=None)
    theirs = NotificationFactory(user=colleague, case=case)
    client = login(zc)
    back = f"{reverse('inbox:inbox')}?status=unread"

    response = client.post(
        reverse("inbox:mark_case_read", args=[case.pk]), {"next": back}, follow=True
    )

    assert response.redirect_chain[-1][0] == back
    assert "3 berichten zijn als gelezen gemarkeerd." in response.content.decode()
    assert unread_count(zc) == 1
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert client.get(reverse("inbox:mark_case_read", args=[case.pk])).status_code == 405


def test_mark_case_read_with_htmx_returns_the_filtered_list(world, zc, login):
    case = _case(world, "Htmxhuizen")
    NotificationFactory.create_batch(2, user=zc, case=case)
    left = NotificationFactory(user=zc, case=None)
    back = f"{reverse('inbox:inbox')}?status=unread"

    response = login(zc).post(
        reverse("inbox:mark_case_read", args=[case.pk]), {"next": back}, **HTMX
    )

    assert response.status_code == 200
    assert response["HX-Trigger"] == "inbox-changed"
    html = response.content.decode()
    assert "<html" not in html
    assert _rows(html) == [left.pk]  # the page's filter (unread) still applies
    assert "U heeft 1 ongelezen bericht." in html


def test_mark_case_read_is_404_without_own_messages_of_the_case(world, zc, colleague, login):
    case = _case(world, "Vreemdhuizen")
    theirs = NotificationFactory(user=colleague, case=case)
    client = login(zc)
    assert client.post(reverse("inbox:mark_case_read", args=[case.pk])).status_code == 404
    assert client.post(reverse("inbox:mark_case_read", args=[999999])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_read_with_htmx_updates_the_group_count(world, zc, login):
    case = _case(world, "Tellerhuizen")
    first, _second = NotificationFactory.create_batch(2, user=zc, case=case)
    back = reverse("inbox:inbox")

    response = login(zc).post(
        reverse("inbox:mark_read", args=[first.pk]), {"next": back, "layout": "case"}, **HTMX
    )

    html = response.content.decode()
    assert html.lstrip().startswith("<tr")
    assert re.search(
        rf'<span id="groep-{case.pk}-ongelezen"[^>]*hx-swap-oob="true"><strong>1 ongelezen', html
    )
    assert 'id="berichten-ongelezen"' in html and "U heeft 1 ongelezen bericht." in html


def test_mark_read_with_htmx_in_the_flat_view_names_the_case(world, zc, login):
    case = _case(world, "Rijhuizen")
    notification = NotificationFactory(user=zc, case=case)
    response = login(zc).post(
        reverse("inbox:mark_read", args=[notification.pk]),
        {"next": reverse("inbox:inbox") + "?view=message", "layout": "message"},
        **HTMX,
    )
    html = response.content.decode()
    assert "Rijhuizen" in html
    assert "groep-" not in html


# --- Selectors ------------------------------------------------------------------------------


def test_the_selectors_group_bound_and_scope(world, zc, colleague, now):
    seen = _case(world, "Selectiezicht")
    lost = _case(world, "Selectieweg", report=False)
    for hours in range(8):
        NotificationFactory(user=zc, case=seen, created_at=_ago(hours + 1))
    NotificationFactory(user=zc, case=lost, created_at=_ago(30), read_at=now)
    NotificationFactory(user=zc, case=None, created_at=_ago(40))
    NotificationFactory(user=colleague, case=lost)
    _lose_sight(lost, world)

    groups = list(inbox_groups(notifications_of(zc)))
    assert [(g["case_id"], g["total"], g["unread"]) for g in groups] == [
        (seen.pk, 8, 8),
        (None, 1, 1),
        (lost.pk, 1, 0),
    ]
    shown = inbox_group_messages(notifications_of(zc), [seen.pk, None, lost.pk], per_group=3)
    assert [len(shown[k]) for k in (seen.pk, None, lost.pk)] == [3, 1, 1]
    assert all(n.user_id == zc.pk for ns in shown.values() for n in ns)

    cases = inbox_cases(zc, [seen.pk, lost.pk, None])
    assert cases[seen.pk].visible and cases[seen.pk].case.pupil.surname == "Selectiezicht"
    assert not cases[lost.pk].visible and not cases[lost.pk].linked
    assert cases[lost.pk].case is None


def test_the_next_step_shows_only_while_it_is_current(world, zc, login):
    from escalation.services.deadlines import deadlines_compute

    case = _case(world, "Stappenhuizen", phase=Phase.SCHOOL)
    deadlines_compute([case.pk])
    NotificationFactory(user=zc, case=case)
    stored = inbox_cases(zc, [case.pk])[case.pk].next_step
    assert stored is not None and stored.step == Step.CASUSREGISSEUR

    html = _inbox(login(zc))
    assert f"Volgende stap: {Step.CASUSREGISSEUR.label}" in html

    case.phase = Phase.CASUSREGISSEUR  # moved on by hand, before the sweep recomputes
    case.save(update_fields=["phase"])
    assert inbox_cases(zc, [case.pk])[case.pk].next_step is None


# --- Query budget ---------------------------------------------------------------------------


def _fill(world, user, groups: int, per_group: int, now) -> None:
    """``groups`` cases (every third no longer visible) with ``per_group`` messages each,
    half of them read, and as many messages without a case."""
    for i in range(groups):
        case = _case(world, f"Budget{i}", report=i % 3 != 0)
        for j in range(per_group):
            NotificationFactory(user=user, case=case, read_at=now if j % 2 else None)
        if i % 3 == 0:
            _lose_sight(case, world)
    NotificationFactory.create_batch(per_group, user=user, case=None)


@pytest.mark.parametrize("params", [{}, {"view": "message"}, {"status": "unread"}])
def test_the_query_count_does_not_grow_with_groups_or_messages(
    world, zc, colleague, login, now, params, django_assert_num_queries
):
    client = login(colleague)
    _fill(world, colleague, 2, 1, now)  # one case visible, one no longer
    client.get(reverse("inbox:inbox"), params)  # warm up (session, content types)
    with CaptureQueriesContext(connection) as small:
        html = client.get(reverse("inbox:inbox"), params).content.decode()
    assert _rows(html)
    budget = [q["sql"] for q in small.captured_queries]  # (read before the next request)

    client = login(zc)
    _fill(world, zc, 27, 7, now)
    client.get(reverse("inbox:inbox"), params)
    with django_assert_num_queries(len(budget)):
        html = client.get(reverse("inbox:inbox"), params).content.decode()
    assert len(_rows(html)) >= 25
    assert len(budget) <= 11, budget
