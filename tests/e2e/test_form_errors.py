"""Forms in the browser: every error comes in one round, and the focus moves to the error
summary (after an htmx swap on the case page, and after a plain POST of the intake), so a
keyboard or screen-reader user starts at the list of what to fix."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from thuiszitters.models import User

from ..factories.registration import enrolled_pupil
from .helpers import NARROW, WIDE, demo_school_case

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _focused_summary(page):
    return page.evaluate(
        "() => document.activeElement && document.activeElement.hasAttribute('data-error-summary')"
    )


@pytest.mark.parametrize("viewport", [WIDE, NARROW], ids=["1280", "390"])
def test_a_case_page_form_with_errors_puts_the_focus_on_its_summary(page, log_in, demo, viewport):
    case = demo_school_case("Ilse", "Foutje", "Thuis sinds de herfst")
    page.set_viewport_size(viewport)
    log_in("leerplicht@demo.test", demo)
    page.goto(reverse("cases:case_detail", args=[case.pk]))

    plan = page.locator("#section-plan")
    plan.locator("summary", has_text="Actie toevoegen").click()
    plan.get_by_label("Actie", exact=True).fill("Gesprek met de ouders plannen")
    plan.locator("button[type=submit]", has_text="Actie toevoegen").click()

    summary = page.locator("#section-plan [data-error-summary]")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("link")).to_have_count(2)  # the owner and the due date
    expect(summary).to_be_focused()
    assert _focused_summary(page)
    # What was typed stays.
    expect(page.locator("#section-plan").get_by_label("Actie", exact=True)).to_have_value(
        "Gesprek met de ouders plannen"
    )


def test_the_intake_reports_field_errors_and_date_rules_at_once_and_focuses_them(
    page, log_in, demo
):
    school = User.objects.get(email="zorgcoordinator.po@demo.test").memberships.get().organisation
    pupil = enrolled_pupil(school.school_detail, given_names="Lotte", surname="Datum", bsn=None)
    today = timezone.localdate()
    page.set_viewport_size(WIDE)
    log_in("zorgcoordinator.po@demo.test", demo)
    page.goto(reverse("cases:intake") + f"?leerling={pupil.pk}")

    form = page.locator("form.app-form", has=page.locator("[name=absence_started_on]"))
    form.locator("[name=kind]").select_option("unauthorised")
    form.locator("[name=absence_started_on]").fill((today - datetime.timedelta(days=1)).isoformat())
    form.locator("[name=absence_ended_on]").fill((today - datetime.timedelta(days=5)).isoformat())
    # The reason and how the parents were told are left empty.
    form.locator("button[type=submit]").last.click()

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("De laatste verzuimdag ligt voor de eerste.")
    expect(summary).to_contain_text("Ouders geïnformeerd via")
    expect(summary).to_be_focused()
