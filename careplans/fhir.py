"""Assessment definitions and answers as HL7 FHIR R4 resources: Questionnaire and
QuestionnaireResponse, in Bundles for lists. Pure functions of already-fetched rows.

Shape: each domain is a `group`; each concern a `group` of `<code>.rating` (integer 0-10) and
`<code>.priority` (boolean, "matters most"); then `distress` (integer 0-10, past week) and
`anything-else` (text). Welsh wording rides on FHIR's standard translation extension. The
national cancer dataset codes for the offer, the point of pathway and who completed it are
extensions on the response.
"""

from typing import Any

from django.conf import settings

from careplans.models import Answer, Assessment, Questionnaire

TRANSLATION = "http://hl7.org/fhir/StructureDefinition/translation"
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
NHS_NUMBER = "https://fhir.nhs.uk/Id/nhs-number"


def _base() -> str:
    return f"{settings.SITE_URL.rstrip('/')}/fhir"


def _extension(name: str) -> str:
    return f"{_base()}/StructureDefinition/{name}"


def questionnaire_url(questionnaire: Questionnaire) -> str:
    return f"{_base()}/Questionnaire/{questionnaire.code}"


def _text(text: str, welsh: str) -> dict[str, Any]:
    out: dict[str, Any] = {"text": text}
    if welsh:
        out["_text"] = {
            "extension": [
                {
                    "url": TRANSLATION,
                    "extension": [
                        {"url": "lang", "valueCode": "cy"},
                        {"url": "content", "valueString": welsh},
                    ],
                }
            ]
        }
    return out


def _scale() -> list[dict[str, Any]]:
    return [{"url": MIN_VALUE, "valueInteger": 0}, {"url": MAX_VALUE, "valueInteger": 10}]


def questionnaire_resource(questionnaire: Questionnaire) -> dict[str, Any]:
    """Needs `domains__concerns` prefetched."""
    if questionnaire.is_active:
        status = "active"
    elif questionnaire.published_at:
        status = "retired"
    else:
        status = "draft"
    domains = []
    for domain in questionnaire.domains.all():
        concerns = [
            {
                "linkId": concern.code,
                "type": "group",
                **_text(concern.text, concern.text_cy),
                "item": [
                    {
                        "linkId": f"{concern.code}.rating",
                        "type": "integer",
                        "text": "How much does this bother you, from 0 to 10?",
                        "extension": _scale(),
                    },
                    {
                        "linkId": f"{concern.code}.priority",
                        "type": "boolean",
                        "text": "This matters most to me",
                    },
                ],
            }
            for concern in domain.concerns.all()
        ]
        domains.append(
            {"linkId": domain.code, "type": "group", **_text(domain.title, domain.title_cy),
             "item": concerns}
        )  # fmt: skip
    resource: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": str(questionnaire.pk),
        "url": questionnaire_url(questionnaire),
        "version": str(questionnaire.version),
        "name": questionnaire.code.replace("-", "_").upper(),
        "title": questionnaire.title,
        "status": status,
        "subjectType": ["Patient"],
        "item": [
            *domains,
            {
                "linkId": "distress",
                "type": "integer",
                "required": True,
                "text": "Over the past week, how distressed have you felt, from 0 to 10?",
                "extension": _scale(),
            },
            {"linkId": "anything-else", "type": "text", "text": "Anything else"},
        ],
    }
    if questionnaire.title_cy:
        resource["_title"] = _text("", questionnaire.title_cy)["_text"]
    if questionnaire.published_at:
        resource["date"] = questionnaire.published_at.isoformat()
    return resource


def questionnaire_response_resource(assessment: Assessment) -> dict[str, Any]:
    """Needs `questionnaire`, `case__patient` and `answers__concern__domain` fetched."""
    by_domain: dict[str, list[Answer]] = {}
    domains: dict[str, Any] = {}
    for answer in assessment.answers.all():
        if not answer.selected:
            continue
        domain = answer.concern.domain
        domains[domain.code] = domain
        by_domain.setdefault(domain.code, []).append(answer)
    items: list[dict[str, Any]] = []
    for code, answers in by_domain.items():
        concerns = []
        for answer in answers:
            parts = []
            if answer.rating is not None:
                parts.append(
                    {"linkId": f"{answer.concern.code}.rating",
                     "answer": [{"valueInteger": answer.rating}]}
                )  # fmt: skip
            parts.append(
                {"linkId": f"{answer.concern.code}.priority",
                 "answer": [{"valueBoolean": answer.is_priority}]}
            )  # fmt: skip
            concerns.append({"linkId": answer.concern.code, "text": answer.concern.text,
                             "item": parts})  # fmt: skip
        items.append({"linkId": code, "text": domains[code].title, "item": concerns})
    if assessment.distress_score is not None:
        items.append(
            {"linkId": "distress", "answer": [{"valueInteger": assessment.distress_score}]}
        )
    if assessment.anything_else:
        items.append({"linkId": "anything-else",
                      "answer": [{"valueString": assessment.anything_else}]})  # fmt: skip
    patient = assessment.case.patient
    return {
        "resourceType": "QuestionnaireResponse",
        "id": str(assessment.pk),
        "questionnaire": f"{questionnaire_url(assessment.questionnaire)}"
        f"|{assessment.questionnaire.version}",
        "status": "completed" if assessment.is_submitted else "in-progress",
        "subject": {
            "identifier": {"system": NHS_NUMBER, "value": patient.nhs_number},
            "display": patient.full_name,
        },
        "authored": (assessment.submitted_at or assessment.updated_at).isoformat(),
        "extension": [
            {
                "url": _extension("hna-offer-status"),
                "valueCoding": {
                    "code": assessment.offer_status,
                    "display": assessment.get_offer_status_display(),
                },
            },
            {
                "url": _extension("hna-point-of-pathway"),
                "valueCoding": {
                    "code": assessment.pathway_point,
                    "display": assessment.get_pathway_point_display(),
                },
            },
            {
                "url": _extension("hna-completed-by"),
                "valueCoding": {
                    "code": assessment.completed_by,
                    "display": assessment.get_completed_by_display(),
                },
            },
        ],  # fmt: skip
        "item": items,
    }


def bundle(resources: list[dict[str, Any]], *, total: int | None = None) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(resources) if total is None else total,
        "entry": [
            {"fullUrl": f"{_base()}/{r['resourceType']}/{r['id']}", "resource": r}
            for r in resources
        ],
    }
