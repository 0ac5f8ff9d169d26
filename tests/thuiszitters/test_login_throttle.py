from django.urls import reverse

from thuiszitters.models import AuditLogEntry
from thuiszitters.roles import RoleCode


def test_too_many_failures_lock_the_account_even_for_the_right_password(
    client, world, user_with_role, password, settings
):
    settings.LOGIN_MAX_FAILURES = 3
    user = user_with_role(RoleCode.LEERPLICHT)
    for _ in range(3):
        client.post(reverse("login"), {"username": user.email, "password": "wrong"})
    response = client.post(reverse("login"), {"username": user.email, "password": password})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "Te veel mislukte inlogpogingen" in response.content.decode()
    assert AuditLogEntry.objects.filter(reason="throttled", actor_email=user.email).count() == 1


def test_one_address_guessing_many_accounts_is_locked_too(
    client, world, user_with_role, password, settings
):
    settings.LOGIN_MAX_FAILURES = 3
    for n in range(3):
        client.post(reverse("login"), {"username": f"guess{n}@example.test", "password": "x"})
    user = user_with_role(RoleCode.LEERPLICHT)
    response = client.post(reverse("login"), {"username": user.email, "password": password})
    assert "_auth_user_id" not in client.session
    assert response.status_code == 200


def test_a_successful_login_resets_the_account_counter(
    client, world, user_with_role, password, settings
):
    settings.LOGIN_MAX_FAILURES = 3
    user = user_with_role(RoleCode.LEERPLICHT)

    def attempt(secret, address):
        return client.post(
            reverse("login"), {"username": user.email, "password": secret}, REMOTE_ADDR=address
        )

    attempt("wrong", "192.0.2.1")
    attempt("wrong", "192.0.2.1")
    assert attempt(password, "192.0.2.2").status_code == 302
    client.post(reverse("logout"))
    attempt("wrong", "192.0.2.3")
    attempt("wrong", "192.0.2.3")
    # Without the reset the account would have 4 failures and be locked.
    assert attempt(password, "192.0.2.4").status_code == 302
