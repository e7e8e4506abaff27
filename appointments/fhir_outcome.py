"""FHIR `OperationOutcome` bodies and the `application/fhir+json` response for `POST /fhir/`.

Kept tiny and alone on purpose: the FHIR read API has its own, and the two become one at merge.
"""

from typing import Any

from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request

FHIR_JSON = "application/fhir+json"


def outcome_issue(
    *, diagnostics: str, code: str = "invalid", expression: str = "", severity: str = "error"
) -> dict[str, Any]:
    """One `OperationOutcome.issue`: `code` from FHIR's issue-type value set (invalid,
    structure, required, value, not-found, processing, security, login, throttled...)."""
    issue: dict[str, Any] = {"severity": severity, "code": code, "diagnostics": diagnostics}
    if expression:
        issue["expression"] = [expression]
    return issue


def operation_outcome(issues: list[dict[str, Any]]) -> dict[str, Any]:
    return {"resourceType": "OperationOutcome", "issue": issues}


class FhirJsonRenderer(JSONRenderer):
    media_type = FHIR_JSON
    format = "fhir+json"


class FhirOnly(BaseContentNegotiation):
    """Always FHIR JSON, whatever `Accept` says (FHIR clients ask for application/fhir+json,
    and DRF's negotiation would answer a 406); the view reads its body itself."""

    def select_parser(self, request: Request, parsers: Any) -> None:
        return None

    def select_renderer(
        self, request: Request, renderers: Any, format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        return renderers[0], renderers[0].media_type
