"""Checking what the FHIR API serves: the R4 models, UK Core's required elements, and that every
address a resource writes is served."""

from collections.abc import Iterator
from typing import Any

from django.conf import settings
from fhir.resources import construct_fhir_element
from fhirpathpy import evaluate

FHIR_JSON = "application/fhir+json"
NHS_NUMBER = "https://fhir.nhs.uk/Id/nhs-number"
ODS = "https://fhir.nhs.uk/Id/ods-organization-code"
UK_CORE = "https://fhir.hl7.org.uk/StructureDefinition/UKCore-"

# What each UK Core profile (R4, v2) requires beyond the base resource, or what we claim to
# carry for it, as FHIRPath expressions that must each be true.
UK_CORE_REQUIRES: dict[str, list[str]] = {
    "Patient": [
        f"identifier.where(system = '{NHS_NUMBER}').value.matches('^[0-9]{{10}}$')",
        "name.family.exists() and name.given.exists()",
        "birthDate.exists()",
    ],
    "Organization": [f"identifier.where(system = '{ODS}').value.exists()", "name.exists()"],
    "Practitioner": ["name.exists()"],
    "PractitionerRole": ["code.exists()", "organization.reference.exists()"],
    "Consent": ["status.exists()", "scope.exists()", "category.exists()", "patient.exists()"],
    "Appointment": ["status.exists()", "participant.exists()"],
    "ServiceRequest": ["status.exists()", "intent.exists()", "subject.exists()"],
    "Task": ["status.exists()", "intent.exists()", "for.exists()", "businessStatus.exists()"],
    "CarePlan": ["status.exists()", "intent.exists()", "subject.exists()"],
    "Questionnaire": ["status.exists()", "url.exists()"],
    "QuestionnaireResponse": ["status.exists()", "subject.reference.exists()"],
    "DocumentReference": ["status.exists()", "content.attachment.url.exists()"],
}

# FHIR R4 invariants our resources rely on (fhir.resources does not evaluate invariants).
INVARIANTS: dict[str, list[str]] = {
    "Appointment": [
        "start.exists() = end.exists()",  # app-2
        "(start.exists() and end.exists()) or (status in ('proposed' | 'cancelled' | "
        "'waitlist'))",  # app-3
    ],
    "Consent": [
        "policy.exists() or policyRule.exists()",  # ppc-1
        "patient.exists() or scope.coding.where(system='something' and code='patient-privacy')"
        ".exists().not()",  # ppc-2
    ],
    "Task": [
        "lastModified.exists().not() or authoredOn.exists().not() or lastModified >= authoredOn"
    ],  # inv-1
    "CodeSystem": ["name.exists()"],  # we name every one (csd-0 asks for a computable name)
    "Questionnaire": ["item.all(linkId.exists())", "descendants().linkId.isDistinct()"],  # que-2
}


def validate(resource: dict[str, Any]) -> None:
    """The R4 4.0.1 model accepts it, it claims its UK Core profile where it has one, and
    carries what that profile (and the invariants we rely on) require."""
    construct_fhir_element(resource["resourceType"], resource)
    kind = resource["resourceType"]
    if kind in UK_CORE_REQUIRES:
        assert f"{UK_CORE}{kind}" in resource["meta"]["profile"], resource["id"]
    for expression in UK_CORE_REQUIRES.get(kind, []) + INVARIANTS.get(kind, []):
        assert evaluate(resource, expression) == [True], (kind, resource["id"], expression)


def base() -> str:
    return f"{settings.SITE_URL.rstrip('/')}/fhir"


def addresses(value: Any, *, key: str = "") -> Iterator[str]:
    """Every address a resource writes: references, canonicals, our code systems and
    extensions, attachments, full URLs; as paths on this server (`/fhir/...`)."""
    if isinstance(value, dict):
        for name, inner in value.items():
            yield from addresses(inner, key=name)
    elif isinstance(value, list):
        for inner in value:
            yield from addresses(inner, key=key)
    elif isinstance(value, str):
        if key == "reference" and not value.startswith(("http", "#")):
            yield f"/fhir/{value}"
        elif (
            value.startswith(base()) and key != "url" or (key == "url" and value.startswith(base()))
        ):
            yield "/fhir" + value.removeprefix(base()).split("|")[0]
        elif key in ("questionnaire",) and value.startswith(base()):
            yield "/fhir" + value.removeprefix(base()).split("|")[0]


def all_pages(client: Any, path: str, **headers: Any) -> list[dict[str, Any]]:
    """Every entry of a search, following its `next` links."""
    entries: list[dict[str, Any]] = []
    url: str | None = path
    while url:
        response = client.get(url, **headers)
        assert response.status_code == 200, (url, response.content[:300])
        body = response.json()
        entries += body.get("entry", [])
        url = next(
            (
                link["url"].removeprefix(base().removesuffix("/fhir"))
                for link in body["link"]
                if link["relation"] == "next"
            ),
            None,
        )
    return entries
