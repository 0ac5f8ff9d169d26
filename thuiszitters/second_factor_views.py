"""Pages of the second factor: setting it up, giving a code, and the administrator's reset.

A session that gave its password reaches only these pages (and logout) until it is
verified (``LoginRequiredMiddleware``); the rules live in ``twofactor.py``.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login

from .access import get_visible_or_404, has_capability
from .forms import SecondFactorForm, SecondFactorResetForm, errors_onto_form
from .roles import Capability
from .selectors import users_visible_to
from .twofactor import (
    has_confirmed_device,
    recovery_codes_generate,
    second_factor_not_required,
    second_factor_reset,
    second_factor_verify,
    totp_device_confirm,
    totp_device_start,
    totp_qr_svg,
    totp_secret_text,
)


def safe_next(request: HttpRequest) -> str:
    """The page the person asked for, if it is on this site; else the start page."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def with_next(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


@never_cache
@second_factor_not_required
def second_factor_verify_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    next_url = safe_next(request)
    if user.is_verified():  # type: ignore[union-attr]  # installed by OTPMiddleware
        return redirect(next_url)
    if not has_confirmed_device(user):  # type: ignore[arg-type]  # signed in (middleware)
        return redirect(with_next("second_factor_setup", next_url))
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = second_factor_verify(user=user, token=form.cleaned_data["token"])  # type: ignore[arg-type]
        if device is not None:
            otp_login(request, device)
            return redirect(next_url)
        form.add_error(
            "token",
            _(
                "Deze code klopt niet of is al gebruikt. Na meerdere foute codes moet u steeds "
                "langer wachten."
            ),
        )
    return render(request, "core/auth/second_factor_verify.html", {"form": form, "next": next_url})


@never_cache
@second_factor_not_required
def second_factor_setup_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    next_url = safe_next(request)
    if user.is_verified():  # type: ignore[union-attr]  # installed by OTPMiddleware
        return redirect(next_url)
    if has_confirmed_device(user):  # type: ignore[arg-type]  # signed in (middleware)
        return redirect(with_next("second_factor_verify", next_url))
    device = totp_device_start(user=user)  # type: ignore[arg-type]
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            totp_device_confirm(user=user, device=device, token=form.cleaned_data["token"])  # type: ignore[arg-type]
        except ValidationError as exc:
            errors_onto_form(form, exc, default="token")
        else:
            otp_login(request, device)
            codes = recovery_codes_generate(user=user)  # type: ignore[arg-type]
            return render(
                request, "core/auth/recovery_codes.html", {"codes": codes, "next": next_url}
            )
    context = {
        "form": form,
        "next": next_url,
        # segno's own SVG of the otpauth URL: no user input reaches it unescaped.
        "qr_svg": mark_safe(totp_qr_svg(device)),  # noqa: S308
        "secret": totp_secret_text(device),
    }
    return render(request, "core/auth/second_factor_setup.html", context)


def second_factor_reset_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The functional administrator removes a colleague's second factor (a lost phone)."""
    if not has_capability(request.user, Capability.MANAGE_REGION):
        raise Http404
    target = get_visible_or_404(users_visible_to(request.user), pk=pk)  # type: ignore[arg-type]
    form = SecondFactorResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            second_factor_reset(
                user=target,
                actor=request.user,  # type: ignore[arg-type]
                reason=form.cleaned_data["reason"],
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            errors_onto_form(form, exc)
        else:
            messages.success(
                request,
                _("De tweede factor van %(email)s is verwijderd.") % {"email": target.email},
            )
            return redirect("home")
    return render(request, "core/auth/second_factor_reset.html", {"form": form, "target": target})
