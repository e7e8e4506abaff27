"""`GET /fhir/metadata`: the CapabilityStatement, built from the registry, so it lists exactly
the resource types, profiles, searches and operations that are served."""

from typing import Any

from navigator.fhir.addresses import FHIR_VERSION, base_url
from navigator.fhir.registry import definitions_for, resource_types, sources_for

# When the API's shape last changed (CapabilityStatement.date).
CAPABILITY_DATE = "2026-12-06"
EVERYTHING = "http://hl7.org/fhir/OperationDefinition/Patient-everything"


def capability_statement() -> dict[str, Any]:
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": CAPABILITY_DATE,
        "publisher": "Cancer navigator",
        "kind": "instance",
        "software": {"name": "Cancer navigator"},
        "implementation": {
            "description": "Cancer navigation records, read only, under the service's own "
            "permission rules.",
            "url": base_url(),
        },
        "fhirVersion": FHIR_VERSION,
        "format": ["application/fhir+json", "json"],
        "rest": [
            {
                "mode": "server",
                "documentation": "Read by id and search; each search answers a searchset "
                "Bundle, paged with _count and _page and a next link. A record you may not "
                "see is answered 404, as one that does not exist.",
                "security": {
                    "cors": False,
                    "description": "Sign in on the website, or send `Authorization: Token "
                    "<token>` (an API token from /api/token/). Staff need multi-factor "
                    "authentication.",
                },
                "resource": [_resource(t) for t in resource_types()],
            }
        ],
    }


def _resource(resource_type: str) -> dict[str, Any]:
    sources = sources_for(resource_type)
    searchable = definitions_for(resource_type) or any(s.searchable for s in sources)
    out: dict[str, Any] = {
        "type": resource_type,
        "interaction": [{"code": "read"}, *([{"code": "search-type"}] if searchable else [])],
    }
    profiles = sorted({s.profile for s in sources if s.profile})
    if len(profiles) == 1:
        out["profile"] = profiles[0]
    elif profiles:
        out["supportedProfile"] = profiles
    described = [f"{s.description}." for s in sources]
    params: dict[str, dict[str, str]] = {}
    if definitions_for(resource_type):
        described.insert(0, "The definitions our resources use, searched by url.")
        params["url"] = {"name": "url", "type": "uri", "documentation": "The canonical URL."}
    for source in sources:
        if not source.searchable:
            continue
        for name, param in source.search_params().items():
            params.setdefault(
                name, {"name": name, "type": param.type, "documentation": param.documentation}
            )
    out["documentation"] = " ".join(described)
    if params:
        out["searchParam"] = list(params.values())
    if resource_type == "Patient":
        out["operation"] = [{"name": "everything", "definition": EVERYTHING}]
    return out
