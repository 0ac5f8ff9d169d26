"""Sessions end after SESSION_IDLE_TIMEOUT_MINUTES without a request, and after
SESSION_COOKIE_AGE from sign-in however busy (thuiszitters.middleware.IdleTimeoutMiddleware)."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from thuiszitters.models import AuditAction, AuditLogEntry
from thuiszitters.roles import RoleCode

MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture
def user(world, user_with_role):
    return user_with_role(RoleCode.ZORGCOORDINATOR)


@pytest.fixture
def signed_in(user, login, frozen_clock):
    client = login(user)
    assert client.get(reverse("home")).status_code == 200
    return client


def _timeouts(user):
    return list(
        AuditLogEntry.objects.filter(actor=user, action=AuditAction.LOGOUT).values_list(
            "reason", flat=True
        )
    )


def test_the_default_idle_timeout_is_thirty_minutes(settings):
    assert settings.SESSION_IDLE_TIMEOUT_MINUTES == 30


def test_an_idle_session_ends_with_a_message_and_an_audited_logout(signed_in, user, frozen_clock):
    frozen_clock.shift(31 * MINUTE)
    response = signed_in.get(reverse("registration:pupil_list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("niets heeft gedaan" in m for m in messages)
    assert _timeouts(user) == ["idle_timeout"]
    # Signed out for good: the next request is anonymous.
    again = signed_in.get(reverse("home"))
    assert again.status_code == 302 and again["Location"].startswith(reverse("login"))


def test_activity_keeps_the_session_alive_and_htmx_partials_count(signed_in, frozen_clock):
    for _ in range(3):
        frozen_clock.shift(20 * MINUTE)
        partial = signed_in.get(reverse("inbox:unread_count"), headers={"HX-Request": "true"})
        assert partial.status_code == 200
    assert signed_in.get(reverse("home")).status_code == 200


def test_an_idle_htmx_request_redirects_the_whole_page(signed_in, frozen_clock):
    frozen_clock.shift(31 * MINUTE)
    response = signed_in.get(reverse("inbox:unread_count"), headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("login")


def test_an_idle_session_is_not_accepted_by_the_api(signed_in, frozen_clock):
    assert signed_in.get("/api/v1/users/me/").status_code == 200
    frozen_clock.shift(31 * MINUTE)
    response = signed_in.get("/api/v1/users/me/")
    assert response.status_code in (401, 403)
    assert response["Content-Type"].startswith("application/json")


def test_the_idle_timeout_is_configurable(settings, signed_in, frozen_clock):
    settings.SESSION_IDLE_TIMEOUT_MINUTES = 5
    frozen_clock.shift(4 * MINUTE)
    assert signed_in.get(reverse("home")).status_code == 200
    frozen_clock.shift(6 * MINUTE)
    assert signed_in.get(reverse("home")).status_code == 302


def test_the_absolute_limit_holds_however_busy_the_user_is(signed_in, user, settings, frozen_clock):
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    for _ in range(23):  # a request every 20 minutes: never idle, 7 h 40 min in
        frozen_clock.shift(20 * MINUTE)
        assert signed_in.get(reverse("home")).status_code == 200
    frozen_clock.shift(25 * MINUTE)  # 8 h 5 min after sign-in, 25 minutes idle
    response = signed_in.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert _timeouts(user) == ["session_age"]


def test_a_real_login_starts_the_clocks(world, user, password, client, frozen_clock):
    response = client.post(reverse("login"), {"username": user.email, "password": password})
    assert response.status_code == 302
    session = client.session
    assert session["_signed_in_at"] == session["_last_activity"]
