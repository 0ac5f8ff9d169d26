"""A strict API: unknown fields, idempotency conflicts, page sizes, oversized bodies, error
bodies that are always JSON, and a download that is audited only when it succeeds."""

import datetime
import itertools
import json

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from cases.models import Case
from cases.services import IdempotencyConflict, absence_report_submit
from cases.workflow import Phase
from registration.bsn import bsn_is_valid
from registration.models import AbsenceReport
from reports.models import QuarterlyReport, QuarterlyReportStatus
from thuiszitters.api.pagination import MAX_LIMIT, MAX_OFFSET, ApiPagination
from thuiszitters.models import AuditAction, AuditLogEntry
from thuiszitters.roles import RoleCode
from thuiszitters.services import api_token_create

from ..factories import registration as factories
from ..factories.cases import CaseFactory
from ..factories.registration import report_input
from ..factories.users import SETUP, member

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]

REPORTS = "/api/v1/absence-reports/"
_numbers = itertools.count(1)


def enrolled_pupil(school, **kwargs):
    # The factory's BSN sequence can repeat a number; draw unique valid ones here.
    while "bsn" not in kwargs:
        candidate = str(400000000 + next(_numbers))
        if bsn_is_valid(candidate):
            kwargs["bsn"] = candidate
    return factories.enrolled_pupil(school, **kwargs)


@pytest.fixture
def key(world):
    return api_token_create(organisation=world.school, name="ParnasSys", actor=SETUP)[1]


@pytest.fixture
def post(client, key):
    def call(url, data, **extra):
        return client.post(
            url, data, content_type="application/json", HTTP_AUTHORIZATION=f"Token {key}", **extra
        )

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


def assert_json_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    data = response.json()
    assert {"status", "code", "detail", "fields"} <= set(data)
    assert (data["status"], data["code"]) == (status, code)
    return data


# --- unknown fields -------------------------------------------------------------------------


def test_an_unknown_field_in_a_report_is_refused_and_named(world, post):
    pupil = enrolled_pupil(world.school)
    response = post(REPORTS, body(pupil, foo=1, parents_informed=True))
    data = assert_json_error(response, 400, "invalid")
    assert data["fields"] == {"foo": ["Onbekend veld."], "parents_informed": ["Onbekend veld."]}
    assert not AbsenceReport.objects.exists()


def test_unknown_fields_come_back_with_the_other_field_errors(world, post):
    pupil = enrolled_pupil(world.school)
    data = body(pupil, foo="x", kind="nonsense")
    del data["client_key"]
    fields = assert_json_error(post(REPORTS, data), 400, "invalid")["fields"]
    assert set(fields) == {"foo", "kind", "client_key"}


def test_a_typo_in_a_case_action_changes_nothing(world, user_with_role, login):
    zc = user_with_role(RoleCode.ZORGCOORDINATOR)
    case = CaseFactory(phase=Phase.SCHOOL, school=world.school)
    client = login(zc)
    response = client.post(
        f"/api/v1/cases/{case.pk}/transition/",
        {"to_phase": "casusregisseur", "reason": "Week 4", "reden": "typo"},
        content_type="application/json",
    )
    assert assert_json_error(response, 400, "invalid")["fields"] == {"reden": ["Onbekend veld."]}
    assert Case.objects.get(pk=case.pk).phase == Phase.SCHOOL


def test_a_typo_in_a_route_action_changes_nothing(world, login):
    case = CaseFactory(phase=Phase.SCHOOL, school=world.school)
    client = login(member(world.school, RoleCode.ZORGCOORDINATOR))
    response = client.post(
        f"/api/v1/cases/{case.pk}/escalate/",
        {"step": "casusregisseur", "reason": "Zorg", "urgent": True},
        content_type="application/json",
    )
    assert assert_json_error(response, 400, "invalid")["fields"] == {"urgent": ["Onbekend veld."]}
    assert Case.objects.get(pk=case.pk).phase == Phase.SCHOOL


def test_an_unknown_field_in_a_quarterly_request_is_refused(world, user_with_role, login):
    client = login(user_with_role(RoleCode.SWV_DIRECTOR))
    response = client.post(
        reverse("quarterlyreport-list"),
        {"scope": f"swv-{world.swv.pk}", "quarter": "2026-Q1", "format": "pdf"},
        content_type="application/json",
    )
    assert assert_json_error(response, 400, "invalid")["fields"] == {"format": ["Onbekend veld."]}
    assert not QuarterlyReport.objects.exists()


def test_form_encoded_bodies_are_strict_too(world, user_with_role, login):
    client = login(user_with_role(RoleCode.SWV_DIRECTOR))
    response = client.post(
        reverse("quarterlyreport-list"),
        {"scope": f"swv-{world.swv.pk}", "quarter": "2026-Q1", "extra": "1"},
    )
    assert assert_json_error(response, 400, "invalid")["fields"] == {"extra": ["Onbekend veld."]}


def test_every_writing_operation_refuses_unknown_fields(client, db):
    """Only a serializer with ``StrictInputMixin`` gets ``additionalProperties: false``, so a
    new operation whose body serializer forgot it fails here."""
    doc = client.get(reverse("api-schema"), HTTP_ACCEPT="application/json").json()
    schemas = doc["components"]["schemas"]
    bodies = [
        operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        for item in doc["paths"].values()
        for method, operation in item.items()
        if method in ("post", "put", "patch") and "requestBody" in operation
    ]
    assert len(bodies) >= 14
    for ref in bodies:
        assert schemas[ref.rsplit("/", 1)[-1]].get("additionalProperties") is False, ref


# --- idempotency ----------------------------------------------------------------------------


def test_the_same_key_for_another_pupil_is_a_conflict(world, post):
    first, second = enrolled_pupil(world.school), enrolled_pupil(world.school)
    created = post(REPORTS, body(first, client_key="K-1"))
    assert created.status_code == 201
    response = post(REPORTS, body(second, client_key="K-1"))
    data = assert_json_error(response, 409, "idempotency_conflict")
    assert "K-1" in data["detail"]
    assert "Idempotent-Replayed" not in response
    assert AbsenceReport.objects.count() == 1
    assert not Case.objects.filter(pupil=second).exists()


@pytest.mark.parametrize(
    "change",
    [
        {"kind": "sickness"},
        {"hours_missed_last_4_weeks": "20.0"},
        {"share_followed_percent": 50},
        {"absence_started_on": datetime.timedelta(days=-16)},
        {"absence_ended_on": datetime.timedelta(days=-1)},
        {"reported_on": datetime.timedelta(days=-1)},
        {"striking_sickness": True},
        {"expects_thuiszitter_soon": True},
        {"reason": "Iets anders."},
        {"parents_informed_on": datetime.timedelta(days=-4)},
        {"parents_informed_how": "phone"},
    ],
)
def test_the_same_key_with_another_body_is_a_conflict(world, post, change, today):
    # A timedelta in ``change`` is a date that many days from today.
    change = {
        k: (today + v).isoformat() if isinstance(v, datetime.timedelta) else v
        for k, v in change.items()
    }
    pupil = enrolled_pupil(world.school)
    assert post(REPORTS, body(pupil)).status_code == 201
    assert_json_error(post(REPORTS, body(pupil, **change)), 409, "idempotency_conflict")
    assert AbsenceReport.objects.count() == 1


def test_the_same_key_with_the_same_body_stays_a_replay(world, post):
    pupil = enrolled_pupil(world.school)
    first = post(REPORTS, body(pupil, hours_missed_last_4_weeks="18.5"))
    # Equal values written differently are the same report.
    again = post(
        REPORTS,
        body(pupil, hours_missed_last_4_weeks=18.5, reason=" Komt niet meer sinds de vakantie. "),
    )
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]


def test_a_retry_on_a_later_day_without_a_report_date_is_a_replay(world, post):
    pupil = enrolled_pupil(world.school)
    data = body(pupil)
    first = post(REPORTS, data)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=1)):
        again = post(REPORTS, data)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]


def test_the_intake_raises_a_conflict_for_every_channel(world, user_with_role):
    zc = user_with_role(RoleCode.ZORGCOORDINATOR)
    first, second = enrolled_pupil(world.school), enrolled_pupil(world.school)
    absence_report_submit(
        actor=zc,
        reporting_organisation=world.school,
        data=report_input(first, client_key="K-9"),
        channel="form",
    )
    with pytest.raises(IdempotencyConflict) as raised:
        absence_report_submit(
            actor=zc,
            reporting_organisation=world.school,
            data=report_input(second, client_key="K-9"),
            channel="form",
        )
    assert raised.value.message_dict.keys() == {"client_key"}
    # The same key of another organisation is another report.
    other = member(world.school2, RoleCode.ZORGCOORDINATOR)
    third = enrolled_pupil(world.school2)
    result = absence_report_submit(
        actor=other,
        reporting_organisation=world.school2,
        data=report_input(third, client_key="K-9"),
        channel="form",
    )
    assert not result.duplicate


def test_the_schema_documents_the_conflict(client, db):
    doc = client.get(reverse("api-schema"), HTTP_ACCEPT="application/json").json()
    responses = doc["paths"][REPORTS]["post"]["responses"]
    assert "409" in responses and "413" in responses


# --- pagination -----------------------------------------------------------------------------


@pytest.fixture
def director_client(user_with_role, login):
    return login(user_with_role(RoleCode.SWV_DIRECTOR))


def test_the_default_and_the_maximum_page_size(world, director_client):
    url = reverse("organisation-list")
    assert director_client.get(url).status_code == 200
    response = director_client.get(url, {"limit": MAX_LIMIT, "offset": MAX_OFFSET})
    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": MAX_LIMIT + 1}, "limit"),
        ({"limit": 10**30}, "limit"),
        ({"limit": "9" * 5000}, "limit"),
        ({"limit": 0}, "limit"),
        ({"limit": -1}, "limit"),
        ({"limit": "abc"}, "limit"),
        ({"limit": "1.5"}, "limit"),
        ({"limit": ""}, "limit"),
        ({"limit": " 5"}, "limit"),
        ({"offset": -1}, "offset"),
        ({"offset": "abc"}, "offset"),
        ({"offset": 10**30}, "offset"),
        ({"offset": MAX_OFFSET + 1}, "offset"),
    ],
)
def test_a_bad_limit_or_offset_is_a_field_error(world, director_client, params, field):
    response = director_client.get(reverse("organisation-list"), params)
    data = assert_json_error(response, 400, "invalid")
    assert list(data["fields"]) == [field]


def test_a_huge_limit_on_a_token_list_is_a_field_error_not_a_500(world, client, key):
    response = client.get(REPORTS, {"limit": 10**30}, HTTP_AUTHORIZATION=f"Token {key}")
    assert list(assert_json_error(response, 400, "invalid")["fields"]) == ["limit"]


def test_every_paginated_list_uses_the_strict_pagination():
    from thuiszitters.api.urls import router

    paginated = [
        viewset
        for _prefix, viewset, _basename in router.registry
        if viewset.pagination_class is not None
    ]
    assert paginated
    for viewset in paginated:
        assert issubclass(viewset.pagination_class, ApiPagination), viewset


def test_the_schema_documents_the_page_size_maximum(client, db):
    doc = client.get(reverse("api-schema"), HTTP_ACCEPT="application/json").json()
    params = {p["name"]: p for p in doc["paths"]["/api/v1/organisations/"]["get"]["parameters"]}
    assert params["limit"]["schema"]["maximum"] == MAX_LIMIT
    assert str(MAX_LIMIT) in params["limit"]["description"]


# --- JSON for every error, 413 --------------------------------------------------------------


def test_an_oversized_json_body_is_a_json_413(world, post):
    pupil = enrolled_pupil(world.school)
    response = post(REPORTS, body(pupil, reason="x" * (3 * 1024 * 1024)))
    assert_json_error(response, 413, "payload_too_large")
    assert not AbsenceReport.objects.exists()


def test_an_oversized_form_body_is_a_json_413(world, user_with_role, login):
    client = login(user_with_role(RoleCode.SWV_DIRECTOR))
    response = client.post(
        reverse("quarterlyreport-list"),
        "scope=x&quarter=" + "1" * (3 * 1024 * 1024),
        content_type="application/x-www-form-urlencoded",
    )
    assert_json_error(response, 413, "payload_too_large")


def test_an_oversized_body_to_an_unknown_api_url_is_json(world, client):
    response = client.post("/api/v1/nothing/", "x" * (3 * 1024 * 1024), content_type="text/plain")
    assert response["Content-Type"].startswith("application/json")
    assert response.status_code == 413


def test_a_body_found_too_big_later_is_a_json_413_too(rf):
    """Without a Content-Length the middleware cannot see the size; Django raises when the
    body is read, inside DRF or outside it."""
    from django.core.exceptions import RequestDataTooBig

    from thuiszitters.api.errors import exception_handler
    from thuiszitters.views import bad_request

    inside = exception_handler(RequestDataTooBig("big"), {})
    assert (inside.status_code, inside.data["code"]) == (413, "payload_too_large")
    outside = bad_request(rf.post("/api/v1/absence-reports/"), RequestDataTooBig("big"))
    assert outside.status_code == 413
    assert json.loads(outside.content)["code"] == "payload_too_large"
    page = bad_request(rf.post("/casussen/melden/"), RequestDataTooBig("big"))
    assert page.status_code == 400 and page["Content-Type"].startswith("text/html")


def test_a_body_under_the_limit_is_read(world, post):
    pupil = enrolled_pupil(world.school)
    response = post(REPORTS, body(pupil, reason="x" * (1024 * 1024)))
    assert response.status_code == 201


@pytest.mark.parametrize("url", ["/api/nothing/", "/api/v1/nothing/", "/api/v1/cases/abc/"])
def test_an_unknown_api_url_is_a_json_404(world, user_with_role, login, url):
    client = login(user_with_role(RoleCode.ZORGCOORDINATOR))
    assert_json_error(client.get(url), 404, "not_found")


def test_an_unknown_api_url_is_a_json_404_without_login(db, client):
    assert_json_error(client.get("/api/v1/nothing-here/"), 404, "not_found")


def test_a_method_an_endpoint_does_not_have_is_a_json_405(world, post, client, key):
    response = client.delete(REPORTS, HTTP_AUTHORIZATION=f"Token {key}")
    assert_json_error(response, 405, "method_not_allowed")
    response = client.put(f"{REPORTS}1/", {}, content_type="application/json")
    assert response["Content-Type"].startswith("application/json")


def test_a_suspicious_request_under_api_is_a_json_400(world, director_client):
    many = {f"f{i}": "1" for i in range(1100)}  # over DATA_UPLOAD_MAX_NUMBER_FIELDS
    response = director_client.get(reverse("organisation-list"), many)
    assert_json_error(response, 400, "bad_request")


def test_pages_outside_api_keep_their_html_errors(world, director_client):
    response = director_client.get("/nergens/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


# --- quarterly report download --------------------------------------------------------------


@pytest.fixture
def stored_report(world, user_with_role):
    director = user_with_role(RoleCode.SWV_DIRECTOR)
    report = QuarterlyReport.objects.create(
        scope_kind="swv",
        organisation=world.swv,
        year=2026,
        quarter=1,
        requested_by=director,
        status=QuarterlyReportStatus.DONE,
        pages=2,
        size_bytes=9,
    )
    report.pdf.save("oogo-test.pdf", ContentFile(b"%PDF-1.7\n"), save=True)
    return director, report


def _exports():
    return AuditLogEntry.objects.filter(action=AuditAction.EXPORT).count()


def test_api_download_of_a_missing_file_is_a_json_404_without_audit(stored_report, login):
    director, report = stored_report
    report.pdf.storage.delete(report.pdf.name)
    response = login(director).get(reverse("quarterlyreport-download", args=[report.pk]))
    assert_json_error(response, 404, "not_found")
    assert _exports() == 0


def test_page_download_of_a_missing_file_is_a_404_without_audit(stored_report, login):
    director, report = stored_report
    report.pdf.storage.delete(report.pdf.name)
    response = login(director).get(reverse("quarterly:download", args=[report.pk]))
    assert response.status_code == 404
    assert _exports() == 0


@pytest.mark.parametrize("url_name", ["quarterlyreport-download", "quarterly:download"])
def test_a_download_that_succeeds_is_audited_once(stored_report, login, url_name):
    director, report = stored_report
    response = login(director).get(reverse(url_name, args=[report.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.7\n"
    entry = AuditLogEntry.objects.get(action=AuditAction.EXPORT)
    assert (entry.actor, entry.object_id) == (director, str(report.pk))


@pytest.mark.django_db
def test_a_page_fetched_in_two_steps_is_the_same_page(world, user_with_role):
    """The ids first, then the rows: the same rows in the same order as one sliced query,
    at every offset, and the count over the ids equals the count of the rows."""
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from thuiszitters.models import Organisation

    queryset = Organisation.objects.order_by("kind", "-id")
    total = queryset.count()
    assert total >= 5
    for offset in range(0, total, 3):
        request = Request(APIRequestFactory().get("/", {"limit": 3, "offset": offset}))
        paginator = ApiPagination()
        page = paginator.paginate_queryset(queryset, request)
        assert page == list(queryset[offset : offset + 3])
        assert paginator.count == total
