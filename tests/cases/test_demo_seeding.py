"""Seeding the demo region: its size, determinism, idempotence and the command. Each test
seeds a region of its own; the checks of one seeded region are in test_demo_pupils.py and
test_demo_cases.py."""

import datetime

from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from cases.demo import DEFAULT_PUPILS, SHOWCASE
from cases.models import (
    Action,
    AftercareCheckIn,
    Arrangement,
    Case,
    CaseEvent,
    CaseReport,
    LeadAssignment,
    Meeting,
    Participant,
)
from registration.models import (
    AbsenceReport,
    Consent,
    Enrolment,
    Guardian,
    Pupil,
)
from thuiszitters.demo import demo_region_seed
from thuiszitters.models import (
    AuditLogEntry,
)


def _snapshot():
    return {
        "pupils": sorted(
            Pupil.objects.values_list(
                "bsn",
                "given_names",
                "surname_prefix",
                "surname",
                "date_of_birth",
                "municipality__cbs_code",
            )
        ),
        "guardians": sorted(
            Guardian.objects.values_list("pupil__bsn", "name", "relation", "phone", "email")
        ),
        "enrolments": sorted(Enrolment.objects.values_list("pupil__bsn", "school__name", "start")),
        "reports": sorted(
            AbsenceReport.objects.values_list(
                "pupil__bsn",
                "kind",
                "reporting_organisation__name",
                "reported_by__email",
                "reported_on",
                "absence_started_on",
                "absence_ended_on",
                "hours_missed_last_4_weeks",
                "share_followed_percent",
                "parents_informed_on",
                "shared_with_leerplicht",
                "shared_with_swv",
                "channel",
                "client_key",
            ),
            key=repr,
        ),
        "consents": sorted(
            Consent.objects.values_list("pupil__bsn", "scope", "status", "party", "stated_on")
        ),
        "cases": sorted(
            Case.objects.values_list(
                "pupil__bsn", "phase", "clock_start", "lead_organisation__name"
            )
        ),
        "links": CaseReport.objects.count(),
        # The demo jeugdarts's invitations go through the services, stamped with the time
        # of the run; everything else the seeder plans is fixed per seed.
        "events": sorted(
            CaseEvent.objects.exclude(kind="care_access_granted").values_list(
                "case__pupil__bsn", "kind", "at"
            )
        ),
    }


def _seeded_snapshot(seed, pupils, before=None):
    """What seeding ``pupils`` (after ``before``, if given) writes, rolled back: the region's
    registrations and the case files."""
    with transaction.atomic():
        if before is not None:
            demo_region_seed(seed=seed, pupils=before)
        demo_region_seed(seed=seed, pupils=pupils)
        snap = {**_snapshot(), "case_files": _case_snapshot()}
        transaction.set_rollback(True)
    return snap


def test_default_is_a_few_hundred_pupils(db):
    demo_region_seed(seed=3)
    assert Pupil.objects.count() == DEFAULT_PUPILS


def test_about_eight_percent_of_pupils_are_reported(db):
    demo_region_seed(seed=2026, pupils=1000)
    reported = AbsenceReport.objects.values("pupil").distinct().count()
    # The showcase pupils come on top of ~8% of the rest.
    assert 0.06 * 1000 < reported - len(SHOWCASE) < 0.11 * 1000


# Seeding takes seconds even for a few pupils (the demo region's showcase goes through the
# services): the checks below share their seeded regions, five in all.


def test_seed_is_deterministic_per_seed_and_grows_by_the_missing_pupils_only(db):
    first = _seeded_snapshot(11, 80)
    assert len(first["pupils"]) == 80
    # The same seed gives the same region and case files ...
    assert first == _seeded_snapshot(11, 80)
    # ... growing 50 -> 80 gives the same data as seeding 80 at once ...
    assert _seeded_snapshot(11, 80, before=50) == first
    # ... and another seed other pupils and other case files.
    other = _seeded_snapshot(12, 80)
    assert first["pupils"] != other["pupils"]
    assert first["case_files"]["cases"] != other["case_files"]["cases"]


def test_seed_is_idempotent_and_adds_only_missing_pupils(db):
    demo_region_seed(seed=11, pupils=50)
    before, files, audit_rows = _snapshot(), _case_snapshot(), AuditLogEntry.objects.count()
    assert demo_region_seed(seed=11, pupils=50).created == 0
    assert demo_region_seed(seed=11, pupils=20).created == 0
    assert _snapshot() == before
    assert _case_snapshot() == files
    assert AuditLogEntry.objects.count() == audit_rows


def test_command_takes_the_number_of_pupils(db, capsys):
    call_command("seed_demo", "--seed", "5", "--pupils", "30")
    assert Pupil.objects.count() == 30
    assert "objects created" in capsys.readouterr().out


def _case_snapshot():
    return {
        "cases": sorted(
            Case.objects.values_list(
                "pupil__bsn",
                "phase",
                "clock_start",
                "lead_organisation__name",
                "lead_user__email",
                "closed_at",
                "closed_reason",
                "situation_level",
                "causes",
            ),
            key=repr,
        ),
        "leads": sorted(
            LeadAssignment.objects.values_list(
                "case__pupil__bsn", "organisation__name", "started_at", "ended_at"
            ),
            key=repr,
        ),
        "actions": sorted(
            Action.objects.values_list("case__pupil__bsn", "description", "due_on", "status"),
            key=repr,
        ),
        "meetings": sorted(Meeting.objects.values_list("case__pupil__bsn", "kind", "held_on")),
        "arrangements": sorted(
            Arrangement.objects.values_list("case__pupil__bsn", "kind", "cost_total"), key=repr
        ),
        "check_ins": sorted(
            AftercareCheckIn.objects.values_list("case__pupil__bsn", "due_on", "done_on"),
            key=repr,
        ),
        "events": CaseEvent.objects.count(),
        "participants": Participant.objects.count(),
    }


def test_days_are_plain_dates():
    assert isinstance(timezone.localdate(), datetime.date)
