"""No BSN in any URL: searches by BSN go by POST; a GET carrying one is refused with 400.

registration.search; the pupil list, the intake's step 1 and ``/api/v1/pupils/``.
"""

import re

import pytest
from django.urls import reverse

from tests.page_text import shows
from thuiszitters.models import AuditAction, AuditLogEntry

from ..factories.registration import enrolled_pupil

BSN = "111222333"
SEARCH_API = "/api/v1/pupils/search/"
# Attributes whose value is a URL the browser requests (and a server logs).
URL_ATTRIBUTES = re.compile(
    r"\s(href|src|action|formaction|hx-get|hx-post|hx-put|hx-patch|hx-delete|hx-push-url"
    r'|hx-replace-url|data-url)="([^"]*)"'
)
NEXT_INPUT = re.compile(r'name="next" value="([^"]*)"')


@pytest.fixture
def pupil(world):
    return enrolled_pupil(world.school, given_names="Mila", surname="Jong", bsn=BSN)


@pytest.fixture
def outsider(world):
    """A pupil of a school the zorgcoördinator has no part in."""
    return enrolled_pupil(world.school2, given_names="Daan", surname="Elders", bsn="123456782")


def assert_no_bsn_in_urls(response, *bsns):
    body = response.content.decode()
    urls = [value for _name, value in URL_ATTRIBUTES.findall(body)] + NEXT_INPUT.findall(body)
    assert urls, "the page has links"
    for bsn in bsns:
        assert [url for url in urls if bsn in url] == []
    assert "Location" not in response or not any(b in response["Location"] for b in bsns)


@pytest.mark.parametrize("q", [BSN, "111 222 333", "111.222.333", " 111-222-333 "])
def test_a_get_with_a_bsn_is_refused_on_the_pages(zc_client, pupil, q):
    urls = (reverse("registration:pupil_list"), reverse("cases:intake"))
    for url in (*urls, reverse("caselists:case_list")):
        response = zc_client.get(url, {"q": q})
        assert response.status_code == 400
        assert "POST" in response.content.decode()
        assert not shows(response.content.decode(), pupil.full_name)
        assert_no_bsn_in_urls(response, BSN)


@pytest.mark.parametrize("params", [{"bsn": BSN}, {"q": BSN}, {"q": "111 222 333"}])
def test_a_get_with_a_bsn_is_refused_by_the_api(zc_client, pupil, params):
    response = zc_client.get("/api/v1/pupils/", params)
    assert response.status_code == 400
    body = response.json()
    assert set(body["fields"]) == set(params)
    assert SEARCH_API in body["fields"][next(iter(params))][0]


def test_names_and_dates_still_search_by_get(zc_client, pupil):
    for q in ("jong", pupil.date_of_birth.strftime("%d-%m-%Y")):
        page = zc_client.get(reverse("registration:pupil_list"), {"q": q})
        assert page.status_code == 200 and shows(page.content.decode(), pupil.full_name)
        api = zc_client.get("/api/v1/pupils/", {"q": q})
        assert api.status_code == 200 and api.json()["count"] == 1


def test_the_forms_post(zc_client):
    urls = (reverse("registration:pupil_list"), reverse("cases:intake"))
    for url in (*urls, reverse("caselists:case_list")):
        body = zc_client.get(url).content.decode()
        # The page's own search and the header's (search:search) on every page.
        forms = re.findall(r'<form[^>]*role="search"[^>]*>', body)
        assert len(forms) == 2
        assert all('method="post"' in form for form in forms)
        assert any(reverse("search:search") in form for form in forms)


def test_the_pupil_list_answers_a_posted_bsn_in_place_within_the_scope(zc_client, pupil, outsider):
    url = reverse("registration:pupil_list")
    found = zc_client.post(url, {"q": "111 222 333"})
    assert found.status_code == 200  # answered here: no redirect carrying the BSN
    assert [p.pk for p in found.context["rows"]] == [pupil.pk]
    assert_no_bsn_in_urls(found, BSN)
    outside = zc_client.post(url, {"q": outsider.bsn})
    assert outside.status_code == 200 and outside.context["rows"] == []
    assert not shows(outside.content.decode(), outsider.full_name)


def test_a_posted_name_goes_back_to_the_bookmarkable_get(zc_client, pupil):
    response = zc_client.post(reverse("registration:pupil_list"), {"q": "Jong"})
    assert response.status_code == 302
    assert response["Location"] == reverse("registration:pupil_list") + "?q=Jong"


def test_the_intake_answers_a_posted_bsn_in_place_within_the_scope(zc_client, pupil, outsider):
    url = reverse("cases:intake")
    found = zc_client.post(url, {"zoeken": "1", "q": "111.222.333"})
    assert found.status_code == 200
    assert found.context["found"] == [pupil]
    assert_no_bsn_in_urls(found, BSN)
    outside = zc_client.post(url, {"zoeken": "1", "q": outsider.bsn})
    assert outside.context["found"] == []
    by_name = zc_client.post(url, {"zoeken": "1", "q": "Mila"})
    assert by_name.status_code == 302 and by_name["Location"] == f"{url}?q=Mila"


def test_the_api_search_finds_by_bsn_in_the_body_within_the_scope(zc_client, zc, pupil, outsider):
    found = zc_client.post(SEARCH_API, {"bsn": "111 222 333"}, content_type="application/json")
    assert found.status_code == 200
    assert found.json()["id"] == pupil.pk
    assert AuditLogEntry.objects.filter(
        actor=zc, action=AuditAction.READ, object_id=str(pupil.pk)
    ).exists()
    outside = zc_client.post(SEARCH_API, {"bsn": outsider.bsn}, content_type="application/json")
    assert outside.status_code == 404  # as for a BSN nobody has
    unknown = zc_client.post(SEARCH_API, {"bsn": "999990019"}, content_type="application/json")
    assert unknown.status_code == 404 and unknown.json() == outside.json()


@pytest.mark.parametrize(
    "body", [{}, {"bsn": "12345"}, {"bsn": BSN, "q": "Mila"}], ids=["none", "short", "unknown"]
)
def test_the_api_search_refuses_a_bad_body(zc_client, pupil, body):
    response = zc_client.post(SEARCH_API, body, content_type="application/json")
    assert response.status_code == 400


def test_the_api_search_is_in_the_schema_and_the_list_has_no_bsn_parameter(client, db):
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()
    assert "post" in schema["paths"]["/api/v1/pupils/search/"]
    names = {p["name"] for p in schema["paths"]["/api/v1/pupils/"]["get"]["parameters"]}
    assert "bsn" not in names and "q" in names


def test_no_pupil_page_renders_the_bsn_into_a_url(zc_client, pupil):
    pages = [
        zc_client.get(reverse("registration:pupil_list")),
        zc_client.get(reverse("registration:pupil_list"), {"q": "Mila"}),
        zc_client.post(reverse("registration:pupil_list"), {"q": BSN}),
        zc_client.get(reverse("registration:pupil_detail", args=[pupil.pk])),
        zc_client.get(reverse("cases:pupil_case_partial", args=[pupil.pk])),
        zc_client.post(reverse("cases:intake"), {"zoeken": "1", "q": BSN}),
        zc_client.get(reverse("cases:intake"), {"leerling": pupil.pk}),
    ]
    for response in pages:
        assert response.status_code == 200
        if response.content.strip():
            body = response.content.decode()
            urls = [v for _n, v in URL_ATTRIBUTES.findall(body)] + NEXT_INPUT.findall(body)
            assert [url for url in urls if BSN in url] == []
