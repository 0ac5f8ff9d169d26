"""``/api/v1/cases/``: list with filters, the audited case file, and every action: the happy
path, a field error, a foreign case (404), a wrong role (403); outsiders of region A; the
query budget of the list."""

import datetime
import re
from unittest import mock

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import AftercareCheckIn, Case, CaseEvent
from cases.services import action_add, care_partner_invite, case_close
from escalation.services.deadlines import deadlines_compute
from thuiszitters.models import AuditLogEntry
from thuiszitters.roles import RoleCode

from ..factories.users import member
from .deny_matrix import ensure_foreign_case
from .deny_matrix_api_cases import CASE_ACTIONS
from .test_case_page import grow
from .test_lists import give_care_consent, open_case, overdue_action

pytestmark = pytest.mark.usefixtures("frozen_clock")

URL = "/api/v1/cases/"


def detail(case, name=""):
    return f"{URL}{case.pk}/{name}/" if name else f"{URL}{case.pk}/"


@pytest.fixture
def case(world, zc):
    return open_case(zc, world.school, days=20)


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

    return Api()


def ids(response):
    return {row["id"] for row in response.json()["results"]}


# --- list and detail -----------------------------------------------------------------


def test_list_shows_the_cases_in_scope(world, case, zc, lp, user_with_role, api):
    other = open_case(user_with_role(RoleCode.ZORGCOORDINATOR, world.school2), world.school2)
    response = api.as_(zc).get(URL)
    assert response.status_code == 200
    assert ids(response) == {case.pk}
    row = response.json()["results"][0]
    assert (row["phase"], row["weeks"], row["school"], row["lead_user"]) == (
        "school",
        2,
        world.school.pk,
        zc.pk,
    )
    assert ids(api.as_(lp).get(URL)) == {case.pk}  # the bureau serves m1, not m2
    consultant = user_with_role(RoleCode.SWV_CONSULTANT)
    assert ids(api.as_(consultant).get(URL)) == {case.pk, other.pk}


def test_list_filters(world, case, zc, user_with_role, api, today):
    zc2 = user_with_role(RoleCode.ZORGCOORDINATOR, world.school2)
    other = open_case(zc2, world.school2)
    closed = open_case(zc2, world.school2)
    case_close(case=closed, reason="moved_away", actor=zc2)
    overdue_action(case, zc)
    client = api.as_(user_with_role(RoleCode.SWV_CONSULTANT))
    assert ids(client.get(URL, {"school": world.school2.pk})) == {other.pk, closed.pk}
    assert ids(client.get(URL, {"municipality": world.m2.pk})) == {other.pk, closed.pk}
    assert ids(client.get(URL, {"swv": world.swv.pk})) == {case.pk, other.pk, closed.pk}
    assert ids(client.get(URL, {"swv": world.swv_vo.pk})) == set()
    assert ids(client.get(URL, {"open": "true"})) == {case.pk, other.pk}
    assert ids(client.get(URL, {"open": "false"})) == {closed.pk}
    assert ids(client.get(URL, {"overdue": "true"})) == {case.pk}
    assert ids(client.get(URL, {"overdue": "false"})) == {other.pk, closed.pk}
    assert ids(client.get(URL, {"phase": "closed"})) == {closed.pk}
    assert ids(client.get(URL, {"phase": ["closed", "school"]})) == {case.pk, other.pk, closed.pk}
    bad = client.get(URL, {"phase": "nope"})
    assert bad.status_code == 400 and "phase" in bad.json()["fields"]


def test_a_list_row_shows_what_the_case_file_shows_of_it(world, case, zc, api):
    """The list reads only the columns a row shows: every field of a row, on an open case
    with a lead user and an overdue action and on a closed one, equals the case file's."""
    overdue_action(case, zc)
    case.lead_user = zc  # (setup: a lead user on the case)
    case.save(update_fields=["lead_user"])
    closed = open_case(zc, world.school, days=40)
    case_close(case=closed, actor=zc, reason="back_at_school", note="weer naar school")
    client = api.as_(zc)
    rows = {row["id"]: row for row in client.get(URL, {"open": "all"}).json()["results"]}
    assert {case.pk, closed.pk} <= set(rows)
    for one in (case, closed):
        whole = client.get(detail(one)).json()
        row = rows[one.pk]
        assert row == {name: whole[name] for name in row}
    assert rows[case.pk]["lead_user"] == zc.pk and rows[case.pk]["overdue_actions"] == 1
    assert rows[case.pk]["pupil_name"] == case.pupil.full_name
    assert rows[closed.pk]["closed_reason"] == "back_at_school"
    assert rows[closed.pk]["closed_at"] is not None


def test_retrieve_is_the_audited_case_file(world, case, zc, api, today):
    action_add(case=case, actor=zc, description="Bellen", due_on=today, owner_user=zc)
    response = api.as_(zc).get(detail(case))
    assert response.status_code == 200
    body = response.json()
    assert body["phase"] == "school" and body["clock_start"] == case.clock_start.isoformat()
    assert [a["description"] for a in body["actions"]] == ["Bellen"]
    assert body["lead_history"][0]["organisation"] == world.school.pk
    assert {e["kind"] for e in body["journal"]} >= {"opened", "action_added"}
    for key in ("participants", "goals", "meetings", "arrangements", "check_ins"):
        assert key in body
    assert AuditLogEntry.objects.filter(
        action="read", object_type="cases.case", object_id=str(case.pk), actor=zc
    ).exists()


def test_a_care_partner_reads_an_invited_case_with_consent(world, case, zc, user_with_role, api):
    partner = user_with_role(RoleCode.CARE_PARTNER)
    client = api.as_(partner)
    assert client.get(detail(case)).status_code == 404
    give_care_consent(case.pupil, zc)
    care_partner_invite(case=case, user=partner, actor=zc)
    assert ids(client.get(URL)) == {case.pk}
    assert client.get(detail(case)).status_code == 200
    # reading is not working: the care partner holds no work_cases
    assert client.post(detail(case, "journal"), {"text": "x"}).status_code == 403


@pytest.mark.parametrize("role", [RoleCode.SWV_DIRECTOR, RoleCode.POLICY])
def test_roles_without_personal_data_get_403(case, user_with_role, role, api):
    client = api.as_(user_with_role(role))
    assert client.get(URL).status_code == 403
    assert client.get(detail(case)).status_code == 403
    assert (
        client.post(detail(case, "transition"), {"to_phase": "casusregisseur"}).status_code == 403
    )


def test_a_get_on_an_action_is_405(case, zc, api):
    response = api.as_(zc).get(detail(case, "transition"))
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


# --- actions ---------------------------------------------------------------------------


def test_transition(case, zc, api):
    client = api.as_(zc)
    response = client.post(
        detail(case, "transition"), {"to_phase": "casusregisseur", "reason": "Week 4"}
    )
    assert response.status_code == 200
    assert response.json()["phase"] == "casusregisseur"
    assert Case.objects.get(pk=case.pk).phase == "casusregisseur"
    bad = client.post(detail(case, "transition"), {"to_phase": "arbitration", "reason": "x"})
    assert bad.status_code == 400 and "phase" in bad.json()["fields"]
    no_reason = client.post(detail(case, "transition"), {"to_phase": "doorbraakteam"})
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["fields"]
    closing = client.post(detail(case, "transition"), {"to_phase": "closed", "reason": "x"})
    assert closing.status_code == 400 and "to_phase" in closing.json()["fields"]


def test_close_with_an_offer_schedules_aftercare(case, zc, api, today):
    client = api.as_(zc)
    bad = client.post(detail(case, "close"), {"reason": "other"})
    assert bad.status_code == 400 and "note" in bad.json()["fields"]
    response = client.post(
        detail(case, "close"),
        {"reason": "offer_started", "note": "Nieuwe school", "offer_started_on": str(today)},
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["phase"], body["is_open"], body["closed_reason"]) == (
        "closed",
        False,
        "offer_started",
    )
    assert len(body["check_ins"]) == 3
    assert AftercareCheckIn.objects.filter(case=case).count() == 3


def test_reopen_needs_the_casusregisseur_capability(case, zc, lp, api):
    assert api.as_(lp).post(detail(case, "reopen"), {"reason": "x"}).status_code == 400  # open
    case_close(case=case, reason="moved_away", actor=zc)
    assert api.as_(zc).post(detail(case, "reopen"), {"reason": "Terug"}).status_code == 403
    assert api.as_(lp).post(detail(case, "reopen"), {}).status_code == 400
    response = api.as_(lp).post(detail(case, "reopen"), {"reason": "Terug in de regio"})
    assert response.status_code == 200
    assert response.json()["phase"] == "school"


def test_journal(case, zc, api):
    client = api.as_(zc)
    response = client.post(
        detail(case, "journal"), {"kind": "conversation", "text": "Gesprek met moeder"}
    )
    assert response.status_code == 200
    assert response.json()["journal"][-1]["message"] == "Gesprek met moeder"
    assert client.post(detail(case, "journal"), {"text": "  "}).status_code == 400
    wrong = client.post(detail(case, "journal"), {"kind": "closed", "text": "x"})
    assert wrong.status_code == 400 and "kind" in wrong.json()["fields"]


def test_add_action(world, case, zc, api, today):
    client = api.as_(zc)
    due = str(today + datetime.timedelta(days=7))
    response = client.post(
        detail(case, "actions"),
        {"description": "Huisbezoek", "due_on": due, "owner_organisation": world.school.pk},
    )
    assert response.status_code == 200
    assert response.json()["actions"][0]["owner_organisation"] == world.school.pk
    missing = client.post(detail(case, "actions"), {"description": "x", "due_on": due})
    assert missing.status_code == 400 and "owner_user" in missing.json()["fields"]
    foreign_org = client.post(
        detail(case, "actions"),
        {"description": "x", "due_on": due, "owner_organisation": world.far_school.pk},
    )
    assert foreign_org.status_code == 400 and "owner_organisation" in foreign_org.json()["fields"]


def test_lead_change(world, case, zc, lp, api):
    client = api.as_(zc)
    wrong = client.post(
        detail(case, "lead"), {"organisation": world.bureau.pk, "user": zc.pk, "reason": "x"}
    )
    assert wrong.status_code == 400 and "user" in wrong.json()["fields"]
    response = client.post(
        detail(case, "lead"),
        {"organisation": world.bureau.pk, "user": lp.pk, "reason": "Regie naar leerplicht"},
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["lead_organisation"], body["lead_user"]) == (world.bureau.pk, lp.pk)
    assert len(body["lead_history"]) == 2


def test_consent_withdrawal_revokes_care_partners(case, zc, user_with_role, api, today):
    partner = user_with_role(RoleCode.CARE_PARTNER)
    give_care_consent(case.pupil, zc)
    care_partner_invite(case=case, user=partner, actor=zc)
    statement = {
        "scope": "share_with_care_partners",
        "status": "withdrawn",
        "party": "parents",
        "stated_on": str(today),
        "how": "phone",
    }
    future = {**statement, "stated_on": str(today + datetime.timedelta(days=2))}
    bad = api.as_(zc).post(detail(case, "consent"), future)
    assert bad.status_code == 400 and "stated_on" in bad.json()["fields"]
    assert api.as_(zc).post(detail(case, "consent"), statement).status_code == 200
    assert CaseEvent.objects.filter(case=case, kind="care_access_revoked").exists()
    assert api.as_(partner).get(detail(case)).status_code == 404


# --- outsiders -------------------------------------------------------------------------


def outsider_body(name: str) -> dict:
    """What an outsider posts to the case action ``name``, dated today."""
    return {
        "transition": {"to_phase": "casusregisseur", "reason": "x"},
        "close": {"reason": "moved_away"},
        "reopen": {"reason": "x"},
        "journal": {"text": "x"},
        "actions": {"description": "x", "due_on": str(timezone.localdate())},
        "lead": {"organisation": 1, "reason": "x"},
        "consent": {
            "scope": "share_with_swv",
            "status": "given",
            "party": "parents",
            "stated_on": str(timezone.localdate()),
            "how": "phone",
        },
    }[name]


@pytest.mark.parametrize("name", CASE_ACTIONS)
@pytest.mark.parametrize("role", [r for r in RoleCode.values if r != RoleCode.SCHOOL_SYSTEM])
def test_no_role_of_region_a_can_act_on_a_region_b_case(world, user_with_role, api, role, name):
    foreign = {"secrets": []}
    case = ensure_foreign_case(world, foreign)
    before = CaseEvent.objects.filter(case=case).count()
    response = api.as_(user_with_role(role)).post(detail(case, name), outsider_body(name))
    assert response.status_code in (403, 404)
    assert CaseEvent.objects.filter(case=case).count() == before
    assert b"Vreemde" not in response.content


@pytest.fixture
def outsiders(world):
    """Another school, another SWV and a care partner without consent, all of region A."""
    return {
        "other_school": member(world.school2, RoleCode.ZORGCOORDINATOR),
        "other_swv": member(world.swv_vo, RoleCode.SWV_CONSULTANT),
        "other_swv_casusregisseur": member(world.swv_vo, RoleCode.CASUSREGISSEUR),
        "care_partner_without_consent": member(world.care, RoleCode.CARE_PARTNER),
    }


@pytest.mark.parametrize(
    "who",
    ["other_school", "other_swv", "other_swv_casusregisseur", "care_partner_without_consent"],
)
def test_outsiders_neither_see_nor_change_a_case(case, zc, outsiders, api, who, today):
    if who == "care_partner_without_consent":
        # invited once, then the parents withdrew their consent
        give_care_consent(case.pupil, zc)
        care_partner_invite(case=case, user=outsiders[who], actor=zc)
        api.as_(zc).post(
            detail(case, "consent"),
            {
                "scope": "share_with_care_partners",
                "status": "withdrawn",
                "party": "parents",
                "stated_on": str(today),
                "how": "phone",
            },
        )
    client = api.as_(outsiders[who])
    listed = client.get(URL)
    assert listed.status_code == 200 and case.pk not in ids(listed)
    assert client.get(detail(case)).status_code == 404
    before = CaseEvent.objects.filter(case=case).count()
    for name in CASE_ACTIONS:
        assert client.post(detail(case, name), outsider_body(name)).status_code in (403, 404), name
    assert CaseEvent.objects.filter(case=case).count() == before
    assert case.pupil.surname.encode() not in listed.content


# --- query budget ------------------------------------------------------------------------


def _count(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx)


def _add(n, world, zc):
    for _ in range(n):
        c = open_case(zc, world.school, days=30)
        overdue_action(c, zc)


def test_list_query_count_is_flat(world, zc, user_with_role, api):
    client = api.as_(user_with_role(RoleCode.SWV_CONSULTANT))
    params = {
        "phase": "school",
        "school": world.school.pk,
        "swv": world.swv.pk,
        "municipality": world.m1.pk,
        "open": "true",
        "overdue": "true",
    }
    _add(1, world, zc)
    one = _count(client, URL, params)
    _add(24, world, zc)
    many = _count(client, URL, params)
    assert client.get(URL, params).json()["count"] == 25
    assert one == many


def test_overdue_actions_count_as_of_each_day(case, zc, api, today):
    """The list's and the case file's queries are built once a day and kept (ADR 0027):
    the next day an action due the day before counts as overdue."""
    tomorrow = today + datetime.timedelta(days=1)
    action_add(case=case, actor=zc, description="Morgen", due_on=tomorrow, owner_user=zc)
    client = api.as_(zc)
    assert client.get(URL).json()["results"][0]["overdue_actions"] == 0
    assert client.get(detail(case)).json()["overdue_actions"] == 0
    with time_machine.travel(today + datetime.timedelta(days=2), tick=False):
        client = api.as_(zc)  # a session of its own for the new day
        assert client.get(URL).json()["results"][0]["overdue_actions"] == 1
        assert client.get(detail(case)).json()["overdue_actions"] == 1


# The case file's exact budget with an item of every kind and a current stored deadline (the
# sweep keeps it so): the flat test above cannot see a lazy read of a single object's field
# (the same extra query for 1 item and for 25). The queries: session, user, second factor,
# memberships; the case in scope with its pupil, school, municipality, lead and deadline; its
# escalations, participants, goals, actions, meetings with their decisions and participants,
# arrangements, lead history, journal and aftercare; the audit row (issue 14).
CASE_FILE_QUERIES = 17


def test_detail_reads_in_an_exact_number_of_queries(world, case, lp, api):
    grow(case, lp, world, 1)
    deadlines_compute([case.pk])
    client = api.as_(lp)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(detail(case))
    assert response.status_code == 200
    body = response.json()
    assert [len(body[k]) for k in ("goals", "actions", "meetings", "arrangements")] == [0, 1, 1, 1]
    tables = [re.findall(r'(?:FROM|INTO|UPDATE) "(\w+)"', q["sql"])[:1] for q in ctx]
    assert len(ctx) == CASE_FILE_QUERIES, " ".join(t[0] if t else "?" for t in tables)


def test_detail_query_count_is_flat(world, case, zc, api, today):
    client = api.as_(zc)
    action_add(case=case, actor=zc, description="a", due_on=today, owner_user=zc)
    one = _count(client, detail(case))
    for i in range(24):
        action_add(case=case, actor=zc, description=f"a{i}", due_on=today, owner_user=zc)
    assert _count(client, detail(case)) == one


def test_the_case_file_and_list_read_the_same_with_and_without_the_output_plan(
    world, zc, lp, client
):
    """The planned output (ADR 0029) writes what DRF writes, field for field."""
    worked = open_case(zc, world.school, days=40, surname="Gewerkt")
    grow(worked, lp, world, 2)
    closed = open_case(zc, world.school, days=10, surname="Gesloten")
    case_close(case=closed, actor=zc, reason="back_at_school", note="Terug")
    thin = open_case(zc, world.school, days=3, surname="Dun")
    client.force_login(zc)
    urls = [f"/api/v1/cases/{c.pk}/" for c in (worked, closed, thin)]
    urls += ["/api/v1/cases/", "/api/v1/cases/?is_open=false", "/api/v1/cases/?limit=1"]
    planned = [client.get(url).json() for url in urls]
    with mock.patch("thuiszitters.api.serializers._plan", return_value=None):
        plain = [client.get(url).json() for url in urls]
    assert planned == plain
    assert planned[0]["journal"] and planned[0]["meetings"] and planned[0]["participants"]
