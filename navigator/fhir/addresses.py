"""The addresses the FHIR API writes: every one is served by `navigator.fhir.urls`."""

from typing import Any

from django.conf import settings

FHIR_VERSION = "4.0.1"
NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
ODS_CODE_SYSTEM = "https://fhir.nhs.uk/Id/ods-organization-code"
UK_CORE = "https://fhir.hl7.org.uk/StructureDefinition/"


def base_url() -> str:
    return f"{settings.SITE_URL.rstrip('/')}/fhir"


def resource_url(resource_type: str, resource_id: str) -> str:
    """The resource's own address (a Bundle entry's `fullUrl`)."""
    return f"{base_url()}/{resource_type}/{resource_id}"


def reference(resource_type: str, resource_id: Any, display: str = "") -> dict[str, str]:
    """A relative reference (`Patient/<id>`), which resolves against the server's base."""
    out = {"reference": f"{resource_type}/{resource_id}"}
    if display:
        out["display"] = display
    return out


def canonical(resource_type: str, name: str) -> str:
    """The canonical URL of one of our definitions (a CodeSystem, a StructureDefinition), which
    is also the address it is served at: read by its id, `name`."""
    return resource_url(resource_type, name)


def uk_core(profile: str) -> str:
    return f"{UK_CORE}{profile}"
