"""JSON errors with field-level messages for every API failure."""

import logging

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)


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
