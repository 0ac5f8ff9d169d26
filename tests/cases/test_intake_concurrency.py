"""One open case per pupil, and one report per client key, when deliveries race.

Real concurrency needs real row locks: PostgreSQL only (SQLite serialises writers on the whole
file, so the race cannot happen there). Each thread has its own database connection, as
Django gives every thread one, and closes it at the end.
"""

import datetime
import threading

import pytest
from django.db import connection

from cases.models import Case, CaseEvent, CaseReport
from cases.services import absence_report_submit
from registration.models import AbsenceReport
from thuiszitters.access import memberships_of
from thuiszitters.roles import RoleCode

from ..factories.registration import EnrolmentFactory, enrolled_pupil, report_input

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks and races need PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("frozen_clock"),
]

ROUNDS = 5


def race(*calls):
    """Run ``calls`` in threads released at the same moment; returns results and errors."""
    barrier = threading.Barrier(len(calls))
    results, errors = [None] * len(calls), []

    def run(i, call):
        try:
            barrier.wait(timeout=10)
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 - reported to the test below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    return results, errors


@pytest.fixture
def reporters(restore_roles, world, user_with_role):
    zc = user_with_role(RoleCode.ZORGCOORDINATOR)
    # Only schools report absence other than absoluut verzuim (ADR 0014): the second
    # reporter is the other school where the pupil is enrolled too.
    zc2 = user_with_role(RoleCode.ZORGCOORDINATOR, organisation=world.school2)
    for user in (zc, zc2):
        memberships_of(user)  # read once here, not by both threads at once
    return zc, zc2


def test_runs_on_postgresql():
    assert connection.vendor == "postgresql"


def test_two_schools_reporting_at_once_share_one_open_case(world, reporters, today):
    zc, zc2 = reporters
    for round_ in range(ROUNDS):
        pupil = enrolled_pupil(world.school)
        EnrolmentFactory(pupil=pupil, school=world.school2)
        school_start = today - datetime.timedelta(days=10 + round_)
        second_start = today - datetime.timedelta(days=20 + round_)
        results, errors = race(
            lambda p=pupil, s=school_start: absence_report_submit(
                actor=zc,
                reporting_organisation=world.school,
                data=report_input(p, kind="unauthorised", absence_started_on=s),
                channel="api",
            ),
            lambda p=pupil, s=second_start: absence_report_submit(
                actor=zc2,
                reporting_organisation=world.school2,
                data=report_input(p, kind="unauthorised", absence_started_on=s),
                channel="form",
            ),
        )
        assert errors == []
        cases = Case.objects.filter(pupil=pupil)
        assert cases.count() == 1 and cases.open().count() == 1
        case = cases.get()
        assert {r.case.pk for r in results} == {case.pk}
        assert sorted(r.case_created for r in results) == [False, True]
        assert set(CaseReport.objects.filter(case=case).values_list("report_id", flat=True)) == {
            r.report.pk for r in results
        }
        assert AbsenceReport.objects.filter(pupil=pupil).count() == 2
        # The clock starts at the earliest first day, whichever report came first.
        assert case.clock_start == second_start
        kinds = sorted(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
        assert kinds.count("opened") == 1 and kinds.count("report_joined") == 1


def test_the_same_client_key_delivered_twice_at_once_gives_one_report(world, reporters):
    zc, _ = reporters
    for round_ in range(ROUNDS):
        pupil = enrolled_pupil(world.school)
        key = f"leerlingvolgsysteem-{round_}"

        def deliver(p=pupil, k=key):
            return absence_report_submit(
                actor=zc,
                reporting_organisation=world.school,
                data=report_input(p, client_key=k),
                channel="api",
            )

        results, errors = race(deliver, deliver)
        assert errors == []
        reports = AbsenceReport.objects.filter(reporting_organisation=world.school, client_key=key)
        assert reports.count() == 1
        report = reports.get()
        assert {r.report.pk for r in results} == {report.pk}
        assert sorted(r.duplicate for r in results) == [False, True]
        assert Case.objects.filter(pupil=pupil).count() == 1
        assert CaseReport.objects.filter(report=report).count() == 1
