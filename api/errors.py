"""One error shape for the whole API: ``{"error": {"code", "message", "fields"}}``.

Domain errors from services (core.errors), Django's 404/403 and every DRF error (validation,
authentication, scopes, throttling, parsing) come out the same way, keeping DRF's headers
(``WWW-Authenticate``, ``Retry-After``).
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core import errors as domain

DOMAIN_CODES = {
    domain.NotFound: "not_found",
    domain.PermissionDenied: "permission_denied",
    domain.Conflict: "conflict",
    domain.DomainError: "invalid",
}


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def _flatten(detail) -> list[str]:
    if isinstance(detail, dict):
        return [f"{k}: {m}" for k, v in detail.items() for m in _flatten(v)]
    if isinstance(detail, list):
        return [m for item in detail for m in _flatten(item)]
    return [str(detail)]


def validation_fields(detail) -> dict:
    """DRF's nested validation detail as ``{field: [messages]}`` (nested fields dotted)."""
    if isinstance(detail, list):
        return {"non_field_errors": _flatten(detail)}
    fields = {}
    for name, value in detail.items():
        if isinstance(value, dict):
            for sub, messages in validation_fields(value).items():
                fields[f"{name}.{sub}"] = messages
        else:
            fields[name] = _flatten(value)
    return fields


def exception_handler(exc, context):
    for cls, code in DOMAIN_CODES.items():
        if isinstance(exc, cls):
            fields = {exc.field: [exc.message]} if exc.field else {}
            return Response(error_body(code, exc.message, fields), status=exc.status_code)
    if isinstance(exc, RequestDataTooBig):
        message = "The request body is larger than this server accepts; send smaller batches."
        return Response(error_body("too_large", message), status=413)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real bug: let Django report the 500
    if isinstance(exc, exceptions.ValidationError):
        body = error_body("invalid", "The request is not valid.", validation_fields(exc.detail))
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = getattr(exc, "default_code", "error")
        if isinstance(exc, exceptions.Throttled):
            code = "throttled"
        body = error_body(code, " ".join(_flatten(detail)))
    response.data = body
    return response


def not_found_response(message: str = "Not found.") -> Response:
    return Response(error_body("not_found", message), status=status.HTTP_404_NOT_FOUND)
