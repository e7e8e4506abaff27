"""FHIR's media type and OperationOutcome bodies, for everything under /fhir/: the read API and
the transaction endpoint hospital systems post to (`appointments.fhir_api`)."""

import logging
from collections.abc import Sequence
from typing import Any

from django.http import Http404
from rest_framework import exceptions, parsers, renderers, status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)

FHIR_JSON = "application/fhir+json"

# FHIR's IssueType codes for the HTTP statuses /fhir/ answers with.
ISSUE_CODES = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    406: "not-supported",
    413: "too-costly",
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


class FhirOnly(BaseContentNegotiation):
    """Always FHIR JSON, whatever `Accept` says (FHIR clients ask for application/fhir+json
    with parameters, and DRF's negotiation would answer a 406); the view reads its body itself."""

    def select_parser(self, request: Request, parsers: Any) -> None:
        return None

    def select_renderer(
        self, request: Request, renderers: Any, format_suffix: str | None = None
    ) -> tuple[renderers.BaseRenderer, str]:
        return renderers[0], renderers[0].media_type


def outcome_issue(
    diagnostics: str,
    *,
    code: str = "processing",
    severity: str = "error",
    expression: Sequence[str] = (),
) -> dict[str, Any]:
    """One `OperationOutcome.issue`: `code` from FHIR's IssueType value set (invalid, structure,
    required, value, not-found, processing, security, login, throttled...), `expression` the
    FHIRPath of each element it is about."""
    issue: dict[str, Any] = {"severity": severity, "code": code, "diagnostics": diagnostics}
    if expression:
        issue["expression"] = list(expression)
    return issue


def operation_outcome(*issues: dict[str, Any]) -> dict[str, Any]:
    return {"resourceType": "OperationOutcome", "issue": list(issues)}


def refusal(status_code: int, diagnostics: str, *, code: str = "") -> Response:
    """A 4xx answered by the view itself, as an OperationOutcome of one issue."""
    issue = outcome_issue(diagnostics, code=code or ISSUE_CODES.get(status_code, "processing"))
    return Response(operation_outcome(issue), status=status_code)


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
                outcome_issue(
                    "Something went wrong on our side. Try again later.", code="exception",
                    severity="fatal",
                )
            ),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )  # fmt: skip
    response.data = operation_outcome(
        outcome_issue(
            _detail(response.data), code=ISSUE_CODES.get(response.status_code, "processing")
        )
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
