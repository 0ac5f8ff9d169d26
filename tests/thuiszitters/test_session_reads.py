"""What a request reads of its session, user and second factor: the session store (one fixed
statement, thuiszitters/sessions.py), the user (kept query, thuiszitters.backends) and the
verifying device (kept query, thuiszitters.middleware.OTPMiddleware) read what Django and
django-otp would read."""

import datetime

import django_otp.middleware
import pytest
from django.contrib.auth import get_user
from django.contrib.sessions.models import Session
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from thuiszitters.backends import ModelBackend
from thuiszitters.roles import RoleCode
from thuiszitters.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_a_saved_session_reads_back_whole():
    store = SessionStore()
    store["answer"] = {"list": [1, 2], "text": "é"}
    store.save()
    again = SessionStore(store.session_key)
    assert again["answer"] == {"list": [1, 2], "text": "é"}
    assert again.session_key == store.session_key


def test_an_expired_or_unknown_session_reads_empty_and_gets_a_new_key():
    store = SessionStore()
    store["x"] = 1
    store.save()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    expired = SessionStore(store.session_key)
    assert expired.load() == {}
    assert expired.session_key is None  # as Django: never saved again under the old key

    unknown = SessionStore("a" * 32)
    assert unknown.load() == {}
    assert unknown.session_key is None


def test_the_app_reads_its_sessions_users_and_devices_this_way(settings):
    assert settings.SESSION_ENGINE == "thuiszitters.sessions"
    assert settings.AUTHENTICATION_BACKENDS[0] == "thuiszitters.backends.ModelBackend"
    assert "django.contrib.auth.backends.ModelBackend" not in settings.AUTHENTICATION_BACKENDS
    assert "thuiszitters.middleware.OTPMiddleware" in settings.MIDDLEWARE
    assert "django_otp.middleware.OTPMiddleware" not in settings.MIDDLEWARE


@pytest.fixture
def signed_in(world, user_with_role, login):
    user = user_with_role(RoleCode.ZORGCOORDINATOR)
    client = login(user)
    assert client.get(reverse("home")).status_code == 200
    return user, client


def _to_verify(response) -> bool:
    return response.status_code == 302 and reverse("second_factor_verify") in response["Location"]


def _store_device(client, persistent_id: str) -> None:
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = persistent_id
    session.save()


def test_a_session_whose_row_expired_is_signed_out(signed_in):
    _user, client = signed_in
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def _signed_out(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_session_reads_its_user_by_the_kept_query(signed_in, django_assert_num_queries):
    user, client = signed_in
    request = RequestFactory().get("/")
    request.session = client.session
    dict(request.session.items())  # read here, not in the block below
    with django_assert_num_queries(1):  # the user
        assert get_user(request) == user
    backend = ModelBackend()
    assert backend.get_user(user.pk) == user and backend.get_user(str(user.pk)) == user
    assert backend.get_user(-1) is None


def test_a_deactivated_user_is_signed_out(signed_in):
    user, client = signed_in
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert _signed_out(client.get(reverse("home")))


def test_a_changed_password_signs_the_other_sessions_out(signed_in):
    user, client = signed_in
    user.set_password("een heel ander wachtwoord 42")
    user.save(update_fields=["password"])
    assert _signed_out(client.get(reverse("home")))


def test_a_removed_device_no_longer_verifies_the_session(signed_in):
    user, client = signed_in
    TOTPDevice.objects.filter(user=user).delete()
    assert _to_verify(client.get(reverse("home")))


def test_an_unconfirmed_device_does_not_verify(signed_in):
    user, client = signed_in
    TOTPDevice.objects.filter(user=user).update(confirmed=False)
    assert _to_verify(client.get(reverse("home")))


def test_another_users_device_does_not_verify(signed_in, user_with_role):
    _user, client = signed_in
    other = user_with_role(RoleCode.ZORGCOORDINATOR)
    theirs = TOTPDevice.objects.create(user=other, name="authenticator", confirmed=True)
    _store_device(client, theirs.persistent_id)
    assert _to_verify(client.get(reverse("home")))


def test_a_recovery_device_verifies_as_django_otp_reads_it(signed_in):
    user, client = signed_in
    static = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    _store_device(client, static.persistent_id)
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.parametrize(
    "persistent_id",
    [
        "nonsense",
        "otp_totp.totpdevice/abc",
        "otp_totp.nosuchmodel/1",
        "core.user/1",  # a model that is not a device
        "otp_totp.totpdevice/999999",
    ],
)
def test_a_malformed_or_foreign_device_id_does_not_verify(signed_in, persistent_id):
    _user, client = signed_in
    _store_device(client, persistent_id)
    assert _to_verify(client.get(reverse("home")))


def test_the_device_read_overrides_a_method_django_otp_still_has():
    # If django-otp renames it, the override would silently stop being used.
    assert "_device_from_persistent_id" in vars(django_otp.middleware.OTPMiddleware)
    assert "_normalize_persistent_id" in vars(django_otp.middleware.OTPMiddleware)
