"""The second factor in the browser: set up at the first login, required at every later one,
recovery codes that work once, and the admin behind the same login."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories.users import PASSWORD, UserFactory, member
from thuiszitters.roles import RoleCode

from .conftest import second_factor_pass

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people(restore_roles):
    from tests.factories.organisations import (
        MunicipalityFactory,
        RegionFactory,
        SchoolFactory,
        SwvFactory,
    )

    region = RegionFactory(name="Regio E2E")
    swv = SwvFactory(name="SWV E2E", region=region)
    school = SchoolFactory(
        name="School E2E", swv=swv, municipality=MunicipalityFactory(region=region)
    )
    zc = member(school, RoleCode.ZORGCOORDINATOR, user=UserFactory(email="zc@e2e.test"))
    staff = UserFactory(email="beheer@e2e.test", is_staff=True, is_superuser=True)
    return {"zc": zc, "staff": staff}


def _password(page, email):
    page.goto(reverse("login"))
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()


def _log_out(page):
    page.get_by_role("button", name="Uitloggen").click()
    page.wait_for_url(f"**{reverse('login')}")


def test_first_login_sets_up_totp_and_later_logins_need_the_code(page, people):
    pupils = reverse("registration:pupil_list")
    _password(page, "zc@e2e.test")
    expect(page.get_by_role("heading", name="Tweede factor instellen")).to_be_visible()
    expect(page.locator(".app-qr svg")).to_be_visible()  # drawn on the server, inline
    codes = second_factor_pass(page, "zc@e2e.test")
    assert len(codes) == 10
    page.goto(pupils)
    expect(page).to_have_url(re.compile(re.escape(pupils) + "$"))
    _log_out(page)

    # The password alone reaches no page with personal data.
    _password(page, "zc@e2e.test")
    expect(page.get_by_role("heading", name="Code invoeren")).to_be_visible()
    page.goto(pupils)
    expect(page.get_by_role("heading", name="Code invoeren")).to_be_visible()
    assert reverse("second_factor_verify") in page.url

    # A recovery code works once.
    page.get_by_label("Code", exact=True).fill(codes[0])
    page.get_by_role("button", name="Controleren").click()
    expect(page).to_have_url(re.compile(re.escape(pupils) + "$"))
    _log_out(page)
    _password(page, "zc@e2e.test")
    page.get_by_label("Code", exact=True).fill(codes[0])
    page.get_by_role("button", name="Controleren").click()
    expect(page.get_by_role("alert")).to_be_visible()
    page.goto(pupils)
    expect(page.get_by_role("heading", name="Code invoeren")).to_be_visible()


def test_the_admin_uses_the_same_login(page, people):
    page.goto("/admin/")
    # Django's own admin form is not there: the application's login is.
    page.wait_for_url(lambda url: url.split("?")[0].endswith(reverse("login")))
    page.get_by_label("E-mailadres").fill("beheer@e2e.test")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    second_factor_pass(page, "beheer@e2e.test", app_page=False)
    expect(page).to_have_url(re.compile("/admin/$"))
    expect(page.locator("#site-name")).to_be_visible()
