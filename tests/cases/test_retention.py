"""Retention: closed cases past ``retention_until`` go with everything of them (time travel).

Runs on SQLite and, with ``DATABASE_URL`` set, on PostgreSQL (where the audit log's
append-only triggers are in place too).
"""

import datetime
import json
from io import StringIO

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.utils import timezone
from guardian.shortcuts import assign_perm

from cases.models import Case, CaseEvent, CaseReport, CaseUserObjectPermission, Meeting
from cases.services.retention import retention_purge
from cases.tasks import retention_purge as retention_task
from cases.workflow import Phase
from escalation.models import Notification
from registration.models import (
    AbsenceReport,
    Consent,
    ConsentParty,
    ConsentScope,
    Enrolment,
    Guardian,
    Pupil,
)
from reports.models import ThuiszitterslijstEntry, ThuiszitterslijstSnapshot
from thuiszitters.audit import audit_read
from thuiszitters.models import AuditLogEntry
from thuiszitters.system import COMMAND, RETENTION

from ..factories.cases import CaseFactory, consent_give
from ..factories.escalation import NotificationFactory
from ..factories.registration import GuardianFactory
from ..factories.users import UserFactory

# Past the default 60 months of a case closed ten days ago (the factory's closed case).
PAST_RETENTION = datetime.timedelta(days=61 * 31)
WITHIN_RETENTION = datetime.timedelta(days=58 * 31)


def _closed_case_with_everything(world):
    case = CaseFactory(phase=Phase.CLOSED, school=world.school)
    pupil = case.pupil
    GuardianFactory(pupil=pupil, name="Mevrouw Retentia Vergeetmij", phone="0612345678")
    consent_give(pupil, ConsentScope.SHARE_WITH_CARE_PARTNERS, ConsentParty.PARENTS)
    user = UserFactory()
    Meeting.objects.create(case=case, kind="mdo", held_on=case.clock_start, created_by=user)
    NotificationFactory(user=user, case=case)
    assign_perm("cases.view_case_as_care_partner", user, case)
    snap = ThuiszitterslijstSnapshot.objects.create(
        scope_kind="swv",
        organisation=world.swv,
        on=case.clock_start,
        created_by=user,
        narrow_count=1,
        broad_count=1,
    )
    ThuiszitterslijstEntry.objects.create(
        snapshot=snap,
        case=case,
        pupil_name=pupil.surname,
        date_of_birth=pupil.date_of_birth,
        kind="unauthorised",
        phase=Phase.SCHOOL,
        clock_start=case.clock_start,
        days_at_home=30,
        narrow=True,
    )
    return case, snap


def _purge(**kwargs):
    kwargs.setdefault("as_of", timezone.localdate())
    kwargs.setdefault("actor", RETENTION)
    kwargs.setdefault("dry_run", False)
    return retention_purge(**kwargs)


def _retention_entries():
    return AuditLogEntry.objects.filter(system_actor__in=["retention", "command"])


@pytest.mark.django_db
def test_a_case_past_retention_goes_with_everything_of_it(world, frozen_clock):
    case, snap = _closed_case_with_everything(world)
    pupil = case.pupil
    report_ids = list(CaseReport.objects.filter(case=case).values_list("report_id", flat=True))
    assert Consent.objects.filter(pupil=pupil).exists()
    earlier = audit_read(actor=UserFactory(), obj=case)
    frozen_clock.shift(PAST_RETENTION)

    result = _purge()

    assert (result.cases, result.reports, result.pupils) == (1, 1, 1)
    assert not Case.objects.filter(pk=case.pk).exists()
    assert not CaseEvent.objects.filter(case_id=case.pk).exists()
    assert not Meeting.objects.filter(case_id=case.pk).exists()
    assert not Notification.objects.filter(case_id=case.pk).exists()
    assert not CaseUserObjectPermission.objects.filter(content_object_id=case.pk).exists()
    assert not AbsenceReport.objects.filter(pk__in=report_ids).exists()
    assert not Pupil.objects.filter(pk=pupil.pk).exists()
    assert not Guardian.objects.filter(pupil_id=pupil.pk).exists()
    assert not Enrolment.objects.filter(pupil_id=pupil.pk).exists()
    assert not Consent.objects.filter(pupil_id=pupil.pk).exists()
    # The frozen list keeps its counts; its line about the pupil is gone.
    snap.refresh_from_db()
    assert (snap.narrow_count, snap.broad_count) == (1, 1)
    assert not ThuiszitterslijstEntry.objects.filter(snapshot=snap).exists()
    # Counts per kind of row, the cascades included.
    assert result.deleted["cases.CaseEvent"] >= 1
    assert result.deleted["registration.Guardian"] == 1
    assert result.deleted["escalation.Notification"] == 1
    assert result.deleted["reports.ThuiszitterslijstEntry"] == 1
    # The audit log keeps what it said before, and gets one entry for the run, with counts
    # and no personal data.
    assert AuditLogEntry.objects.filter(pk=earlier.pk).exists()
    (entry,) = _retention_entries()
    assert entry.system_actor == "retention" and entry.action == "delete"
    assert entry.changes["counts"] == {"cases": 1, "reports": 1, "pupils": 1}
    text = json.dumps(entry.changes)
    for personal in (pupil.surname, pupil.bsn, "Retentia", "0612345678"):
        assert personal not in text


@pytest.mark.django_db
def test_a_case_within_retention_stays(world, frozen_clock):
    case = CaseFactory(phase=Phase.CLOSED, school=world.school)
    frozen_clock.shift(WITHIN_RETENTION)

    result = _purge()

    assert result.cases == 0 and result.deleted == {}
    assert Case.objects.filter(pk=case.pk).exists()
    assert Pupil.objects.filter(pk=case.pupil_id).exists()
    assert not _retention_entries().exists()


@pytest.mark.django_db
def test_the_retention_date_itself_is_still_kept(world, frozen_clock):
    case = CaseFactory(phase=Phase.CLOSED, school=world.school)
    assert _purge(as_of=case.retention_until).cases == 0
    assert _purge(as_of=case.retention_until + datetime.timedelta(days=1)).cases == 1


@pytest.mark.django_db
def test_a_pupil_with_another_open_case_stays(world, frozen_clock):
    old = CaseFactory(phase=Phase.CLOSED, school=world.school)
    pupil = old.pupil
    old_report = CaseReport.objects.get(case=old).report_id
    frozen_clock.shift(PAST_RETENTION)
    current = CaseFactory(phase=Phase.SCHOOL, school=world.school, pupil=pupil)

    result = _purge()

    assert (result.cases, result.reports, result.pupils) == (1, 1, 0)
    assert not Case.objects.filter(pk=old.pk).exists()
    assert not AbsenceReport.objects.filter(pk=old_report).exists()
    assert Case.objects.filter(pk=current.pk).exists()
    assert Pupil.objects.filter(pk=pupil.pk).exists()
    assert Enrolment.objects.filter(pupil=pupil).exists()
    assert CaseReport.objects.filter(case=current).exists()


@pytest.mark.django_db
def test_a_pupil_with_a_report_outside_the_case_stays(world, frozen_clock):
    old = CaseFactory(phase=Phase.CLOSED, school=world.school)
    loose = AbsenceReport.objects.get(case_link__case=old)
    loose.pk = None
    loose.client_key = ""
    loose.save()  # a copy, in no case
    frozen_clock.shift(PAST_RETENTION)

    result = _purge()

    assert (result.cases, result.pupils) == (1, 0)
    assert Pupil.objects.filter(pk=old.pupil_id).exists()
    assert AbsenceReport.objects.filter(pk=loose.pk).exists()


@pytest.mark.django_db
def test_dry_run_counts_and_keeps_everything(world, frozen_clock):
    case, _snap = _closed_case_with_everything(world)
    frozen_clock.shift(PAST_RETENTION)

    dry = _purge(dry_run=True)

    assert (dry.cases, dry.reports, dry.pupils) == (1, 1, 1) and dry.dry_run
    assert Case.objects.filter(pk=case.pk).exists()
    assert Pupil.objects.filter(pk=case.pupil_id).exists()
    assert ThuiszitterslijstEntry.objects.filter(case_id=case.pk).exists()
    assert not _retention_entries().exists()
    real = _purge()
    assert real.deleted == dry.deleted


@pytest.mark.django_db
def test_a_second_run_finds_nothing_and_writes_nothing(world, frozen_clock):
    CaseFactory(phase=Phase.CLOSED, school=world.school)
    CaseFactory(phase=Phase.CLOSED, school=world.school)
    frozen_clock.shift(PAST_RETENTION)

    assert _purge().cases == 2
    again = _purge()

    assert (again.cases, again.reports, again.pupils) == (0, 0, 0)
    assert _retention_entries().count() == 1


@pytest.mark.django_db
def test_many_pupils_are_purged_in_batches(world, frozen_clock, monkeypatch):
    monkeypatch.setattr("cases.services.retention.BATCH", 2)
    cases = [CaseFactory(phase=Phase.CLOSED, school=world.school) for _ in range(5)]
    frozen_clock.shift(PAST_RETENTION)

    result = _purge()

    assert (result.cases, result.reports, result.pupils) == (5, 5, 5)
    assert not Case.objects.filter(pk__in=[c.pk for c in cases]).exists()
    assert _retention_entries().count() == 1


@pytest.mark.django_db
def test_only_the_retention_job_or_a_command_purges(world):
    with pytest.raises(PermissionDenied):
        _purge(actor=UserFactory())
    with pytest.raises(TypeError):
        _purge(actor=None)


@pytest.mark.django_db
def test_the_command_prints_counts_and_honours_dry_run(world, frozen_clock):
    case = CaseFactory(phase=Phase.CLOSED, school=world.school)
    later = (timezone.localdate() + PAST_RETENTION).isoformat()

    out = StringIO()
    call_command("retention_purge", "--dry-run", "--as-of", later, stdout=out)
    assert "would remove 1 case(s), 1 report(s), 1 pupil(s)" in out.getvalue()
    assert "cases.Case: 1" in out.getvalue()
    assert Case.objects.filter(pk=case.pk).exists()

    out = StringIO()
    call_command("retention_purge", "--as-of", later, stdout=out)
    assert "removed 1 case(s)" in out.getvalue()
    assert not Case.objects.filter(pk=case.pk).exists()
    assert _retention_entries().get().system_actor == COMMAND.name

    with pytest.raises(CommandError):
        call_command("retention_purge", "--as-of", "yesterday")


@pytest.mark.django_db
def test_the_daily_task_purges_as_of_today(world, frozen_clock):
    case = CaseFactory(phase=Phase.CLOSED, school=world.school)
    assert retention_task() == 0
    frozen_clock.shift(PAST_RETENTION)
    assert retention_task() == 1
    assert not Case.objects.filter(pk=case.pk).exists()


def test_beat_runs_the_purge_daily():
    from thuiszitters.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["cases-retention-purge"]
    assert entry["task"] == "cases.retention_purge"
    assert entry["schedule"] == 24 * 3600
    app.loader.import_default_modules()  # the worker's autodiscovery finds cases.tasks
    assert "cases.retention_purge" in app.tasks
