"""The layout uses the screen (issue 17): at 1280 px wide no table is cut off (it fits its
wrapper, or the wrapper is a focusable, labelled scroll region); at 390 px no journey page
scrolls sideways and the main menu folds behind a "Menu" button; every page has a favicon;
the SWV director finds the dashboard on the start page."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from cases.services import absence_report_submit
from thuiszitters.models import User

from ..factories.registration import enrolled_pupil, report_input
from .helpers import NARROW, WIDE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


# Per table: its width, its wrapper's width, and whether the wrapper is a scroll region a
# keyboard can reach and a screen reader names.
TABLES_JS = """
() => Array.from(document.querySelectorAll("main table")).map((table) => {
  const wrapper = table.closest(".app-table-wrapper");
  const label = wrapper && (wrapper.getAttribute("aria-label")
    || (document.getElementById(wrapper.getAttribute("aria-labelledby") || "") || {}).textContent
    || "").trim();
  return {
    caption: (table.caption ? table.caption.textContent : "").trim(),
    tableWidth: table.scrollWidth,
    wrapperWidth: wrapper ? wrapper.clientWidth : null,
    region: !!wrapper && wrapper.tabIndex === 0 && wrapper.getAttribute("role") === "region"
      && label.length > 0,
  };
})
"""


def _case_with_reports():
    """A case of the demo PO school with two reports, one with long texts."""
    reporter = User.objects.get(email="zorgcoordinator.po@demo.test")
    school = reporter.memberships.select_related("organisation").get().organisation
    pupil = enrolled_pupil(
        school.school_detail, given_names="Noor-Annemarije", surname="Breedtetest", bsn=None
    )
    case = absence_report_submit(
        actor=reporter,
        reporting_organisation=school,
        data=report_input(pupil, kind="unauthorised", reason="Zit thuis sinds de zomer"),
        channel="form",
    ).case
    absence_report_submit(
        actor=reporter,
        reporting_organisation=school,
        data=report_input(
            pupil,
            kind="medical_psychological",
            reason="Langdurig ziek",
            hours_missed_last_4_weeks=40,
        ),
        channel="form",
    )
    return case


def _tables(page) -> list[dict]:
    page.wait_for_load_state("networkidle")
    return page.evaluate(TABLES_JS)


def _no_clipped_table(page, path: str) -> list[dict]:
    page.goto(path)
    tables = _tables(page)
    clipped = [
        t for t in tables if t["wrapperWidth"] is None or t["tableWidth"] > t["wrapperWidth"]
    ]
    unreachable = [t for t in clipped if not t["region"]]
    assert unreachable == [], f"{path}: tables cut off without a scroll region: {unreachable}"
    return tables


def test_tables_fit_or_scroll_in_a_labelled_region_at_1280(page, log_in, demo):
    case = _case_with_reports()
    page.set_viewport_size(WIDE)
    log_in("leerplicht@demo.test", demo)

    # The content column grows with the screen (it stopped at 1076 px before).
    page.goto(reverse("caselists:case_list"))
    main_width = page.evaluate("document.querySelector('main').clientWidth")
    assert main_width == WIDE["width"]

    case_list = _no_clipped_table(page, reverse("caselists:case_list"))
    assert any(t["caption"] for t in case_list), "the case list shows no table"
    # At 1280 the case list's eight columns fit: nothing to scroll at all.
    assert all(t["tableWidth"] <= t["wrapperWidth"] for t in case_list)

    case_page = _no_clipped_table(page, reverse("cases:case_detail", args=[case.pk]))
    # The reports table shows all six columns without scrolling (it showed three).
    (reports,) = [t for t in case_page if t["caption"] == "Meldingen in deze casus"]
    assert reports["tableWidth"] <= reports["wrapperWidth"], reports
    # Every wrapper is a region named after its table: reachable with the keyboard.
    assert [t for t in case_list + case_page if not t["region"]] == []


def test_a_table_wider_than_the_screen_scrolls_in_a_focusable_region(page, log_in, demo):
    case = _case_with_reports()
    page.set_viewport_size(NARROW)
    log_in("leerplicht@demo.test", demo)
    page.goto(reverse("cases:case_detail", args=[case.pk]))
    tables = _tables(page)
    scrolling = [t for t in tables if t["tableWidth"] > t["wrapperWidth"]]
    assert scrolling, "at 390 px the reports table is expected to scroll"
    assert all(t["region"] for t in scrolling)
    region = page.locator("#section-reports").get_by_role("region", name="Meldingen in deze casus")
    region.focus()
    assert region.evaluate("el => el.scrollLeft") == 0
    page.keyboard.press("ArrowRight")  # the keyboard scrolls the focused region sideways
    page.wait_for_function(
        "() => document.querySelector('#section-reports .app-table-wrapper').scrollLeft > 0"
    )


def test_no_sideways_scroll_and_a_folded_menu_at_390(page, log_in, demo):
    case = _case_with_reports()
    page.set_viewport_size(NARROW)
    log_in("leerplicht@demo.test", demo)
    paths = [
        reverse("home"),
        reverse("caselists:case_list"),
        reverse("cases:case_detail", args=[case.pk]),
        reverse("caselists:my_work"),
        reverse("inbox:inbox"),
        reverse("reports:dashboard"),
        reverse("quarterly:list"),
    ]
    for path in paths:
        page.goto(path)
        page.wait_for_load_state("networkidle")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= NARROW["width"], f"{path} scrolls sideways: {width} px"

    menu = page.get_by_role("navigation", name="Hoofdmenu")
    button = menu.get_by_role("button", name="Menu")
    start = menu.get_by_role("link", name="Start")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(start).to_be_hidden()
    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(start).to_be_visible()
    start.click()
    page.wait_for_url(lambda url: url.endswith(reverse("home")))


def test_the_menu_is_open_without_a_button_at_1280(page, log_in, demo):
    page.set_viewport_size(WIDE)
    log_in("leerplicht@demo.test", demo)
    menu = page.get_by_role("navigation", name="Hoofdmenu")
    expect(menu.get_by_role("link", name="Start")).to_be_visible()
    expect(menu.get_by_role("button", name="Menu")).to_be_hidden()
    # All items on one or two rows, as before (not the stacked list of a small screen).
    height = menu.evaluate("el => el.getBoundingClientRect().height")
    assert height < 3 * 48


def test_favicon_and_the_directors_dashboard_link(page, log_in, demo):
    not_found = []
    page.on("response", lambda r: not_found.append(r.url) if r.status == 404 else None)
    page.set_viewport_size(WIDE)
    log_in("directeur.po@demo.test", demo)
    page.goto(reverse("home"))
    page.wait_for_load_state("networkidle")

    icon = page.locator("link[rel=icon]").get_attribute("href")
    response = page.request.get(icon)
    assert response.status == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert page.request.get("/favicon.ico").status == 200  # redirected to the SVG
    assert not_found == []

    # The key figures load on the start page itself, then the dashboard is one click away.
    expect(page.get_by_test_id("key-figures").get_by_test_id("tiles")).to_be_visible()
    expect(page.get_by_test_id("key-figures")).to_contain_text("Open casussen")
    link = page.get_by_role("link", name="Naar het dashboard met alle cijfers")
    expect(link).to_have_attribute("href", reverse("reports:dashboard"))
    link.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rapportage")
