"""The inbox ("Berichten") in the browser, on a wide and on a phone-sized screen: a
zorgcoordinator opens it from the main menu, sees the pupil's name heading the group of a
case, filters on unread messages, marks one message and then the whole case as read."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from cases.services import absence_report_submit
from escalation.models import NotificationKind
from thuiszitters.models import User

from ..factories.escalation import NotificationFactory
from ..factories.registration import enrolled_pupil, report_input
from .helpers import NARROW, WIDE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EMAIL = "zorgcoordinator.po@demo.test"


def _messages():
    """A new case of the demo PO school with two unread messages and one read, and a read
    message without a case, for the school's zorgcoordinator."""
    user = User.objects.get(email=EMAIL)
    school = user.memberships.select_related("organisation").get().organisation
    pupil = enrolled_pupil(
        school.school_detail, given_names="Noor", surname="Berichtentest", bsn=None
    )
    case = absence_report_submit(
        actor=user,
        reporting_organisation=school,
        data=report_input(pupil, kind="unauthorised", reason="Thuis sinds drie weken"),
        channel="form",
    ).case
    now = timezone.now()
    for hours in (1, 2):
        NotificationFactory(user=user, case=case, created_at=now - datetime.timedelta(hours=hours))
    NotificationFactory(
        user=user, case=case, created_at=now - datetime.timedelta(hours=3), read_at=now
    )
    NotificationFactory(
        user=user,
        case=None,
        kind=NotificationKind.ARBITRATION,
        step="",
        created_at=now - datetime.timedelta(hours=4),
        read_at=now,
    )
    return case


def _open_from_the_menu(page):
    """Click "Berichten" in the main menu, opening a menu folded behind "Menu" first."""
    menu = page.get_by_role("navigation", name="Hoofdmenu")
    link = menu.get_by_role("link", name="Berichten", include_hidden=True)
    expect(link).to_have_count(1)
    if not link.is_visible():
        menu.get_by_role("button", name="Menu").click()
    link.click()
    page.wait_for_url(lambda url: urlsplit(url).path == reverse("inbox:inbox"))


def _no_sideways_scroll(page, viewport):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"the inbox scrolls sideways: {width} px"


@pytest.mark.parametrize("viewport", [WIDE, NARROW], ids=["1280", "390"])
def test_the_inbox_groups_filters_and_marks_a_case_read(page, log_in, demo, viewport):
    case = _messages()
    page.set_viewport_size(viewport)
    log_in(EMAIL, demo)
    _open_from_the_menu(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Berichten")
    group = page.locator(f'section[data-group="{case.pk}"]')
    heading = group.get_by_role("heading", level=3)
    expect(heading).to_contain_text("Noor Berichtentest")
    expect(heading.get_by_role("link", name="Noor Berichtentest")).to_have_attribute(
        "href", reverse("cases:case_detail", args=[case.pk])
    )
    expect(group).to_contain_text("2 ongelezen")
    expect(group.locator("tr[data-notification]")).to_have_count(3)
    expect(page.locator('section[data-group="algemeen"]')).to_be_visible()
    expect(
        group.get_by_role("region", name=f"Laatste berichten over casus {case.pk}")
    ).to_be_visible()
    _no_sideways_scroll(page, viewport)

    # Only unread: the read messages and the group "Algemeen" (all read) disappear.
    filters = page.get_by_role("search", name="Berichten filteren")
    filters.get_by_label("Gelezen").select_option("unread")
    filters.get_by_role("button", name="Filteren").click()
    page.wait_for_url(lambda url: parse_qs(urlsplit(url).query).get("status") == ["unread"])
    expect(page.locator('section[data-group="algemeen"]')).to_have_count(0)
    expect(group.locator("tr[data-notification]")).to_have_count(2)
    expect(group.locator('tr[data-unread="true"]')).to_have_count(2)

    # One message read: its row and the group's count change in place.
    group.locator("tr[data-notification]").first.get_by_role(
        "button", name="Markeer als gelezen"
    ).click()
    expect(group.locator('tr[data-unread="true"]')).to_have_count(1)
    expect(group.get_by_test_id("group-unread")).to_have_text("1 ongelezen")
    expect(page.get_by_test_id("unread-summary")).to_have_text("U heeft 1 ongelezen bericht.")

    # The whole case read: nothing unread is left, on this filtered page and in the badge.
    group.get_by_role("button", name="Markeer deze casus als gelezen").click()
    expect(page.get_by_test_id("unread-summary")).to_have_text("U heeft geen ongelezen berichten.")
    expect(page.locator(f'section[data-group="{case.pk}"]')).to_have_count(0)
    expect(page.get_by_text("Geen berichten gevonden die bij deze filters passen.")).to_be_visible()
    expect(page.get_by_test_id("unread-badge")).to_have_text("")
    assert parse_qs(urlsplit(page.url).query).get("status") == ["unread"]
    _no_sideways_scroll(page, viewport)
