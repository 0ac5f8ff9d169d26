"""The screenshots in docs/images/, taken from the demo region in Chromium at 1280x900.

Skipped unless DOCS_SCREENSHOTS names a folder, so the suite does not rewrite them:
    DOCS_SCREENSHOTS=docs/images bin/test tests/e2e/test_docs_screenshots.py
Each shot also checks that its page shows what the docs say it shows.
"""

import os
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from cases.models import Case
from thuiszitters.demo import demo_region_seed

from .helpers import WIDE

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("DOCS_SCREENSHOTS"), reason="set DOCS_SCREENSHOTS=<folder> to take"
    ),
]


def _shot(page, name: str) -> None:
    folder = Path(os.environ["DOCS_SCREENSHOTS"])
    folder.mkdir(parents=True, exist_ok=True)
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(folder / f"{name}.png"), full_page=False)


def test_screenshots_of_the_workspace(page, log_in, settings, restore_roles):
    demo_region_seed()
    page.set_viewport_size(WIDE)
    log_in("leerplicht@demo.test", settings.DEMO_PASSWORD)

    page.goto(reverse("caselists:case_list") + "?sort=next_step")
    expect(page.locator("[data-error-summary]")).to_have_count(0)
    expect(page.locator("table tbody tr").first).to_be_visible()
    _shot(page, "workspace-case-list")

    page.goto(reverse("deadlines:deadline_list"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Termijnen")
    _shot(page, "workspace-deadlines")

    page.goto(reverse("inbox:inbox"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Berichten")
    _shot(page, "workspace-messages")

    case = Case.objects.open().filter(lead_user__email="leerplicht@demo.test").first()
    case = case or Case.objects.open().first()
    page.goto(reverse("cases:case_detail", args=[case.pk]))
    expect(page.get_by_test_id("case-phase")).to_be_visible()
    _shot(page, "workspace-case-page")

    search = page.get_by_role("search")
    search.get_by_role("searchbox").fill(case.pupil.surname)
    search.get_by_role("searchbox").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    _shot(page, "workspace-search")

    page.context.clear_cookies()
    log_in("directeur.po@demo.test", settings.DEMO_PASSWORD)
    page.goto(reverse("home"))
    expect(page.get_by_test_id("key-figures").get_by_test_id("tiles")).to_be_visible()
    _shot(page, "director-start-page")
