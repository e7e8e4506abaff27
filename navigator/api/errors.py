from typing import Any

from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, with object refusals shown as 404 so existence stays private."""
    if isinstance(exc, exceptions.PermissionDenied) and context.get("kwargs"):
        exc = exceptions.NotFound()
    return drf_exception_handler(exc, context)
