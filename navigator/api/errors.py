from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus services' Django `ValidationError` shown as a 400, never a 500.

    Every error body has `detail`, one sentence saying what went wrong (the schema's
    `ErrorOutput`). A refused body keeps DRF's messages under each field's name beside it.
    Object refusals are already 404s: `RulesPermission` raises `NotFound` for them.
    """
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.ValidationError):
        response.data = validation_error_body(response.data)
    return response


def validation_error_body(errors: Any) -> dict[str, Any]:
    """`errors` as DRF gives them (field -> messages, or a list), with a `detail` sentence."""
    if isinstance(errors, dict):
        if isinstance(errors.get("detail"), str):
            return errors
        summary = " ".join(
            first_message(messages)
            if name in ("non_field_errors", "detail")
            else f"{name}: {first_message(messages)}"
            for name, messages in errors.items()
        )
        return {**errors, "detail": summary or "The request is not valid."}
    messages = errors if isinstance(errors, list) else [errors]
    return {"detail": " ".join(first_message(m) for m in messages) or "The request is not valid."}


def first_message(messages: Any) -> str:
    """The first message in DRF's nested errors (lists, or dicts for nested fields)."""
    if isinstance(messages, dict):
        for name, inner in messages.items():
            return f"{name}: {first_message(inner)}"
        return ""
    if isinstance(messages, list):
        return first_message(messages[0]) if messages else ""
    return str(messages)
