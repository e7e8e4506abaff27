"""`POST /fhir/`: a provider's system sends hospital events as a FHIR transaction Bundle.

Authenticated as the organisation (`Authorization: Bearer <key>`, a key an administrator issued
with `manage.py organisation_key`), throttled like /api/. Every answer is `application/fhir+json`:
a transaction-response Bundle, or an OperationOutcome saying what is wrong (never a 500 for
anything a sender can put in the body). The work is `appointments.fhir_inbound`.
"""

import json
from typing import Any

from django.core.exceptions import RequestDataTooBig
from rest_framework import exceptions, permissions
from rest_framework.exceptions import ErrorDetail
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from appointments.fhir_inbound import BundleRejected, EntryOutcome, fhir_bundle_receive
from navigator.api.authentication import OrganisationKeyAuthentication, OrganisationPrincipal
from navigator.api.throttles import UserRateThrottle
from navigator.fhir.http import (
    FHIR_JSON,
    FhirJsonRenderer,
    FhirOnly,
    fhir_exception_handler,
    operation_outcome,
    outcome_issue,
    refusal,
)


class IsOrganisationSystem(permissions.BasePermission):
    """Only a provider's system, by its organisation's key: no person's sign-in or API token."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.user, OrganisationPrincipal)


def _exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """The FHIR API's (DRF's status and headers, an OperationOutcome body), saying which
    credential a sender without one should send."""
    if isinstance(exc, exceptions.NotAuthenticated):
        # Said on the exception DRF raised, which carries the WWW-Authenticate challenge.
        exc.detail = ErrorDetail(
            "Send your organisation's key: Authorization: Bearer <key>.", exc.default_code
        )
    return fhir_exception_handler(exc, context)


def _response(outcome: EntryOutcome) -> dict[str, Any]:
    """One entry's `response`: its status, what happened, and where the read API serves it."""
    out: dict[str, Any] = {"status": outcome.status}
    if outcome.location:
        out["location"] = outcome.location
    out["outcome"] = operation_outcome(
        outcome_issue(outcome.message, code="informational", severity="information")
    )
    return out


class FhirTransactionApi(APIView):
    # A FHIR interaction, described by FHIR's CapabilityStatement, not by the /api/ schema: out
    # of it altogether (an excluded view still counts when drf-spectacular works out the paths'
    # common prefix, and so changed the REST API's operation ids).
    schema = None
    authentication_classes = [OrganisationKeyAuthentication]
    permission_classes = [IsOrganisationSystem]
    throttle_classes = [UserRateThrottle]
    renderer_classes = [FhirJsonRenderer]
    content_negotiation_class = FhirOnly
    parser_classes: list[Any] = []

    def post(self, request: Request) -> Response:
        content_type = (request.content_type or "").split(";")[0].strip().lower()
        if content_type not in (FHIR_JSON, "application/json"):
            return refusal(415, f"Send the Bundle as {FHIR_JSON}.")
        try:
            raw = request.body
        except RequestDataTooBig:
            return refusal(413, "The Bundle is too large: send fewer entries at a time.")
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as error:
            return refusal(
                400, f"The body is not valid JSON ({str(error)[:100]}).", code="structure"
            )
        principal = request.user
        assert isinstance(principal, OrganisationPrincipal)  # noqa: S101 - the permission's
        try:
            bundle_type, outcomes = fhir_bundle_receive(
                organisation=principal.organisation, sender=str(principal), body=body
            )
        except BundleRejected as rejected:
            return Response(
                operation_outcome(*(issue.as_fhir() for issue in rejected.issues)),
                status=rejected.status,
            )
        return Response(
            {
                "resourceType": "Bundle",
                "type": bundle_type,
                "entry": [{"response": _response(outcome)} for outcome in outcomes],
            }
        )

    def get_exception_handler(self) -> Any:
        return _exception_handler
