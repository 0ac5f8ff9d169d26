"""The route section of the case page (escalation/views/route.py): the route for each phase,
every form's happy path and errors (htmx and plain), who may do what, the neighbouring SWV's
arbitrator, the doorbraakteam's agenda and the query budgets."""

import datetime
import re

import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Case, Meeting, MeetingKind
from cases.services import case_transition, meeting_record
from cases.workflow import Phase
from escalation.models import (
    ArbitrationPanel,
    ArbitrationStatus,
    CaseDeadline,
    DoorbraakAssessment,
    OmReferral,
)
from escalation.services.deadlines import deadlines_compute
from escalation.services.policy import policy_version_create
from escalation.services.steps import (
    arbitration_conclude,
    arbitration_start,
    assessment_record,
    escalate_by_hand,
    om_refer,
)
from registration.models import ConsentParty, ConsentScope, ConsentStatus
from tests.page_text import shows
from thuiszitters.models import AuditAction, AuditLogEntry
from thuiszitters.roles import RoleCode

from ..factories.cases import CaseFactory, consent_give
from ..factories.users import SETUP, member

HTMX = {"HTTP_HX_REQUEST": "true"}
pytestmark = pytest.mark.usefixtures("frozen_clock")


def route_url(case, name="case_route"):
    return reverse(f"escalation:{name}", args=[case.pk])


def page_url(case):
    return reverse("cases:case_detail", args=[case.pk])


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


@pytest.fixture
def team(world):
    return member(world.swv, RoleCode.DOORBRAAKTEAM, full_name="Eva Eigenteam")


@pytest.fixture
def neighbour(world):
    return member(world.other_swv, RoleCode.DOORBRAAKTEAM, full_name="Bram Buur")


@pytest.fixture
def convenant(world):
    return policy_version_create(swv=world.swv, actor=SETUP, neighbour_swv=world.other_swv)


def agree(case, status=ConsentStatus.GIVEN):
    consent_give(case.pupil, ConsentScope.BINDING_ARBITRATION, ConsentParty.PARENTS, status=status)


def section(client, case) -> str:
    response = client.get(route_url(case), **HTMX)
    assert response.status_code == 200
    return response.content.decode()


def step_states(body: str) -> dict[str, str]:
    return dict(re.findall(r'data-step="(\w+)" data-state="(\w+)"', body))


# --- the route for each phase -----------------------------------------------------------


def test_the_case_page_loads_the_route_section(world, officer, login):
    case = CaseFactory(phase=Phase.CASUSREGISSEUR, school=world.school)
    body = login(officer).get(page_url(case)).content.decode()
    assert f'hx-get="{route_url(case)}"' in body
    assert "<noscript>" in body and f'href="{route_url(case)}"' in body
    assert route_url(case, "case_deadline") in body


def test_a_signal_shows_no_clock_and_no_planned_dates(world, officer, login):
    case = CaseFactory(phase=Phase.SCHOOL, school=world.school, at_risk=True)
    body = login(officer).get(route_url(case), **HTMX).content.decode()
    assert 'data-testid="route-signal"' in body
    assert "Volgens het convenant uiterlijk" not in body and "(week " not in body
    case.at_risk = False
    case.save(update_fields=["at_risk"])
    body = login(officer).get(route_url(case), **HTMX).content.decode()
    assert 'data-testid="route-signal"' not in body
    assert "Volgens het convenant uiterlijk" in body and "(week " in body


PHASE_STATES = {
    Phase.SCHOOL: ("next", "ahead", "ahead", "ahead", "ahead"),
    Phase.CASUSREGISSEUR: ("current", "next", "ahead", "ahead", "ahead"),
    Phase.DOORBRAAK_ASSESSMENT: ("passed", "current", "next", "ahead", "ahead"),
    # The OM is timed after the doorbraakteam, in arbitration too.
    Phase.DOORBRAAKTEAM: ("passed", "passed", "current", "ahead", "next"),
    Phase.ARBITRATION: ("passed", "passed", "passed", "current", "next"),
    Phase.OM_REFERRAL: ("passed", "passed", "passed", "passed", "current"),
    Phase.CLOSED: ("not_reached",) * 5,
}
STEPS = ("casusregisseur", "doorbraak_assessment", "doorbraakteam", "arbitration", "om_referral")


@pytest.mark.parametrize("phase", list(PHASE_STATES))
def test_the_route_for_each_phase(world, officer, login, phase, today):
    case = CaseFactory(phase=phase, school=world.school)
    body = section(login(officer), case)
    assert 'id="section-route"' in body and f'data-phase="{phase}"' in body
    assert step_states(body) == dict(zip(STEPS, PHASE_STATES[phase], strict=True))
    # Text, not only colour: each step says what it is.
    assert body.count('class="app-route__status"') == 6
    assert body.count('aria-current="step"') == (0 if phase == Phase.CLOSED else 1)
    # The planned dates of the timed steps, by the default convenant.
    for weeks in (4, 8, 12):
        day = case.clock_start + datetime.timedelta(weeks=weeks)
        assert day.strftime("%d-%m-%Y") in body
    past = phase != Phase.CLOSED and case.clock_start + relativedelta(months=3) <= today
    assert ('data-testid="route-three-months"' in body) == past
    if phase in (Phase.ARBITRATION, Phase.OM_REFERRAL):
        assert past


def test_the_next_deadline_with_days_left_and_overdue(world, officer, login):
    client = login(officer)
    case = CaseFactory(phase=Phase.SCHOOL, school=world.school, age_days=10)
    body = section(client, case)
    assert "nog 18 dagen" in body
    late = CaseFactory(phase=Phase.SCHOOL, school=world.school, age_days=31)
    assert "3 dagen over de termijn" in section(client, late)
    header = client.get(route_url(late, "case_deadline"), **HTMX).content.decode()
    assert "3 dagen over de termijn" in header and "#section-route" in header


def test_the_route_shows_what_happened(world, regisseur, officer, login):
    case = CaseFactory(phase=Phase.SCHOOL, school=world.school, age_days=40)
    escalate_by_hand(case=case, step="doorbraakteam", actor=regisseur, reason="Acute situatie")
    body = section(login(officer), case)
    states = step_states(body)
    assert states["doorbraakteam"] == "current"
    assert 'data-testid="escalation-casusregisseur"' in body
    assert "12 dagen te laat" in body  # week 4 was day 28, escalated on day 40
    assert "overgeslagen" in body and "Acute situatie" in body
    assert shows(body, regisseur.full_name)


def test_a_deadline_not_yet_recomputed_is_computed_on_the_route(world, officer, login):
    case = CaseFactory(phase=Phase.DOORBRAAK_ASSESSMENT, school=world.school)
    deadlines_compute([case.pk])
    case_transition(case=case, to_phase=Phase.CASUSREGISSEUR, actor=officer, reason="Terug")
    assert CaseDeadline.objects.get(case=case).phase == Phase.DOORBRAAK_ASSESSMENT  # stale
    body = section(login(officer), case)
    assert step_states(body)["doorbraak_assessment"] == "next"
    due = case.clock_start + datetime.timedelta(weeks=8)
    assert f"Termijn: {due:%d-%m-%Y}" in body


def test_the_plain_route_page_is_audited(world, officer, login):
    case = CaseFactory(phase=Phase.CASUSREGISSEUR, school=world.school)
    reads = AuditLogEntry.objects.filter(
        action=AuditAction.READ, object_type="cases.case", object_id=str(case.pk)
    )
    client = login(officer)
    client.get(route_url(case), **HTMX)
    assert reads.count() == 1  # the partial is a read of its own (ADR 0017)
    response = client.get(route_url(case))
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" in body and 'id="section-route"' in body
    assert reads.count() == 2


# --- escalating earlier ------------------------------------------------------------------


def test_the_school_escalates_to_the_casusregisseur_and_no_further(world, zc, officer, login):
    case = CaseFactory(phase=Phase.SCHOOL, school=world.school)
    client = login(zc)
    body = section(client, case)
    options = re.findall(r'<option value="(\w+)"', body)
    assert options == ["casusregisseur"]
    # No reason: the field error, the step kept (htmx: the section again).
    response = client.post(route_url(case, "escalate"), {"escalate-step": "casusregisseur"}, **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="id_escalate-reason_error"' in body
    assert 'value="casusregisseur" selected' in body
    # Beyond the casusregisseur is not the school's to decide.
    response = client.post(
        route_url(case, "escalate"),
        {"escalate-step": "doorbraakteam", "escalate-reason": "Te lang"},
        **HTMX,
    )
    assert response.status_code == 403
    response = client.post(
        route_url(case, "escalate"),
        {"escalate-step": "casusregisseur", "escalate-reason": "Ouders onbereikbaar"},
        **HTMX,
    )
    assert response["HX-Redirect"] == page_url(case)
    case.refresh_from_db()
    assert case.phase == Phase.CASUSREGISSEUR
    assert (case.lead_organisation_id, case.lead_user_id) == (world.bureau.pk, officer.pk)
    # The school may not escalate any further: no form.
    assert 'action="' + route_url(case, "escalate") not in section(client, case)


def test_the_casusregisseur_escalates_with_a_plain_post(world, regisseur, login):
    case = CaseFactory(phase=Phase.SCHOOL, school=world.school)
    client = login(regisseur)
    options = re.findall(r'<option value="(\w+)"', section(client, case))
    assert options == ["casusregisseur", "doorbraak_assessment", "doorbraakteam"]
    response = client.post(
        route_url(case, "escalate"), {"escalate-step": "doorbraakteam", "escalate-reason": ""}
    )
    assert response.status_code == 422
    assert 'id="id_escalate-reason_error"' in response.content.decode()
    response = client.post(
        route_url(case, "escalate"),
        {"escalate-step": "doorbraakteam", "escalate-reason": "Stagnatie"},
    )
    assert response.status_code == 302
    assert response["Location"] == page_url(case) + "#section-route"
    assert phase_of(case) == Phase.DOORBRAAKTEAM
    states = step_states(section(client, case))
    assert states["doorbraak_assessment"] == "passed"


def test_a_service_error_lands_on_the_field(world, regisseur, login):
    case = CaseFactory(phase=Phase.DOORBRAAK_ASSESSMENT, school=world.school)
    response = login(regisseur).post(
        route_url(case, "escalate"),
        {"escalate-step": "casusregisseur", "escalate-reason": "Terug?"},
        **HTMX,
    )
    assert response.status_code == 200
    assert 'id="id_escalate-step_error"' in response.content.decode()
    assert phase_of(case) == Phase.DOORBRAAK_ASSESSMENT


# --- the doorbraak assessment ------------------------------------------------------------


def test_the_assessment_form(world, zc, officer, login):
    case = CaseFactory(phase=Phase.DOORBRAAK_ASSESSMENT, school=world.school)
    assert route_url(case, "assessment") not in section(login(zc), case)
    assert login(zc).post(route_url(case, "assessment"), {}).status_code == 403
    client = login(officer)
    assert route_url(case, "assessment") in section(client, case)
    response = client.post(
        route_url(case, "assessment"),
        {"assessment-offer_within_four_weeks": "yes", "assessment-explanation": "Plek gevonden"},
        **HTMX,
    )
    body = response.content.decode()
    assert 'id="id_assessment-expected_start_on_error"' in body
    assert "Plek gevonden" in body  # the input is kept
    response = client.post(
        route_url(case, "assessment"),
        {"assessment-offer_within_four_weeks": "", "assessment-explanation": ""},
    )
    assert response.status_code == 422
    assert 'id="id_assessment-explanation_error"' in response.content.decode()
    assert 'id="id_assessment-offer_within_four_weeks_error"' in response.content.decode()
    response = client.post(
        route_url(case, "assessment"),
        {
            "assessment-offer_within_four_weeks": "no",
            "assessment-explanation": "Geen plek binnen vier weken",
        },
        **HTMX,
    )
    assert response["HX-Redirect"] == page_url(case)
    assert phase_of(case) == Phase.DOORBRAAKTEAM
    assert not DoorbraakAssessment.objects.get(case=case).offer_within_four_weeks
    body = section(client, case)
    assert 'data-testid="assessment"' in body and "Geen plek binnen vier weken" in body


def test_assessment_yes(world, officer, login, today):
    case = CaseFactory(phase=Phase.DOORBRAAK_ASSESSMENT, school=world.school)
    start = today + datetime.timedelta(days=10)
    response = login(officer).post(
        route_url(case, "assessment"),
        {
            "assessment-offer_within_four_weeks": "yes",
            "assessment-expected_start_on": start.isoformat(),
            "assessment-explanation": "Start op De Brug",
        },
    )
    assert response.status_code == 302
    assert DoorbraakAssessment.objects.get(case=case).expected_start_on == start
    body = section(login(officer), case)
    assert route_url(case, "assessment") not in body  # answered once
    assert start.strftime("%d-%m-%Y") in body


# --- arbitration ---------------------------------------------------------------------------


def test_arbitration_shows_the_missing_consent(world, regisseur, convenant, login):
    case = CaseFactory(phase=Phase.DOORBRAAKTEAM, school=world.school)
    body = section(login(regisseur), case)
    assert 'data-testid="arbitration-consent-missing"' in body
    assert f'href="{page_url(case)}#section-consent"' in body
    assert route_url(case, "arbitration_start") not in body


def test_arbitration_without_a_neighbour_in_the_convenant(world, regisseur, login):
    case = CaseFactory(phase=Phase.DOORBRAAKTEAM, school=world.school)
    agree(case)
    body = section(login(regisseur), case)
    assert 'data-testid="arbitration-no-neighbour"' in body
    assert route_url(case, "arbitration_start") not in body


def test_start_and_conclude_arbitration_then_the_om(
    world, regisseur, team, neighbour, convenant, login, today
):
    far = member(world.far_swv, RoleCode.DOORBRAAKTEAM, full_name="Vera Verweg")
    case = CaseFactory(phase=Phase.DOORBRAAKTEAM, school=world.school, lead_user=regisseur)
    agree(case)
    client = login(regisseur)
    body = section(client, case)
    own_options = re.search(r'name="arbitration-own_member".*?</select>', body, re.S).group(0)
    neighbour_options = re.search(
        r'name="arbitration-neighbour_member".*?</select>', body, re.S
    ).group(0)
    assert "Eva Eigenteam" in own_options and "Bram Buur" not in own_options
    assert "Bram Buur" in neighbour_options and "Eva Eigenteam" not in neighbour_options
    assert "Vera Verweg" not in body
    data = {
        "arbitration-parents_representative": "Mr. J. de Wit",
        "arbitration-own_member": team.pk,
        "arbitration-neighbour_member": far.pk,
        "arbitration-reason": "Geen overeenstemming",
    }
    response = client.post(route_url(case, "arbitration_start"), data, **HTMX)
    assert 'id="id_arbitration-neighbour_member_error"' in response.content.decode()
    assert "Mr. J. de Wit" in response.content.decode()
    response = client.post(
        route_url(case, "arbitration_start"),
        {**data, "arbitration-neighbour_member": neighbour.pk},
        **HTMX,
    )
    assert response["HX-Redirect"] == page_url(case)
    assert phase_of(case) == Phase.ARBITRATION
    body = section(client, case)
    assert 'data-testid="panel"' in body and "Bram Buur" in body
    assert route_url(case, "om_referral") not in body  # not while the panel sits
    # Conclude: a binding decision needs its text.
    response = client.post(
        route_url(case, "arbitration_conclude"),
        {"conclude-status": "decided", "conclude-decided_on": today.isoformat()},
        **HTMX,
    )
    assert 'id="id_conclude-decision_error"' in response.content.decode()
    response = client.post(
        route_url(case, "arbitration_conclude"),
        {"conclude-status": "no_result", "conclude-decided_on": today.isoformat()},
    )
    assert response.status_code == 302
    assert ArbitrationPanel.objects.get(case=case).status == ArbitrationStatus.NO_RESULT
    body = section(client, case)
    assert route_url(case, "arbitration_conclude") not in body
    assert route_url(case, "om_referral") in body
    future = (today + datetime.timedelta(days=2)).isoformat()
    response = client.post(
        route_url(case, "om_referral"),
        {"om-route": "civil", "om-referred_on": future, "om-reason": "Zonder resultaat"},
        **HTMX,
    )
    assert 'id="id_om-referred_on_error"' in response.content.decode()
    response = client.post(
        route_url(case, "om_referral"),
        {"om-route": "civil", "om-referred_on": today.isoformat(), "om-reason": "Geen resultaat"},
        **HTMX,
    )
    assert response["HX-Redirect"] == page_url(case)
    assert phase_of(case) == Phase.OM_REFERRAL
    assert 'data-testid="om-referral"' in section(client, case)


def _options(body: str, name: str) -> str:
    return re.search(rf'name="arbitration-{name}".*?</select>', body, re.S).group(0)


def test_the_arbitration_form_offers_the_panel_of_seed_6_9_and_shows_field_errors(
    world, regisseur, team, neighbour, convenant, login
):
    member(world.swv_vo, RoleCode.DOORBRAAKTEAM, full_name="Vincent Vo")  # not on offer
    colleague = member(world.swv, RoleCode.CASUSREGISSEUR, full_name="Cas Collega")
    case = CaseFactory(phase=Phase.DOORBRAAKTEAM, school=world.school, lead_user=regisseur)
    agree(case)
    client = login(colleague)
    body = section(client, case)
    own = _options(body, "own_member")
    assert "Eva Eigenteam" in own and "Vincent Vo" not in own  # the own SWV, not the region
    chair = _options(body, "chair")
    assert f'value="{regisseur.pk}" selected' in chair and "Cas Collega" not in chair
    data = {
        "arbitration-parents_representative": "Mr. J. de Wit",
        "arbitration-own_member": team.pk,
        "arbitration-neighbour_member": neighbour.pk,
        "arbitration-chair": colleague.pk,
        "arbitration-reason": "Geen overeenstemming",
    }
    response = client.post(route_url(case, "arbitration_start"), data, **HTMX)
    assert 'id="id_arbitration-chair_error"' in response.content.decode()
    # The consent withdrawn meanwhile: the service's refusal sits on the representative.
    agree(case, ConsentStatus.WITHDRAWN)
    response = client.post(
        route_url(case, "arbitration_start"), {**data, "arbitration-chair": regisseur.pk}, **HTMX
    )
    body = response.content.decode()
    error = re.search(r'id="id_arbitration-parents_representative_error">(.*?)</div>', body, re.S)
    assert error is not None and "bindende arbitrage" in error.group(1)
    assert not ArbitrationPanel.objects.exists()
    agree(case)
    response = client.post(
        route_url(case, "arbitration_start"), {**data, "arbitration-chair": regisseur.pk}, **HTMX
    )
    assert response["HX-Redirect"] == page_url(case)
    assert ArbitrationPanel.objects.get(case=case).chair == regisseur


def test_no_arbitration_form_while_no_person_holds_the_lead(world, regisseur, convenant, login):
    case = CaseFactory(phase=Phase.DOORBRAAKTEAM, school=world.school)
    agree(case)
    body = section(login(regisseur), case)
    assert 'data-testid="arbitration-no-chair"' in body
    assert route_url(case, "arbitration_start") not in body


def test_to_the_om_when_the_parents_refuse_arbitration(world, regisseur, login, today):
    case = CaseFactory(phase=Phase.DOORBRAAKTEAM, school=world.school)
    client = login(regisseur)
    assert route_url(case, "om_referral") not in section(client, case)
    response = client.post(
        route_url(case, "om_referral"),
        {"om-route": "criminal", "om-referred_on": today.isoformat(), "om-reason": "Weigering"},
        **HTMX,
    )
    assert "weigering eerst vast" in response.content.decode()  # the service's message
    agree(case, ConsentStatus.REFUSED)
    assert route_url(case, "om_referral") in section(client, case)
    response = client.post(
        route_url(case, "om_referral"),
        {"om-route": "criminal", "om-referred_on": today.isoformat(), "om-reason": "Weigering"},
    )
    assert response.status_code == 302
    assert OmReferral.objects.get(case=case).route == "criminal"
    assert step_states(section(client, case))["arbitration"] == "passed"


# --- the doorbraakteam's own meeting ------------------------------------------------------


def test_a_doorbraakteam_member_records_the_teams_decisions(world, team, zc, login, today):
    case = CaseFactory(phase=Phase.DOORBRAAKTEAM, school=world.school)
    client = login(team)
    body = section(client, case)
    assert route_url(case, "team_meeting") in body
    assert route_url(case, "escalate") not in body  # a member does not work the case
    response = client.post(
        route_url(case, "team_meeting"),
        {"meeting-held_on": today.isoformat(), "meeting-decisions": ""},
        **HTMX,
    )
    assert 'id="id_meeting-decisions_error"' in response.content.decode()
    response = client.post(
        route_url(case, "team_meeting"),
        {
            "meeting-held_on": today.isoformat(),
            "meeting-notes": "Besproken",
            "meeting-decisions": "Onderzoek door GGZ\nPlek op De Brug",
        },
        **HTMX,
    )
    assert response["HX-Redirect"] == page_url(case)
    meeting = Meeting.objects.get(case=case, kind=MeetingKind.DOORBRAAKTEAM)
    assert [d.text for d in meeting.decisions.all()] == ["Onderzoek door GGZ", "Plek op De Brug"]
    # The school's zorgcoordinator does not sit on the team.
    assert login(zc).post(route_url(case, "team_meeting"), {}).status_code == 403
    early = CaseFactory(phase=Phase.CASUSREGISSEUR, school=world.school)
    assert route_url(early, "team_meeting") not in section(client, early)


# --- who may see ---------------------------------------------------------------------------


def test_outsiders_get_404_before_anything_else(world, user_with_role, login):
    case = CaseFactory(phase=Phase.DOORBRAAKTEAM, school=world.school)
    client = login(user_with_role(RoleCode.ZORGCOORDINATOR, world.school2))
    assert client.get(route_url(case), **HTMX).status_code == 404
    assert client.get(route_url(case, "case_deadline")).status_code == 404
    for name in ("escalate", "assessment", "arbitration_start", "om_referral", "team_meeting"):
        assert client.post(route_url(case, name), {}).status_code == 404, name


def test_the_neighbour_sees_the_case_only_while_the_panel_sits(
    world, regisseur, team, neighbour, convenant, login
):
    case = CaseFactory(phase=Phase.DOORBRAAKTEAM, school=world.school, lead_user=regisseur)
    client = login(neighbour)
    assert client.get(page_url(case)).status_code == 404
    assert client.get(route_url(case), **HTMX).status_code == 404
    agree(case)
    panel = arbitration_start(
        case=case,
        actor=regisseur,
        parents_representative="Mr. J. de Wit",
        own_member=team,
        neighbour_member=neighbour,
        reason="Geen overeenstemming",
    )
    assert client.get(page_url(case)).status_code == 200
    assert client.get(route_url(case), **HTMX).status_code == 200
    agenda = client.get(reverse("escalation:agenda")).content.decode()
    assert f'data-case="{case.pk}"' in agenda
    other = CaseFactory(phase=Phase.DOORBRAAKTEAM, school=world.school)
    assert f'data-case="{other.pk}"' not in agenda
    agree(case, ConsentStatus.WITHDRAWN)
    assert client.get(page_url(case)).status_code == 404
    agree(case)
    assert client.get(page_url(case)).status_code == 200
    arbitration_conclude(
        panel=panel, actor=regisseur, status=ArbitrationStatus.DECIDED, decision="Plek De Brug"
    )
    assert client.get(page_url(case)).status_code == 404
    assert client.get(route_url(case), **HTMX).status_code == 404


# --- the agenda ---------------------------------------------------------------------------


def test_the_agenda(world, team, officer, regisseur, login, today):
    school_case = CaseFactory(phase=Phase.CASUSREGISSEUR, school=world.school)
    early = CaseFactory(phase=Phase.CASUSREGISSEUR, school=world.school)
    escalate_by_hand(case=early, step="doorbraakteam", actor=regisseur, reason="Eerst")
    assessed = CaseFactory(phase=Phase.DOORBRAAK_ASSESSMENT, school=world.school)
    assessment_record(
        case=assessed, actor=officer, offer_within_four_weeks=False, explanation="Geen plek"
    )
    meeting_record(
        case=early, actor=team, kind=MeetingKind.DOORBRAAKTEAM, held_on=today, decisions=["x"]
    )
    closed = CaseFactory(phase=Phase.CLOSED, school=world.school)
    far = CaseFactory(phase=Phase.DOORBRAAKTEAM, school=world.far_school)
    response = login(team).get(reverse("escalation:agenda"))
    assert response.status_code == 200
    body = response.content.decode()
    rows = [int(pk) for pk in re.findall(r'data-case="(\d+)"', body)]
    assert rows == [early.pk, assessed.pk]
    for case in (school_case, closed, far):
        assert not shows(body, case.pupil.full_name)
    assert "nee: geen aanbod binnen 4 weken" in body
    assert today.strftime("%d-%m-%Y") in body
    assert shows(body, world.swv.name) and shows(body, world.school.name)
    assert f'href="{page_url(early)}#section-route"' in body
    assert reverse("escalation:agenda") in section(login(team), early)
    assert login(regisseur).get(reverse("escalation:agenda")).status_code == 200


@pytest.mark.parametrize(
    "role", [RoleCode.ZORGCOORDINATOR, RoleCode.SWV_CONSULTANT, RoleCode.SWV_DIRECTOR]
)
def test_the_agenda_is_for_the_team_and_casusregisseurs(user_with_role, login, role):
    assert login(user_with_role(role)).get(reverse("escalation:agenda")).status_code == 404


# --- query budgets ---------------------------------------------------------------------------


def _count(client, url, **extra) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **extra)
    assert response.status_code == 200
    return len(ctx)


def test_the_route_section_does_not_grow_with_the_escalations(
    world, regisseur, officer, login, today
):
    client = login(regisseur)
    refused = CaseFactory(phase=Phase.DOORBRAAKTEAM, school=world.school)
    agree(refused, ConsentStatus.REFUSED)
    om_refer(case=refused, actor=regisseur, route="civil", referred_on=today, reason="Weigering")
    few = _count(client, route_url(refused), **HTMX)
    full = CaseFactory(phase=Phase.SCHOOL, school=world.school, age_days=30)
    escalate_by_hand(case=full, step="doorbraak_assessment", actor=regisseur, reason="Snel")
    assessment_record(case=full, actor=officer, offer_within_four_weeks=False, explanation="Nee")
    full.pupil.refresh_from_db()
    team = member(world.swv, RoleCode.DOORBRAAKTEAM)
    neighbour = member(world.other_swv, RoleCode.DOORBRAAKTEAM)
    policy_version_create(swv=world.swv, actor=SETUP, neighbour_swv=world.other_swv)
    agree(full)
    panel = arbitration_start(
        case=full,
        actor=regisseur,
        parents_representative="Mr. X",
        own_member=team,
        neighbour_member=neighbour,
        reason="Vast",
    )
    arbitration_conclude(panel=panel, actor=regisseur, status=ArbitrationStatus.NO_RESULT)
    om_refer(case=full, actor=regisseur, route="civil", referred_on=today, reason="Geen")
    assert full.escalations.count() == 5
    assert _count(client, route_url(full), **HTMX) == few


def test_the_agenda_does_not_grow_with_the_cases(world, team, regisseur, login, today):
    client = login(team)

    def add(n):
        for _ in range(n):
            case = CaseFactory(phase=Phase.CASUSREGISSEUR, school=world.school)
            escalate_by_hand(case=case, step="doorbraakteam", actor=regisseur, reason="Vast")
            meeting_record(
                case=case,
                actor=team,
                kind=MeetingKind.DOORBRAAKTEAM,
                held_on=today,
                decisions=["x"],
            )

    add(1)
    one = _count(client, reverse("escalation:agenda"))
    add(24)
    many = _count(client, reverse("escalation:agenda"))
    assert one == many
    assert client.get(reverse("escalation:agenda")).content.decode().count("data-case=") == 25
