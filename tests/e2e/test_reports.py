"""Acceptance of the reports: an SWV director reads the dashboard, switches between the two
definitions, requests the quarterly OOGO report, a real Celery worker renders it, and the
director downloads the PDF."""

import io

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from reports.periods import Quarter

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _phase_table(page):
    return page.locator("table").filter(
        has=page.locator("caption", has_text="Open casussen per fase")
    )


def test_a_director_reads_the_dashboard_and_downloads_the_quarterly_pdf(
    page, log_in, demo, celery_worker
):
    quarter = Quarter.of(timezone.localdate())
    log_in("directeur.po@demo.test", demo)
    page.get_by_role("navigation").get_by_role("link", name="Cijfers").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Samenwerkingsverband PO Lingemond"
    )
    # Both definitions side by side by default; the director sees small numbers hidden.
    headers = _phase_table(page).locator("thead th")
    expect(headers).to_have_text(
        ["Fase", "Open casussen", "Thuiszitters (smal)", "Thuiszitters (breed)"]
    )
    expect(page.get_by_text("<5").first).to_be_visible()
    expect(page.locator("svg[role=img]").first).to_be_visible()

    page.get_by_label("Smal (Inspectie)").check()
    page.get_by_role("button", name="Tonen").click()
    expect(headers).to_have_text(["Fase", "Open casussen", "Thuiszitters (smal)"])
    assert "definition=narrow" in page.url

    page.get_by_role("navigation").get_by_role("link", name="Kwartaalrapportage").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kwartaalrapportage OOGO")
    page.get_by_label("Kwartaal").select_option(str(quarter))
    # The worker runs beside the live server, on the test settings' broker, as in production.
    with celery_worker():
        page.get_by_role("button", name="Rapportage maken").click()
        download_link = page.get_by_role("link", name="Download PDF").first
        expect(download_link).to_be_visible(timeout=60_000)
    with page.expect_download() as info:
        download_link.click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as pdf:
        reader = PdfReader(io.BytesIO(pdf.read()))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Samenwerkingsverband PO Lingemond" in text
    assert quarter.label in text
