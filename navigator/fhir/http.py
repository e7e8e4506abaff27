"""FHIR's media type, and OperationOutcome bodies for every error under /fhir/."""

import logging
from typing import Any

from django.http import Http404
from rest_framework import exceptions, parsers, renderers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)

FHIR_JSON = "application/fhir+json"

# FHIR's IssueType codes for the HTTP statuses the API answers with.
_ISSUE_CODES = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    406: "not-supported",
    415: "not-supported",
    429: "throttled",
}


class FhirJsonRenderer(renderers.JSONRenderer):
    media_type = FHIR_JSON
    format = "fhir+json"
    charset = "utf-8"


class JsonRenderer(renderers.JSONRenderer):
    """The same body for a client that asks for plain `application/json`."""

    format = "json"


class FhirJsonParser(parsers.JSONParser):
    media_type = FHIR_JSON


def operation_outcome(
    diagnostics: str, *, code: str = "processing", severity: str = "error"
) -> dict[str, Any]:
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": severity, "code": code, "diagnostics": diagnostics}],
    }


def fhir_exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """DRF's handling (status, headers such as WWW-Authenticate and Retry-After), with the body
    an OperationOutcome; anything unexpected is logged and answered 500, still in FHIR."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        logger.exception("The FHIR API failed", exc_info=exc)
        return Response(
            operation_outcome(
                "Something went wrong on our side. Try again later.", code="exception",
                severity="fatal",
            ),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )  # fmt: skip
    response.data = operation_outcome(
        _detail(response.data), code=_ISSUE_CODES.get(response.status_code, "processing")
    )
    return response


def _detail(data: Any) -> str:
    if isinstance(data, dict) and "detail" in data:
        return str(data["detail"])
    if isinstance(data, dict):
        return " ".join(f"{name}: {_detail(value)}" for name, value in data.items())
    if isinstance(data, list):
        return " ".join(_detail(value) for value in data)
    return str(data)
