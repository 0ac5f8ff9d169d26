"""``/api/v1/reports/``: scopes, figures (suppressed for those who may not see the cases),
and the quarterly report jobs."""

import pytest
from django.urls import reverse
from django.utils import timezone

from reports.periods import Quarter
from thuiszitters.roles import RoleCode

from ..factories.cases import CaseFactory

pytestmark = pytest.mark.django_db


def _cases(world, count, phase="casusregisseur"):
    school = world.school
    return [CaseFactory(phase=phase, school=school) for _ in range(count)]


def test_scopes_list_the_callers_organisations(world, user_with_role, login):
    client = login(user_with_role(RoleCode.SWV_DIRECTOR))
    response = client.get(reverse("report-list"))
    assert response.status_code == 200
    assert response.json() == [
        {
            "key": f"swv-{world.swv.pk}",
            "kind": "swv",
            "organisation_id": world.swv.pk,
            "name": world.swv.name,
            "personal_data": False,
        }
    ]


def test_a_director_gets_small_numbers_suppressed(world, user_with_role, login):
    _cases(world, 3)
    client = login(user_with_role(RoleCode.SWV_DIRECTOR))
    body = client.get(reverse("report-figures")).json()
    assert body["suppressed"] is True
    assert body["totals"]["open"] == "<5"
    assert body["period"]["label"] == Quarter.of(timezone.localdate()).label


def test_a_consultant_gets_exact_numbers(world, user_with_role, login):
    _cases(world, 3)
    client = login(user_with_role(RoleCode.SWV_CONSULTANT))
    body = client.get(reverse("report-figures"), {"scope": f"swv-{world.swv.pk}"}).json()
    assert "suppressed" not in body
    assert body["totals"]["open"] == 3
    assert {row["key"]: row["open"] for row in body["breakdowns"]["phase"]} == {"casusregisseur": 3}


def test_a_scope_out_of_reach_is_not_found(world, user_with_role, login):
    client = login(user_with_role(RoleCode.SWV_DIRECTOR))
    response = client.get(reverse("report-figures"), {"scope": f"swv-{world.far_swv.pk}"})
    assert response.status_code == 404
    response = client.get(reverse("report-figures"), {"scope": f"municipality-{world.m1.pk}"})
    assert response.status_code == 404


def test_a_bad_period_is_a_field_error(world, user_with_role, login):
    client = login(user_with_role(RoleCode.POLICY))
    response = client.get(reverse("report-figures"), {"period": "volgend jaar"})
    assert response.status_code == 400
    assert "period" in response.json()["fields"]


def test_figures_query_count_does_not_grow_with_cases(world, user_with_role, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(user_with_role(RoleCode.SWV_CONSULTANT))
    _cases(world, 1)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("report-figures")).status_code == 200
    _cases(world, 8, phase="doorbraakteam")
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("report-figures")).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_quarter_that_has_not_started_is_a_field_error(world, user_with_role, login):
    client = login(user_with_role(RoleCode.POLICY))
    future = Quarter.of(timezone.localdate()).next()
    response = client.get(reverse("report-figures"), {"period": str(future)})
    assert response.status_code == 400
    assert "period" in response.json()["fields"]


def test_request_follow_and_download_a_quarterly_report(
    world, user_with_role, login, django_capture_on_commit_callbacks
):
    from thuiszitters.models import AuditLogEntry

    _cases(world, 6)
    client = login(user_with_role(RoleCode.SWV_DIRECTOR))
    quarter = Quarter.of(timezone.localdate())
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            reverse("quarterlyreport-list"),
            {"scope": f"swv-{world.swv.pk}", "quarter": str(quarter)},
            content_type="application/json",
        )
    assert response.status_code == 202
    job = response.json()
    assert job["status"] == "queued"
    assert job["download_url"] is None
    assert len(callbacks) == 1  # the Celery task is sent after the commit

    from reports.services import quarterly_report_render

    quarterly_report_render(report_id=job["id"])  # what the worker does
    detail = client.get(reverse("quarterlyreport-detail", args=[job["id"]])).json()
    assert detail["status"] == "done"
    assert detail["pages"] >= 2
    listed = client.get(reverse("quarterlyreport-list")).json()
    assert [r["id"] for r in listed["results"]] == [job["id"]]

    download = client.get(reverse("quarterlyreport-download", args=[job["id"]]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert AuditLogEntry.objects.filter(action="export", object_id=str(job["id"])).exists()


def test_requesting_a_scope_out_of_reach_is_not_found(world, user_with_role, login):
    client = login(user_with_role(RoleCode.SWV_DIRECTOR))
    response = client.post(
        reverse("quarterlyreport-list"),
        {"scope": f"swv-{world.far_swv.pk}", "quarter": "2026-Q1"},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_a_quarter_in_the_future_cannot_be_requested(world, user_with_role, login):
    client = login(user_with_role(RoleCode.SWV_DIRECTOR))
    future = Quarter.of(timezone.localdate()).next()
    response = client.post(
        reverse("quarterlyreport-list"),
        {"scope": f"swv-{world.swv.pk}", "quarter": str(future)},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "quarter" in response.json()["fields"]
