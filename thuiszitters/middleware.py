"""Request context (request id, client address), deny-by-default login, security headers,
no caching of personal data and the idle timeout."""

import ipaddress
import re
import time
import uuid

import csp.middleware
import django_otp.middleware
from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, resolve_url
from django.utils.translation import gettext as _
from django_otp.models import Device

from .api.errors import error_json, is_api_request, payload_too_large_message
from .audit import audit_record
from .models import AuditAction
from .precompiled import precompiled
from .request_context import RequestContext, set_request_context
from .twofactor import second_factor_passed

_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def _valid_ip(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def client_address(request) -> str | None:
    """The client's IP, trusting X-Forwarded-For only behind NUM_PROXIES proxies.

    Anything that is not an IP address (a proxy that appends a port, a forged header) gives
    None rather than a value the audit log's IP column would refuse.
    """
    if settings.NUM_PROXIES > 0:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= settings.NUM_PROXIES:
            return _valid_ip(forwarded[-settings.NUM_PROXIES])
    return _valid_ip(request.META.get("REMOTE_ADDR"))


class RequestContextMiddleware:
    """Gives every request an id (kept from X-Request-ID when well-formed) for logs and audit."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        with set_request_context(RequestContext(request_id, client_address(request))):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


class ApiBodySizeMiddleware:
    """Refuses an ``/api/`` body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` with a JSON 413, unread.

    Django checks the size only when ``request.body`` is read (and then answers with an HTML
    400); DRF's JSON parser reads the stream and would parse a body of any size.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and is_api_request(request):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit:
                return error_json(request, 413, "payload_too_large", payload_too_large_message())
        return self.get_response(request)


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Django's deny-by-default login (password and second factor), except for DRF views.

    DRF views authenticate themselves (session or organisation token) and deny by default
    through ``IsAuthenticated``; redirecting an API client to the login page would be wrong.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "cls", None) is not None and hasattr(
            view_func.cls, "authentication_classes"
        ):
            return None
        response = super().process_view(request, view_func, view_args, view_kwargs)
        if response is not None or getattr(view_func, "second_factor_exempt", False):
            return response
        # Password given but no second factor yet: only the setup, verify and logout pages.
        if request.user.is_authenticated and not second_factor_passed(request.user):
            if request.headers.get("HX-Request") == "true":
                return HttpResponseForbidden()  # a partial must not swap in the verify page
            return redirect_to_login(request.get_full_path(), "second_factor_verify")
        return None


#: Paths whose third-party pages carry inline style attributes: DRF's browsable API (float
#: and clear on its buttons) and Swagger UI. Only styles are relaxed there; scripts never are.
CSP_INLINE_STYLE_PREFIXES = ("/api/",)


class CSPMiddleware(csp.middleware.CSPMiddleware):
    """django-csp, with ``style-src 'unsafe-inline'`` for ``CSP_INLINE_STYLE_PREFIXES``."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and request.path_info.startswith(CSP_INLINE_STYLE_PREFIXES):
            parts.update = {**(parts.update or {}), "style-src": ["'unsafe-inline'"]}
        return parts


class SecurityHeadersMiddleware:
    """Permissions-Policy on every response: the app needs no camera, location or payment.

    Django's SecurityMiddleware sets the rest (nosniff, Referrer-Policy, COOP, HSTS) and
    django-csp the Content-Security-Policy.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.PERMISSIONS_POLICY:
            response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class NoStoreMiddleware:
    """``Cache-Control: no-store`` for every API response and every response to a signed-in
    user: personal data must not stay in a browser's or proxy's cache. Static files are
    served before this (WhiteNoise) and keep their caching."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        personal = is_api_request(request) or (user is not None and user.is_authenticated)
        # A view's own never_cache (no-store among its directives) stays as it is.
        if personal and "no-store" not in response.headers.get("Cache-Control", ""):
            response.headers["Cache-Control"] = "no-store"
            response.headers.pop("Expires", None)
        return response


SESSION_LAST_ACTIVITY = "_last_activity"
SESSION_STARTED = "_signed_in_at"
ACTIVITY_RESOLUTION = 60  # seconds


def session_clocks_start(sender, request, user, **kwargs) -> None:
    """``user_logged_in``: the session's sign-in time, from which both timeouts count."""
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[SESSION_STARTED] = now
        request.session[SESSION_LAST_ACTIVITY] = now


class IdleTimeoutMiddleware:
    """Ends a session after ``SESSION_IDLE_TIMEOUT_MINUTES`` without a request, and
    ``SESSION_COOKIE_AGE`` after sign-in however busy.

    Both are enforced on the server from times kept in the session (htmx partials count as
    activity; the last activity to the minute). The absolute limit is kept here too: Django's
    own expiry slides forward whenever the session is saved. A page gets a redirect to the
    login with a message; htmx an ``HX-Redirect``; the API finds the request unauthenticated.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in:
            now = int(time.time())
            session = request.session
            last = session.get(SESSION_LAST_ACTIVITY, now)
            started = session.get(SESSION_STARTED, now)
            if now - last > settings.SESSION_IDLE_TIMEOUT_MINUTES * 60:
                return self._expire(request, user, "idle_timeout")
            if now - started > settings.SESSION_COOKIE_AGE:
                return self._expire(request, user, "session_age")
            if SESSION_STARTED not in session:  # a session from before this middleware
                session[SESSION_STARTED] = started
            # Saved at most once a minute: not a session write for every request (nor a
            # clash between the partials of one page that load at the same moment).
            if SESSION_LAST_ACTIVITY not in session or now - last >= ACTIVITY_RESOLUTION:
                session[SESSION_LAST_ACTIVITY] = now
        return self.get_response(request)

    def _expire(self, request, user, reason: str):
        audit_record(actor=user, action=AuditAction.LOGOUT, reason=reason)
        logout(request)
        if is_api_request(request):
            return self.get_response(request)
        messages.info(
            request,
            _("U bent uitgelogd omdat u een tijd niets heeft gedaan. Log opnieuw in.")
            if reason == "idle_timeout"
            else _("Uw sessie is verlopen. Log opnieuw in."),
        )
        login_url = resolve_url(settings.LOGIN_URL)
        if request.headers.get("HX-Request") == "true":
            response = HttpResponse(status=204)
            response["HX-Redirect"] = login_url
            return response
        return redirect(login_url)


@precompiled
def _device(model, device_id: int):
    return model.objects.filter(id=device_id)


class OTPMiddleware(django_otp.middleware.OTPMiddleware):
    """django-otp's middleware (``request.user.is_verified()``), reading the session's device
    by a query compiled once per device model (``precompiled``): django-otp's
    ``Device.from_persistent_id`` compiles its ``first()`` on every request, 0.6 ms.

    The same device as django-otp's: the model named in the persistent id, if it is a
    ``Device``; django-otp then still checks that it is the user's and confirmed."""

    def _device_from_persistent_id(self, persistent_id: str):
        persistent_id = self._normalize_persistent_id(persistent_id)
        try:
            label, device_id = persistent_id.rsplit("/", 1)
            model = apps.get_model(label)
            pk = int(device_id)
        except (ValueError, LookupError):
            return None
        if not issubclass(model, Device):
            return None
        return next(iter(_device(model, pk)), None)
