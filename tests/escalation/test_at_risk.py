"""At risk is a signal, not a clock (DESIGN.md 4.1, 4.2): an at-risk case has no deadline
and never escalates; the first absence report starts the clock at its first day of absence;
the weekly monitoring reminder of phase school, once per ISO week per case."""

import datetime

import pytest
import time_machine

from cases.models import Case, CaseEvent, CaseEventKind
from cases.services import absence_report_submit
from cases.workflow import Phase
from escalation.models import CaseDeadline, Escalation, Notification, NotificationKind, Step
from escalation.selectors.route import (
    is_past_three_months_without_offer,
    next_deadline_of,
    past_three_months_without_offer,
)
from escalation.services.sweep import escalation_sweep
from thuiszitters.roles import RoleCode

from ..factories.cases import CaseFactory
from ..factories.registration import enrolled_pupil, report_input
from ..factories.users import member

START = datetime.date(2026, 1, 5)  # a Monday (ISO week 2)


def at(day: datetime.date, hour: int = 8):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(hour)), tick=False)


def days(n: int) -> datetime.date:
    return START + datetime.timedelta(days=n)


@pytest.fixture
def zc(world):
    with at(START):
        return member(world.school, RoleCode.ZORGCOORDINATOR)


def report(zc, world, pupil, kind: str, first_day: datetime.date, **extra):
    return absence_report_submit(
        actor=zc,
        reporting_organisation=world.school,
        data=report_input(
            pupil, kind=kind, absence_started_on=first_day, parents_informed_on=first_day, **extra
        ),
        channel="form",
    ).case


@pytest.fixture
def signal(world, zc):
    with at(START):
        pupil = enrolled_pupil(world.school)
        return report(zc, world, pupil, "at_risk", START)


def test_an_at_risk_case_has_no_deadline_and_does_not_escalate_at_4_8_or_12_weeks(signal):
    assert signal.at_risk and signal.clock_start == START  # NOT NULL: the worry's first day
    for day in (1, 28, 56, 84, 120):
        with at(days(day)):
            assert escalation_sweep().total == 0
    case = Case.objects.get(pk=signal.pk)
    assert case.phase == Phase.SCHOOL and case.at_risk
    row = CaseDeadline.objects.get(case=case)
    assert (row.step, row.due_on, row.warn_on) == ("", None, None)
    assert not Escalation.objects.filter(case=case).exists()
    assert next_deadline_of(case, days(120)) is None
    # Nothing counts it as a child at home.
    assert not is_past_three_months_without_offer(case, days(120))
    assert not past_three_months_without_offer(Case.objects.all(), days(120)).exists()


def test_an_absence_report_starts_the_clock_at_its_first_day_of_absence(world, zc, signal):
    with at(days(1)):
        escalation_sweep()
    first_absence = days(20)
    with at(days(23)):
        case = report(zc, world, signal.pupil, "unauthorised", first_absence)
    assert case.pk == signal.pk
    case.refresh_from_db()
    assert not case.at_risk and case.clock_start == first_absence
    event = CaseEvent.objects.get(case=case, kind=CaseEventKind.CLOCK_STARTED)
    assert event.data["to"] == first_absence.isoformat()
    due = first_absence + datetime.timedelta(weeks=4)
    # The day before week 4 nothing happens; on the day the casusregisseur takes over.
    with at(due - datetime.timedelta(days=1)):
        assert escalation_sweep().total == 0
    assert CaseDeadline.objects.get(case=case).due_on == due
    with at(due):
        assert escalation_sweep().escalated == {Step.CASUSREGISSEUR: 1}
    assert Case.objects.get(pk=case.pk).phase == Phase.CASUSREGISSEUR


def test_absence_from_the_signals_own_first_day_still_brings_a_deadline(world, zc, signal):
    """The clock start does not move here; the flag alone must make the stored row stale."""
    with at(days(1)):
        escalation_sweep()
    assert CaseDeadline.objects.get(case=signal).step == ""
    with at(days(3)):
        case = report(zc, world, signal.pupil, "unauthorised", START)
        case.refresh_from_db()
        assert not case.at_risk and case.clock_start == START
        # The page does not wait for the sweep.
        assert next_deadline_of(case, days(3)).due_on == days(28)
        escalation_sweep()
    row = CaseDeadline.objects.get(case=case)
    assert (row.step, row.due_on) == (Step.CASUSREGISSEUR, days(28))


def test_an_at_risk_report_in_a_case_with_absence_changes_nothing_about_the_clock(world, zc):
    with at(START):
        pupil = enrolled_pupil(world.school)
        case = report(zc, world, pupil, "unauthorised", days(-3))
    with at(days(5)):
        report(zc, world, pupil, "at_risk", days(-10), expects_thuiszitter_soon=True)
    case.refresh_from_db()
    assert not case.at_risk and case.clock_start == days(-3)
    assert case.expects_thuiszitter_soon
    assert not CaseEvent.objects.filter(
        case=case, kind__in=[CaseEventKind.CLOCK_STARTED, CaseEventKind.CLOCK_MOVED]
    ).exists()


def test_a_case_reopened_on_an_at_risk_report_is_a_signal_again(world, zc):
    with at(START):
        closed = CaseFactory(phase=Phase.CLOSED, school=world.school)
        assert not closed.at_risk
        case = report(zc, world, closed.pupil, "at_risk", days(-1))
    assert case.pk == closed.pk
    case.refresh_from_db()
    assert case.is_open and case.at_risk
    with at(days(60)):
        assert escalation_sweep().total == 0


# --- the weekly monitoring reminder ---------------------------------------------------------


def reminders(case) -> list[tuple[int, str]]:
    return sorted(
        Notification.objects.filter(case=case, kind=NotificationKind.MONITORING).values_list(
            "user_id", "event_key"
        )
    )


def test_the_lead_is_reminded_once_a_week_until_the_case_leaves_phase_school(world, zc):
    with at(START):
        case = report(zc, world, enrolled_pupil(world.school), "unauthorised", START)
        assert escalation_sweep().monitoring == 1
    with at(days(2)):  # the same ISO week
        assert escalation_sweep().monitoring == 0
    assert reminders(case) == [(zc.pk, f"monitoring:{case.pk}:2026-W02")]
    with at(days(7)):
        assert escalation_sweep().monitoring == 1
    assert len(reminders(case)) == 2
    with at(days(28)):  # week 4: the casusregisseur; no more reminders of phase school
        result = escalation_sweep()
    assert result.escalated == {Step.CASUSREGISSEUR: 1} and result.monitoring == 0
    with at(days(35)):
        escalation_sweep()
    assert len(reminders(case)) == 2


def test_a_signal_without_a_lead_user_reminds_the_schools_zorgcoordinators(world):
    with at(START):
        first = member(world.school, RoleCode.ZORGCOORDINATOR)
        second = member(world.school, RoleCode.ZORGCOORDINATOR)
        member(world.school2, RoleCode.ZORGCOORDINATOR)  # another school: not told
        case = CaseFactory(school=world.school, at_risk=True, lead_user=None, age_days=3)
        result = escalation_sweep()
    assert result.monitoring == 1
    assert {user for user, _key in reminders(case)} == {first.pk, second.pk}
    with at(days(6)):  # Sunday, still week 2
        escalation_sweep()
    assert len(reminders(case)) == 2
