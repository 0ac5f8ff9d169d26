"""``registration.filters``: the report and pupil lists give the same rows on the page as in
the API for the same filter; a report date range includes its first and its last day."""

import datetime

import pytest
from django.urls import reverse

from ..thuiszitters.test_filters import api_ids, page_ids
from .test_views import enrolled_pupil, report

pytestmark = pytest.mark.usefixtures("frozen_clock")

REPORTS_API = "/api/v1/absence-reports/"
PUPILS_API = "/api/v1/pupils/"


@pytest.fixture
def reports_by_day(world, zc, today):
    """A report on each of the last five days (0: today), every other one for sickness."""
    rows = {}
    for days_ago in range(5):
        day = today - datetime.timedelta(days=days_ago)
        pupil = enrolled_pupil(world.school, given_names=f"Dag{days_ago}")
        rows[days_ago] = report(
            zc,
            world.school,
            pupil,
            kind="sickness" if days_ago % 2 else "unauthorised",
            reported_on=day,
            absence_started_on=day - datetime.timedelta(days=10),
            parents_informed_on=day - datetime.timedelta(days=1),
        ).report.pk
    return rows


@pytest.mark.parametrize(
    ("since", "until", "kind", "expected"),
    [
        (3, 1, "", {3, 2, 1}),  # both days included
        (2, 2, "", {2}),  # one day
        (None, 3, "", {4, 3}),
        (1, None, "", {1, 0}),
        (4, 0, "sickness", {3, 1}),
    ],
)
def test_report_page_and_api_agree_and_include_both_days(
    zc_client, reports_by_day, today, since, until, kind, expected
):
    def day(days_ago):
        if days_ago is None:
            return ""
        return (today - datetime.timedelta(days=days_ago)).isoformat()

    want = {reports_by_day[d] for d in expected}
    page = {"since": day(since), "until": day(until), "kind": kind}
    api = {"reported_on_after": day(since), "reported_on_before": day(until), "kind": kind}
    assert page_ids(zc_client.get(reverse("registration:report_list"), page)) == want
    assert api_ids(zc_client.get(REPORTS_API, api)) == want


def test_a_reversed_report_range_is_refused_by_page_and_api(zc_client, today):
    later, earlier = today.isoformat(), (today - datetime.timedelta(days=1)).isoformat()
    page = zc_client.get(reverse("registration:report_list"), {"since": later, "until": earlier})
    assert "until" in page.context["form"].errors and page_ids(page) == set()
    api = zc_client.get(REPORTS_API, {"reported_on_after": later, "reported_on_before": earlier})
    assert api.status_code == 400 and "reported_on_before" in api.json()["fields"]


@pytest.mark.parametrize("q", ["Smit", "daan smit", "111222333", "02-03-2012", "niemand"])
def test_pupil_search_is_the_same_on_page_and_api(world, zc_client, q):
    enrolled_pupil(world.school, given_names="Daan", surname="Smit")
    enrolled_pupil(
        world.school,
        given_names="Mila",
        surname="Jong",
        bsn="111222333",
        date_of_birth=datetime.date(2012, 3, 2),
    )
    enrolled_pupil(world.school2, given_names="Daan", surname="Smit")  # not visible
    if q.isdigit():  # a BSN goes by POST on both (no BSN in a URL)
        rows = page_ids(zc_client.post(reverse("registration:pupil_list"), {"q": q}))
        api = zc_client.post(f"{PUPILS_API}search/", {"bsn": q}, content_type="application/json")
        assert {api.json()["id"]} == rows
    else:
        rows = page_ids(zc_client.get(reverse("registration:pupil_list"), {"q": q}))
        assert api_ids(zc_client.get(PUPILS_API, {"q": q})) == rows
    assert len(rows) == (0 if q == "niemand" else 1)
