"""The second factor in tests: the code an authenticator app would show, and a real login."""

from django.urls import reverse
from django_otp.oath import TOTP, hotp
from django_otp.plugins.otp_totp.models import TOTPDevice


def totp_token(device: TOTPDevice) -> str:
    """The code of the device's current time step, or of the next one when the current was
    used already (django-otp accepts each step once and tolerates one step ahead)."""
    device.refresh_from_db()
    current = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).t()
    step = max(current, device.last_t + 1)
    return f"{hotp(device.bin_key, step, digits=device.digits):0{device.digits}d}"


def log_in_fully(client, user, password: str):
    """Password, then the second factor (set up on the way if the user has none yet)."""
    response = client.post(reverse("login"), {"username": user.email, "password": password})
    assert response.status_code == 302, response.content[:500]
    response = client.get(response["Location"])
    if response.status_code == 302 and response["Location"].startswith(
        reverse("second_factor_setup")
    ):
        client.get(response["Location"])
        device = TOTPDevice.objects.get(user=user, confirmed=False)
        response = client.post(reverse("second_factor_setup"), {"token": totp_token(device)})
        assert response.status_code == 200
        return response
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    response = client.post(reverse("second_factor_verify"), {"token": totp_token(device)})
    assert response.status_code == 302
    return response
