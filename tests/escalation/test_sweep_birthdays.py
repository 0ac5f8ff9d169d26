"""Birthdays in the sweep: a case closes on the 18th birthday (not the day before), and
consent follows the 12th and 16th birthday, once, caught up after a missed day."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from cases.models import AftercareCheckIn, Case, CaseEvent, CaseEventKind
from cases.selectors import cases_visible_to
from cases.services import care_partner_invite, cases_close_turned_18
from cases.workflow import ClosureReason, Phase
from escalation.models import CaseDeadline, Escalation, Notification, NotificationKind
from escalation.services.sweep import escalation_sweep
from registration.models import ConsentParty, ConsentScope, Pupil
from registration.services import consent_birthdays_refresh, pupil_consent_state
from thuiszitters.roles import RoleCode
from thuiszitters.system import SWEEP

from ..factories.cases import CaseFactory, consent_give
from ..factories.registration import enrolled_pupil
from ..factories.users import member

CARE = ConsentScope.SHARE_WITH_CARE_PARTNERS
PARENTS, PUPIL = ConsentParty.PARENTS, ConsentParty.PUPIL
BIRTHDAY = datetime.date(2028, 5, 17)  # a Wednesday


def at(day: datetime.date, hour: int = 8):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(hour)), tick=False)


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def born(years: int) -> datetime.date:
    return BIRTHDAY.replace(year=BIRTHDAY.year - years)


def _case(world, years: int, lead):
    """An open case in phase casusregisseur led by ``lead`` (leerplicht), its pupil turning
    ``years`` on BIRTHDAY; the clock far from any deadline then."""
    pupil = enrolled_pupil(world.school, date_of_birth=born(years))
    return CaseFactory(
        phase=Phase.CASUSREGISSEUR,
        school=world.school,
        pupil=pupil,
        age_days=29,
        lead_organisation=world.bureau,
        lead_user=lead,
    )


def notified(kind: str) -> list[int]:
    return sorted(Notification.objects.filter(kind=kind).values_list("user_id", flat=True))


@pytest.fixture
def leerplicht(world):
    with at(BIRTHDAY - days(20)):
        return member(world.bureau, RoleCode.LEERPLICHT)


@pytest.fixture
def jeugdarts(world):
    with at(BIRTHDAY - days(20)):
        return member(world.care, RoleCode.CARE_PARTNER)


# --- 18: the case closes -------------------------------------------------------------------


def test_the_case_closes_on_the_18th_birthday_not_the_day_before(world, leerplicht):
    with at(BIRTHDAY - days(20)):
        case = _case(world, 18, leerplicht)
        escalation_sweep()
    assert CaseDeadline.objects.filter(case=case).exists()
    with at(BIRTHDAY - days(1)):
        result = escalation_sweep()
    assert result.closed_at_18 == 0
    assert Case.objects.get(pk=case.pk).closed_at is None
    assert not notified(NotificationKind.CLOSED_AT_18)

    with at(BIRTHDAY):
        result = escalation_sweep()
    assert result.closed_at_18 == 1
    assert "1 closed at 18" in result.summary()
    case.refresh_from_db()
    assert (case.phase, case.closed_reason) == (Phase.CLOSED, ClosureReason.TURNED_18)
    assert case.closed_at is not None and case.retention_until is not None
    event = CaseEvent.objects.get(case=case, kind=CaseEventKind.CLOSED)
    assert event.data["reason"] == ClosureReason.TURNED_18 and "RMC" in event.message
    assert not AftercareCheckIn.objects.filter(case=case).exists()
    assert not CaseDeadline.objects.filter(case=case).exists()
    assert notified(NotificationKind.CLOSED_AT_18) == [leerplicht.pk]

    # Idempotent: the next run (and a second one the same day) closes and notifies nothing.
    with at(BIRTHDAY):
        assert escalation_sweep().closed_at_18 == 0
    with at(BIRTHDAY + days(1)):
        assert escalation_sweep().closed_at_18 == 0
    assert CaseEvent.objects.filter(case=case, kind=CaseEventKind.CLOSED).count() == 1
    assert notified(NotificationKind.CLOSED_AT_18) == [leerplicht.pk]


def test_a_missed_sweep_closes_the_case_the_next_day(world, leerplicht):
    with at(BIRTHDAY - days(20)):
        case = _case(world, 18, leerplicht)
    with at(BIRTHDAY + days(2)):
        assert escalation_sweep().closed_at_18 == 1
    assert Case.objects.get(pk=case.pk).closed_reason == ClosureReason.TURNED_18


def test_a_case_due_on_the_18th_birthday_closes_instead_of_escalating(world, leerplicht):
    with at(BIRTHDAY - days(20)):
        case = _case(world, 18, leerplicht)
        case.clock_start = BIRTHDAY - datetime.timedelta(weeks=8)  # week 8 falls on the birthday
        case.save(update_fields=["clock_start"])
        escalation_sweep()
    assert CaseDeadline.objects.get(case=case).due_on == BIRTHDAY
    with at(BIRTHDAY):
        result = escalation_sweep()
    assert (result.closed_at_18, result.total) == (1, 0)
    assert not Escalation.objects.filter(case=case).exists()


def test_a_dry_run_closes_nothing(world, leerplicht):
    with at(BIRTHDAY - days(20)):
        case = _case(world, 18, leerplicht)
    with at(BIRTHDAY):
        assert escalation_sweep(dry_run=True).closed_at_18 == 1
    assert Case.objects.get(pk=case.pk).closed_at is None
    assert not notified(NotificationKind.CLOSED_AT_18)


def test_only_the_system_closes_cases_at_18(world, leerplicht):
    with at(BIRTHDAY), pytest.raises(PermissionDenied):
        cases_close_turned_18(today=BIRTHDAY, actor=leerplicht)


# --- 12 and 16: whose consent counts --------------------------------------------------------


def test_at_12_the_pupil_must_consent_too_and_care_partners_lose_sight(
    world, leerplicht, jeugdarts
):
    with at(BIRTHDAY - days(20)):
        case = _case(world, 12, leerplicht)
        consent_give(case.pupil, CARE, PARENTS)
        care_partner_invite(case=case, user=jeugdarts, actor=leerplicht)
        escalation_sweep()
    with at(BIRTHDAY - days(1)):
        result = escalation_sweep()
        assert result.consent_ages == 0
        assert pupil_consent_state(case.pupil)[CARE].required == {PARENTS}
    assert cases_visible_to(jeugdarts).filter(pk=case.pk).exists()
    assert not notified(NotificationKind.CONSENT_AGE)

    with at(BIRTHDAY):
        result = escalation_sweep()
        assert pupil_consent_state(case.pupil)[CARE].required == {PARENTS, PUPIL}
    assert result.consent_ages == 1
    assert not Pupil.objects.get(pk=case.pupil_id).shared_with_care_partners
    assert not cases_visible_to(jeugdarts).filter(pk=case.pk).exists()
    assert CaseEvent.objects.filter(case=case, kind=CaseEventKind.CARE_ACCESS_REVOKED).exists()
    event = CaseEvent.objects.get(case=case, kind=CaseEventKind.CONSENT_AGE)
    assert (event.data["band_from"], event.data["band_to"]) == (0, 12)
    assert event.data["sharing_changed"] is True
    assert notified(NotificationKind.CONSENT_AGE) == [leerplicht.pk]

    with at(BIRTHDAY + days(1)):
        assert escalation_sweep().consent_ages == 0
    assert CaseEvent.objects.filter(case=case, kind=CaseEventKind.CONSENT_AGE).count() == 1
    assert notified(NotificationKind.CONSENT_AGE) == [leerplicht.pk]


def test_at_16_the_pupil_alone_consents_and_a_care_partner_may_be_invited(
    world, leerplicht, jeugdarts
):
    with at(BIRTHDAY - days(20)):
        case = _case(world, 16, leerplicht)
        consent_give(case.pupil, CARE, PUPIL)  # at 15 the parents' consent is missing
        escalation_sweep()
    with at(BIRTHDAY - days(1)):
        escalation_sweep()
        with pytest.raises(ValidationError):
            care_partner_invite(case=case, user=jeugdarts, actor=leerplicht)
    assert not notified(NotificationKind.CONSENT_AGE)

    # A missed day: the sweep of the day after catches the birthday up.
    with at(BIRTHDAY + days(1)):
        assert escalation_sweep().consent_ages == 1
        assert pupil_consent_state(case.pupil)[CARE].required == {PUPIL}
        care_partner_invite(case=case, user=jeugdarts, actor=leerplicht)
    assert cases_visible_to(jeugdarts).filter(pk=case.pk).exists()
    event = CaseEvent.objects.get(case=case, kind=CaseEventKind.CONSENT_AGE)
    assert (event.data["band_from"], event.data["band_to"]) == (12, 16)
    assert notified(NotificationKind.CONSENT_AGE) == [leerplicht.pk]
    with at(BIRTHDAY + days(2)):
        assert escalation_sweep().consent_ages == 0
    assert notified(NotificationKind.CONSENT_AGE) == [leerplicht.pk]


def test_a_pupil_without_a_case_is_recomputed_once_and_only_by_the_system(world, leerplicht):
    with at(BIRTHDAY - days(1)):
        pupil = enrolled_pupil(world.school, date_of_birth=born(16))
        younger = enrolled_pupil(world.school, date_of_birth=born(16) + days(1))
        consent_give(pupil, CARE, PUPIL)
        assert consent_birthdays_refresh(today=BIRTHDAY - days(1), actor=SWEEP) == []
        with pytest.raises(PermissionDenied):
            consent_birthdays_refresh(today=BIRTHDAY - days(1), actor=leerplicht)
    assert not Pupil.objects.get(pk=pupil.pk).shared_with_care_partners
    with at(BIRTHDAY):
        changes = consent_birthdays_refresh(today=BIRTHDAY, actor=SWEEP)
        assert [(c.pupil_id, c.to_band, c.sharing_changed) for c in changes] == [
            (pupil.pk, 16, True)
        ]
        assert consent_birthdays_refresh(today=BIRTHDAY, actor=SWEEP) == []
    assert Pupil.objects.get(pk=pupil.pk).shared_with_care_partners
    assert Pupil.objects.get(pk=younger.pk).consent_age_band == 12
