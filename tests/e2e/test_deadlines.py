"""The "Termijnen" page in the browser: a leerplicht officer opens it from the main menu, on a
wide and on a phone-sized screen, and sees the coming route deadline of a case of the demo
region, linked to its case page."""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from escalation.models import CaseDeadline
from escalation.services.deadlines import deadlines_compute

from .helpers import NARROW, WIDE, demo_school_case

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _case_with_a_deadline():
    """A new case of the demo PO school, its deadline stored as the sweep would."""
    case = demo_school_case("Fenna", "Termijntest", "Thuis sinds twee weken")
    deadlines_compute([case.pk])
    return case, CaseDeadline.objects.get(case=case)


def _open_from_the_menu(page, *, folded_allowed: bool):
    """Click "Termijnen" in the main menu; a menu folded behind a "Menu" button is opened
    first. Only on a small screen may the page be reached by its URL instead (the folding
    menu is a colleague's concurrent work: its button may not exist yet)."""
    menu = page.get_by_role("navigation", name="Hoofdmenu")
    link = menu.get_by_role("link", name="Termijnen", exact=True, include_hidden=True)
    expect(link).to_have_count(1)  # in the menu, folded or not
    if not link.is_visible():
        button = menu.get_by_role("button", name="Menu")
        if button.count() and button.first.is_visible():
            button.first.click()
    if link.is_visible():
        link.click()
    else:
        assert folded_allowed, "the menu item is hidden on a wide screen"
        page.goto(reverse("deadlines:deadline_list"))
    page.wait_for_url(lambda url: urlsplit(url).path == reverse("deadlines:deadline_list"))


@pytest.mark.parametrize("viewport", [WIDE, NARROW], ids=["1280", "390"])
def test_an_officer_opens_the_deadlines_from_the_menu(page, log_in, demo, viewport):
    case, deadline = _case_with_a_deadline()
    page.set_viewport_size(viewport)
    log_in("leerplicht@demo.test", demo)
    _open_from_the_menu(page, folded_allowed=viewport is NARROW)

    expect(page.get_by_role("heading", level=1)).to_have_text("Termijnen")
    row = page.locator(f'tr[data-case="{case.pk}"]')
    expect(row).to_be_visible()
    expect(row).to_contain_text(deadline.due_on.strftime("%d-%m-%Y"))
    expect(row).to_contain_text(str(deadline.get_step_display()))
    expect(row).to_contain_text("Fenna Termijntest")
    row.get_by_role("link", name=f"Casus {case.pk}").click()
    page.wait_for_url(
        lambda url: urlsplit(url).path == reverse("cases:case_detail", args=[case.pk])
    )
