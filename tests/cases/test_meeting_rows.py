"""Each meeting shows its own participants and decisions (``meetings_in_full``), in their
order, on the case page, in the case file API and in the case file PDF; a case's other
meetings, and other cases' meetings, never lend it theirs."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Meeting
from cases.services import absence_report_submit, meeting_record, participant_add

from ..factories.registration import enrolled_pupil, report_input
from ..pdfs import pdf_read

pytestmark = pytest.mark.usefixtures("frozen_clock")


def _case(world, zc, surname):
    pupil = enrolled_pupil(world.school, given_names="Sam", surname=surname)
    return absence_report_submit(
        actor=zc, reporting_organisation=world.school, data=report_input(pupil), channel="form"
    ).case


@pytest.fixture
def meetings(world, zc, lp):
    """Three meetings of a case: two with people and decisions of their own (one person at
    both), one with neither; and a meeting of another case."""
    case = _case(world, zc, "Overleg")
    today = timezone.localdate()
    mother, father, mentor = (
        participant_add(case=case, actor=lp, role="parent", name=name)
        for name in ("Moeder Overleg", "Vader Overleg", "Mentor Overleg")
    )
    early = meeting_record(
        case=case,
        actor=lp,
        kind="mdo",
        held_on=today - datetime.timedelta(days=9),
        participants=[mentor, mother],
        decisions=["Eerste besluit", "Tweede besluit"],
        confirmed_without_consent=True,
    )
    empty = meeting_record(
        case=case,
        actor=lp,
        kind="mdo",
        held_on=today - datetime.timedelta(days=5),
        confirmed_without_consent=True,
    )
    late = meeting_record(
        case=case,
        actor=lp,
        kind="mdo",
        held_on=today - datetime.timedelta(days=1),
        participants=[father],
        decisions=["Laatste besluit"],
        confirmed_without_consent=True,
    )
    other = _case(world, zc, "Elders")
    stranger = participant_add(case=other, actor=lp, role="parent", name="Ouder Elders")
    meeting_record(
        case=other,
        actor=lp,
        kind="mdo",
        held_on=today,
        participants=[stranger],
        decisions=["Besluit elders"],
        confirmed_without_consent=True,
    )
    return case, early, empty, late


def test_the_case_file_api_gives_each_meeting_its_own_people_and_decisions(meetings, lp, client):
    case, *_ = meetings
    client.force_login(lp)
    body = client.get(f"/api/v1/cases/{case.pk}/").json()
    expected = [
        {
            "id": m.pk,
            "participants": [p.pk for p in m.participants.order_by("added_at", "id")],
            "decisions": [{"id": d.pk, "text": d.text} for d in m.decisions.order_by("id")],
        }
        for m in Meeting.objects.filter(case=case).order_by("held_on", "id")
    ]
    got = [{k: m[k] for k in ("id", "participants", "decisions")} for m in body["meetings"]]
    assert got == expected
    assert [len(m["participants"]) for m in got] == [2, 0, 1]


def _meeting_items(html: str) -> list[str]:
    listing = html.split('data-testid="meetings"', 1)[1].split("</ul>", 1)[0]
    return [re.sub(r"\s+", " ", item) for item in re.split(r"<li>\s*<strong>", listing)[1:]]


def test_the_case_page_shows_each_meeting_with_its_own_people_and_decisions(meetings, lp, client):
    case, *_ = meetings
    client.force_login(lp)
    html = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    late, empty, early = _meeting_items(html)  # newest first
    assert "Vader Overleg" in late and "Laatste besluit" in late
    assert "Moeder" not in late and "Eerste besluit" not in late
    assert "Moeder Overleg, Mentor Overleg" in early  # as they joined the case, not as given
    assert early.index("Eerste besluit") < early.index("Tweede besluit")
    assert "Vader" not in early and "Laatste besluit" not in early
    assert "Overleg" not in empty and "besluit" not in empty.lower()
    assert "Elders" not in html


def test_the_case_file_pdf_shows_each_meetings_people_and_decisions(meetings, lp, client):
    case, *_ = meetings
    client.force_login(lp)
    response = client.get(reverse("cases:case_file_pdf", args=[case.pk]))
    _reader, text = pdf_read(response.content)
    flat = re.sub(r"\s+", " ", text)
    for shown in ("Moeder Overleg, Mentor Overleg", "Eerste besluit", "Laatste besluit"):
        assert shown in flat
    assert "Besluit elders" not in flat and "Ouder Elders" not in flat
