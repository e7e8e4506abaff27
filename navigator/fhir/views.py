"""The FHIR read API's views: metadata, read, search and `Patient/<id>/$everything`.

The same sign-in, API tokens, throttles and staff MFA rule as /api/ (the REST framework's
defaults, `navigator.api`); who sees which rows is each source's own rule (`patients.rules`
underneath), so a record the rules refuse is answered 404, as if it did not exist, and the
refusal goes in the security log. Every record read is audited, a page of results in one insert.
"""

from typing import Any
from urllib.parse import urlencode

from rest_framework import exceptions, permissions
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from navigator.accounts.models import User
from navigator.audit.models import AuditEvent
from navigator.audit.services import AuditEntry, audit_record_many, audit_refusal_record
from navigator.fhir import search
from navigator.fhir.addresses import base_url, resource_url
from navigator.fhir.capability import capability_statement
from navigator.fhir.http import (
    FhirJsonParser,
    FhirJsonRenderer,
    JsonRenderer,
    fhir_exception_handler,
)
from navigator.fhir.registry import SearchError, definitions_for, resource_types
from navigator.http import AuthenticatedRequest


class FhirApi(APIView):
    # Out of the OpenAPI schema altogether (FHIR's contract is the CapabilityStatement): an
    # excluded view would still count when drf-spectacular works out the paths' common prefix.
    schema = None
    renderer_classes = [FhirJsonRenderer, JsonRenderer]
    parser_classes = [FhirJsonParser, JSONParser]

    def get_exception_handler(self) -> Any:
        return fhir_exception_handler


class MetadataApi(FhirApi):
    """What the server serves. Open to anyone, as FHIR expects: it describes no one's record."""

    authentication_classes: list[Any] = []
    permission_classes = [permissions.AllowAny]

    def get(self, request: Request) -> Response:
        return Response(capability_statement())


class SearchApi(FhirApi):
    def get(self, request: AuthenticatedRequest, resource_type: str) -> Response:
        _known_type(resource_type)
        count, page = _paging(request)
        try:
            params = search.parse_params(resource_type, _query(request))
            found, total = search.search(
                request.user, resource_type, params, offset=(page - 1) * count, count=count
            )
        except SearchError as bad:
            raise exceptions.ValidationError({"detail": str(bad)}) from bad
        _audit(request, found, f"Searched {resource_type} through the FHIR API")
        links = [{"relation": "self", "url": _page_url(resource_type, params, count, page)}]
        if page * count < total:
            links.append(
                {"relation": "next", "url": _page_url(resource_type, params, count, page + 1)}
            )
        return Response(searchset(found, total=total, links=links))


class ReadApi(FhirApi):
    def get(self, request: AuthenticatedRequest, resource_type: str, resource_id: str) -> Response:
        _known_type(resource_type)
        definition = definitions_for(resource_type).get(resource_id)
        if definition is not None:
            return Response(definition)
        found = search.read(request.user, resource_type, resource_id)
        if found is None:
            raise _refused(request, resource_type, resource_id)
        _audit(request, [found], f"Read {resource_type} through the FHIR API")
        return Response(found.resource())


class EverythingApi(FhirApi):
    """`Patient/<id>/$everything`: every record about the patient that the caller may see."""

    def get(self, request: AuthenticatedRequest, patient_id: str) -> Response:
        everything = everything_bundle(request.user, patient_id)
        if everything is None:
            raise _refused(request, "Patient", patient_id)
        bundle, found = everything
        _audit(request, found, "Exported the record through the FHIR API ($everything)")
        return Response(bundle)


class NotServedApi(FhirApi):
    """Any other address under /fhir/: a 404 in FHIR's words, whatever the method."""

    authentication_classes: list[Any] = []
    permission_classes = [permissions.AllowAny]

    def refuse(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        raise exceptions.NotFound("Nothing is served at this address.")

    get = post = put = patch = delete = refuse


def everything_bundle(
    user: User, patient_id: str
) -> tuple[dict[str, Any], list[search.Found]] | None:
    """`Patient/<id>/$everything` as `user` may see it: the searchset Bundle and the records in
    it (for the caller to audit), or None if `user` may not see the patient. Also what a
    patient's own copy of their record carries (`caseload.services.record_copies`)."""
    patient = search.read(user, "Patient", patient_id)
    if patient is None:
        return None
    found = search.everything(user, patient.row.pk)
    self_link = f"{resource_url('Patient', patient_id)}/$everything"
    bundle = searchset(found, total=len(found), links=[{"relation": "self", "url": self_link}])
    return bundle, found


def searchset(
    found: list[search.Found], *, total: int, links: list[dict[str, str]]
) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": total,
        "link": links,
        "entry": [_entry(f.resource()) for f in found],
    }


def _entry(resource: dict[str, Any]) -> dict[str, Any]:
    return {
        "fullUrl": resource_url(resource["resourceType"], resource["id"]),
        "resource": resource,
        "search": {"mode": "match"},
    }


def _known_type(resource_type: str) -> None:
    if resource_type not in resource_types():
        raise exceptions.NotFound(f"{resource_type} is not a resource type served here.")


def _refused(request: AuthenticatedRequest, resource_type: str, resource_id: str) -> Exception:
    """The 404 for a record that does not exist or that the caller may not see (which is not
    said), with the refusal in the security log."""
    audit_refusal_record(
        request=request._request,
        status=404,
        object_type=f"fhir.{resource_type}"[:100],
        object_id=resource_id,
    )
    return exceptions.NotFound(f"No {resource_type} with id {resource_id!r} here.")


def _audit(request: AuthenticatedRequest, found: list[search.Found], summary: str) -> None:
    entries = [
        AuditEntry(
            action=AuditEvent.Action.VIEW,
            obj=f.row,
            patient_id=f.patient_id,
            summary=summary,
        )
        for f in found
        if f.patient_id is not None
    ]
    if entries:
        audit_record_many(actor=request.user, entries=entries, request=request._request)


def _paging(request: Request) -> tuple[int, int]:
    def number(name: str, default: int, low: int, high: int) -> int:
        given = request.query_params.get(name, "")
        if not given:
            return default
        if not given.isdecimal() or not low <= int(given) <= high:
            raise exceptions.ValidationError(
                {"detail": f"{name}: give a whole number from {low} to {high}."}
            )
        return int(given)

    count = number(search.COUNT, search.DEFAULT_COUNT, 0, search.MAX_COUNT)
    return count, number(search.PAGE, 1, 1, 10**6)


def _page_url(resource_type: str, params: list[tuple[str, str]], count: int, page: int) -> str:
    query = urlencode([*params, (search.COUNT, str(count)), (search.PAGE, str(page))])
    return f"{base_url()}/{resource_type}?{query}"


def _query(request: Request) -> list[tuple[str, str]]:
    return [(name, value) for name, values in request.query_params.lists() for value in values]
