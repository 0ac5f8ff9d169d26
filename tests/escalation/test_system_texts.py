"""The route's journal texts (escalation/texts.py, issue 17): the sweep's deadlines, the
doorbraak assessment, arbitration, the OM referral and the birthdays store a code with
parameters and the Dutch form as the message, and read in English under English."""

import datetime

import pytest
import time_machine
from django.utils import timezone, translation

from cases.models import CaseEvent, CaseEventKind
from cases.services import care_partner_invite
from cases.workflow import Phase
from escalation.models import Escalation, OmRoute, Step
from escalation.services.policy import policy_version_create
from escalation.services.steps import arbitration_start, assessment_record, om_refer
from escalation.services.sweep import escalation_sweep
from registration.models import ConsentParty, ConsentScope
from thuiszitters.roles import RoleCode

from ..factories.cases import CaseFactory, consent_give
from ..factories.registration import enrolled_pupil
from ..factories.users import SETUP, member

START = datetime.date(2026, 1, 5)  # a Monday
BIRTHDAY = datetime.date(2028, 5, 17)  # a Wednesday


def at(day: datetime.date, hour: int = 8):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(hour)), tick=False)


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def in_(language: str, event: CaseEvent) -> str:
    with translation.override(language):
        return event.text


def _event(case, kind, **data) -> CaseEvent:
    return CaseEvent.objects.filter(case=case, kind=kind, **data).latest("id")


def assert_system_text(event: CaseEvent, code: str, params: dict) -> None:
    """The row holds the code and its parameters; in Dutch it reads as its message, in
    English otherwise (each code here has an English translation)."""
    assert event.data["text"] == {"code": code, "params": params}
    assert in_("nl", event) == event.message
    assert in_("en", event) != event.message


@pytest.fixture
def officer(world):
    with at(START):
        return member(world.bureau, RoleCode.LEERPLICHT)


@pytest.fixture
def regisseur(world):
    return member(world.swv, RoleCode.CASUSREGISSEUR, full_name="Rina Regie")


def test_a_passed_deadline_is_a_code_with_the_step_and_the_date(world, officer):
    with at(START + days(2)):
        case = CaseFactory(school=world.school, clock_start=START, age_days=0)
    with at(START + days(28)), translation.override("en"):  # the language of the worker
        assert escalation_sweep().total == 1
    due = START + days(28)
    moved = _event(case, CaseEventKind.PHASE_CHANGED, data__to=Phase.CASUSREGISSEUR)
    assert moved.data["via"] == "timer"
    assert (
        moved.message
        == f"Termijn verstreken: Casusregie naar de casusregisseur, uiterlijk {due:%d-%m-%Y}."
    )
    params = {"step": Step.CASUSREGISSEUR.value, "due": due.isoformat()}
    assert_system_text(moved, "escalation.deadline_passed", params)
    assert (
        in_("en", moved) == f"Deadline passed: Lead to the casusregisseur, due by {due:%d-%m-%Y}."
    )
    # The lead's handover in the same batch: the same text; the step's row keeps it in Dutch.
    lead = _event(case, CaseEventKind.LEAD_CHANGED)
    assert lead.data["text"] == moved.data["text"] and lead.message == moved.message
    step = Escalation.objects.get(case=case, step=Step.CASUSREGISSEUR)
    assert step.reason == moved.message


def test_the_assessment_stores_the_answer_and_the_typed_explanation(world, officer):
    with at(START + days(2)):
        case = CaseFactory(school=world.school, clock_start=START, age_days=0)
    for day in (28, 56):
        with at(START + days(day)):
            escalation_sweep()
    with at(START + days(58)):
        assessment_record(
            case=case,
            actor=officer,
            offer_within_four_weeks=False,
            explanation="Geen plek binnen vier weken",
        )
    answer = _event(case, CaseEventKind.DECISION)
    assert answer.message == (
        "Doorbraaktoets: passend aanbod binnen 4 weken? nee. Geen plek binnen vier weken"
    )
    assert_system_text(
        answer,
        "escalation.assessment_answered",
        {"answer": False, "text": "Geen plek binnen vier weken"},
    )
    assert in_("en", answer) == (
        "Doorbraak assessment: suitable offer within 4 weeks? no. Geen plek binnen vier weken"
    )
    moved = _event(case, CaseEventKind.PHASE_CHANGED, data__to=Phase.DOORBRAAKTEAM)
    assert_system_text(moved, "escalation.assessment_no_offer", {})
    step = Escalation.objects.get(case=case, step=Step.DOORBRAAKTEAM)
    assert step.reason == "Doorbraaktoets: geen passend aanbod binnen 4 weken."


def test_arbitration_stores_the_chairs_name_as_it_was(world, regisseur):
    case = CaseFactory(phase=Phase.DOORBRAAKTEAM, school=world.school, lead_user=regisseur)
    policy_version_create(swv=world.swv, actor=SETUP, neighbour_swv=world.other_swv)
    consent_give(case.pupil, ConsentScope.BINDING_ARBITRATION, ConsentParty.PARENTS)
    arbitration_start(
        case=case,
        actor=regisseur,
        parents_representative="Mr. J. de Wit",
        own_member=member(world.swv, RoleCode.DOORBRAAKTEAM),
        neighbour_member=member(world.other_swv, RoleCode.DOORBRAAKTEAM),
        reason="Geen overeenstemming over de plek",
    )
    event = _event(case, CaseEventKind.DECISION)
    assert event.data["panel"]
    assert_system_text(event, "escalation.arbitration_started", {"chair": "Rina Regie"})
    assert in_("en", event) == "Arbitration panel set up. Chair: Rina Regie."
    # The typed reason of the step stays text.
    moved = _event(case, CaseEventKind.PHASE_CHANGED, data__to=Phase.ARBITRATION)
    assert moved.message == "Geen overeenstemming over de plek" and "text" not in moved.data


def test_the_om_referral_after_the_timer_stores_route_day_and_reason(world, regisseur):
    case = CaseFactory(phase=Phase.OM_REFERRAL, school=world.school, lead_user=regisseur)
    day = timezone.localdate() - days(1)
    om_refer(case=case, actor=regisseur, route=OmRoute.CIVIL, referred_on=day, reason="Geen hulp")
    event = _event(case, CaseEventKind.DECISION)
    route = "Civielrechtelijk (Raad voor de Kinderbescherming)"
    assert event.message == f"Doorverwezen naar het OM ({route}) op {day:%d-%m-%Y}. Geen hulp"
    params = {"route": "civil", "day": day.isoformat(), "reason": "Geen hulp"}
    assert_system_text(event, "escalation.om_referred", params)
    assert "Civil law (Child Protection Board)" in in_("en", event)
    assert in_("en", event).endswith(f"on {day:%d-%m-%Y}. Geen hulp")


def _birthday_case(world, years, lead):
    pupil = enrolled_pupil(world.school, date_of_birth=BIRTHDAY.replace(year=BIRTHDAY.year - years))
    return CaseFactory(
        phase=Phase.CASUSREGISSEUR,
        school=world.school,
        pupil=pupil,
        age_days=29,
        lead_organisation=world.bureau,
        lead_user=lead,
    )


def test_consent_by_age_and_the_revoked_care_access_are_codes(world):
    with at(BIRTHDAY - days(20)):
        lead = member(world.bureau, RoleCode.LEERPLICHT)
        jeugdarts = member(world.care, RoleCode.CARE_PARTNER)
        case = _birthday_case(world, 12, lead)
        consent_give(case.pupil, ConsentScope.SHARE_WITH_CARE_PARTNERS, ConsentParty.PARENTS)
        care_partner_invite(case=case, user=jeugdarts, actor=lead)
        escalation_sweep()
    with at(BIRTHDAY):
        assert escalation_sweep().consent_ages == 1
    age = _event(case, CaseEventKind.CONSENT_AGE)
    assert (age.data["band_from"], age.data["band_to"]) == (0, 12)
    assert_system_text(age, "cases.consent_age_12", {})
    assert in_("en", age).startswith("The pupil has turned 12")
    revoked = _event(case, CaseEventKind.CARE_ACCESS_REVOKED)
    assert revoked.message == "Toestemming voor zorgpartners ontbreekt."
    assert_system_text(revoked, "cases.care_consent_missing", {})
    assert in_("en", revoked) == "Consent for care partners is missing."


def test_closing_at_18_is_a_code(world):
    with at(BIRTHDAY - days(20)):
        case = _birthday_case(world, 18, member(world.bureau, RoleCode.LEERPLICHT))
    with at(BIRTHDAY):
        assert escalation_sweep().closed_at_18 == 1
    closed = _event(case, CaseEventKind.CLOSED)
    assert closed.data["reason"] == "turned_18" and "RMC" in closed.message
    assert_system_text(closed, "cases.closed_at_18", {})
    case.refresh_from_db()
    assert case.closed_note == closed.message  # the case keeps the Dutch form
