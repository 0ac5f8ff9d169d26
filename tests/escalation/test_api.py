"""``/api/v1/cases/`` with the route (escalation/api.py): the deadline fields of the list and
the case file, every route action (happy path, field errors, 403, 404), 405 for methods an
action does not map, the query budgets and the schema."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import CaseEvent
from cases.services import case_close, case_transition, meeting_record
from cases.workflow import Phase
from escalation.models import (
    ArbitrationPanel,
    ArbitrationStatus,
    CaseDeadline,
    Escalation,
    Step,
    Trigger,
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
from thuiszitters.roles import RoleCode

from ..cases.deny_matrix import ensure_foreign_case
from ..factories.cases import CaseFactory, consent_give
from ..factories.users import SETUP, member
from .deny_matrix_api import ROUTE_ACTIONS

URL = "/api/v1/cases/"
pytestmark = pytest.mark.usefixtures("frozen_clock")


def detail(case, name=""):
    return f"{URL}{case.pk}/{name}/" if name else f"{URL}{case.pk}/"


@pytest.fixture
def api(client):
    class Api:
        def as_(self, user):
            client.force_login(user)
            return self

        def get(self, url, params=None):
            return client.get(url, params or {})

        def post(self, url, data=None):
            return client.post(url, data or {}, content_type="application/json")

        def method(self, name, url):
            return getattr(client, name)(url, {}, content_type="application/json")

    return Api()


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
def panel_people(world):
    policy_version_create(swv=world.swv, actor=SETUP, neighbour_swv=world.other_swv)
    return {
        "own": member(world.swv, RoleCode.DOORBRAAKTEAM),
        "neighbour": member(world.other_swv, RoleCode.DOORBRAAKTEAM),
    }


def agree(case, status=ConsentStatus.GIVEN):
    consent_give(case.pupil, ConsentScope.BINDING_ARBITRATION, ConsentParty.PARENTS, status=status)


# --- list and detail ---------------------------------------------------------------------


def test_the_list_has_each_cases_next_deadline(world, officer, api):
    school = CaseFactory(phase=Phase.SCHOOL, school=world.school)
    team = CaseFactory(phase=Phase.DOORBRAAKTEAM, school=world.school)
    closed = CaseFactory(phase=Phase.CLOSED, school=world.school)
    deadlines_compute([school.pk, team.pk, closed.pk])
    rows = {r["id"]: r for r in api.as_(officer).get(URL).json()["results"]}
    assert rows[school.pk]["next_deadline_step"] == "casusregisseur"
    assert rows[school.pk]["next_deadline_due_on"] == str(
        school.clock_start + datetime.timedelta(weeks=4)
    )
    assert rows[team.pk]["next_deadline_step"] == "om_referral"  # months after the team began
    assert (rows[closed.pk]["next_deadline_step"], rows[closed.pk]["next_deadline_due_on"]) == (
        None,
        None,
    )


def test_the_case_file_has_the_route(world, officer, regisseur, api, today):
    case = CaseFactory(phase=Phase.SCHOOL, school=world.school, age_days=40)
    escalate_by_hand(case=case, step="casusregisseur", actor=regisseur, reason="Te laat")
    body = api.as_(officer).get(detail(case)).json()
    due = case.clock_start + datetime.timedelta(weeks=8)
    assert body["next_deadline"] == {
        "step": "doorbraak_assessment",
        "due_on": str(due),
        "days_left": (due - today).days,
        "warn_on": str(due - datetime.timedelta(days=7)),
    }
    assert (body["next_deadline_step"], body["next_deadline_due_on"]) == (
        "doorbraak_assessment",
        str(due),
    )
    assert body["past_three_months_without_offer"] is False
    assert body["three_months_on"] == str(case.clock_start + relativedelta(months=3))
    (escalation,) = body["escalations"]
    assert escalation["step"] == "casusregisseur" and escalation["trigger"] == "person"
    assert escalation["on_time"] is False and escalation["reason"] == "Te laat"
    assert escalation["due_on"] == str(case.clock_start + datetime.timedelta(weeks=4))


def test_the_case_file_past_three_months_and_overdue(world, officer, api):
    case = CaseFactory(phase=Phase.ARBITRATION, school=world.school)
    body = api.as_(officer).get(detail(case)).json()
    assert body["past_three_months_without_offer"] is True
    assert body["next_deadline"]["step"] == "om_referral"  # arbitration does not stop it
    late = CaseFactory(phase=Phase.SCHOOL, school=world.school, age_days=31)
    body = api.as_(officer).get(detail(late)).json()
    assert body["next_deadline"]["days_left"] == -3


def test_a_stale_deadline_is_computed_afresh(world, officer, api):
    case = CaseFactory(phase=Phase.DOORBRAAK_ASSESSMENT, school=world.school)
    deadlines_compute([case.pk])
    case_transition(case=case, to_phase=Phase.CASUSREGISSEUR, actor=officer, reason="Terug")
    assert CaseDeadline.objects.get(case=case).phase == Phase.DOORBRAAK_ASSESSMENT  # stale
    body = api.as_(officer).get(detail(case)).json()
    assert body["next_deadline"]["step"] == "doorbraak_assessment"


# --- transition and escalate ----------------------------------------------------------------


def test_transition_forward_is_an_escalation_with_skipped_steps(world, regisseur, api):
    case = CaseFactory(phase=Phase.CASUSREGISSEUR, school=world.school)
    response = api.as_(regisseur).post(
        detail(case, "transition"), {"to_phase": "doorbraakteam", "reason": "Stagnatie"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["phase"] == "doorbraakteam"
    assert [(e["step"], e["trigger"]) for e in body["escalations"]] == [
        ("doorbraak_assessment", "skipped"),
        ("doorbraakteam", "person"),
    ]
    back = api.as_(regisseur).post(
        detail(case, "transition"), {"to_phase": "casusregisseur", "reason": "Terug naar regie"}
    )
    assert back.status_code == 200 and back.json()["phase"] == "casusregisseur"


def test_escalate(world, zc, regisseur, api):
    case = CaseFactory(phase=Phase.SCHOOL, school=world.school)
    client = api.as_(zc)
    no_reason = client.post(detail(case, "escalate"), {"step": "casusregisseur"})
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["fields"]
    wrong = client.post(detail(case, "escalate"), {"step": "arbitration", "reason": "x"})
    assert wrong.status_code == 400 and "step" in wrong.json()["fields"]
    further = client.post(detail(case, "escalate"), {"step": "doorbraakteam", "reason": "x"})
    assert further.status_code == 403
    response = client.post(detail(case, "escalate"), {"step": "casusregisseur", "reason": "Zorg"})
    assert response.status_code == 200
    assert response.json()["phase"] == "casusregisseur"
    again = client.post(detail(case, "escalate"), {"step": "casusregisseur", "reason": "Nog eens"})
    assert again.status_code == 400 and "step" in again.json()["fields"]
    response = api.as_(regisseur).post(
        detail(case, "escalate"), {"step": "doorbraak_assessment", "reason": "Geen voortgang"}
    )
    assert response.status_code == 200
    assert response.json()["next_deadline"]["step"] == "doorbraakteam"


# --- assessment, arbitration, OM ------------------------------------------------------------


def test_assessment(world, zc, officer, api):
    case = CaseFactory(phase=Phase.DOORBRAAK_ASSESSMENT, school=world.school)
    answer = {"offer_within_four_weeks": True, "explanation": "Plek op De Brug"}
    assert api.as_(zc).post(detail(case, "assessment"), answer).status_code == 403
    client = api.as_(officer)
    missing = client.post(detail(case, "assessment"), answer)
    assert missing.status_code == 400 and "expected_start_on" in missing.json()["fields"]
    blank = client.post(detail(case, "assessment"), {"explanation": ""})
    assert blank.status_code == 400
    assert {"offer_within_four_weeks", "explanation"} <= set(blank.json()["fields"])
    response = client.post(
        detail(case, "assessment"), {"offer_within_four_weeks": False, "explanation": "Geen plek"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["phase"] == "doorbraakteam"
    assert body["escalations"][-1]["trigger"] == Trigger.ASSESSMENT


def test_arbitration_start_and_conclude(world, regisseur, panel_people, api, today):
    case = CaseFactory(phase=Phase.DOORBRAAKTEAM, school=world.school, lead_user=regisseur)
    client = api.as_(regisseur)
    start = {
        "parents_representative": "Mr. J. de Wit",
        "own_member": panel_people["own"].pk,
        "neighbour_member": panel_people["neighbour"].pk,
        "reason": "Geen overeenstemming",
    }
    no_panel = client.post(detail(case, "arbitration-conclude"), {"status": "no_result"})
    assert no_panel.status_code == 400 and "arbitragecommissie" in no_panel.json()["detail"]
    no_consent = client.post(detail(case, "arbitration"), start)
    assert no_consent.status_code == 400
    assert "bindende arbitrage" in no_consent.json()["fields"]["parents_representative"][0]
    agree(case)
    swapped = client.post(
        detail(case, "arbitration"), {**start, "neighbour_member": panel_people["own"].pk}
    )
    assert swapped.status_code == 400 and "neighbour_member" in swapped.json()["fields"]
    other = member(world.swv, RoleCode.CASUSREGISSEUR)
    not_the_chair = client.post(detail(case, "arbitration"), {**start, "chair": other.pk})
    assert not_the_chair.status_code == 400 and set(not_the_chair.json()["fields"]) == {"chair"}
    response = client.post(detail(case, "arbitration"), start)
    assert response.status_code == 200
    assert response.json()["phase"] == "arbitration"
    assert api.as_(panel_people["neighbour"]).get(detail(case)).status_code == 200
    client = api.as_(regisseur)
    bad = client.post(detail(case, "arbitration-conclude"), {"status": "decided"})
    assert bad.status_code == 400 and "decision" in bad.json()["fields"]
    wrong = client.post(detail(case, "arbitration-conclude"), {"status": "in_session"})
    assert wrong.status_code == 400 and "status" in wrong.json()["fields"]
    response = client.post(
        detail(case, "arbitration-conclude"),
        {"status": "decided", "decision": "Plek op De Brug", "decided_on": str(today)},
    )
    assert response.status_code == 200
    assert ArbitrationPanel.objects.get(case=case).status == ArbitrationStatus.DECIDED
    assert any(m["kind"] == "arbitration_hearing" for m in response.json()["meetings"])
    assert api.as_(panel_people["neighbour"]).get(detail(case)).status_code == 404


def test_om_referral(world, regisseur, zc, api, today):
    case = CaseFactory(phase=Phase.DOORBRAAKTEAM, school=world.school)
    referral = {"route": "civil", "referred_on": str(today), "reason": "Ouders weigeren"}
    assert api.as_(zc).post(detail(case, "om-referral"), referral).status_code == 403
    client = api.as_(regisseur)
    refused_first = client.post(detail(case, "om-referral"), referral)
    assert refused_first.status_code == 400 and "weigering" in refused_first.json()["detail"]
    agree(case, ConsentStatus.REFUSED)
    bad = client.post(detail(case, "om-referral"), {**referral, "route": "other"})
    assert bad.status_code == 400 and "route" in bad.json()["fields"]
    future = str(today + datetime.timedelta(days=1))
    late = client.post(detail(case, "om-referral"), {**referral, "referred_on": future})
    assert late.status_code == 400 and "referred_on" in late.json()["fields"]
    response = client.post(detail(case, "om-referral"), referral)
    assert response.status_code == 200
    body = response.json()
    assert body["phase"] == "om_referral"
    assert [(e["step"], e["trigger"]) for e in body["escalations"]] == [
        ("arbitration", "skipped"),
        ("om_referral", "person"),
    ]


# --- methods, roles and scope ---------------------------------------------------------------


@pytest.mark.parametrize("name", ROUTE_ACTIONS)
def test_a_get_on_a_route_action_is_405(world, officer, api, name):
    case = CaseFactory(phase=Phase.CASUSREGISSEUR, school=world.school)
    response = api.as_(officer).get(detail(case, name))
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_the_case_itself_is_not_written(world, officer, api, method):
    case = CaseFactory(phase=Phase.CASUSREGISSEUR, school=world.school)
    assert api.as_(officer).method(method, detail(case)).status_code == 405
    assert api.as_(officer).method("post", URL).status_code == 405


@pytest.mark.parametrize("role", [RoleCode.SWV_DIRECTOR, RoleCode.POLICY, RoleCode.DOORBRAAKTEAM])
def test_roles_without_the_capability_get_403(world, user_with_role, api, role):
    case = CaseFactory(phase=Phase.DOORBRAAKTEAM, school=world.school)
    client = api.as_(user_with_role(role))
    for name in ROUTE_ACTIONS:
        assert client.post(detail(case, name), {}).status_code == 403, name


BODIES = {
    "escalate": {"step": "casusregisseur", "reason": "x"},
    "assessment": {"offer_within_four_weeks": False, "explanation": "x"},
    "arbitration": {"parents_representative": "x", "own_member": 1, "neighbour_member": 1},
    "arbitration-conclude": {"status": "no_result"},
    "om-referral": {"route": "civil", "referred_on": "2026-01-01", "reason": "x"},
}


@pytest.mark.parametrize("name", ROUTE_ACTIONS)
@pytest.mark.parametrize("role", [r for r in RoleCode.values if r != RoleCode.SCHOOL_SYSTEM])
def test_no_role_of_region_a_can_act_on_a_region_b_case(world, user_with_role, api, role, name):
    foreign = {"secrets": []}
    case = ensure_foreign_case(world, foreign)
    before = (CaseEvent.objects.filter(case=case).count(), Escalation.objects.count())
    response = api.as_(user_with_role(role)).post(detail(case, name), BODIES[name])
    assert response.status_code in (403, 404)
    assert (CaseEvent.objects.filter(case=case).count(), Escalation.objects.count()) == before
    assert b"Vreemde" not in response.content


# --- query budgets ------------------------------------------------------------------------------


def _count(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx)


def test_list_query_count_is_flat(world, officer, regisseur, api):
    client = api.as_(officer)

    def add(n):
        for _ in range(n):
            case = CaseFactory(phase=Phase.SCHOOL, school=world.school)
            escalate_by_hand(case=case, step="casusregisseur", actor=regisseur, reason="x")

    add(1)
    one = _count(client, URL)
    add(24)
    many = _count(client, URL)
    assert client.get(URL).json()["count"] == 25
    assert one == many


def test_detail_query_count_is_flat(world, officer, regisseur, panel_people, api, today):
    client = api.as_(officer)
    few = CaseFactory(phase=Phase.DOORBRAAKTEAM, school=world.school)
    agree(few, ConsentStatus.REFUSED)
    om_refer(case=few, actor=regisseur, route="civil", referred_on=today, reason="Weigering")
    # A meeting, as the full route has its hearing (the case file prefetches their decisions).
    meeting_record(
        case=few,
        actor=regisseur,
        kind="mdo",
        held_on=today,
        decisions=["x"],
        confirmed_without_consent=True,
    )
    one = _count(client, detail(few))
    full = CaseFactory(phase=Phase.SCHOOL, school=world.school)
    escalate_by_hand(case=full, step="doorbraak_assessment", actor=regisseur, reason="Snel")
    assessment_record(case=full, actor=officer, offer_within_four_weeks=False, explanation="Nee")
    agree(full)
    panel = arbitration_start(
        case=full,
        actor=regisseur,
        parents_representative="Mr. X",
        own_member=panel_people["own"],
        neighbour_member=panel_people["neighbour"],
        reason="Vast",
    )
    arbitration_conclude(panel=panel, actor=regisseur, status=ArbitrationStatus.NO_RESULT)
    om_refer(case=full, actor=regisseur, route="civil", referred_on=today, reason="Geen")
    assert Escalation.objects.filter(case=full).count() == 5
    assert _count(client, detail(full)) == one


def test_closed_case_detail(world, officer, api):
    case = CaseFactory(phase=Phase.SCHOOL, school=world.school)
    case_close(case=case, reason="moved_away", actor=officer)
    body = api.as_(officer).get(detail(case)).json()
    assert body["next_deadline"] is None and body["past_three_months_without_offer"] is False


# --- the schema -------------------------------------------------------------------------------


def test_the_schema_documents_the_route_actions(world, client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    for name in ROUTE_ACTIONS:
        post = schema["paths"][f"/api/v1/cases/{{id}}/{name}/"]["post"]
        assert post["requestBody"]["content"]["application/json"]["examples"], name
        assert {"200", "400", "403", "404"} <= set(post["responses"]), name
    detail_schema = schema["components"]["schemas"]["RouteCaseDetail"]["properties"]
    for field in ("next_deadline", "past_three_months_without_offer", "escalations"):
        assert field in detail_schema
    assert "next_deadline_due_on" in schema["components"]["schemas"]["RouteCase"]["properties"]
    assert Step.DOORBRAAKTEAM in schema["components"]["schemas"]["TimedStepEnum"]["enum"]
