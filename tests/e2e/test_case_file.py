"""The case file in the browser (issue 17): a leerplicht officer downloads the case file as
a PDF from the case page, and printing the case page leaves out the menu and the forms while
the journal is printed, on a wide and on a phone-sized screen."""

import io

import pytest
from django.urls import reverse
from playwright.sync_api import expect
from pypdf import PdfReader

from cases.services import absence_report_submit, case_journal_add
from thuiszitters.models import AuditAction, AuditLogEntry, User

from ..factories.registration import enrolled_pupil, report_input
from .helpers import NARROW, WIDE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OFFICER = "leerplicht@demo.test"
NOTE = "Huisbezoek afgelegd, moeder werkt mee"


@pytest.fixture
def case(demo):
    """A new case of the demo PO school, with a note in its journal by the officer."""
    reporter = User.objects.get(email="zorgcoordinator.po@demo.test")
    school = reporter.memberships.select_related("organisation").get().organisation
    pupil = enrolled_pupil(
        school.school_detail, given_names="Mila", surname="Dossiertest", bsn=None
    )
    case = absence_report_submit(
        actor=reporter,
        reporting_organisation=school,
        data=report_input(pupil, kind="unauthorised"),
        channel="form",
    ).case
    case_journal_add(case=case, actor=User.objects.get(email=OFFICER), text=NOTE)
    return case


def test_the_officer_downloads_the_case_file_from_the_case_page(page, log_in, demo, case):
    page.set_viewport_size(WIDE)
    log_in(OFFICER, demo)
    page.goto(reverse("cases:case_detail", args=[case.pk]))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Mila Dossiertest")

    with page.expect_download() as info:
        page.get_by_role("link", name="Dossier als pdf").click()
    download = info.value
    assert download.suggested_filename == f"dossier-casus-{case.pk}.pdf"
    with open(download.path(), "rb") as fh:
        content = fh.read()
    assert content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(content))
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert f"Dossier casus {case.pk} \u2013 Mila Dossiertest" in text
    assert NOTE in text
    assert AuditLogEntry.objects.filter(
        action=AuditAction.EXPORT,
        object_type="cases.case",
        object_id=str(case.pk),
        actor__email=OFFICER,
    ).exists()


@pytest.mark.parametrize("viewport", [WIDE, NARROW], ids=["1280", "390"])
def test_the_printed_case_page_shows_the_journal_without_menu_or_forms(
    page, log_in, demo, case, viewport
):
    page.set_viewport_size(viewport)
    log_in(OFFICER, demo)
    page.goto(reverse("cases:case_detail", args=[case.pk]))
    journal = page.get_by_test_id("journal")
    expect(journal).to_contain_text(NOTE)
    # On screen: the search, the journal's form and the link to the PDF; no print header.
    expect(page.get_by_role("search", name="Zoeken in casussen en leerlingen")).to_be_attached()
    expect(page.get_by_role("button", name="Toevoegen aan het journaal")).to_be_visible()
    expect(page.get_by_test_id("print-header")).to_be_hidden()

    page.emulate_media(media="print")

    expect(journal).to_be_visible()
    expect(page.get_by_text(NOTE)).to_be_visible()
    expect(page.get_by_test_id("print-header")).to_be_visible()
    expect(page.get_by_test_id("print-header")).to_contain_text(f"Casus {case.pk}")
    for hidden in (
        page.get_by_role("navigation", name="Hoofdmenu", include_hidden=True),
        page.locator("#header-search"),
        page.locator("#section-journal form"),
        page.get_by_role("button", name="Toevoegen aan het journaal", include_hidden=True),
        page.get_by_role("button", name="Uitloggen", include_hidden=True),
        page.locator("details.app-case-details").first,
        page.get_by_test_id("case-file-pdf"),
    ):
        expect(hidden).to_be_hidden()
    # Tables print at full width: no scroll wrapper cuts them off.
    wrapper = page.locator(".app-table-wrapper").first
    if wrapper.count():
        assert wrapper.evaluate("el => getComputedStyle(el).overflowX") == "visible"

    page.emulate_media(media="screen")
    expect(page.get_by_role("button", name="Toevoegen aan het journaal")).to_be_visible()
