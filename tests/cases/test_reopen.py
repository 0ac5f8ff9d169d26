"""Reopening by a new report: within 3 calendar months of closing, the case moves to where
a new case would be (school, SWV, municipality, lead); aftercare of the closed case ends."""

import datetime

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone

from cases.models import AftercareCheckIn, Case, CaseEvent, CaseEventKind, LeadAssignment
from cases.selectors import cases_visible_to, due_check_ins
from cases.services import absence_report_submit, case_close
from cases.workflow import REOPEN_WINDOW_MONTHS, ClosureReason, Phase
from thuiszitters.roles import RoleCode

from ..factories.cases import CaseFactory
from ..factories.registration import EnrolmentFactory, report_input

pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.fixture
def leerplicht(world, user_with_role):
    return user_with_role(RoleCode.LEERPLICHT)


@pytest.fixture
def zc(world, user_with_role):
    return user_with_role(RoleCode.ZORGCOORDINATOR)


def _closed_with_aftercare(world, leerplicht) -> Case:
    """A case of School A1 (SWV PO A) that leerplicht closed today with an offer."""
    case = CaseFactory(phase=Phase.CASUSREGISSEUR, school=world.school)
    return case_close(case=case, reason=ClosureReason.OFFER_STARTED, actor=leerplicht)


def _report(actor, school, pupil):
    started = timezone.localdate() - datetime.timedelta(days=5)
    return absence_report_submit(
        actor=actor,
        reporting_organisation=school,
        data=report_input(pupil, absence_started_on=started),
        channel="form",
    )


def _sees(user, case) -> bool:
    return cases_visible_to(user).filter(pk=case.pk).exists()


def test_a_report_from_a_school_in_another_swv_moves_the_reopened_case(
    world, leerplicht, user_with_role, login
):
    start = timezone.now()
    case = _closed_with_aftercare(world, leerplicht)
    pupil = case.pupil
    old_consultant = user_with_role(RoleCode.SWV_CONSULTANT)
    new_consultant = user_with_role(RoleCode.SWV_CONSULTANT, world.other_swv)
    new_zc = user_with_role(RoleCode.ZORGCOORDINATOR, world.other_school)
    assert _sees(old_consultant, case) and not _sees(new_consultant, case)

    with time_machine.travel(start + relativedelta(months=2), tick=False):
        # The family moved to Gemeente B; the pupil started at School B last month.
        today = timezone.localdate()
        pupil.municipality = world.m_b
        pupil.save(update_fields=["municipality"])
        EnrolmentFactory(
            pupil=pupil, school=world.other_school, start=today - relativedelta(months=1)
        )
        result = _report(new_zc, world.other_school, pupil)

        assert result.case.pk == case.pk and not result.case_created
        case.refresh_from_db()
        assert (case.phase, case.route_round) == (Phase.SCHOOL, 2)
        assert (case.school_id, case.swv_id, case.municipality_id) == (
            world.other_school.pk,
            world.other_swv.pk,
            world.m_b.pk,
        )
        assert (case.lead_organisation_id, case.lead_user_id) == (world.other_school.pk, new_zc.pk)
        current = LeadAssignment.objects.get(case=case, ended_at__isnull=True)
        assert (current.organisation_id, current.user_id) == (world.other_school.pk, new_zc.pk)
        assert LeadAssignment.objects.filter(case=case).count() == 3  # school, SWV, new school
        moved = CaseEvent.objects.get(case=case, kind=CaseEventKind.SCHOOL_CHANGED)
        assert moved.data == {
            "from": {"school": world.school.pk, "swv": world.swv.pk, "municipality": world.m1.pk},
            "to": {
                "school": world.other_school.pk,
                "swv": world.other_swv.pk,
                "municipality": world.m_b.pk,
            },
            # A system text: its code, with the organisation's name as it was then.
            "text": {"code": "cases.reopened_elsewhere", "params": {"org": "School B"}},
        }
        lead_change = CaseEvent.objects.get(case=case, kind=CaseEventKind.LEAD_CHANGED)
        assert lead_change.data == {
            "organisation": world.other_school.pk,
            "user": new_zc.pk,
            "text": {"code": "cases.reopened_new_lead", "params": {"org": "School B"}},
        }

        # The scoping columns decide: the new school's SWV sees the case, the old one no more.
        assert _sees(new_consultant, case) and _sees(new_zc, case)
        assert not _sees(old_consultant, case)
        page = reverse("cases:case_detail", args=[case.pk])
        assert login(old_consultant).get(page).status_code == 404
        assert login(new_consultant).get(page).status_code == 200
        assert not case.check_ins.filter(cancelled=False, done_on__isnull=True).exists()


@pytest.mark.parametrize(
    ("days_after", "reopens"),
    [(-1, True), (0, True), (1, False)],
    ids=["day-before-3-months", "day-of-3-months", "day-after-3-months"],
)
def test_a_new_report_reopens_up_to_three_calendar_months_after_closing(
    world, leerplicht, zc, login, days_after, reopens
):
    start = timezone.now()
    case = _closed_with_aftercare(world, leerplicht)
    three_months = timezone.localtime(case.closed_at).date() + relativedelta(
        months=REOPEN_WINDOW_MONTHS
    )
    moment = start + relativedelta(months=REOPEN_WINDOW_MONTHS, days=days_after)
    with time_machine.travel(moment, tick=False):
        assert timezone.localdate() == three_months + datetime.timedelta(days=days_after)
        my_work = reverse("caselists:my_work")
        # The first check-in is due on the 3-month day: on "Mijn werk" until a report comes.
        first = case.check_ins.order_by("due_on").first()
        assert (first.due_on <= timezone.localdate()) == (days_after >= 0)
        if days_after >= 0:
            assert f'data-check-in="{first.pk}"' in login(leerplicht).get(my_work).content.decode()

        result = _report(zc, world.school, case.pupil)

        assert result.case_created is not reopens
        assert (result.case.pk == case.pk) is reopens
        assert Case.objects.filter(pupil=case.pupil).count() == (1 if reopens else 2)
        case.refresh_from_db()
        assert case.is_open is reopens
        # Either way the closed case's aftercare ends: nothing is due any more.
        assert not case.check_ins.filter(cancelled=False, done_on__isnull=True).exists()
        assert not due_check_ins(leerplicht).exists()
        assert "data-check-in" not in login(leerplicht).get(my_work).content.decode()
        if reopens:
            # Same school: no move, but the school leads again, as in a new case.
            assert not CaseEvent.objects.filter(
                case=case, kind=CaseEventKind.SCHOOL_CHANGED
            ).exists()
            assert (case.lead_organisation_id, case.lead_user_id) == (world.school.pk, zc.pk)


def test_aftercare_of_an_older_case_is_not_due_while_the_pupil_has_an_open_case(world, leerplicht):
    # As left by an intake from before the cancellation: pending check-ins and an open case.
    closed = CaseFactory(phase=Phase.CLOSED, school=world.school)
    AftercareCheckIn._base_manager.filter(case=closed).update(due_on=timezone.localdate())
    assert due_check_ins(leerplicht).count() == 3
    CaseFactory(school=world.school, pupil=closed.pupil)
    assert not due_check_ins(leerplicht).exists()
