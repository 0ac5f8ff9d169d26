"""Request context (request id, client address) and deny-by-default login."""

import ipaddress
import re
import uuid

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired

from .api.errors import error_json, is_api_request, payload_too_large_message
from .request_context import RequestContext, set_request_context

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
    """Django's deny-by-default login, except for DRF views.

    DRF views authenticate themselves (session or organisation token) and deny by default
    through ``IsAuthenticated``; redirecting an API client to the login page would be wrong.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "cls", None) is not None and hasattr(
            view_func.cls, "authentication_classes"
        ):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
