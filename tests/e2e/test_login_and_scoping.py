import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from thuiszitters.models import Samenwerkingsverband

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_user_logs_in_and_sees_their_home_page(page, log_in, demo):
    log_in("directeur.po@demo.test", demo)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Pieter van Dijk")
    expect(page.get_by_role("main")).to_contain_text("Samenwerkingsverband PO Lingemond")
    expect(page.get_by_role("main")).to_contain_text("Annemiek Jansen")  # a colleague
    # Keyboard users reach the skip link first.
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text(re.compile("inhoud", re.IGNORECASE))


def test_user_of_one_swv_cannot_open_another_swvs_page(page, log_in, demo):
    log_in("directeur.po@demo.test", demo)
    own = Samenwerkingsverband.objects.get(code="PO 99-01")
    other = Samenwerkingsverband.objects.get(code="VO 99-01")
    page.goto(reverse("organisation_detail", args=[own.pk]))
    expect(page.get_by_role("heading", level=1)).to_contain_text(own.name)
    response = page.goto(reverse("organisation_detail", args=[other.pk]))
    assert response.status == 404
    expect(page.locator("body")).not_to_contain_text(other.name)


def test_wrong_password_shows_a_field_error_in_dutch(page, demo):
    page.goto("/login/")
    page.get_by_label("E-mailadres").fill("directeur.po@demo.test")
    page.get_by_label("Wachtwoord").fill("niet-het-wachtwoord")
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_label("E-mailadres")).to_have_value("directeur.po@demo.test")


def test_language_switch_to_english(page, log_in, demo):
    log_in("directeur.po@demo.test", demo)
    page.get_by_label(re.compile("Taal|Language")).select_option("en")
    page.get_by_role("button", name=re.compile("Wijzig|Kies|Change|Switch", re.IGNORECASE)).click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
