"""axe-core (WCAG 2.1 A and AA) on every page of the three journeys of issue 17 (a leerplicht
consultant, a casusregisseur and an SWV director), at 1280x900 and at 390x844: no violation.

Each page is checked as it is first shown and, where it has one, with its folded content
opened (the menu on a small screen), since axe checks only what is rendered.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from escalation.services.deadlines import deadlines_compute

from .axe import axe_violations, describe
from .helpers import NARROW, WIDE, demo_school_case

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def case(demo):
    case = demo_school_case("Axel", "Toegang", "Thuis sinds twee weken")
    deadlines_compute([case.pk])
    return case


def _journey(role: str, case) -> list[str]:
    common = [reverse("home"), reverse("password_change")]
    if role == "leerplicht":
        return [
            *common,
            reverse("caselists:my_work"),
            reverse("caselists:case_list"),
            reverse("cases:case_detail", args=[case.pk]),
            reverse("escalation:case_route", args=[case.pk]),
            reverse("deadlines:deadline_list"),
            reverse("inbox:inbox"),
            reverse("inbox:preferences"),
            reverse("registration:pupil_list"),
            reverse("registration:pupil_detail", args=[case.pupil_id]),
            reverse("registration:report_list"),
            reverse("reports:dashboard"),
            reverse("reportlists:list"),
            reverse("organisation_list"),
        ]
    if role == "casusregisseur":
        return [
            *common,
            reverse("caselists:my_work"),
            reverse("caselists:case_list"),
            reverse("deadlines:deadline_list"),
            reverse("escalation:agenda"),
            reverse("inbox:inbox"),
        ]
    return [  # the SWV director
        *common,
        reverse("reports:dashboard"),
        reverse("quarterly:list"),
        reverse("organisation_list"),
    ]


def _check(page, path: str, found: dict, where: str) -> None:
    response = page.goto(path)
    assert response is not None and response.status == 200, (path, response and response.status)
    page.wait_for_load_state("networkidle")  # htmx parts (work summary, key figures, badge)
    violations = axe_violations(page)
    if violations:
        found[where + path] = violations
    menu_button = page.get_by_role("navigation", name="Hoofdmenu").get_by_role("button")
    if menu_button.count() and menu_button.first.is_visible():
        menu_button.first.click()
        expect(menu_button.first).to_have_attribute("aria-expanded", "true")
        violations = axe_violations(page)
        if violations:
            found[f"{where}{path} (menu open)"] = violations


def test_no_axe_violations_on_the_journeys_pages(page, log_in, demo, case):
    """One seeded region and one browser for the three journeys, each at both sizes (a
    test per journey and size seeded the region six times: minutes of CI for nothing)."""
    found: dict[str, list[dict]] = {}
    for role in ("leerplicht", "casusregisseur", "directeur.po"):
        page.context.clear_cookies()
        page.set_viewport_size(WIDE)
        page.goto(reverse("login"))
        found.update({f"{role} login": v for v in [axe_violations(page)] if v})
        log_in(f"{role}@demo.test", demo)
        for name, viewport in (("1280", WIDE), ("390", NARROW)):
            page.set_viewport_size(viewport)
            for path in _journey(role, case):
                _check(page, path, found, f"{role} {name} ")
    assert not found, "axe found violations:\n" + describe(found)


def test_axe_reports_a_violation_when_there_is_one(page, live_server, db):
    """The check can fail: the login page with its e-mail field's label removed."""
    page.goto(reverse("login"))
    assert axe_violations(page) == []
    page.evaluate("() => document.querySelector('label[for=id_username]').remove()")
    assert "label" in {v["id"] for v in axe_violations(page)}
