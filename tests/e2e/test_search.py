"""Acceptance of the header's search (issue 17): a leerplicht consultant types a pupil's name
in the search at the top of the page and reaches the pupil's case, on a laptop and a phone;
what was typed never appears in an address the browser requests."""

import pytest
from playwright.sync_api import expect

from cases.services import absence_report_submit
from thuiszitters.models import User

from ..factories.registration import enrolled_pupil, report_input

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _case_of_demo_school():
    """A case opened by the demo PO school (its municipality is served by the bureau)."""
    reporter = User.objects.get(email="zorgcoordinator.po@demo.test")
    school = reporter.memberships.select_related("organisation").get().organisation
    pupil = enrolled_pupil(school.school_detail, given_names="Tim", surname="Zoekbalktest")
    return absence_report_submit(
        actor=reporter,
        reporting_organisation=school,
        data=report_input(pupil, kind="unauthorised"),
        channel="form",
    ).case


@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 900}, {"width": 390, "height": 844}], ids=str
)
def test_leerplicht_finds_a_case_by_the_pupils_name_in_the_header(page, log_in, demo, viewport):
    case = _case_of_demo_school()
    page.set_viewport_size(viewport)
    log_in("leerplicht@demo.test", demo)
    requested = []
    page.on("request", lambda r: requested.append(r.url))

    search = page.get_by_role("banner").get_by_role("search")
    field = search.get_by_role("searchbox", name="Zoeken")
    expect(field).to_be_visible()
    field.fill("tim zoekbalk")
    search.get_by_role("button", name="Zoeken").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Zoekresultaten")
    cases = page.get_by_test_id("search-cases")
    link = cases.get_by_role("link", name=f"Casus {case.pk} · Tim Zoekbalktest")
    expect(link).to_be_visible()
    expect(page.get_by_test_id("search-pupils")).to_contain_text("Tim Zoekbalktest")
    link.click()

    page.wait_for_url(f"**/casussen/{case.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Zoekbalktest")
    assert [url for url in requested if "zoekbalk" in url.lower()] == []
