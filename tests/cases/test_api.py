"""``/api/v1/absence-reports/`` and ``/api/v1/pupils/``: token intake, idempotency, scope."""

import datetime
import itertools

import pytest
from django.utils import timezone

from cases.models import Case
from cases.services import absence_report_submit
from registration.bsn import bsn_is_valid
from registration.models import AbsenceReport
from thuiszitters.models import AuditLogEntry
from thuiszitters.roles import RoleCode
from thuiszitters.services import api_token_create

from ..factories import registration as factories
from ..factories.registration import report_input
from ..factories.users import SETUP

pytestmark = pytest.mark.usefixtures("frozen_clock")

URL = "/api/v1/absence-reports/"
_numbers = itertools.count(1)


def enrolled_pupil(school, **kwargs):
    # The factory's BSN sequence can repeat a number; draw unique valid ones here.
    while "bsn" not in kwargs:
        candidate = str(200000000 + next(_numbers))
        if bsn_is_valid(candidate):
            kwargs["bsn"] = candidate
    return factories.enrolled_pupil(school, **kwargs)


@pytest.fixture
def token(world):
    _token, key = api_token_create(organisation=world.school, name="ParnasSys", actor=SETUP)
    return key


@pytest.fixture
def api(client, token):
    def call(method, url=URL, data=None, key=token, **params):
        headers = {"HTTP_AUTHORIZATION": f"Token {key}"}
        if method == "post":
            return client.post(url, data, content_type="application/json", **headers)
        return client.get(url, params, **headers)

    return call


def body(pupil, **overrides):
    today = timezone.localdate()
    values = {
        "bsn": pupil.bsn,
        "surname": pupil.surname,
        "date_of_birth": pupil.date_of_birth.isoformat(),
        "kind": "unauthorised",
        "absence_started_on": (today - datetime.timedelta(days=15)).isoformat(),
        "hours_missed_last_4_weeks": "18.5",
        "share_followed_percent": 40,
        "reason": "Komt niet meer sinds de vakantie.",
        "parents_informed_on": (today - datetime.timedelta(days=3)).isoformat(),
        "parents_informed_how": "conversation",
        "client_key": f"las-{pupil.pk}-1",
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def test_token_post_creates_a_report_and_opens_a_case(world, api):
    pupil = enrolled_pupil(world.school)
    response = api("post", data=body(pupil))
    assert response.status_code == 201, response.json()
    data = response.json()
    report = AbsenceReport.objects.get()
    assert data["id"] == report.pk and data["channel"] == "api"
    assert (data["case_phase"], data["case_created"]) == ("school", True)
    assert data["case"] == Case.objects.get(pupil=pupil).pk
    assert report.reporting_organisation_id == world.school.pk
    assert report.client_key == f"las-{pupil.pk}-1"
    assert "Idempotent-Replayed" not in response


def test_retry_with_the_same_client_key_replays_and_writes_nothing(world, api):
    pupil = enrolled_pupil(world.school)
    first = api("post", data=body(pupil))
    audits = AuditLogEntry.objects.count()
    again = api("post", data=body(pupil))
    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["case_created"] is False
    assert AbsenceReport.objects.count() == 1 and Case.objects.count() == 1
    assert AuditLogEntry.objects.count() == audits


def test_a_new_client_key_for_the_same_pupil_joins_the_open_case(world, api):
    pupil = enrolled_pupil(world.school)
    first = api("post", data=body(pupil)).json()
    second = api("post", data=body(pupil, client_key="las-2", kind="sickness"))
    assert second.status_code == 201
    assert second.json()["case"] == first["case"] and second.json()["case_created"] is False


def test_missing_client_key_is_a_field_error(world, api):
    pupil = enrolled_pupil(world.school)
    data = body(pupil)
    del data["client_key"]
    response = api("post", data=data)
    assert response.status_code == 400
    assert set(response.json()) == {"status", "code", "detail", "fields"}
    assert list(response.json()["fields"]) == ["client_key"]
    assert not AbsenceReport.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        (
            {"absence_started_on": datetime.timedelta(days=2)},
            "absence_started_on",
        ),
        ({"reported_on": datetime.timedelta(days=1)}, "reported_on"),
        ({"hours_missed_last_4_weeks": "200"}, "hours_missed_last_4_weeks"),
        ({"share_followed_percent": 150}, "share_followed_percent"),
        ({"parents_informed_on": None}, "parents_informed_on"),
        ({"kind": "bogus"}, "kind"),
        ({"absence_started_on": "13-01-2025"}, "absence_started_on"),
    ],
)
def test_invalid_fields_give_field_level_errors(world, api, overrides, field, today):
    # A timedelta in ``overrides`` is a date that many days from today.
    overrides = {
        k: (today + v).isoformat() if isinstance(v, datetime.timedelta) else v
        for k, v in overrides.items()
    }
    pupil = enrolled_pupil(world.school)
    response = api("post", data=body(pupil, **overrides))
    assert response.status_code == 400, response.json()
    fields = response.json()["fields"]
    assert field in fields and fields[field][0]
    assert not AbsenceReport.objects.exists()


def test_several_service_errors_come_back_together(world, api):
    pupil = enrolled_pupil(world.school)
    response = api(
        "post",
        data=body(pupil, hours_missed_last_4_weeks="200", share_followed_percent=150),
    )
    assert {"hours_missed_last_4_weeks", "share_followed_percent"} <= set(response.json()["fields"])


def test_pupil_not_enrolled_at_the_tokens_school_is_a_pupil_error(world, api):
    pupil = enrolled_pupil(world.school2)
    response = api("post", data=body(pupil))
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["pupil"]


def test_school_a_cannot_report_a_pupil_of_school_b_and_learns_nothing(world, api):
    foreign = enrolled_pupil(world.far_school, surname="Buitenregio")
    unknown = api("post", data=body(foreign, bsn="123456782"))
    known = api("post", data=body(foreign))
    assert known.status_code == unknown.status_code == 400
    # The same answer whether the BSN exists elsewhere or not at all.
    assert known.json() == unknown.json()
    assert b"Buitenregio" not in known.content and foreign.bsn.encode() not in known.content
    assert not AbsenceReport.objects.exists()


def test_pupil_by_name_and_date_of_birth(world, api):
    pupil = enrolled_pupil(world.school, surname="Vries", surname_prefix="de")
    data = body(
        pupil,
        bsn=None,
        given_names=pupil.given_names,
        surname="De Vries",
        date_of_birth=pupil.date_of_birth.isoformat(),
    )
    response = api("post", data=data)
    assert response.status_code == 201, response.json()
    assert response.json()["pupil"] == pupil.pk


def test_without_bsn_or_name_the_pupil_is_asked_for(world, api):
    pupil = enrolled_pupil(world.school)
    # Not the pupil's own given names: a factory's "Sanne" found the pupil by name.
    other = f"{pupil.given_names}-Anders"
    response = api("post", data=body(pupil, bsn=None, given_names=other))
    assert list(response.json()["fields"]) == ["pupil"]


def test_organisation_outside_the_callers_memberships_is_refused(world, api):
    pupil = enrolled_pupil(world.school)
    response = api("post", data=body(pupil, organisation=world.school2.pk))
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["organisation"]


def test_roles_without_submit_capability_get_403(world, user_with_role, client):
    client.force_login(user_with_role(RoleCode.SWV_DIRECTOR))
    pupil = enrolled_pupil(world.school)
    response = client.post(URL, body(pupil), content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_zorgcoordinator_session_reports_for_their_school(world, user_with_role, client):
    client.force_login(user_with_role(RoleCode.ZORGCOORDINATOR))
    pupil = enrolled_pupil(world.school)
    response = client.post(URL, body(pupil), content_type="application/json")
    assert response.status_code == 201
    assert AbsenceReport.objects.get().reporting_organisation_id == world.school.pk


def _report(org, actor, pupil, **kw):
    return absence_report_submit(
        actor=actor, reporting_organisation=org, data=report_input(pupil, **kw), channel="form"
    ).report


def test_list_shows_only_the_tokens_own_reports(world, api, user_with_role):
    zc2 = user_with_role(RoleCode.ZORGCOORDINATOR, world.school2)
    other = _report(world.school2, zc2, enrolled_pupil(world.school2))
    pupil = enrolled_pupil(world.school)
    own = api("post", data=body(pupil)).json()
    zc = user_with_role(RoleCode.ZORGCOORDINATOR)
    by_colleague = _report(world.school, zc, enrolled_pupil(world.school), kind="sickness")
    response = api("get")
    assert response.status_code == 200
    ids = [r["id"] for r in response.json()["results"]]
    assert set(ids) == {own["id"], by_colleague.pk}
    assert other.pk not in ids
    assert api("get", url=f"{URL}{other.pk}/").status_code == 404


def test_list_filters(world, api, today):
    a = api("post", data=body(enrolled_pupil(world.school))).json()
    b_pupil = enrolled_pupil(world.school)
    b = api("post", data=body(b_pupil, kind="sickness", client_key="k2")).json()
    assert [r["id"] for r in api("get", kind="sickness").json()["results"]] == [b["id"]]
    assert [r["id"] for r in api("get", pupil=b_pupil.pk).json()["results"]] == [b["id"]]
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()
    assert api("get", reported_on_after=tomorrow).json()["results"] == []
    both = api("get", reported_on_after=today.isoformat(), reported_on_before=today.isoformat())
    assert {r["id"] for r in both.json()["results"]} == {a["id"], b["id"]}


def test_retrieve_is_audited(world, api):
    report = api("post", data=body(enrolled_pupil(world.school))).json()
    response = api("get", url=f"{URL}{report['id']}/")
    assert response.status_code == 200 and response.json()["case_phase"] == "school"
    assert AuditLogEntry.objects.filter(
        action="read", object_type="registration.absencereport", object_id=str(report["id"])
    ).exists()


def test_leerplicht_sees_reports_shared_with_it(world, api, user_with_role, client):
    api("post", data=body(enrolled_pupil(world.school)))
    client.force_login(user_with_role(RoleCode.LEERPLICHT))
    response = client.get(URL)
    assert response.status_code == 200 and len(response.json()["results"]) == 1


def test_anonymous_gets_401(world, client):
    assert client.get(URL).status_code in (401, 403)
    assert client.post(URL, {}, content_type="application/json").status_code in (401, 403)


@pytest.mark.parametrize("count", [1, 25])
def test_list_query_count_is_flat(
    world, api, token, user_with_role, django_assert_num_queries, count
):
    zc = user_with_role(RoleCode.ZORGCOORDINATOR)
    for _ in range(count):
        _report(world.school, zc, enrolled_pupil(world.school))
    api("get")  # warm the token's last-used bookkeeping
    # token, memberships, count, the page's ids, its rows, the audit row of the list
    with django_assert_num_queries(6):
        response = api("get")
    assert response.status_code == 200
    # Reports of the token's organisation, whoever made them.
    assert len(response.json()["results"]) == count


@pytest.mark.parametrize("count", [1, 25])
def test_list_query_count_is_flat_for_a_school_user(
    world, user_with_role, client, django_assert_num_queries, count
):
    zc = user_with_role(RoleCode.ZORGCOORDINATOR)
    for _ in range(count):
        _report(world.school, zc, enrolled_pupil(world.school))
    client.force_login(zc)
    client.get(URL)
    # session, user, the session's second-factor device, memberships, count, the page's ids,
    # its rows, audit row
    with django_assert_num_queries(8):
        response = client.get(URL)
    assert len(response.json()["results"]) == count


def test_schema_has_the_path_and_examples(world, client):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    post = schema["paths"]["/api/v1/absence-reports/"]["post"]
    request_examples = post["requestBody"]["content"]["application/json"]["examples"]
    assert any(e["value"]["kind"] == "unauthorised" for e in request_examples.values())
    created = post["responses"]["201"]["content"]["application/json"]["examples"]
    assert any(e["value"]["case_created"] for e in created.values())
    assert "Idempotent-Replayed" in post["responses"]["200"]["headers"]
    assert "/api/v1/pupils/{id}/" in schema["paths"]


# --- pupils -------------------------------------------------------------------------------


def test_pupils_list_and_audited_detail(world, user_with_role, client):
    mine = enrolled_pupil(world.school, surname="Eigenschool")
    enrolled_pupil(world.far_school, surname="Verweg")
    client.force_login(user_with_role(RoleCode.ZORGCOORDINATOR))
    response = client.get("/api/v1/pupils/")
    assert [p["surname"] for p in response.json()["results"]] == ["Eigenschool"]
    assert client.get(f"/api/v1/pupils/{mine.pk}/").json()["bsn"] == mine.bsn
    assert AuditLogEntry.objects.filter(
        action="read", object_type="registration.pupil", object_id=str(mine.pk)
    ).exists()


def test_pupils_need_personal_data_access(world, user_with_role, client, token):
    enrolled_pupil(world.school)
    client.force_login(user_with_role(RoleCode.SWV_DIRECTOR))
    assert client.get("/api/v1/pupils/").status_code == 403
    client.logout()
    assert client.get("/api/v1/pupils/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 403
