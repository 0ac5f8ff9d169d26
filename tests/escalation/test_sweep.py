"""The sweep through time: every step on its day, never twice, with the default
casusregisseur, holidays pausing the clock and a convenant change halfway."""

import datetime

import pytest
import time_machine
from django.core.management import call_command

from cases.models import Case, CaseEvent, LeadAssignment
from cases.workflow import Phase
from escalation.models import (
    CaseDeadline,
    CountMode,
    Escalation,
    Notification,
    NotificationKind,
    SchoolHoliday,
    Step,
    Trigger,
)
from escalation.services.deadlines import deadlines_compute
from escalation.services.policy import policy_version_create
from escalation.services.sweep import escalation_sweep
from thuiszitters.models import AuditLogEntry
from thuiszitters.roles import RoleCode

from ..factories.cases import CaseFactory
from ..factories.users import SETUP, member

START = datetime.date(2026, 1, 5)  # a Monday


def at(day: datetime.date, hour: int = 8):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(hour)), tick=False)


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


@pytest.fixture
def case(world):
    with at(START + days(2)):
        return CaseFactory(school=world.school, clock_start=START, age_days=0)


def phase_of(case) -> str:
    return Case.objects.get(pk=case.pk).phase


def steps_of(case) -> list[str]:
    return list(Escalation.objects.filter(case=case).values_list("step", flat=True))


def test_week_4_the_day_before_nothing_the_day_of_the_casusregisseur(world, case):
    with at(START):
        officer = member(world.bureau, RoleCode.LEERPLICHT)
    with at(START + days(27)):
        result = escalation_sweep()
    assert result.total == 0
    assert phase_of(case) == Phase.SCHOOL
    with at(START + days(28)):
        result = escalation_sweep()
    assert result.escalated == {Step.CASUSREGISSEUR: 1}
    case.refresh_from_db()
    assert case.phase == Phase.CASUSREGISSEUR
    # No convenant: the leerplicht officer of the pupil's municipality is appointed.
    assert (case.lead_organisation_id, case.lead_user_id) == (world.bureau.pk, officer.pk)
    assert LeadAssignment.objects.filter(case=case, ended_at__isnull=True).count() == 1
    escalation = Escalation.objects.get(case=case)
    assert (escalation.trigger, escalation.due_on) == (Trigger.TIMER, START + days(28))
    assert escalation.on_time
    assert CaseEvent.objects.filter(case=case, kind="phase_changed").count() == 1
    assert AuditLogEntry.objects.filter(object_type="cases.case", object_id=str(case.pk)).exists()


def test_the_route_by_the_timer_week_8_assessment_then_doorbraakteam_without_answer(world, case):
    for day in (28, 56):
        with at(START + days(day)):
            escalation_sweep()
    assert phase_of(case) == Phase.DOORBRAAK_ASSESSMENT
    deadline = CaseDeadline.objects.get(case=case)
    # No answer within the response time (7 days) puts the case on the agenda.
    assert (deadline.step, deadline.due_on) == (Step.DOORBRAAKTEAM, START + days(63))
    with at(START + days(62)):
        assert escalation_sweep().total == 0
    with at(START + days(63)):
        escalation_sweep()
    assert phase_of(case) == Phase.DOORBRAAKTEAM
    assert steps_of(case) == [Step.CASUSREGISSEUR, Step.DOORBRAAK_ASSESSMENT, Step.DOORBRAAKTEAM]
    # Next: the OM, three calendar months after the doorbraakteam began (9 March).
    deadline = CaseDeadline.objects.get(case=case)
    assert (deadline.step, deadline.due_on) == (Step.OM_REFERRAL, datetime.date(2026, 6, 9))


def test_a_missed_sweep_catches_up_every_step_in_order_with_its_own_due_date(world, case):
    with at(START + days(100)):
        result = escalation_sweep()
    assert result.total == 3
    rows = Escalation.objects.filter(case=case).order_by("id")
    assert [(e.step, e.due_on) for e in rows] == [
        (Step.CASUSREGISSEUR, START + days(28)),
        (Step.DOORBRAAK_ASSESSMENT, START + days(56)),
        # The assessment began late (day 100): week 12 is the latest.
        (Step.DOORBRAAKTEAM, START + days(84)),
    ]
    assert not any(e.on_time for e in rows)


def test_the_sweep_sends_its_long_lists_as_arrays(world, case, monkeypatch):
    """The sweep runs as a batch (thuiszitters.batch): with the bound lowered to one value,
    its lists go as ``= ANY`` on PostgreSQL, and it catches up the same three steps."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from thuiszitters import batch

    monkeypatch.setattr(batch, "ARRAY_FROM", 1)
    with at(START + days(100)), CaptureQueriesContext(connection) as queries:
        result = escalation_sweep()
    assert result.total == 3
    assert steps_of(case) == [Step.CASUSREGISSEUR, Step.DOORBRAAK_ASSESSMENT, Step.DOORBRAAKTEAM]
    if connection.vendor == "postgresql":
        assert any("= ANY(" in q["sql"] for q in queries)


def test_a_repeated_sweep_adds_nothing(world, case):
    with at(START + days(60)):
        first = escalation_sweep()
        second = escalation_sweep()
    assert first.total == 2 and second.total == 0
    assert len(steps_of(case)) == 2


def test_dry_run_reports_and_keeps_nothing(world, case):
    with at(START + days(30)):
        result = escalation_sweep(dry_run=True)
    assert result.escalated == {Step.CASUSREGISSEUR: 1}
    assert phase_of(case) == Phase.SCHOOL
    assert not Escalation.objects.exists()


def test_holidays_pause_the_clock(world, case):
    policy_version_create(swv=world.swv, actor=SETUP, count_mode=CountMode.PAUSE_HOLIDAYS)
    SchoolHoliday.objects.create(
        region=world.region,
        name="Voorjaarsvakantie",
        starts_on=START + days(14),
        ends_on=START + days(22),
    )
    deadlines_compute([case.pk])
    assert CaseDeadline.objects.get(case=case).due_on == START + days(37)
    with at(START + days(36)):
        assert escalation_sweep().total == 0
    with at(START + days(37)):
        assert escalation_sweep().total == 1


def test_a_convenant_change_moves_deadlines_not_yet_passed(world, case):
    with at(START + days(10)):
        deadlines_compute([case.pk])
        policy_version_create(swv=world.swv, actor=SETUP, casusregisseur_weeks=6)
    assert CaseDeadline.objects.get(case=case).due_on == START + days(42)
    with at(START + days(28)):
        assert escalation_sweep().total == 0
    with at(START + days(42)):
        assert escalation_sweep().total == 1


def test_a_change_after_the_deadline_passed_keeps_that_deadline(world, case):
    with at(START + days(29)):
        deadlines_compute([case.pk])
        policy_version_create(swv=world.swv, actor=SETUP, casusregisseur_weeks=6)
        assert CaseDeadline.objects.get(case=case).due_on == START + days(28)
        assert escalation_sweep().total == 1


def test_warning_before_the_deadline_and_notice_when_it_passes(world, case, user_with_role):
    coordinator = member(world.swv, RoleCode.DOORBRAAKTEAM)
    lead = member(world.school, RoleCode.ZORGCOORDINATOR)
    Case.objects.filter(pk=case.pk).update_audited([_entry(case)], lead_user=lead)
    policy_version_create(swv=world.swv, actor=SETUP, doorbraakteam_coordinator=coordinator)
    with at(START + days(20)):
        escalation_sweep()
    # (The weekly monitoring reminder of phase school is no deadline notification.)
    assert not Notification.objects.exclude(kind=NotificationKind.MONITORING).exists()
    with at(START + days(21)):
        escalation_sweep()
        escalation_sweep()
    warnings = Notification.objects.filter(kind=NotificationKind.DEADLINE_WARNING)
    assert {n.user_id for n in warnings} == {lead.pk, coordinator.pk}
    with at(START + days(28)):
        escalation_sweep()
    passed = Notification.objects.filter(kind=NotificationKind.DEADLINE_PASSED)
    assert {n.user_id for n in passed} == {lead.pk, coordinator.pk}
    assert all(n.email_wanted for n in passed)


def _entry(case):
    from thuiszitters.audit import audit_entry

    return audit_entry(
        action="update",
        object_type="cases.case",
        object_id=case.pk,
        changes={},
        reason="test",
        region_id=None,
        actor=SETUP,
    )


def test_the_command_runs_the_same_service(world, case, capsys):
    call_command("escalation_sweep", "--as-of", (START + days(30)).isoformat(), "--dry-run")
    out = capsys.readouterr().out
    assert "1" in out and "dry run" in out
    assert phase_of(case) == Phase.SCHOOL


def test_the_backfill_command_stores_missing_and_stale_deadlines(world, case, capsys):
    assert not CaseDeadline.objects.exists()
    call_command("escalation_deadlines")
    assert "1 deadlines" in capsys.readouterr().out
    row = CaseDeadline.objects.get(case=case)
    assert (row.step, row.due_on) == (Step.CASUSREGISSEUR, START + days(28))
    call_command("escalation_deadlines")
    assert "0 deadlines" in capsys.readouterr().out
    call_command("escalation_deadlines", "--all")
    assert "1 deadlines" in capsys.readouterr().out


def test_beat_sends_the_sweep_by_its_stable_name_and_the_task_sweeps(world, case, settings):
    from escalation.tasks import sweep
    from thuiszitters.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["escalation-sweep"]
    assert entry["task"] == "escalation.sweep" and entry["schedule"] == 15 * 60
    assert app.tasks["escalation.sweep"].name == sweep.name
    with at(START + days(28)):
        assert "1 escalations" in sweep()
    assert phase_of(case) == Phase.CASUSREGISSEUR


def test_the_sweeps_audit_rows_name_the_system(world, case, user_with_role, login):
    with at(START):
        member(world.bureau, RoleCode.LEERPLICHT)  # the casusregisseur the sweep appoints
    with at(START + days(28)):
        assert escalation_sweep().total == 1
    rows = AuditLogEntry.objects.filter(object_type__in=("cases.case", "cases.leadassignment"))
    assert rows.count() >= 2  # the phase and the lead
    assert set(rows.values_list("system_actor", "actor", "actor_email")) == {("sweep", None, "")}
    admin = user_with_role(RoleCode.FUNCTIONAL_ADMIN)
    page = login(admin).get("/beheer/auditlog/").content.decode()
    assert "systeem (sweep)" in page
