"""The intake service: a report opens a case or joins the open one; idempotent; consent."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cases.models import Case, CaseEvent
from cases.selectors import cases_visible_to
from cases.services import absence_report_submit
from registration.models import AbsenceReport
from thuiszitters.models import AuditLogEntry
from thuiszitters.roles import RoleCode

from ..factories.registration import enrolled_pupil, report_input

pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.fixture
def zc(world, user_with_role):
    return user_with_role(RoleCode.ZORGCOORDINATOR)


def submit(actor, org, data, channel="form"):
    return absence_report_submit(
        actor=actor, reporting_organisation=org, data=data, channel=channel
    )


def test_first_report_opens_a_case_in_phase_school_led_by_the_school(world, zc, today):
    pupil = enrolled_pupil(world.school)
    start = today - datetime.timedelta(days=20)
    result = submit(zc, world.school, report_input(pupil, absence_started_on=start))
    case = result.case
    assert result.case_created and not result.duplicate
    assert (case.phase, case.clock_start, case.lead_organisation_id) == (
        "school",
        start,
        world.school.pk,
    )
    assert (case.school_id, case.swv_id, case.municipality_id) == (
        world.school.pk,
        world.swv.pk,
        world.m1.pk,
    )
    assert CaseEvent.objects.filter(case=case, kind="opened").count() == 1
    assert AuditLogEntry.objects.filter(object_type="cases.case", action="create").count() == 1


def test_second_report_joins_the_open_case_and_moves_the_clock_back(world, zc, today):
    pupil = enrolled_pupil(world.school)
    first = submit(zc, world.school, report_input(pupil))
    earlier = today - datetime.timedelta(days=30)
    second = submit(zc, world.school, report_input(pupil, absence_started_on=earlier))
    assert second.case.pk == first.case.pk and not second.case_created
    assert Case.objects.get(pk=first.case.pk).clock_start == earlier
    assert Case.objects.filter(pupil=pupil).count() == 1


def test_client_key_makes_a_retry_harmless(world, zc):
    pupil = enrolled_pupil(world.school)
    first = submit(zc, world.school, report_input(pupil, client_key="abc-1"), channel="api")
    again = submit(zc, world.school, report_input(pupil, client_key="abc-1"), channel="api")
    assert again.duplicate and again.report.pk == first.report.pk
    assert AbsenceReport.objects.count() == 1


def test_a_user_without_the_capability_cannot_report(world, user_with_role):
    director = user_with_role(RoleCode.SWV_DIRECTOR)
    pupil = enrolled_pupil(world.school)
    with pytest.raises(PermissionDenied):
        submit(director, world.school, report_input(pupil))


def test_a_school_cannot_report_a_pupil_it_does_not_enrol(world, zc):
    pupil = enrolled_pupil(world.school2)
    with pytest.raises(ValidationError) as excinfo:
        submit(zc, world.school, report_input(pupil))
    assert "niet ingeschreven op uw school" in excinfo.value.message_dict["pupil"][0]
    assert not Case.objects.exists()


def test_authorised_report_without_consent_stays_with_the_school(world, zc, user_with_role):
    pupil = enrolled_pupil(world.school)
    result = submit(zc, world.school, report_input(pupil, kind="sickness"))
    assert not result.report.shared_with_leerplicht and not result.report.shared_with_swv
    leerplicht = user_with_role(RoleCode.LEERPLICHT)
    consultant = user_with_role(RoleCode.SWV_CONSULTANT)
    assert not cases_visible_to(leerplicht).exists()
    assert not cases_visible_to(consultant).exists()
    assert cases_visible_to(zc).filter(pk=result.case.pk).exists()


def test_unauthorised_absence_is_shared_without_consent(world, zc, user_with_role):
    pupil = enrolled_pupil(world.school)
    result = submit(zc, world.school, report_input(pupil, kind="unauthorised"))
    assert result.report.shared_with_leerplicht and result.report.shared_with_swv
    assert cases_visible_to(user_with_role(RoleCode.LEERPLICHT)).filter(pk=result.case.pk).exists()
    other_school_zc = user_with_role(RoleCode.ZORGCOORDINATOR, organisation=world.school2)
    assert not cases_visible_to(other_school_zc).exists()
