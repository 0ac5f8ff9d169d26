"""The second factor over HTTP: setup at the first login, verification, recovery codes, the
one login path of /admin/, the API, and the functional administrator's reset."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from thuiszitters.models import AuditAction, AuditLogEntry
from thuiszitters.roles import RoleCode
from thuiszitters.services import api_token_create
from thuiszitters.twofactor import second_factor_reset

from ..conftest import verified_device
from ..factories.second_factor import log_in_fully, totp_token
from ..factories.users import SETUP, UserFactory, member

PERSONAL_DATA_PAGE = "registration:pupil_list"


def _password_only(client, user, password):
    response = client.post(reverse("login"), {"username": user.email, "password": password})
    assert response.status_code == 302
    return response


def test_first_login_sets_up_totp_and_shows_ten_recovery_codes_once(
    client, world, user_with_role, password
):
    user = user_with_role(RoleCode.ZORGCOORDINATOR)
    response = _password_only(client, user, password)
    assert response["Location"].startswith(reverse("second_factor_verify"))
    response = client.get(response["Location"])
    assert response["Location"].startswith(reverse("second_factor_setup"))
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "<svg" in html  # the QR code, inline
    assert 'data-testid="totp-secret"' in html
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert client.get(reverse("second_factor_setup")).status_code == 200
    assert TOTPDevice.objects.get(user=user).pk == device.pk  # a reload keeps the secret
    done = client.post(reverse("second_factor_setup"), {"token": totp_token(device)})
    codes = StaticToken.objects.filter(device__user=user).values_list("token", flat=True)
    assert len(codes) == 10
    assert all(code in done.content.decode() for code in codes)
    assert client.get(reverse(PERSONAL_DATA_PAGE)).status_code == 200
    # Set up once: the setup page now leads to the verify page, which leads on.
    assert client.get(reverse("second_factor_setup")).status_code == 302
    for entry in AuditLogEntry.objects.filter(actor=user):
        assert not any(code in str(entry.changes) + entry.reason for code in codes)


def test_a_wrong_setup_code_confirms_nothing(client, world, user_with_role, password):
    user = user_with_role(RoleCode.ZORGCOORDINATOR)
    _password_only(client, user, password)
    client.get(reverse("second_factor_setup"))
    response = client.post(reverse("second_factor_setup"), {"token": "000000"})
    assert response.status_code == 200
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    assert client.get(reverse(PERSONAL_DATA_PAGE)).status_code == 302


def test_password_without_code_reaches_no_personal_data_nor_admin_nor_api(
    client, world, user_with_role, password
):
    user = member(world.school, RoleCode.ZORGCOORDINATOR, user=UserFactory(is_staff=True))
    verified_device(user)
    _password_only(client, user, password)
    response = client.get(reverse(PERSONAL_DATA_PAGE))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("second_factor_verify"))
    admin = client.get("/admin/")
    assert admin.status_code == 302
    assert reverse("second_factor_verify") in admin["Location"]
    assert client.get(reverse("pupil-list")).status_code in (401, 403)
    assert client.get(reverse("user-me")).status_code in (401, 403)


def test_the_code_verifies_and_each_verification_is_audited_without_the_code(
    client, world, user_with_role, password
):
    user = user_with_role(RoleCode.LEERPLICHT)
    device = verified_device(user)
    _password_only(client, user, password)
    wrong = client.post(reverse("second_factor_verify"), {"token": "123456"})
    assert wrong.status_code == 200
    assert client.get(reverse(PERSONAL_DATA_PAGE)).status_code == 302
    failed = AuditLogEntry.objects.get(action=AuditAction.LOGIN_FAILED, actor=user)
    assert failed.reason == "second factor (code)"
    assert failed.region_id == world.region.pk
    device.throttling_failure_count = 0  # django-otp made us wait a second; skip the wait
    device.throttling_failure_timestamp = None
    device.save()
    token = totp_token(device)
    response = client.post(
        reverse("second_factor_verify"), {"token": token, "next": reverse(PERSONAL_DATA_PAGE)}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse(PERSONAL_DATA_PAGE)
    assert client.get(reverse(PERSONAL_DATA_PAGE)).status_code == 200
    entries = AuditLogEntry.objects.filter(actor=user)
    assert entries.filter(action=AuditAction.LOGIN, reason="second factor (code)").exists()
    assert not any(token in str(e.changes) + e.reason for e in entries)


def test_wrong_codes_are_throttled(client, world, user_with_role, password):
    user = user_with_role(RoleCode.LEERPLICHT)
    device = verified_device(user)
    _password_only(client, user, password)
    for _ in range(3):
        client.post(reverse("second_factor_verify"), {"token": "000000"})
    # Even the right code waits now (django-otp: 1, 2, 4 ... seconds after each failure).
    client.post(reverse("second_factor_verify"), {"token": totp_token(device)})
    assert client.get(reverse(PERSONAL_DATA_PAGE)).status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count >= 1


def test_a_recovery_code_works_once(client, world, user_with_role, password):
    user = user_with_role(RoleCode.ZORGCOORDINATOR)
    log_in_fully(client, user, password)  # sets up, with codes
    code = StaticToken.objects.filter(device__user=user).first().token
    client.post(reverse("logout"))
    _password_only(client, user, password)
    assert client.post(reverse("second_factor_verify"), {"token": code}).status_code == 302
    assert client.get(reverse(PERSONAL_DATA_PAGE)).status_code == 200
    assert AuditLogEntry.objects.filter(reason="second factor (recovery code)").count() == 1
    client.post(reverse("logout"))
    _password_only(client, user, password)
    assert client.post(reverse("second_factor_verify"), {"token": code}).status_code == 200
    assert client.get(reverse(PERSONAL_DATA_PAGE)).status_code == 302
    assert StaticToken.objects.filter(device__user=user).count() == 9


def test_admin_login_is_the_apps_login(client, world, user_with_role, password):
    response = client.get("/admin/login/?next=/admin/core/organisation/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "next=/admin/core/organisation/" in response["Location"]
    staff = UserFactory(is_staff=True, is_superuser=True)
    # Django's own admin form is gone: posting to it logs no one in.
    client.post("/admin/login/", {"username": staff.email, "password": password})
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302
    log_in_fully(client, staff, password)
    assert client.get("/admin/").status_code == 200


def test_an_organisation_token_needs_no_second_factor(client, world):
    token, key = api_token_create(organisation=world.school, name="ParnasSys", actor=SETUP)
    assert not TOTPDevice.objects.filter(user=token.user).exists()
    response = client.get(reverse("school-list"), HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    assert client.get(reverse("user-me"), HTTP_AUTHORIZATION=f"Token {key}").status_code == 200


def test_the_functional_administrator_resets_a_second_factor_audited(
    client, world, user_with_role, password
):
    person = user_with_role(RoleCode.ZORGCOORDINATOR)
    log_in_fully(client, person, password)
    admin = user_with_role(RoleCode.FUNCTIONAL_ADMIN)
    admin_client = Client()
    admin_client.force_login(admin)
    url = reverse("second_factor_reset", args=[person.pk])
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"reason": "Telefoon kwijt"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=person).exists()
    assert not StaticDevice.objects.filter(user=person).exists()
    entry = AuditLogEntry.objects.get(actor=admin, object_id=str(person.pk))
    assert entry.action == AuditAction.UPDATE
    assert entry.reason == "second factor reset: Telefoon kwijt"
    # The person's session is no longer verified; the next login sets up a new device.
    response = client.get(reverse(PERSONAL_DATA_PAGE))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("second_factor_verify"))


@pytest.mark.parametrize("role", [RoleCode.SWV_DIRECTOR, RoleCode.LEERPLICHT])
def test_others_cannot_reset_a_second_factor(world, user_with_role, login, role):
    person = user_with_role(RoleCode.ZORGCOORDINATOR)
    verified_device(person)
    actor = user_with_role(role)
    url = reverse("second_factor_reset", args=[person.pk])
    assert login(actor).post(url, {"reason": "Telefoon kwijt"}).status_code == 404
    with pytest.raises(PermissionDenied):
        second_factor_reset(user=person, actor=actor, reason="x")
    with pytest.raises(PermissionDenied):
        second_factor_reset(user=person, actor=SETUP, reason="x")
    assert TOTPDevice.objects.filter(user=person).exists()


def test_an_administrator_of_another_region_cannot_reset(world, user_with_role, login):
    person = user_with_role(RoleCode.ZORGCOORDINATOR)
    verified_device(person)
    other = user_with_role(RoleCode.FUNCTIONAL_ADMIN, organisation=world.region_b)
    url = reverse("second_factor_reset", args=[person.pk])
    assert login(other).post(url, {"reason": "Telefoon kwijt"}).status_code == 404
    with pytest.raises(PermissionDenied):
        second_factor_reset(user=person, actor=other, reason="x")
    assert TOTPDevice.objects.filter(user=person).exists()


def test_the_organisation_page_links_the_reset_for_administrators_only(
    world, user_with_role, login
):
    person = user_with_role(RoleCode.SWV_CONSULTANT)
    url = reverse("second_factor_reset", args=[person.pk])
    page = reverse("organisation_detail", args=[world.swv.pk])
    admin_html = login(user_with_role(RoleCode.FUNCTIONAL_ADMIN)).get(page).content.decode()
    assert url in admin_html
    director_html = login(user_with_role(RoleCode.SWV_DIRECTOR)).get(page).content.decode()
    assert url not in director_html


def test_the_pages_before_the_second_factor_show_no_menu(client, world, user_with_role, password):
    """Every place in the menu is closed until the second factor is given: no links that lead
    back to the verify page, and no badge whose partial is refused."""
    user = user_with_role(RoleCode.ZORGCOORDINATOR)
    _password_only(client, user, password)
    setup = client.get(reverse("second_factor_setup")).content.decode()
    assert reverse("inbox:unread_count") not in setup
    assert reverse(PERSONAL_DATA_PAGE) not in setup
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    client.post(reverse("second_factor_setup"), {"token": totp_token(device)})
    home = client.get(reverse("home")).content.decode()
    assert reverse("inbox:unread_count") in home
