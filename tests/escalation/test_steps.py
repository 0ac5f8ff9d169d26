"""The route's steps taken by people (escalation/services/steps.py): early escalation with
the skipped steps recorded, the doorbraak assessment and its deadlines, arbitration (consent,
the panel's members, the neighbour's access) and the referral to the OM."""

import datetime

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cases.models import Case, Meeting, MeetingKind
from cases.selectors import cases_visible_to
from cases.workflow import Phase
from escalation.models import (
    ArbitrationPanel,
    ArbitrationStatus,
    CaseDeadline,
    DoorbraakAssessment,
    Escalation,
    Notification,
    NotificationKind,
    OmReferral,
    OmRoute,
    Step,
    Trigger,
)
from escalation.services.deadlines import deadline_of, deadlines_compute
from escalation.services.policy import policy_version_create
from escalation.services.steps import (
    arbitration_conclude,
    arbitration_start,
    assessment_record,
    escalate_by_hand,
    om_refer,
)
from escalation.services.sweep import escalation_sweep
from registration.models import ConsentParty, ConsentScope, ConsentStatus
from thuiszitters.roles import RoleCode

from ..factories.cases import CaseFactory, consent_give
from ..factories.users import SETUP, member

START = datetime.date(2026, 1, 5)  # a Monday


def at(day: datetime.date, hour: int = 8):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(hour)), tick=False)


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def steps_of(case) -> list[tuple[str, str]]:
    return list(Escalation.objects.filter(case=case).order_by("id").values_list("step", "trigger"))


def phase_of(case) -> str:
    return Case.objects.get(pk=case.pk).phase


@pytest.fixture
def zc(world):
    return member(world.school, RoleCode.ZORGCOORDINATOR)


@pytest.fixture
def officer(world):
    return member(world.bureau, RoleCode.LEERPLICHT)


@pytest.fixture
def regisseur(world):
    return member(world.swv, RoleCode.CASUSREGISSEUR)


# --- Escalating earlier by hand -----------------------------------------------------------


def test_the_school_hands_the_case_to_the_casusregisseur_early(world, zc, officer):
    case = CaseFactory(phase=Phase.SCHOOL, school=world.school)
    made = escalate_by_hand(
        case=case, step=Step.CASUSREGISSEUR, actor=zc, reason="Ouders onbereikbaar"
    )
    case.refresh_from_db()
    assert case.phase == Phase.CASUSREGISSEUR
    assert [(e.step, e.trigger, e.actor_id) for e in made] == [
        (Step.CASUSREGISSEUR, Trigger.PERSON, zc.pk)
    ]
    escalation = made[0]
    assert escalation.due_on == case.clock_start + days(28)
    assert escalation.on_time and escalation.reason == "Ouders onbereikbaar"
    # No convenant: the leerplicht officer of the pupil's municipality leads.
    assert (case.lead_organisation_id, case.lead_user_id) == (world.bureau.pk, officer.pk)
    assert Notification.objects.filter(
        user=officer, case=case, kind=NotificationKind.ESCALATED_BY_HAND
    ).exists()
    assert CaseDeadline.objects.get(case=case).step == Step.DOORBRAAK_ASSESSMENT


def test_the_school_may_not_escalate_further_than_the_casusregisseur(world, zc):
    case = CaseFactory(phase=Phase.SCHOOL, school=world.school)
    for step in (Step.DOORBRAAK_ASSESSMENT, Step.DOORBRAAKTEAM):
        with pytest.raises(PermissionDenied):
            escalate_by_hand(case=case, step=step, actor=zc, reason="Te lang thuis")
    assert phase_of(case) == Phase.SCHOOL
    assert not Escalation.objects.filter(case=case).exists()


def test_a_reason_is_required(world, zc):
    case = CaseFactory(phase=Phase.SCHOOL, school=world.school)
    with pytest.raises(ValidationError) as exc:
        escalate_by_hand(case=case, step=Step.CASUSREGISSEUR, actor=zc, reason="  ")
    assert "reason" in exc.value.message_dict
    assert phase_of(case) == Phase.SCHOOL


def test_straight_to_the_doorbraakteam_records_the_skipped_assessment(world, regisseur, officer):
    case = CaseFactory(phase=Phase.SCHOOL, school=world.school)
    made = escalate_by_hand(
        case=case, step=Step.DOORBRAAKTEAM, actor=regisseur, reason="Acute situatie"
    )
    assert phase_of(case) == Phase.DOORBRAAKTEAM
    assert [(e.step, e.trigger) for e in made] == [
        (Step.CASUSREGISSEUR, Trigger.PERSON),
        (Step.DOORBRAAK_ASSESSMENT, Trigger.SKIPPED),
        (Step.DOORBRAAKTEAM, Trigger.PERSON),
    ]
    skipped = made[1]
    assert "Acute situatie" in skipped.reason and skipped.due_on == case.clock_start + days(56)
    # Next: the OM, three calendar months after the doorbraakteam began (today).
    deadline = CaseDeadline.objects.get(case=case)
    assert (deadline.step, deadline.due_on) == (
        Step.OM_REFERRAL,
        timezone.localdate() + relativedelta(months=3),
    )
    # The case passed the casusregisseur: the lead moved there.
    case.refresh_from_db()
    assert case.lead_organisation_id == world.bureau.pk


def test_from_the_casusregisseur_to_the_doorbraakteam_skips_the_assessment(world, regisseur):
    case = CaseFactory(phase=Phase.CASUSREGISSEUR, school=world.school)
    escalate_by_hand(case=case, step=Step.DOORBRAAKTEAM, actor=regisseur, reason="Stagnatie")
    assert steps_of(case) == [
        (Step.DOORBRAAK_ASSESSMENT, Trigger.SKIPPED),
        (Step.DOORBRAAKTEAM, Trigger.PERSON),
    ]


@pytest.mark.parametrize(
    ("phase", "step"),
    [
        (Phase.CASUSREGISSEUR, Step.CASUSREGISSEUR),
        (Phase.DOORBRAAK_ASSESSMENT, Step.CASUSREGISSEUR),
        (Phase.DOORBRAAKTEAM, Step.DOORBRAAKTEAM),
        (Phase.SCHOOL, Step.ARBITRATION),
    ],
)
def test_only_timed_steps_further_on_the_route(world, regisseur, phase, step):
    case = CaseFactory(phase=phase, school=world.school)
    with pytest.raises(ValidationError) as exc:
        escalate_by_hand(case=case, step=step, actor=regisseur, reason="x")
    assert "step" in exc.value.message_dict
    assert phase_of(case) == phase


def test_late_when_the_deadline_had_passed(world, regisseur):
    case = CaseFactory(phase=Phase.SCHOOL, school=world.school, age_days=40)
    (escalation,) = escalate_by_hand(
        case=case, step=Step.CASUSREGISSEUR, actor=regisseur, reason="Eindelijk"
    )
    assert escalation.on_time is False


# --- The doorbraak assessment -------------------------------------------------------------


@pytest.fixture
def early_officer(world):
    """The leerplicht officer, a member since before the case's clock started."""
    with at(START):
        return member(world.bureau, RoleCode.LEERPLICHT)


@pytest.fixture
def assessed_case(world, early_officer):
    """A case that the timer brought to the doorbraak assessment on day 56 (week 8)."""
    officer = early_officer
    with at(START + days(2)):
        case = CaseFactory(school=world.school, clock_start=START, age_days=0)
    for day in (28, 56):
        with at(START + days(day)):
            escalation_sweep()
    case.refresh_from_db()
    assert case.phase == Phase.DOORBRAAK_ASSESSMENT
    assert case.lead_user_id == officer.pk
    return case


def test_assessment_yes_keeps_the_case_until_week_12(assessed_case, early_officer):
    officer = early_officer
    with at(START + days(58)):
        assessment = assessment_record(
            case=assessed_case,
            actor=officer,
            offer_within_four_weeks=True,
            expected_start_on=START + days(70),
            explanation="Plaats op de Kompas per 16 maart",
        )
    assert assessment.offer_within_four_weeks and assessment.answered_by == officer
    assert phase_of(assessed_case) == Phase.DOORBRAAK_ASSESSMENT
    deadline = CaseDeadline.objects.get(case=assessed_case)
    # Without an answer the doorbraakteam would come on day 63; "yes" waits for week 12.
    assert (deadline.step, deadline.due_on) == (Step.DOORBRAAKTEAM, START + days(84))
    with at(START + days(63)):
        assert escalation_sweep().total == 0
    with at(START + days(84)):
        assert escalation_sweep().total == 1
    assert phase_of(assessed_case) == Phase.DOORBRAAKTEAM


def test_assessment_no_puts_the_case_on_the_agenda_at_once(assessed_case, early_officer):
    officer = early_officer
    with at(START + days(58)):
        assessment_record(
            case=assessed_case,
            actor=officer,
            offer_within_four_weeks=False,
            expected_start_on=START + days(70),  # ignored with "no"
            explanation="Geen plek binnen vier weken",
        )
    assert DoorbraakAssessment.objects.get(case=assessed_case).expected_start_on is None
    assert phase_of(assessed_case) == Phase.DOORBRAAKTEAM
    escalation = Escalation.objects.get(case=assessed_case, step=Step.DOORBRAAKTEAM)
    assert (escalation.trigger, escalation.due_on, escalation.actor) == (
        Trigger.ASSESSMENT,
        START + days(84),
        officer,
    )
    assert escalation.on_time
    deadline = CaseDeadline.objects.get(case=assessed_case)
    assert (deadline.step, deadline.due_on) == (
        Step.OM_REFERRAL,
        START + days(58) + relativedelta(months=3),
    )


def test_assessment_errors(assessed_case, early_officer, world):
    officer = early_officer

    def record(**kwargs):
        values = {
            "case": assessed_case,
            "actor": officer,
            "offer_within_four_weeks": True,
            "expected_start_on": START + days(70),
            "explanation": "Plaats gevonden",
            **kwargs,
        }
        with at(START + days(58)):
            return assessment_record(**values)

    for kwargs, field in (
        ({"expected_start_on": None}, "expected_start_on"),
        ({"expected_start_on": START + days(58 + 29)}, "expected_start_on"),
        ({"expected_start_on": START + days(57)}, "expected_start_on"),
        ({"explanation": " "}, "explanation"),
    ):
        with pytest.raises(ValidationError) as exc:
            record(**kwargs)
        assert field in exc.value.message_dict, kwargs
    with pytest.raises(PermissionDenied):
        record(actor=member(world.school, RoleCode.ZORGCOORDINATOR))
    record()
    with pytest.raises(ValidationError):
        record()  # answered once per round
    assert DoorbraakAssessment.objects.filter(case=assessed_case).count() == 1


def test_assessment_only_in_its_phase(world, officer):
    case = CaseFactory(phase=Phase.CASUSREGISSEUR, school=world.school)
    with pytest.raises(ValidationError):
        assessment_record(
            case=case, actor=officer, offer_within_four_weeks=False, explanation="Nee"
        )
    assert not DoorbraakAssessment.objects.exists()


# --- Arbitration ---------------------------------------------------------------------------


@pytest.fixture
def panel_people(world, regisseur):
    return {
        "chair": regisseur,
        "own": member(world.swv, RoleCode.DOORBRAAKTEAM, full_name="Eva Eigenteam"),
        "neighbour": member(world.other_swv, RoleCode.DOORBRAAKTEAM, full_name="Bram Buur"),
        "far": member(world.far_swv, RoleCode.DOORBRAAKTEAM),
    }


@pytest.fixture
def convenant(world):
    return policy_version_create(swv=world.swv, actor=SETUP, neighbour_swv=world.other_swv)


@pytest.fixture
def team_case(world, regisseur):
    return CaseFactory(phase=Phase.DOORBRAAKTEAM, school=world.school, lead_user=regisseur)


def agree(case, status=ConsentStatus.GIVEN):
    consent_give(case.pupil, ConsentScope.BINDING_ARBITRATION, ConsentParty.PARENTS, status=status)


def start(case, people, **kwargs):
    values = {
        "case": case,
        "actor": people["chair"],
        "parents_representative": "Mr. J. de Wit",
        "own_member": people["own"],
        "neighbour_member": people["neighbour"],
        "reason": "Geen overeenstemming over de plek",
        **kwargs,
    }
    return arbitration_start(**values)


def test_arbitration_needs_the_parents_binding_consent(team_case, panel_people, convenant):
    with pytest.raises(ValidationError) as exc:
        start(team_case, panel_people)
    # A field error, on the representative the parents choose only when they agree.
    assert "bindende arbitrage" in exc.value.message_dict["parents_representative"][0]
    agree(team_case, ConsentStatus.REFUSED)
    with pytest.raises(ValidationError) as exc:
        start(team_case, panel_people)
    assert "parents_representative" in exc.value.message_dict
    assert not ArbitrationPanel.objects.exists()
    assert phase_of(team_case) == Phase.DOORBRAAKTEAM


def test_arbitration_panel_rules(world, team_case, panel_people, convenant):
    agree(team_case)
    zc = member(world.school, RoleCode.ZORGCOORDINATOR)
    cases = [
        ({"own_member": panel_people["far"]}, "own_member"),
        ({"own_member": zc}, "own_member"),
        ({"own_member": None}, "own_member"),
        ({"neighbour_member": panel_people["far"]}, "neighbour_member"),
        ({"neighbour_member": panel_people["own"]}, "neighbour_member"),
        ({"parents_representative": " "}, "parents_representative"),
        ({"reason": ""}, "reason"),
    ]
    for kwargs, field in cases:
        with pytest.raises(ValidationError) as exc:
            start(team_case, panel_people, **kwargs)
        assert field in exc.value.message_dict, kwargs
    with pytest.raises(PermissionDenied):
        start(team_case, panel_people, actor=zc)
    assert not ArbitrationPanel.objects.exists()


def test_the_own_member_sits_on_the_doorbraakteam_of_the_cases_own_swv(
    world, team_case, panel_people
):
    """Seed 002, 6.9: not any doorbraakteam of the region, the one of the case's SWV; the
    convenant's coordinator of that team counts too, wherever in the region they work."""
    agree(team_case)
    same_region_other_swv = member(world.swv_vo, RoleCode.DOORBRAAKTEAM)
    municipality_member = member(world.m1, RoleCode.DOORBRAAKTEAM, full_name="Gert Gemeente")
    coordinator = member(world.m1, RoleCode.DOORBRAAKTEAM, full_name="Cor Coördinator")
    policy_version_create(
        swv=world.swv,
        actor=SETUP,
        neighbour_swv=world.other_swv,
        doorbraakteam_coordinator=coordinator,
    )
    for own in (same_region_other_swv, municipality_member):
        with pytest.raises(ValidationError) as exc:
            start(team_case, panel_people, own_member=own)
        assert exc.value.message_dict["own_member"] == [
            "Kies een lid van het doorbraakteam van SWV PO A."
        ]
    panel = start(team_case, panel_people, own_member=coordinator)
    assert panel.own_member == coordinator


def test_the_cases_casusregisseur_chairs(world, team_case, panel_people, convenant):
    agree(team_case)
    colleague = member(world.swv, RoleCode.CASUSREGISSEUR, full_name="Cas Collega")
    with pytest.raises(ValidationError) as exc:
        start(team_case, panel_people, chair=colleague)
    assert panel_people["chair"].full_name in exc.value.message_dict["chair"][0]
    with pytest.raises(ValidationError) as exc:
        start(team_case, panel_people, own_member=panel_people["chair"])
    assert "own_member" in exc.value.message_dict
    # Set up by a colleague, the panel is still chaired by the case's casusregisseur.
    panel = start(team_case, panel_people, actor=colleague)
    assert panel.chair == panel_people["chair"] == team_case.lead_user


def test_no_panel_without_a_casusregisseur_as_a_person(world, panel_people, convenant):
    case = CaseFactory(phase=Phase.DOORBRAAKTEAM, school=world.school)  # the SWV, no one
    agree(case)
    with pytest.raises(ValidationError) as exc:
        start(case, panel_people)
    assert set(exc.value.message_dict) == {"chair"}
    zc = member(world.school, RoleCode.ZORGCOORDINATOR)
    led_by_the_school = CaseFactory(
        phase=Phase.DOORBRAAKTEAM, school=world.school, lead_organisation=world.school, lead_user=zc
    )
    agree(led_by_the_school)
    with pytest.raises(ValidationError) as exc:
        start(led_by_the_school, panel_people)
    assert set(exc.value.message_dict) == {"chair"}
    assert not ArbitrationPanel.objects.exists()


def test_arbitration_without_a_neighbour_in_the_convenant(team_case, panel_people):
    agree(team_case)
    with pytest.raises(ValidationError) as exc:
        start(team_case, panel_people)
    assert "naburig" in exc.value.message_dict["neighbour_member"][0]


def test_arbitration_only_from_the_doorbraakteam(world, panel_people, convenant):
    case = CaseFactory(
        phase=Phase.CASUSREGISSEUR, school=world.school, lead_user=panel_people["chair"]
    )
    agree(case)
    with pytest.raises(ValidationError):
        start(case, panel_people)


def test_the_neighbour_sits_on_this_case_only_while_the_panel_sits(
    world, team_case, panel_people, convenant
):
    neighbour = panel_people["neighbour"]
    other_case = CaseFactory(phase=Phase.DOORBRAAKTEAM, school=world.school)
    assert not cases_visible_to(neighbour).filter(pk=team_case.pk).exists()
    agree(team_case)
    panel = start(team_case, panel_people)
    assert phase_of(team_case) == Phase.ARBITRATION
    assert (panel.chair, panel.neighbour_swv) == (panel_people["chair"], world.other_swv)
    assert steps_of(team_case) == [(Step.ARBITRATION, Trigger.PERSON)]
    assert set(cases_visible_to(neighbour).values_list("pk", flat=True)) == {team_case.pk}
    assert other_case.pk not in cases_visible_to(neighbour).values_list("pk", flat=True)
    assert set(
        Notification.objects.filter(kind=NotificationKind.ARBITRATION).values_list(
            "user_id", flat=True
        )
    ) == {panel_people["own"].pk, neighbour.pk}
    # Withdrawing the consent removes the access at once; giving it again restores it.
    agree(team_case, ConsentStatus.WITHDRAWN)
    assert not cases_visible_to(neighbour).filter(pk=team_case.pk).exists()
    agree(team_case)
    assert cases_visible_to(neighbour).filter(pk=team_case.pk).exists()
    arbitration_conclude(
        panel=panel,
        actor=panel_people["chair"],
        status=ArbitrationStatus.DECIDED,
        decision="Plaatsing op De Brug per 1 maart",
    )
    assert not cases_visible_to(neighbour).filter(pk=team_case.pk).exists()
    panel.refresh_from_db()
    assert panel.status == ArbitrationStatus.DECIDED and panel.ended_at is not None
    hearing = Meeting.objects.get(case=team_case, kind=MeetingKind.ARBITRATION_HEARING)
    assert [d.text for d in hearing.decisions.all()] == ["Plaatsing op De Brug per 1 maart"]


def test_concluding_arbitration(world, team_case, panel_people, convenant):
    agree(team_case)
    panel = start(team_case, panel_people)
    chair = panel_people["chair"]
    with pytest.raises(ValidationError) as exc:
        arbitration_conclude(panel=panel, actor=chair, status=ArbitrationStatus.DECIDED)
    assert "decision" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        arbitration_conclude(panel=panel, actor=chair, status=ArbitrationStatus.IN_SESSION)
    assert "status" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        arbitration_conclude(
            panel=panel,
            actor=chair,
            status=ArbitrationStatus.NO_RESULT,
            decided_on=timezone.localdate() + days(3),
        )
    assert "decided_on" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        arbitration_conclude(
            panel=panel,
            actor=member(world.school, RoleCode.ZORGCOORDINATOR),
            status=ArbitrationStatus.NO_RESULT,
        )
    arbitration_conclude(panel=panel, actor=chair, status=ArbitrationStatus.NO_RESULT)
    with pytest.raises(ValidationError):
        arbitration_conclude(panel=panel, actor=chair, status=ArbitrationStatus.REFUSED)


# --- The OM ---------------------------------------------------------------------------------


def refer(case, actor, **kwargs):
    values = {
        "case": case,
        "actor": actor,
        "route": OmRoute.CIVIL,
        "referred_on": timezone.localdate(),
        "reason": "Arbitrage zonder resultaat",
        **kwargs,
    }
    return om_refer(**values)


def test_to_the_om_after_arbitration_without_result(team_case, panel_people, convenant):
    chair = panel_people["chair"]
    agree(team_case)
    panel = start(team_case, panel_people)
    with pytest.raises(ValidationError):
        refer(team_case, chair)  # the panel still sits
    arbitration_conclude(panel=panel, actor=chair, status=ArbitrationStatus.NO_RESULT)
    referral = refer(team_case, chair)
    assert (referral.route, referral.arbitration) == (OmRoute.CIVIL, panel)
    assert phase_of(team_case) == Phase.OM_REFERRAL
    assert steps_of(team_case) == [
        (Step.ARBITRATION, Trigger.PERSON),
        (Step.OM_REFERRAL, Trigger.PERSON),
    ]
    assert deadline_of(Case.objects.get(pk=team_case.pk)).step == ""


def test_not_to_the_om_after_a_binding_decision(team_case, panel_people, convenant):
    chair = panel_people["chair"]
    agree(team_case)
    panel = start(team_case, panel_people)
    arbitration_conclude(
        panel=panel, actor=chair, status=ArbitrationStatus.DECIDED, decision="Plek op De Brug"
    )
    with pytest.raises(ValidationError):
        refer(team_case, chair)
    assert not OmReferral.objects.exists()


def test_to_the_om_from_the_doorbraakteam_only_when_the_parents_refuse(team_case, regisseur):
    with pytest.raises(ValidationError):
        refer(team_case, regisseur)  # nothing recorded: no refusal
    agree(team_case)
    with pytest.raises(ValidationError):
        refer(team_case, regisseur)  # they agreed: arbitration comes first
    agree(team_case, ConsentStatus.REFUSED)
    referral = refer(team_case, regisseur, route=OmRoute.CRIMINAL, reason="Ouders weigeren")
    assert referral.arbitration is None and referral.route == OmRoute.CRIMINAL
    assert phase_of(team_case) == Phase.OM_REFERRAL
    assert steps_of(team_case) == [
        (Step.ARBITRATION, Trigger.SKIPPED),
        (Step.OM_REFERRAL, Trigger.PERSON),
    ]
    skipped = Escalation.objects.get(case=team_case, step=Step.ARBITRATION)
    assert "weigeren" in skipped.reason


def test_om_referral_errors(world, team_case, regisseur):
    agree(team_case, ConsentStatus.REFUSED)
    for kwargs, field in (
        ({"route": "other"}, "route"),
        ({"reason": " "}, "reason"),
        ({"referred_on": timezone.localdate() + days(1)}, "referred_on"),
    ):
        with pytest.raises(ValidationError) as exc:
            refer(team_case, regisseur, **kwargs)
        assert field in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        refer(team_case, member(world.school, RoleCode.ZORGCOORDINATOR))
    early = CaseFactory(phase=Phase.CASUSREGISSEUR, school=world.school)
    agree(early, ConsentStatus.REFUSED)
    with pytest.raises(ValidationError):
        refer(early, regisseur)
    assert not OmReferral.objects.exists()
    assert not Escalation.objects.filter(case=team_case).exists()


def test_deadlines_recomputed_after_each_step(world, regisseur):
    case = CaseFactory(phase=Phase.CASUSREGISSEUR, school=world.school)
    deadlines_compute([case.pk])
    assert CaseDeadline.objects.get(case=case).step == Step.DOORBRAAK_ASSESSMENT
    escalate_by_hand(
        case=case, step=Step.DOORBRAAK_ASSESSMENT, actor=regisseur, reason="Geen voortgang"
    )
    deadline = CaseDeadline.objects.get(case=case)
    assert deadline.phase == Phase.DOORBRAAK_ASSESSMENT
    assert deadline.step == Step.DOORBRAAKTEAM
