"""One JSON shape for every API error:
{"error": {"code": "...", "message": "plain words", "fields": {...}}}."""

import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from dashboard.ratelimits import wait_words

logger = logging.getLogger(__name__)


class Conflict(exceptions.APIException):
    """The request is fine but the thing it acts on can't do it now (the message says why)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = "This can't be done now."


def error_body(code, message, fields=None):
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def _fields(detail):
    """Field errors as {field: [messages]}, nested serializers flattened to dotted names."""
    fields = {}
    for name, value in detail.items():
        if isinstance(value, dict):
            fields.update({f"{name}.{key}": v for key, v in _fields(value).items()})
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            for index, item in enumerate(value):
                fields.update({f"{name}.{index}.{key}": v for key, v in _fields(item).items()})
        else:
            fields[name] = (
                [str(message) for message in value] if isinstance(value, list) else [str(value)]
            )
    return fields


def _validation_body(exc):
    detail = exc.detail
    if isinstance(detail, list):
        return error_body("invalid", " ".join(str(message) for message in detail))
    fields = _fields(detail)
    general = fields.pop("non_field_errors", [])
    message = " ".join(general) or "Some fields are not valid; each one says why."
    return error_body("invalid", message, fields)


def exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: every error, unexpected ones too, in the one shape."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) if exc.args else None)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) if exc.args else None)
    if not isinstance(exc, exceptions.APIException):
        set_rollback()
        # The request's path names the endpoint; its headers (the token) stay out of the log.
        request = context.get("request")
        logger.error(
            "API error on %s %s",
            getattr(request, "method", "?"),
            getattr(request, "path", "?"),
            exc_info=exc,
        )
        return Response(
            error_body(
                "server_error",
                "Something went wrong on our side. Try again; if it keeps happening, tell "
                "your admin the time it happened.",
            ),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if isinstance(exc, exceptions.Throttled):
        wait = max(1, int(exc.wait or 1))
        headers["Retry-After"] = str(wait)
        message = str(exc.detail)
        if message.startswith("Request was throttled"):
            message = (
                f"This token made too many requests in a short while. "
                f"Wait {wait_words(wait)}, then try again."
            )
        body = error_body("throttled", message)
    elif isinstance(exc, exceptions.ValidationError):
        body = _validation_body(exc)
    else:
        code = getattr(exc.detail, "code", None) or exc.default_code
        body = error_body(code, str(exc.detail))
    set_rollback()
    return Response(body, status=exc.status_code, headers=headers)
