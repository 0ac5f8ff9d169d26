"""JSON errors with field-level messages for every API failure."""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"
    default_detail = _("Het verzoek is te groot.")


def payload_too_large_message() -> str:
    return str(
        _("Het verzoek is groter dan %(mb)s MB; stuur minder gegevens per verzoek.")
        % {"mb": f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1024 / 1024:.1f}".replace(".", ",")}
    )


def _flatten(detail) -> tuple[str, dict]:
    """DRF's error detail as (summary, {field: [messages]})."""
    if isinstance(detail, dict):
        fields = {}
        for key, value in detail.items():
            messages = value if isinstance(value, list) else [value]
            fields[key] = [str(m) for m in messages]
        summary = "; ".join(fields.pop("non_field_errors", [])) or "Invalid input."
        return summary, fields
    if isinstance(detail, list):
        return "; ".join(str(m) for m in detail), {}
    return str(detail), {}


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge(payload_too_large_message())
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    code = getattr(exc, "default_code", "error")
    data = response.data
    if isinstance(data, dict) and set(data) == {"detail"}:
        summary, fields = str(data["detail"]), {}
    else:
        summary, fields = _flatten(data)
    body = {"status": response.status_code, "code": code, "detail": summary, "fields": fields}
    return Response(body, status=response.status_code, headers=response.headers)


def is_api_request(request) -> bool:
    return request.path.startswith("/api/")


def error_json(request, status_code: int, code: str, detail: str | Promise) -> JsonResponse:
    """An error answered outside DRF (middleware, URL resolution, Django's handlers)."""
    return JsonResponse(
        {"status": status_code, "code": code, "detail": str(detail), "fields": {}},
        status=status_code,
    )


def handler_json(request, status_code: int, exception=None) -> JsonResponse:
    """What ``thuiszitters.urls.handler400/403/404/500`` answer under ``/api/``."""
    if status_code == 500:
        return server_error_json(request)
    if isinstance(exception, RequestDataTooBig):
        return error_json(request, 413, "payload_too_large", payload_too_large_message())
    code, detail = {
        400: ("bad_request", _("Ongeldig verzoek.")),
        403: ("permission_denied", _("Geen toegang.")),
        404: ("not_found", _("Niet gevonden.")),
    }[status_code]
    return error_json(request, status_code, code, detail)


def server_error_json(request, *args, **kwargs):
    """500 for API paths, as JSON (registered through ``thuiszitters.urls.handler500``)."""
    return JsonResponse(
        {
            "status": status.HTTP_500_INTERNAL_SERVER_ERROR,
            "code": "server_error",
            "detail": "An unexpected error occurred; it has been logged.",
            "fields": {},
            "request_id": getattr(request, "request_id", ""),
        },
        status=500,
    )
