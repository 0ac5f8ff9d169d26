"""The case list's "Volgende stap" in the browser (issue 17): a leerplicht officer of the demo
region sorts the case list by the next deadline, on a wide and on a phone-sized screen, and
sees the overdue case first with its next route step; at 1280 px the table still fits."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from escalation.models import CaseDeadline
from escalation.services.deadlines import deadlines_compute

from .helpers import NARROW, WIDE, demo_school_case

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _overdue_case():
    """A new case of the demo PO school whose stored step is long overdue: the earliest
    deadline of the region."""
    case = demo_school_case("Sem", "Staptest", "Thuis sinds de herfst")
    deadlines_compute([case.pk])
    due_on = timezone.localdate() - datetime.timedelta(days=3650)
    CaseDeadline.objects.filter(case=case).update(due_on=due_on)
    return case, CaseDeadline.objects.get(case=case)


@pytest.mark.parametrize("viewport", [WIDE, NARROW], ids=["1280", "390"])
def test_an_officer_sorts_the_case_list_by_deadline(page, log_in, demo, viewport):
    case, deadline = _overdue_case()
    page.set_viewport_size(viewport)
    log_in("leerplicht@demo.test", demo)
    page.goto(reverse("caselists:case_list"))

    search = page.get_by_role("search", name="Casussen zoeken en filteren")
    search.get_by_label("Sorteren op").select_option("next_step")
    search.get_by_role("button", name="Filteren").click()
    page.wait_for_url("**sort=next_step**")

    table = page.get_by_test_id("case-table")
    # The step sits under the phase (one column: nine made the table too wide at 1280).
    header = table.get_by_role("columnheader", name=re.compile("Volgende stap"))
    expect(header).to_have_attribute("aria-sort", "ascending")
    first = table.locator("tbody tr").first
    expect(first).to_have_attribute("data-case", str(case.pk))
    expect(first).to_contain_text("Sem Staptest")
    cell = first.get_by_test_id("next-step")
    expect(cell).to_contain_text(
        f"{deadline.get_step_display()}, uiterlijk {deadline.due_on.strftime('%d-%m-%Y')}"
    )
    expect(cell.get_by_test_id("next-step-overdue")).to_have_text("verlopen")

    # The header sorts the other way: the overdue case goes down, the soonest-first gone.
    header.get_by_role("link", name=re.compile("^Volgende stap")).click()
    page.wait_for_url("**sort=-next_step**")
    expect(header).to_have_attribute("aria-sort", "descending")
    expect(table.locator("tbody tr").first).not_to_have_attribute("data-case", str(case.pk))

    page.wait_for_load_state("networkidle")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"the case list scrolls sideways: {width} px"
    if viewport is WIDE:
        # At 1280 the eight columns fit their wrapper: nothing to scroll at all.
        fits = page.evaluate(
            """() => { const t = document.querySelector('[data-testid="case-table"]');
            return t.scrollWidth <= t.closest('.app-table-wrapper').clientWidth; }"""
        )
        assert fits, "the case table is wider than its column at 1280 px"
