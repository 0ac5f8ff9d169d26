"""Acceptance of the case page: a leerplicht consultant works a case in the browser, adding a
journal entry, an action with a due date, a meeting with a decision and an arrangement, and
closes the case with a suitable offer; the page then shows it closed with its aftercare."""

import datetime
import os

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from thuiszitters.models import User
from thuiszitters.roles import RoleCode

from ..factories.users import member
from .helpers import demo_school_case

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _case_of_demo_school():
    """A case opened by the demo PO school (its municipality is served by the bureau)."""
    return demo_school_case("Noor", "Werkbladtest", "Zit thuis sinds de zomer")


def test_leerplicht_works_a_case_through_to_closing(page, log_in, demo):
    case = _case_of_demo_school()
    today = timezone.localdate()
    log_in("leerplicht@demo.test", demo)
    page.goto(f"/casussen/{case.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Werkbladtest")
    expect(page.get_by_test_id("case-phase")).to_have_text("School")
    expect(page.locator("#case-deadline")).to_contain_text("Volgende stap")

    # Journal
    journal = page.locator("#section-journal")
    journal.get_by_label("Soort").select_option("conversation")
    journal.get_by_label("Tekst").fill("Huisbezoek: moeder wil hulp")
    journal.locator("button[type=submit]").click()
    expect(page.get_by_test_id("journal")).to_contain_text("Huisbezoek: moeder wil hulp")

    # An action with a due date
    due = today + datetime.timedelta(days=10)
    plan = page.locator("#section-plan")
    plan.locator("summary", has_text="Actie toevoegen").click()
    plan.get_by_label("Actie", exact=True).fill("Aanmelden bij het jeugdteam")
    plan.get_by_label("Wie voert de actie uit").select_option(label="Sanne Bakker")
    plan.get_by_label("Uiterlijk op").fill(due.isoformat())
    plan.locator("button[type=submit]", has_text="Actie toevoegen").click()
    actions = page.get_by_test_id("actions")
    expect(actions).to_contain_text("Aanmelden bij het jeugdteam")
    expect(actions).to_contain_text(due.strftime("%d-%m-%Y"))

    # A meeting with a decision
    meetings = page.locator("#section-meetings")
    meetings.locator("summary", has_text="Overleg vastleggen").click()
    meetings.get_by_label("Soort overleg").select_option("mdo")
    meetings.get_by_label("Datum").fill(today.isoformat())
    meetings.get_by_label("Verslag").fill("Met school, ouders en jeugdarts")
    meetings.get_by_label("Ouders aanwezig").check()
    meetings.get_by_label("Besluiten").fill("Start met twee ochtenden per week")
    meetings.locator("button[type=submit]").click()
    # No consent for an MDO yet: a warning, and a confirmation to record it anyway.
    confirm = meetings.get_by_label("Ik leg dit MDO vast zonder toestemming")
    expect(meetings.locator("#id_meeting-confirmed_without_consent_error")).to_contain_text(
        "geen toestemming"
    )
    confirm.check()
    meetings.locator("button[type=submit]").click()
    expect(page.get_by_test_id("meetings")).to_contain_text("Start met twee ochtenden per week")
    expect(page.get_by_test_id("journal")).to_contain_text("zonder toestemming")
    expect(page.get_by_test_id("journal")).to_contain_text("Start met twee ochtenden per week")

    # An arrangement, costs split 50/50 by default
    arrangements = page.locator("#section-arrangements")
    arrangements.locator("summary", has_text="Arrangement vastleggen").click()
    arrangements.get_by_label("Soort arrangement").select_option("onderwijszorgarrangement")
    arrangements.get_by_label("Start").fill(today.isoformat())
    arrangements.get_by_label("Deel van de onderwijstijd (%)").fill("40")
    arrangements.get_by_label("Kosten (frictiebudget, €)").fill("1200")
    expect(arrangements.get_by_label("Aandeel gemeente (%)")).to_have_value("50")
    arrangements.locator("button[type=submit]").click()
    table = page.get_by_test_id("arrangements")
    expect(table).to_contain_text("Onderwijszorgarrangement")
    expect(table).to_contain_text("600,00")

    if os.environ.get("CASE_PAGE_SCREENSHOT"):
        page.screenshot(path=os.environ["CASE_PAGE_SCREENSHOT"], full_page=True)

    # Close with a suitable offer
    steps = page.locator("#section-actions")
    steps.locator("summary", has_text="Casus sluiten").click()
    steps.get_by_label("Reden van sluiten").select_option("offer_started")
    steps.get_by_label("Toelichting").fill("Gestart op het arrangement")
    steps.locator("button[type=submit]", has_text="Casus sluiten").click()
    expect(page.get_by_test_id("case-phase")).to_have_text("Gesloten")
    expect(page.get_by_test_id("check-ins").locator("li")).to_have_count(3)
    expect(page.locator("#section-journal form")).to_have_count(0)
    expect(page.get_by_test_id("journal")).to_contain_text("Casus gesloten")


def test_leerplicht_adds_a_colleague_with_an_account_as_participant(page, log_in, demo):
    bureau = User.objects.get(email="leerplicht@demo.test").memberships.get().organisation
    member(bureau, RoleCode.LEERPLICHT, full_name="Kees Collega")
    case = _case_of_demo_school()
    log_in("leerplicht@demo.test", demo)
    page.goto(f"/casussen/{case.pk}/")
    participants = page.locator("#section-participants")
    expect(participants).to_contain_text("Nog geen betrokkenen")
    adding = participants.locator("details").filter(has_text="Betrokkene toevoegen")
    adding.locator("summary").click()
    adding.get_by_label("Rol in de casus").select_option("leerplicht")
    adding.get_by_label("Collega").select_option(label="Kees Collega")
    adding.locator("button[type=submit]").click()
    listed = page.get_by_test_id("participants")
    expect(listed).to_contain_text("Kees Collega")
    expect(listed).to_contain_text("Leerplichtambtenaar")
    expect(page.get_by_test_id("journal")).to_contain_text("Kees Collega")


def test_older_journal_entries_are_appended_and_take_the_focus(page, log_in, demo):
    from cases.selectors import JOURNAL_PAGE
    from cases.services import case_journal_add

    case = _case_of_demo_school()
    author = User.objects.get(email="leerplicht@demo.test")
    for i in range(JOURNAL_PAGE + 2):
        case_journal_add(case=case, actor=author, text=f"Notitie {i:03d}")
    log_in("leerplicht@demo.test", demo)
    page.goto(f"/casussen/{case.pk}/")
    journal = page.get_by_test_id("journal")
    expect(journal.locator("li")).to_have_count(JOURNAL_PAGE)
    expect(journal).not_to_contain_text("Notitie 001")
    page.get_by_role("link", name="Oudere berichten tonen").click()
    expect(journal).to_contain_text("Notitie 000")
    expect(journal.locator("li", has_text="Notitie 001")).to_be_focused()
    expect(page.get_by_role("link", name="Oudere berichten tonen")).to_have_count(0)
    assert page.url.endswith(f"/casussen/{case.pk}/")  # appended in place, no navigation
