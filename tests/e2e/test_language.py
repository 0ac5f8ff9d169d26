"""The workspace in English (issue 17): the journal's system texts in the reader's language
and menu labels that say apart absence reports, reporting absence and the figures; and the
director's start page with its key figures on a phone-sized screen."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from cases.services import absence_report_submit
from thuiszitters.demo import demo_region_seed
from thuiszitters.models import User

from ..factories.registration import enrolled_pupil, report_input

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1280, "height": 900}
NARROW = {"width": 390, "height": 844}


@pytest.fixture
def demo(settings, restore_roles):
    demo_region_seed()
    return settings.DEMO_PASSWORD


@pytest.mark.parametrize("viewport", [WIDE, NARROW], ids=["1280", "390"])
def test_in_english_the_journal_and_the_menu_read_as_english(page, log_in, demo, viewport):
    reporter = User.objects.get(email="zorgcoordinator.po@demo.test")
    school = reporter.memberships.select_related("organisation").get().organisation
    pupil = enrolled_pupil(school.school_detail, given_names="Eva", surname="Engels", bsn=None)
    case = absence_report_submit(
        actor=reporter,
        reporting_organisation=school,
        data=report_input(pupil, kind="unauthorised", reason="At home since autumn"),
        channel="form",
    ).case
    page.set_viewport_size(viewport)
    log_in("leerplicht@demo.test", demo)
    page.goto(reverse("cases:case_detail", args=[case.pk]))
    page.locator("#language-switch").select_option("en")
    page.locator("form.app-language button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    journal = page.get_by_test_id("journal")
    expect(journal).to_contain_text(f"Case opened after a report by {school.name}.")
    expect(journal).not_to_contain_text("Casus geopend")

    menu = page.get_by_role("navigation", name="Main menu")
    # Folded behind "Menu" at 390 px: the links' text whether shown or not.
    links = menu.get_by_role("link", include_hidden=True)
    labels = [" ".join(text.split()) for text in links.all_text_contents()]
    for label in ("Absence reports", "Report absence", "Figures"):
        assert any(text.startswith(label) for text in labels), (label, labels)
    assert len(labels) == len(set(labels)), labels  # no two items with the same name


def test_the_directors_key_figures_at_390(page, log_in, demo):
    page.set_viewport_size(NARROW)
    log_in("directeur.po@demo.test", demo)
    figures = page.get_by_test_id("key-figures")
    expect(figures.get_by_test_id("tiles")).to_be_visible()
    expect(figures).to_contain_text("Open casussen")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= NARROW["width"], width  # no sideways scroll
    page.get_by_role("link", name="Naar het dashboard met alle cijfers").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rapportage")
