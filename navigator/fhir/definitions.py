"""Our own CodeSystems and extension StructureDefinitions, built from code and served at their
canonical URLs, so a coding's `system` and an extension's `url` both resolve."""

from collections.abc import Iterable
from typing import Any

from navigator.fhir.addresses import FHIR_VERSION, canonical
from navigator.fhir.capability import CAPABILITY_DATE


def code_system(name: str, title: str, choices: Iterable[tuple[Any, Any]]) -> dict[str, Any]:
    """A complete CodeSystem of `choices` (code, display), as a model's choices give them."""
    concepts = [{"code": str(code), "display": str(display)} for code, display in choices]
    return {
        "resourceType": "CodeSystem",
        "id": name,
        "url": canonical("CodeSystem", name),
        "name": _name(name),
        "title": title,
        "status": "active",
        "date": CAPABILITY_DATE,
        "content": "complete",
        "caseSensitive": True,
        "count": len(concepts),
        "concept": concepts,
    }


def extension_definition(
    name: str, title: str, description: str, *, context: str, value_type: str
) -> dict[str, Any]:
    """A simple extension (one value of `value_type`) used on `context` (a resource path)."""
    url = canonical("StructureDefinition", name)
    return {
        "resourceType": "StructureDefinition",
        "id": name,
        "url": url,
        "name": _name(name),
        "title": title,
        "status": "active",
        "date": CAPABILITY_DATE,
        "description": description,
        "fhirVersion": FHIR_VERSION,
        "kind": "complex-type",
        "abstract": False,
        "context": [{"type": "element", "expression": context}],
        "type": "Extension",
        "baseDefinition": "http://hl7.org/fhir/StructureDefinition/Extension",
        "derivation": "constraint",
        "differential": {
            "element": [
                {"id": "Extension", "path": "Extension", "short": title, "definition": description},
                {"id": "Extension.extension", "path": "Extension.extension", "max": "0"},
                {"id": "Extension.url", "path": "Extension.url", "fixedUri": url},
                {
                    "id": "Extension.value[x]",
                    "path": "Extension.value[x]",
                    "min": 1,
                    "type": [{"code": value_type}],
                },
            ]
        },
    }


def _name(name: str) -> str:
    """A computable name: `hna-offer-status` is `HnaOfferStatus`."""
    return "".join(part.capitalize() for part in name.split("-"))
