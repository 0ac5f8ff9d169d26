"""The workspace in English (issue 17): the journal's system texts in the reader's language
and menu labels that say apart absence reports, reporting absence and the figures; and the
director's start page with its key figures on a phone-sized screen."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from .helpers import NARROW, WIDE, demo_school_case

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [WIDE, NARROW], ids=["1280", "390"])
def test_in_english_the_journal_and_the_menu_read_as_english(page, log_in, demo, viewport):
    case = demo_school_case("Eva", "Engels", "At home since autumn")
    page.set_viewport_size(viewport)
    log_in("leerplicht@demo.test", demo)
    page.goto(reverse("cases:case_detail", args=[case.pk]))
    page.locator("#language-switch").select_option("en")
    page.locator("form.app-language button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    journal = page.get_by_test_id("journal")
    expect(journal).to_contain_text(f"Case opened after a report by {case.lead_organisation.name}.")
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
