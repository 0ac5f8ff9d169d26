"""Lockout per account *and* address, growing with each further failure (ADR 0016)."""

import datetime

from django.urls import reverse

from thuiszitters.login_throttle import lockout_seconds
from thuiszitters.models import AuditAction, AuditLogEntry
from thuiszitters.roles import RoleCode

OWNER, STRANGER = "192.0.2.10", "198.51.100.66"


def _attempt(client, email, secret, address):
    return client.post(
        reverse("login"), {"username": email, "password": secret}, REMOTE_ADDR=address
    )


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_too_many_failures_lock_the_pair_even_for_the_right_password(
    client, world, user_with_role, password, settings
):
    settings.LOGIN_MAX_FAILURES = 3
    user = user_with_role(RoleCode.LEERPLICHT)
    for _ in range(3):
        _attempt(client, user.email, "wrong", OWNER)
    response = _attempt(client, user.email, password, OWNER)
    assert response.status_code == 200
    assert not _signed_in(client)
    assert "Te veel mislukte inlogpogingen" in response.content.decode()
    throttled = AuditLogEntry.objects.get(reason="throttled", actor_email=user.email)
    assert throttled.region_id == world.region.pk  # audited in the account's region


def test_a_strangers_failures_from_elsewhere_do_not_lock_the_owner(
    client, world, user_with_role, password, settings
):
    settings.LOGIN_MAX_FAILURES = 3
    admin = user_with_role(RoleCode.FUNCTIONAL_ADMIN)
    for _ in range(20):
        _attempt(client, admin.email, "guess", STRANGER)
    assert "Te veel" in _attempt(client, admin.email, password, STRANGER).content.decode()
    response = _attempt(client, admin.email, password, OWNER)
    assert response.status_code == 302
    assert _signed_in(client)
    failures = AuditLogEntry.objects.filter(
        action=AuditAction.LOGIN_FAILED, actor_email=admin.email
    )
    assert failures.count() == 21
    assert set(failures.values_list("region_id", flat=True)) == {world.region.pk}


def test_the_lockout_grows_with_each_failure_after_it(
    client, world, user_with_role, password, settings, frozen_clock
):
    settings.LOGIN_MAX_FAILURES = 3
    settings.LOGIN_LOCKOUT_SECONDS = 60
    user = user_with_role(RoleCode.LEERPLICHT)
    assert [lockout_seconds(n) for n in (2, 3, 4, 5)] == [0, 60, 120, 240]
    for _ in range(3):
        _attempt(client, user.email, "wrong", OWNER)
    frozen_clock.shift(datetime.timedelta(seconds=61))
    _attempt(client, user.email, "wrong", OWNER)  # the 4th: locked for 2 minutes now
    frozen_clock.shift(datetime.timedelta(seconds=90))
    assert _attempt(client, user.email, password, OWNER).status_code == 200
    assert not _signed_in(client)
    frozen_clock.shift(datetime.timedelta(seconds=40))
    assert _attempt(client, user.email, password, OWNER).status_code == 302


def test_one_address_guessing_many_accounts_is_refused(
    client, world, user_with_role, password, settings
):
    settings.LOGIN_ADDRESS_MAX_FAILURES = 5
    for n in range(5):
        _attempt(client, f"guess{n}@example.test", "x", STRANGER)
    user = user_with_role(RoleCode.LEERPLICHT)
    assert _attempt(client, user.email, password, STRANGER).status_code == 200
    assert not _signed_in(client)
    assert _attempt(client, user.email, password, OWNER).status_code == 302


def test_a_successful_login_resets_the_pairs_counter(
    client, world, user_with_role, password, settings
):
    settings.LOGIN_MAX_FAILURES = 3
    user = user_with_role(RoleCode.LEERPLICHT)
    _attempt(client, user.email, "wrong", OWNER)
    _attempt(client, user.email, "wrong", OWNER)
    assert _attempt(client, user.email, password, OWNER).status_code == 302
    client.post(reverse("logout"))
    _attempt(client, user.email, "wrong", OWNER)
    _attempt(client, user.email, "wrong", OWNER)
    # Without the reset the pair would have 4 failures and be locked.
    assert _attempt(client, user.email, password, OWNER).status_code == 302
