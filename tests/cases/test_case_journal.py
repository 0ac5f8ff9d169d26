"""The case page's journal a page at a time (``cases:journal``): the newest entries on the
page, older ones appended by htmx or on a page of their own; keyset pages that stay put
while entries are added; scoped, audited and in a fixed number of queries."""

import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import CaseEvent
from cases.selectors import JOURNAL_PAGE, journal_page
from cases.services import case_journal_add
from thuiszitters.models import AuditAction, AuditLogEntry, AuditOutcome
from thuiszitters.roles import RoleCode

from .test_lists import open_case

HTMX = {"HTTP_HX_REQUEST": "true"}
pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.fixture
def case(world, zc):
    return open_case(zc, world.school, given_names="Jip", surname="Journaal")


def _notes(case, actor, n, start=0):
    for i in range(start, start + n):
        case_journal_add(case=case, actor=actor, text=f"Notitie {i:03d}")


def _shown(body: str) -> list[str]:
    return re.findall(r"Notitie (\d{3})", body)


def _older_link(body: str) -> str | None:
    match = re.search(r'id="journal-older"[^>]*><a class="utrecht-link" href="([^"]+)"', body)
    return match and match.group(1).replace("&amp;", "&")


def _journal(case, **query):
    return reverse("cases:journal", args=[case.pk]) + (
        f"?voor={query['voor']}" if "voor" in query else ""
    )


def test_the_page_shows_the_newest_entries_and_a_link_to_the_older(case, lp, login):
    _notes(case, lp, JOURNAL_PAGE + 5)
    body = login(lp).get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    # The report opened the case with an entry of its own; the newest notes come first.
    newest = [f"{i:03d}" for i in range(JOURNAL_PAGE + 4, 4, -1)]
    assert _shown(body) == newest
    assert "Notitie 004" not in body
    link = _older_link(body)
    last = CaseEvent.objects.get(case=case, message="Notitie 005")
    assert link == _journal(case, voor=last.pk)
    assert f'hx-get="{link}"' in body and 'hx-target="#journal-entries"' in body


def test_a_journal_of_one_page_has_no_link_to_older_entries(case, lp, login):
    opening = CaseEvent.objects.filter(case=case).count()  # the report opened the case
    _notes(case, lp, JOURNAL_PAGE - opening)  # a page exactly
    body = login(lp).get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert len(_shown(body)) == JOURNAL_PAGE - opening
    assert 'id="journal-older"' not in body
    _notes(case, lp, 1, start=900)
    body = login(lp).get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert 'id="journal-older"' in body


def test_htmx_appends_the_older_entries_and_replaces_the_link(case, lp, login):
    _notes(case, lp, 2 * JOURNAL_PAGE + 3)
    client = login(lp)
    body = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    second = client.get(_older_link(body), **HTMX).content.decode()
    assert "<ol" not in second and "<section" not in second  # entries for the list, no page
    assert _shown(second) == [f"{i:03d}" for i in range(JOURNAL_PAGE + 2, 2, -1)]
    assert second.count("data-focus-on-arrival") == 1  # the first new entry takes the focus
    assert 'id="journal-older" hx-swap-oob="true"' in second
    last = client.get(_older_link(second), **HTMX).content.decode()
    assert _shown(last) == ["002", "001", "000"]
    assert '<p id="journal-older" hx-swap-oob="delete"></p>' in last  # the link goes


def test_without_javascript_the_older_entries_are_a_page_of_their_own(case, lp, login):
    _notes(case, lp, JOURNAL_PAGE + 3)
    client = login(lp)
    body = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    response = client.get(_older_link(body))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" in page and "Jip Journaal" in page
    assert _shown(page) == ["002", "001", "000"]
    assert reverse("cases:case_detail", args=[case.pk]) + "#section-journal" in page
    assert 'id="journal-older"' not in page
    # Without ``voor``: the journal from its newest entry.
    newest = client.get(_journal(case)).content.decode()
    assert _shown(newest)[0] == f"{JOURNAL_PAGE + 2:03d}" and _older_link(newest)


def test_pages_stay_put_while_entries_are_added(case, lp):
    _notes(case, lp, 2 * JOURNAL_PAGE)
    first = journal_page(case.pk)
    _notes(case, lp, 7, start=500)  # someone writes while the reader pages back
    second = journal_page(case.pk, first.older)
    seen = {e.id for e in first.entries}
    assert not seen & {e.id for e in second.entries}
    assert second.entries[0].message == f"Notitie {JOURNAL_PAGE - 1:03d}"


def test_entries_of_the_same_moment_are_paged_by_id(case, lp, now):
    with time_machine.travel(now, tick=False):  # e.g. a meeting's decisions, in one go
        _notes(case, lp, JOURNAL_PAGE + 10)
    total = CaseEvent.objects.filter(case=case).count()
    assert CaseEvent.objects.filter(case=case, at=now).count() == JOURNAL_PAGE + 10
    pages, before = [], None
    while True:
        page = journal_page(case.pk, before)
        pages.append([e.id for e in page.entries])
        if page.older is None:
            break
        before = page.older
    everything = [pk for page in pages for pk in page]
    assert (
        everything == sorted(CaseEvent.objects.filter(case=case).values_list("pk", flat=True))[::-1]
    )
    assert [len(p) for p in pages] == [JOURNAL_PAGE, total - JOURNAL_PAGE]


def test_an_entry_of_another_case_is_no_way_in(world, case, lp, zc, login):
    other = open_case(zc, world.school, given_names="Kim", surname="Anderezaak")
    case_journal_add(case=other, actor=lp, text="Geheim van een andere casus")
    foreign_entry = CaseEvent.objects.get(case=other, message="Geheim van een andere casus")
    _notes(case, lp, 3)
    response = login(lp).get(_journal(case, voor=foreign_entry.pk))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Geheim van een andere casus" not in body and not _shown(body)


@pytest.mark.parametrize("voor", ["abc", "-3", "1.5", "", "²", "9" * 30])
def test_a_malformed_cursor_is_404(case, lp, login, voor):
    url = reverse("cases:journal", args=[case.pk])
    assert login(lp).get(url, {"voor": voor}).status_code == 404


def test_the_journal_pages_are_read_only(case, lp, login):
    assert login(lp).post(reverse("cases:journal", args=[case.pk])).status_code == 405


def test_readers_outside_the_case_get_404_and_a_denied_read(world, case, user_with_role, login):
    _notes(case, user_with_role(RoleCode.LEERPLICHT), 3)
    stranger = user_with_role(RoleCode.ZORGCOORDINATOR, world.school2)
    before = AuditLogEntry.objects.count()
    response = login(stranger).get(_journal(case))
    assert response.status_code == 404
    assert b"Notitie" not in response.content
    rows = AuditLogEntry.objects.order_by("id")[before:]
    assert [(r.action, r.outcome) for r in rows] == [(AuditAction.READ_DENIED, AuditOutcome.DENIED)]


def test_every_page_of_the_journal_is_an_audited_read(case, lp, login):
    _notes(case, lp, JOURNAL_PAGE + 1)
    client = login(lp)
    before = AuditLogEntry.objects.count()
    client.get(_journal(case, voor=CaseEvent.objects.filter(case=case).last().pk), **HTMX)
    rows = list(AuditLogEntry.objects.order_by("id")[before:])
    assert [(r.action, r.object_type, r.object_id) for r in rows] == [
        (AuditAction.READ, "cases.case", str(case.pk))
    ]


def _count(client, url, **extra):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **extra)
    assert response.status_code == 200
    return len(ctx)


def test_a_page_of_the_journal_does_not_grow_with_the_journal(case, lp, login):
    client = login(lp)
    _notes(case, lp, 3)
    cursor = CaseEvent.objects.filter(case=case).order_by("-id")[1].pk
    small = (_count(client, _journal(case, voor=cursor), **HTMX), _count(client, _journal(case)))
    _notes(case, lp, 3 * JOURNAL_PAGE)
    cursor = CaseEvent.objects.filter(case=case).order_by("-id")[JOURNAL_PAGE].pk
    large = (_count(client, _journal(case, voor=cursor), **HTMX), _count(client, _journal(case)))
    assert small == large
