"""A small fixed dataset for the aggregates of ``reports.selectors`` (DESIGN.md 4.5).

``build`` makes cases with exactly the reports, journal, meetings, goals and escalations a
test names; ``dataset`` is the one region the figures tests compute by hand: 18 cases of
"SWV PO A" (``world.swv``) around the first quarter of 2026, and three cases elsewhere that
no SWV A figure may count. Every timestamp is local time (Europe/Amsterdam).

The table below is what the expectations in ``test_figures.py`` are worked out from; ON is
2026-03-31, the last day of 2026-Q1, and TODAY is 2026-04-15.

====  ======  ==========  ====================  ===========================================
case  school  born        clock / opened        reports (kind started reported [ended])
====  ======  ==========  ====================  ===========================================
A01   A1      2016-05-10  03-03 / 03-05 09:00   unauthorised 03-03 03-05
A02   A1      2020-04-01  03-04 / 03-06 09:00   unauthorised 03-04 03-06
A03   none    2020-03-31  03-20 / 03-20 11:00   not_enrolled 03-20 03-20
A04   SBO     2014-03-31  03-25 / 03-25 14:00   suspension 03-25 03-25
A05   SO      2014-04-01  02-03 / 02-03 10:00   exemption 02-03 02-03
A06   A1      2010-03-31  01-06 / 01-06 10:00   sickness 01-06 01-06
A07   A1      2008-04-01  2025-12-31 / 01-01 00:00  unauthorised 2025-12-31 01-01
A08   A2      2008-03-31  01-01 / 01-05 09:00   unauthorised 01-01 01-05;
                                                at_risk 2025-12-15 reported 04-03
A09   A2      2013-06-15  2025-09-29 / 2025-10-01   unauthorised, offer 2026-04-05
A10   A1      2012-01-01  2025-03-31 / 2025-04-02   unauthorised, offer 2026-03-31
A11   A1      2015-02-14  2025-09-30 / 2025-12-31 23:59  at_risk
A12   A1      2017-09-01  02-04 / 02-16 10:00   partial 02-04 02-16
A13   A1      2018-01-01  01-07 / 01-21 10:00   unauthorised 01-07 01-21 [03-30];
                                                sickness 02-01 reported 04-02
A14   A1      2016-01-01  01-12 / 01-13 10:00   unauthorised; closed 03-20 15:00
A15   A1      2016-11-11  02-20 / 02-23 10:00   unauthorised; closed 04-01 00:00
A16   A1      2015-01-01  2025-06-30 / 2025-07-01  unauthorised; closed 2025-12-31 23:30
A17   A1      2016-01-01  03-10 / 04-01 00:00   unauthorised 03-10 04-01
A18   A1      2019-05-05  03-31 / 03-31 23:59   unauthorised 03-31 03-31
====  ======  ==========  ====================  ===========================================

Elsewhere: B1 in ``other_swv`` (region B), B2 in ``far_swv`` (region B), B3 in ``swv_vo``
(region A, municipality m1: counted for m1 and region A, never for SWV A).
"""

import datetime
from dataclasses import dataclass, field

import pytest
import time_machine
from django.utils import timezone

from cases.models import Case, CaseEvent, CaseReport, Goal, Meeting
from cases.services import case_sharing_refresh
from escalation.models import Escalation
from registration.models import AbsenceReport

from ..factories.cases import CaseFactory
from ..factories.organisations import SchoolFactory
from ..factories.registration import PupilFactory, enrolled_pupil
from ..factories.users import UserFactory

ON = datetime.date(2026, 3, 31)
TODAY = datetime.date(2026, 4, 15)


def d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def local(text: str) -> datetime.datetime:
    """``"2026-03-31 23:59"`` as an aware datetime in Amsterdam time."""
    return timezone.make_aware(datetime.datetime.fromisoformat(text))


def travel(text: str):
    return time_machine.travel(local(text), tick=False)


class Builder:
    """Cases exactly as a test describes them, without any service deciding for it."""

    def __init__(self, world):
        self.world = world
        self.user = UserFactory()

    def case(
        self,
        *,
        school,
        born: str,
        clock: str,
        opened: str,
        reports: list[tuple],
        phase: str = "school",
        closed: str | None = None,
        closed_reason: str = "",
        offer: str | None = None,
        causes: list[str] | None = None,
        daytime: str = "unknown",
        waiting: str = "",
        swv=None,
        municipality=None,
    ):
        """``reports``: (kind, absence started, reported on[, absence ended]) as ISO dates."""
        if school is not None:
            pupil = enrolled_pupil(school, date_of_birth=d(born))
        else:
            pupil = PupilFactory(municipality=municipality or self.world.m1, date_of_birth=d(born))
        swv = swv or school.swv
        closed_at = local(closed) if closed else None
        case = CaseFactory(
            report=False,
            school=school,
            pupil=pupil,
            swv=swv,
            municipality=pupil.municipality,
            lead_organisation=school or swv,
            phase=phase,
            clock_start=d(clock),
            opened_at=local(opened),
            closed_at=closed_at,
            closed_on=timezone.localtime(closed_at).date() if closed_at else None,
            closed_reason=closed_reason,
            first_offer_started_on=d(offer) if offer else None,
            causes=causes or [],
            daytime_activity=daytime,
            waiting_list_for=waiting,
        )
        for kind, started, reported, *ended in reports:
            self.report(case, kind, started, reported, ended[0] if ended else None)
        return case

    def report(self, case, kind: str, started: str, reported: str, ended: str | None = None):
        report = AbsenceReport.objects.create(
            pupil=case.pupil,
            kind=kind,
            reporting_organisation=case.school or case.lead_organisation,
            reported_by=self.user,
            reported_on=d(reported),
            absence_started_on=d(started),
            absence_ended_on=d(ended) if ended else None,
            parents_informed_on=d(started),
            parents_informed_how="phone",
            school=case.school,
            swv=case.swv,
            municipality=case.municipality,
            shared_with_leerplicht=True,
            shared_with_swv=True,
            channel="form",
        )
        CaseReport.objects.create(case=case, report=report, joined_at=case.opened_at)
        case_sharing_refresh(case_ids=[case.pk])
        return report

    def phase_change(self, case, at: str, from_phase: str, to_phase: str):
        return CaseEvent.objects.create(
            case=case,
            at=local(at),
            kind="phase_changed",
            data={"from": from_phase, "to": to_phase, "via": "test"},
        )

    # Written past the services (at a moment of the test's choosing), so each keeps the
    # case's first dates as ``journal`` does (ADR 0025).
    def event(self, case, at: str, kind: str):
        event = CaseEvent.objects.create(case=case, at=local(at), kind=kind)
        Case.objects.filter(pk=case.pk).first_dates_refresh()
        return event

    def meeting(self, case, held_on: str, parents_present: bool = True):
        meeting = Meeting.objects.create(
            case=case,
            kind="mdo",
            held_on=d(held_on),
            parents_present=parents_present,
            created_by=self.user,
        )
        Case.objects.filter(pk=case.pk).first_dates_refresh()
        return meeting

    def goal(self, case, at: str):
        goal = Goal.objects.create(case=case, description="Weer naar school", created_at=local(at))
        Case.objects.filter(pk=case.pk).first_dates_refresh()
        return goal

    def escalation(self, case, step: str, trigger: str, at: str, due: str | None = None):
        return Escalation.objects.create(
            case=case,
            step=step,
            trigger=trigger,
            happened_at=local(at),
            due_on=d(due) if due else None,
        )


@pytest.fixture
def build(world) -> Builder:
    with travel("2026-04-15 12:00"):
        return Builder(world)


@dataclass
class Dataset:
    world: object
    cases: dict = field(default_factory=dict)
    sbo: object = None
    so: object = None

    def __getattr__(self, name):
        try:
            return self.__dict__["cases"][name]
        except KeyError:
            raise AttributeError(name) from None


@pytest.fixture
def dataset(world, build) -> Dataset:
    with travel("2026-04-15 12:00"):
        return _dataset(world, build)


def _dataset(world, b: Builder) -> Dataset:
    sbo = SchoolFactory(name="SBO De Brug", sector="sbo", swv=world.swv, municipality=world.m1)
    so = SchoolFactory(name="SO De Horizon", sector="so", swv=world.swv, municipality=world.m1)
    a1, a2 = world.school, world.school2
    c = {}
    U, SICK, AT_RISK = "unauthorised", "sickness", "at_risk"

    c["A01"] = b.case(
        school=a1,
        born="2016-05-10",
        clock="2026-03-03",
        opened="2026-03-05 09:00",
        reports=[(U, "2026-03-03", "2026-03-05")],
        causes=["school_anxiety"],
        daytime="at_home",
    )
    b.event(c["A01"], "2026-03-12 09:00", "conversation")  # exactly 7 days: met
    b.meeting(c["A01"], "2026-03-19")  # the 14th day, parents present: met
    b.goal(c["A01"], "2026-04-03 10:00")  # after ON: pending on ON

    c["A02"] = b.case(
        school=a1,
        born="2020-04-01",
        clock="2026-03-04",
        opened="2026-03-06 09:00",
        reports=[(U, "2026-03-04", "2026-03-06")],
    )
    b.event(c["A02"], "2026-03-13 09:01", "conversation")  # 7 days and a minute: missed

    c["A03"] = b.case(
        school=None,
        swv=world.swv,
        municipality=world.m1,
        born="2020-03-31",
        clock="2026-03-20",
        opened="2026-03-20 11:00",
        reports=[("not_enrolled", "2026-03-20", "2026-03-20")],
        causes=["no_fitting_school"],
        daytime="at_home",
    )
    b.meeting(c["A03"], "2026-03-27")  # first contact (a meeting) and first conversation

    c["A04"] = b.case(
        school=sbo,
        born="2014-03-31",
        clock="2026-03-25",
        opened="2026-03-25 14:00",
        reports=[("suspension", "2026-03-25", "2026-03-25")],
        causes=["behaviour", "suspension"],
        daytime="at_home",
        waiting="special_education",
    )

    c["A05"] = b.case(
        school=so,
        born="2014-04-01",
        clock="2026-02-03",
        opened="2026-02-03 10:00",
        reports=[("exemption", "2026-02-03", "2026-02-03")],
        phase="casusregisseur",
        causes=["physical"],
        daytime="care",
        waiting="youth_care",
    )
    b.meeting(c["A05"], "2026-02-10")  # the 7th day: contact and conversation met
    b.goal(c["A05"], "2026-03-05 10:00")  # exactly 30 days: met
    b.escalation(c["A05"], "casusregisseur", "person", "2026-02-20 10:00")  # not timed

    c["A06"] = b.case(
        school=a1,
        born="2010-03-31",
        clock="2026-01-06",
        opened="2026-01-06 10:00",
        reports=[(SICK, "2026-01-06", "2026-01-06")],
        phase="doorbraakteam",
        causes=["psychological", "school_anxiety"],
        daytime="care",
        waiting="mental_health",
    )
    b.meeting(c["A06"], "2026-01-14")  # 8th day: contact missed; conversation met
    b.goal(c["A06"], "2026-02-05 10:01")  # 30 days and a minute: missed
    b.phase_change(c["A06"], "2026-02-03 23:30", "school", "casusregisseur")
    b.phase_change(c["A06"], "2026-03-31 23:59", "casusregisseur", "doorbraak_assessment")
    b.phase_change(c["A06"], "2026-04-10 10:00", "doorbraak_assessment", "doorbraakteam")
    b.escalation(c["A06"], "casusregisseur", "timer", "2026-02-03 23:30", due="2026-02-03")
    b.escalation(c["A06"], "doorbraak_assessment", "timer", "2026-03-31 23:59", due="2026-03-31")
    b.escalation(c["A06"], "doorbraakteam", "assessment", "2026-04-10 10:00")  # in Q2

    c["A07"] = b.case(
        school=a1,
        born="2008-04-01",
        clock="2025-12-31",
        opened="2026-01-01 00:00",
        reports=[(U, "2025-12-31", "2026-01-01")],
        phase="doorbraak_assessment",
        causes=["other"],
        daytime="at_home",
    )
    b.event(c["A07"], "2026-01-08 00:00", "conversation")  # exactly 7 days: met
    b.meeting(c["A07"], "2026-01-16")  # the 15th day: conversation missed
    b.goal(c["A07"], "2026-01-20 10:00")
    b.phase_change(c["A07"], "2026-01-29 00:30", "school", "casusregisseur")
    b.phase_change(c["A07"], "2026-04-01 00:00", "casusregisseur", "doorbraak_assessment")
    # Due 01-28, happened 00:30 the next local day (still 01-28 in UTC): late.
    b.escalation(c["A07"], "casusregisseur", "timer", "2026-01-29 00:30", due="2026-01-28")

    c["A08"] = b.case(
        school=a2,
        born="2008-03-31",
        clock="2026-01-01",
        opened="2026-01-05 09:00",
        reports=[
            (U, "2026-01-01", "2026-01-05"),
            # Reported after ON with an earlier start: not its kind on ON, its kind after.
            (AT_RISK, "2025-12-15", "2026-04-03"),
        ],
        phase="casusregisseur",
    )
    b.event(c["A08"], "2026-01-07 10:00", "conversation")
    b.goal(c["A08"], "2026-02-05 10:00")  # 31 days and an hour: missed
    b.phase_change(c["A08"], "2026-04-02 10:00", "school", "casusregisseur")

    c["A09"] = b.case(
        school=a2,
        born="2013-06-15",
        clock="2025-09-29",
        opened="2025-10-01 10:00",
        reports=[(U, "2025-09-29", "2025-10-01")],
        phase="doorbraakteam",
        offer="2026-04-05",
        causes=["psychological"],
        daytime="daytime_programme",
        waiting="mental_health",
    )
    b.phase_change(c["A09"], "2025-10-27 10:00", "school", "casusregisseur")
    b.phase_change(c["A09"], "2025-11-24 10:00", "casusregisseur", "doorbraak_assessment")
    b.phase_change(c["A09"], "2025-12-22 10:00", "doorbraak_assessment", "doorbraakteam")
    b.escalation(c["A09"], "doorbraakteam", "timer", "2025-12-22 10:00", due="2025-12-22")

    c["A10"] = b.case(
        school=a1,
        born="2012-01-01",
        clock="2025-03-31",
        opened="2025-04-02 10:00",
        reports=[(U, "2025-03-31", "2025-04-02")],
        phase="om_referral",
        offer="2026-03-31",
        causes=["home_situation", "bullying"],
        daytime="partial_school",
    )
    b.escalation(c["A10"], "doorbraakteam", "assessment", "2026-01-10 10:00")
    b.escalation(c["A10"], "om_referral", "person", "2026-02-15 10:00")

    c["A11"] = b.case(
        school=a1,
        born="2015-02-14",
        clock="2025-09-30",
        opened="2025-12-31 23:59",
        reports=[(AT_RISK, "2025-09-30", "2025-12-31")],
        phase="casusregisseur",
        causes=["learning"],
        daytime="other",
        waiting="diagnostics",
    )
    b.escalation(c["A11"], "casusregisseur", "timer", "2026-04-01 00:00", due="2025-12-30")

    c["A12"] = b.case(
        school=a1,
        born="2017-09-01",
        clock="2026-02-04",
        opened="2026-02-16 10:00",
        reports=[("partial", "2026-02-04", "2026-02-16")],
        daytime="partial_school",
        waiting="other",
    )
    b.event(c["A12"], "2026-02-20 10:00", "meeting_held")  # contact met
    b.meeting(c["A12"], "2026-02-20", parents_present=False)  # no conversation with parents

    c["A13"] = b.case(
        school=a1,
        born="2018-01-01",
        clock="2026-01-07",
        opened="2026-01-21 10:00",
        reports=[
            (U, "2026-01-07", "2026-01-21", "2026-03-30"),  # ended the day before ON
            (SICK, "2026-02-01", "2026-04-02"),  # reported after ON
        ],
        phase="casusregisseur",
        causes=["other"],
    )
    b.event(c["A13"], "2026-01-22 10:00", "note")  # a note is no contact
    b.goal(c["A13"], "2026-02-01 10:00")
    b.escalation(c["A13"], "casusregisseur", "skipped", "2026-02-04 10:00")

    c["A14"] = b.case(
        school=a1,
        born="2016-01-01",
        clock="2026-01-12",
        opened="2026-01-13 10:00",
        reports=[(U, "2026-01-12", "2026-01-13")],
        phase="closed",
        closed="2026-03-20 15:00",
        closed_reason="offer_started",
        offer="2026-03-20",
    )
    b.event(c["A14"], "2026-01-15 10:00", "conversation")
    b.meeting(c["A14"], "2026-01-20")
    b.goal(c["A14"], "2026-01-20 10:00")
    b.escalation(c["A14"], "casusregisseur", "timer", "2026-02-10 00:30", due="2026-02-10")

    c["A15"] = b.case(
        school=a1,
        born="2016-11-11",
        clock="2026-02-20",
        opened="2026-02-23 10:00",
        reports=[(U, "2026-02-20", "2026-02-23")],
        phase="closed",
        closed="2026-04-01 00:00",
        closed_reason="back_at_school",
        causes=["bullying"],
    )
    b.event(c["A15"], "2026-02-25 10:00", "conversation")
    b.goal(c["A15"], "2026-03-01 10:00")
    b.phase_change(c["A15"], "2026-03-20 10:00", "school", "casusregisseur")
    b.phase_change(c["A15"], "2026-04-01 00:00", "casusregisseur", "closed")
    b.escalation(c["A15"], "casusregisseur", "person", "2026-03-20 10:00", due="2026-03-20")

    c["A16"] = b.case(
        school=a1,
        born="2015-01-01",
        clock="2025-06-30",
        opened="2025-07-01 10:00",
        reports=[(U, "2025-06-30", "2025-07-01")],
        phase="closed",
        closed="2025-12-31 23:30",
        closed_reason="moved_away",
    )

    c["A17"] = b.case(
        school=a1,
        born="2016-01-01",
        clock="2026-03-10",
        opened="2026-04-01 00:00",
        reports=[(U, "2026-03-10", "2026-04-01")],
    )

    c["A18"] = b.case(
        school=a1,
        born="2019-05-05",
        clock="2026-03-31",
        opened="2026-03-31 23:59",
        reports=[(U, "2026-03-31", "2026-03-31")],
    )

    # Elsewhere: never counted for SWV A.
    c["B1"] = b.case(
        school=world.other_school,
        born="2014-01-01",
        clock="2026-01-05",
        opened="2026-01-06 10:00",
        reports=[(U, "2026-01-05", "2026-01-06")],
        phase="casusregisseur",
    )
    b.event(c["B1"], "2026-01-07 10:00", "conversation")
    b.escalation(c["B1"], "casusregisseur", "timer", "2026-02-02 10:00", due="2026-02-02")
    c["B2"] = b.case(
        school=world.far_school,
        born="2014-01-01",
        clock="2026-03-01",
        opened="2026-03-01 10:00",
        reports=[("not_enrolled", "2026-03-01", "2026-03-01")],
    )
    c["B3"] = b.case(
        school=world.vo_school,
        born="2012-01-01",
        clock="2026-02-01",
        opened="2026-02-02 10:00",
        reports=[(U, "2026-02-01", "2026-02-02")],
        phase="casusregisseur",
    )
    b.escalation(c["B3"], "casusregisseur", "timer", "2026-03-01 10:00", due="2026-03-01")
    return Dataset(world=world, cases=c, sbo=sbo, so=so)
