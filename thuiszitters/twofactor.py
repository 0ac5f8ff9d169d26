"""The second factor: TOTP (an authenticator app) with one-time recovery codes (django-otp).

Every person's account needs one; organisation API tokens do not (they authenticate in
``api/authentication.py``). A session counts as signed in only after ``django_otp.login``
stored the verifying device in it; ``LoginRequiredMiddleware`` keeps an unverified session on
the setup and verify pages. Wrong codes are throttled by django-otp on the device (each
failure doubles the wait); every verification, good or bad, is audited without the code.
"""

from collections.abc import Callable
from typing import Any, TypeVar

import segno
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .access import region_ids_with
from .audit import audit_record
from .models import AuditAction, AuditOutcome, Membership, User
from .roles import Capability
from .system import Actor, is_system

TOTP_NAME = "authenticator"
RECOVERY_NAME = "recovery"

V = TypeVar("V", bound=Callable[..., Any])


def second_factor_not_required(view: V) -> V:
    """Mark a view that a session may reach before its second factor (login, setup, logout)."""
    view.second_factor_exempt = True  # type: ignore[attr-defined]  # read by the middleware
    return view


def second_factor_passed(user: Any) -> bool:
    """The session gave its second factor (``is_verified``, which django-otp's middleware puts
    on the request's user); False before it, for anonymous users and without that middleware."""
    verified = getattr(user, "is_verified", None)
    return verified is not None and bool(verified())


def has_confirmed_device(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def totp_device_start(*, user: User) -> TOTPDevice:
    """The unconfirmed device whose secret the user is about to scan (kept across reloads)."""
    if has_confirmed_device(user):
        raise ValidationError(_("Er is al een tweede factor ingesteld."), code="exists")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def totp_device_confirm(*, user: User, device: TOTPDevice, token: str) -> TOTPDevice:
    """Confirm the scanned secret with a first code; audited."""
    if device.user_id != user.pk or device.confirmed:
        raise PermissionDenied
    # Outside the transaction: a wrong code's throttling and audit must not be rolled back.
    if not device.verify_token("".join(token.split())):
        _audit_verification(user=user, success=False, kind="setup")
        raise ValidationError(_("Deze code klopt niet. Probeer het opnieuw."), code="invalid")
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit_record(
            actor=user,
            action=AuditAction.UPDATE,
            obj=user,
            changes={"before": {"second_factor": "none"}, "after": {"second_factor": "totp"}},
            reason="second factor set up",
        )
    return device


def recovery_codes_generate(*, user: User) -> list[str]:
    """Ten new one-time recovery codes, replacing any earlier ones. Shown once: only
    django-otp's device holds them (each is deleted when used)."""
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
        codes = [StaticToken.random_token() for _ in range(settings.RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
        audit_record(
            actor=user,
            action=AuditAction.UPDATE,
            obj=user,
            changes={"before": {}, "after": {"recovery_codes": len(codes)}},
            reason="recovery codes generated",
        )
    return codes


def second_factor_verify(*, user: User, token: str) -> Device | None:
    """The device that accepts ``token`` (six digits: the app; otherwise a recovery code,
    which then is used up), or None. Audited either way, never with the code."""
    token = "".join(token.split()).lower()
    device: Device | None = None
    if token.isdigit() and len(token) == 6:
        for totp in TOTPDevice.objects.filter(user=user, confirmed=True):
            if totp.verify_token(token):
                device = totp
                break
    elif token:
        for static in StaticDevice.objects.filter(user=user, confirmed=True):
            if static.verify_token(token):
                device = static
                break
    kind = "recovery code" if device is not None and isinstance(device, StaticDevice) else ""
    _audit_verification(user=user, success=device is not None, kind=kind or "code")
    return device


def _audit_verification(*, user: User, success: bool, kind: str) -> None:
    audit_record(
        actor=user,
        action=AuditAction.LOGIN if success else AuditAction.LOGIN_FAILED,
        outcome=AuditOutcome.SUCCESS if success else AuditOutcome.DENIED,
        reason=f"second factor ({kind})",
    )


def second_factor_reset(*, user: User, actor: Actor, reason: str) -> None:
    """Remove a person's second factor so they set up a new one at their next login (a lost
    phone). Only a functional administrator of a region the person works in; audited."""
    if is_system(actor) or not isinstance(actor, User):
        raise PermissionDenied
    regions = region_ids_with(actor, Capability.MANAGE_REGION)
    in_region = (
        Membership.objects.active().filter(user=user, organisation__region_id__in=regions).exists()
    )
    if not regions or not in_region or user.pk == actor.pk:
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": _("Geef een reden op.")}, code="required")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=user,
            changes={"before": {"second_factor": "set"}, "after": {"second_factor": "none"}},
            reason=f"second factor reset: {reason.strip()}"[:500],
        )


def totp_qr_svg(device: TOTPDevice) -> str:
    """The device's otpauth URL as an inline SVG QR code, made here (no outside service)."""
    return str(
        segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#000", light="#fff")
    )


def totp_secret_text(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand."""
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
