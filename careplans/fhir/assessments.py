"""Questionnaire (with its concepts as a CodeSystem) and QuestionnaireResponse."""

from typing import Any
from uuid import UUID

from django.db.models import Prefetch, Q, QuerySet

from careplans.models import Answer, Assessment, Concern, Domain, Questionnaire
from navigator.accounts.models import User
from navigator.fhir.addresses import NHS_NUMBER_SYSTEM, base_url, canonical, resource_url, uk_core
from patients.rules import visible_case_ids

TRANSLATION = "http://hl7.org/fhir/StructureDefinition/translation"
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
NHS_NUMBER = NHS_NUMBER_SYSTEM
OFFER_STATUS = "hna-offer-status"
PATHWAY_POINT = "hna-point-of-pathway"
COMPLETED_BY = "hna-completed-by"
AGREED_AT = "care-plan-agreed-at"
AGREED_HOW = "care-plan-agreed-how"
CONCERNS = "hna-concerns-"


def _base() -> str:
    return base_url()


def extension_url(name: str) -> str:
    return canonical("StructureDefinition", name)


def system_url(name: str) -> str:
    return canonical("CodeSystem", name)


def questionnaire_url(questionnaire: Questionnaire) -> str:
    return f"{_base()}/Questionnaire/{questionnaire.code}"


def concerns_system(questionnaire_id: Any) -> str:
    return system_url(f"{CONCERNS}{questionnaire_id}")


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


# Questionnaire and its concepts ---------------------------------------------------------------


def questionnaire_status(questionnaire: Questionnaire) -> str:
    if questionnaire.is_active:
        return "active"
    return "retired" if questionnaire.published_at else "draft"


def questionnaire_resource(questionnaire: Questionnaire) -> dict[str, Any]:
    """Needs `domains__concerns` prefetched."""
    system = concerns_system(questionnaire.pk)
    domains = []
    for domain in questionnaire.domains.all():
        concerns = [
            {
                "linkId": concern.code,
                "code": [{"system": system, "code": concern.code, "display": concern.text}],
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
            {"linkId": domain.code,
             "code": [{"system": system, "code": domain.code, "display": domain.title}],
             "type": "group", **_text(domain.title, domain.title_cy), "item": concerns}
        )  # fmt: skip
    resource: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": str(questionnaire.pk),
        "meta": {"profile": [uk_core("UKCore-Questionnaire")]},
        "url": questionnaire_url(questionnaire),
        "version": str(questionnaire.version),
        "name": questionnaire.code.replace("-", "_").upper(),
        "title": questionnaire.title,
        "status": questionnaire_status(questionnaire),
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


def _questionnaires() -> QuerySet[Questionnaire]:
    return Questionnaire.objects.prefetch_related(
        Prefetch(
            "domains",
            queryset=Domain.objects.order_by("order").prefetch_related(
                Prefetch("concerns", queryset=Concern.objects.order_by("order"))
            ),
        )
    )


def questionnaire_rows(user: User) -> QuerySet[Questionnaire]:
    """Question sets are no one's record: anyone signed in may read them."""
    return _questionnaires()


def questionnaire_lookup(rest: str) -> Q | None:
    """A version's id, or the code in the canonical URL (the active version)."""
    try:
        return Q(pk=UUID(rest))
    except ValueError:
        return Q(code=rest, is_active=True) if rest else None


def concerns_code_system(questionnaire: Questionnaire) -> dict[str, Any]:
    """The domains and concerns of one question set version, with their codes."""
    concepts = [
        {
            "code": domain.code,
            "display": domain.title,
            "concept": [{"code": c.code, "display": c.text} for c in domain.concerns.all()],
        }
        for domain in questionnaire.domains.all()
    ]
    name = f"{CONCERNS}{questionnaire.pk}"
    return {
        "url": canonical("CodeSystem", name),
        "version": str(questionnaire.version),
        "name": "HnaConcerns",
        "title": f"{questionnaire.title}, version {questionnaire.version}: domains and concerns",
        "status": questionnaire_status(questionnaire),
        "content": "complete",
        "caseSensitive": True,
        "hierarchyMeaning": "part-of",
        "concept": concepts,
    }


def concerns_url_filter(values: list[str]) -> Q:
    prefix = f"{_base()}/CodeSystem/{CONCERNS}"
    ids = []
    for value in values:
        try:
            ids.append(UUID(value.removeprefix(prefix)))
        except ValueError:
            continue  # another CodeSystem's URL: none of these match it
    return Q(pk__in=ids)


# QuestionnaireResponse ------------------------------------------------------------------------


def coding(system: str, code: str, display: str) -> dict[str, Any]:
    return {"system": system_url(system), "code": code, "display": display}


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
    out: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": str(assessment.pk),
        "meta": {
            "lastUpdated": assessment.updated_at.isoformat(),
            "profile": [uk_core("UKCore-QuestionnaireResponse")],
        },
        "questionnaire": f"{questionnaire_url(assessment.questionnaire)}"
        f"|{assessment.questionnaire.version}",
        "status": "completed" if assessment.is_submitted else "in-progress",
        "subject": {
            "reference": f"Patient/{patient.pk}",
            "identifier": {"system": NHS_NUMBER, "value": patient.nhs_number},
            "display": patient.full_name,
        },
        "authored": (assessment.submitted_at or assessment.updated_at).isoformat(),
        "extension": [
            {
                "url": extension_url(OFFER_STATUS),
                "valueCoding": coding(
                    OFFER_STATUS, assessment.offer_status, assessment.get_offer_status_display()
                ),
            },
            {
                "url": extension_url(PATHWAY_POINT),
                "valueCoding": coding(
                    PATHWAY_POINT, assessment.pathway_point, assessment.get_pathway_point_display()
                ),
            },
            {
                "url": extension_url(COMPLETED_BY),
                "valueCoding": coding(
                    COMPLETED_BY, assessment.completed_by, assessment.get_completed_by_display()
                ),
            },
        ],  # fmt: skip
    }
    if items:
        out["item"] = items
    return out


def assessment_rows(user: User) -> QuerySet[Assessment]:
    return (
        Assessment.objects.filter(case_id__in=visible_case_ids(user))
        .select_related("questionnaire", "case__patient")
        .prefetch_related(
            Prefetch("answers", queryset=Answer.objects.select_related("concern__domain"))
        )
    )


def bundle(resources: list[dict[str, Any]], *, total: int | None = None) -> dict[str, Any]:
    """A searchset of already built resources (the /api/ assessment lists)."""
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(resources) if total is None else total,
        "entry": [
            {"fullUrl": resource_url(r["resourceType"], r["id"]), "resource": r} for r in resources
        ],
    }
