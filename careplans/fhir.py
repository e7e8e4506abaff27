"""Assessments, care plans, GP sharing and printed documents as FHIR R4 (UK Core) resources,
registered with the FHIR API (`navigator.fhir`) by `CareplansConfig.ready()`; the /api/
assessment endpoints use the same builders.

- `Questionnaire` (id: the version's id; its canonical `url`, `<base>/Questionnaire/<code>`,
  reads the active version) and `QuestionnaireResponse`. Shape: each domain is a `group`; each
  concern a `group` of `<code>.rating` (integer 0-10) and `<code>.priority` (boolean, "matters
  most"); then `distress` (integer 0-10, past week) and `anything-else` (text). Domains and
  concerns carry their codes from the question set (a CodeSystem per version,
  `hna-concerns-<id>`). Welsh wording rides on FHIR's standard translation extension. The
  national cancer dataset codes for the offer, the point of pathway and who completed it are
  extensions on the response, each coding with its CodeSystem.
- `CarePlan` for each plan version, with a `Goal` for each of its items: status, intent,
  period, author (the named navigator), activities with their owners and due dates, and the
  agreement (when, how, recorded by whom) as extensions and a note.
- `Consent` for sharing the plan with the GP practice (id `gp-sharing-<patient id>`), where the
  patient has made a choice (no choice recorded means sharing is allowed).
- `DocumentReference` for each plan version's PDF (`care-plan-<plan id>`) and the treatment
  summary (`treatment-summary-<id>`), their bytes a `Binary` of the same id: read only by those
  who may read the plan or the summary, like the PDF page.

Who sees which rows is `patients.rules`: records of the cases the user may see.
"""

import base64
from typing import Any
from uuid import UUID

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery

from careplans.models import (
    Answer,
    Assessment,
    CarePlan,
    Concern,
    Domain,
    OwnerKind,
    PlanItem,
    PlanSharingConsent,
    Questionnaire,
)
from careplans.services.printing import care_plan_pdf
from navigator.accounts.models import User
from navigator.fhir.addresses import (
    NHS_NUMBER_SYSTEM,
    base_url,
    canonical,
    reference,
    resource_url,
    uk_core,
)
from navigator.fhir.definitions import code_system, extension_definition
from navigator.fhir.registry import (
    SearchParam,
    Source,
    fhir_definition_register,
    fhir_source_register,
    token_filter,
)
from patients.fhir import CONSENT_CATEGORY, CONSENT_SCOPE, OPT_IN, consent_action
from patients.models import Case, TreatmentSummary
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


def _extension(name: str) -> str:
    return canonical("StructureDefinition", name)


def _system(name: str) -> str:
    return canonical("CodeSystem", name)


def questionnaire_url(questionnaire: Questionnaire) -> str:
    return f"{_base()}/Questionnaire/{questionnaire.code}"


def concerns_system(questionnaire_id: Any) -> str:
    return _system(f"{CONCERNS}{questionnaire_id}")


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


def _questionnaire_lookup(rest: str) -> Q | None:
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


def _concerns_url_filter(values: list[str]) -> Q:
    prefix = f"{_base()}/CodeSystem/{CONCERNS}"
    ids = []
    for value in values:
        try:
            ids.append(UUID(value.removeprefix(prefix)))
        except ValueError:
            continue  # another CodeSystem's URL: none of these match it
    return Q(pk__in=ids)


# QuestionnaireResponse ------------------------------------------------------------------------


def _coding(system: str, code: str, display: str) -> dict[str, Any]:
    return {"system": _system(system), "code": code, "display": display}


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
                "url": _extension(OFFER_STATUS),
                "valueCoding": _coding(
                    OFFER_STATUS, assessment.offer_status, assessment.get_offer_status_display()
                ),
            },
            {
                "url": _extension(PATHWAY_POINT),
                "valueCoding": _coding(
                    PATHWAY_POINT, assessment.pathway_point, assessment.get_pathway_point_display()
                ),
            },
            {
                "url": _extension(COMPLETED_BY),
                "valueCoding": _coding(
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


# CarePlan and Goal -----------------------------------------------------------------------------

PLAN_STATUS = {
    CarePlan.Status.DRAFT: "draft",
    CarePlan.Status.AGREED: "active",
    # Replaced by a newer version, which `replaces` it.
    CarePlan.Status.SUPERSEDED: "revoked",
}


def plan_rows(user: User) -> QuerySet[CarePlan]:
    earlier = CarePlan.objects.filter(
        case_id=OuterRef("case_id"), version__lt=OuterRef("version")
    ).order_by("-version")
    items = PlanItem.objects.select_related("owner_service").order_by("-is_priority", "order")
    return (
        CarePlan.objects.filter(case_id__in=visible_case_ids(user))
        .select_related("case__patient__gp_practice", "case__navigator", "agreed_by")
        .prefetch_related(Prefetch("items", queryset=items))
        .annotate(replaces_id=Subquery(earlier.values("pk")[:1]))
    )


def _owner(item: PlanItem, case: Case) -> dict[str, str]:
    patient = case.patient
    if item.owner_kind == OwnerKind.PATIENT:
        return reference("Patient", patient.pk, patient.full_name)
    if item.owner_kind == OwnerKind.NAVIGATOR:
        return reference("Practitioner", case.navigator_id, case.navigator.get_full_name())
    if item.owner_kind == OwnerKind.GP and patient.gp_practice is not None:
        return reference("Organization", patient.gp_practice.pk, patient.gp_practice.name)
    if item.owner_kind == OwnerKind.SERVICE and item.owner_service is not None:
        # Directory services are not served as FHIR resources: named, not referenced.
        return {"display": item.owner_service.name}
    return {"display": str(OwnerKind(item.owner_kind).label)}


def care_plan_resource(plan: CarePlan) -> dict[str, Any]:
    case = plan.case
    patient = case.patient
    items = list(plan.items.all())
    activities = []
    for item in items:
        detail: dict[str, Any] = {
            "kind": "Task",
            "status": "completed" if item.is_complete else "not-started",
            "description": item.actions or item.goal,
            "goal": [reference("Goal", item.pk)],
            "performer": [_owner(item, case)],
        }
        if item.due_date:
            detail["scheduledPeriod"] = {"end": item.due_date.isoformat()}
        activity: dict[str, Any] = {"detail": detail}
        if item.outcome:
            activity["progress"] = [{"text": item.outcome}]
        activities.append(activity)
    out: dict[str, Any] = {
        "status": PLAN_STATUS[CarePlan.Status(plan.status)],
        "intent": "plan",
        "title": f"Personalised care and support plan, version {plan.version}",
        "subject": reference("Patient", patient.pk, patient.full_name),
        "period": {"start": (plan.agreed_at or plan.created_at).isoformat()},
        "created": plan.created_at.isoformat(),
        "author": reference("Practitioner", case.navigator_id, case.navigator.get_full_name()),
        "goal": [reference("Goal", item.pk) for item in items],
        "activity": activities,
    }
    if plan.assessment_id:
        out["supportingInfo"] = [reference("QuestionnaireResponse", plan.assessment_id)]
    replaces = getattr(plan, "replaces_id", None)  # annotated by `plan_rows`
    if replaces:
        out["replaces"] = [reference("CarePlan", replaces)]
    notes = []
    if plan.agreed_at:
        how = CarePlan.AgreedHow(plan.agreed_how).label if plan.agreed_how else "agreed"
        who = plan.agreed_by.get_full_name() if plan.agreed_by else "someone no longer here"
        notes.append(f"Agreed with the patient {how} on {plan.agreed_at:%d %B %Y}; "
                     f"recorded by {who}.")  # fmt: skip
        out["extension"] = [
            {"url": _extension(AGREED_AT), "valueDateTime": plan.agreed_at.isoformat()}
        ]
        if plan.agreed_how:
            out["extension"].append(
                {"url": _extension(AGREED_HOW),
                 "valueCoding": _coding(AGREED_HOW, plan.agreed_how, str(how))}
            )  # fmt: skip
        if plan.agreed_by_id and plan.agreed_by_id == patient.user_id:
            out["contributor"] = [reference("Patient", patient.pk, patient.full_name)]
        elif plan.agreed_by_id and plan.agreed_by and plan.agreed_by.is_staff_role:
            out["contributor"] = [
                reference("Practitioner", plan.agreed_by_id, plan.agreed_by.get_full_name())
            ]
    if plan.review_date:
        notes.append(f"To be reviewed by {plan.review_date:%d %B %Y}.")
    if notes:
        out["note"] = [{"text": note} for note in notes]
    return out


def goal_rows(user: User) -> QuerySet[PlanItem]:
    return PlanItem.objects.filter(plan__case_id__in=visible_case_ids(user)).select_related(
        "plan__case__patient", "concern__domain"
    )


def goal_status(item: PlanItem) -> str:
    if item.plan.status == CarePlan.Status.DRAFT:
        return "proposed"
    if item.is_complete:
        return "completed"
    return "active" if item.plan.status == CarePlan.Status.AGREED else "cancelled"


GOAL_STATUS_FILTERS = {
    "proposed": Q(plan__status=CarePlan.Status.DRAFT),
    "completed": ~Q(plan__status=CarePlan.Status.DRAFT) & Q(completed_at__isnull=False),
    "active": Q(plan__status=CarePlan.Status.AGREED, completed_at__isnull=True),
    "cancelled": Q(plan__status=CarePlan.Status.SUPERSEDED, completed_at__isnull=True),
}


def goal_resource(item: PlanItem) -> dict[str, Any]:
    patient = item.plan.case.patient
    description: dict[str, Any] = {"text": item.goal}
    concern = item.concern
    if concern is not None:
        description["coding"] = [
            {"system": concerns_system(concern.domain.questionnaire_id), "code": concern.code,
             "display": concern.text}
        ]  # fmt: skip
    out: dict[str, Any] = {
        "lifecycleStatus": goal_status(item),
        "description": description,
        "subject": reference("Patient", patient.pk, patient.full_name),
        "note": [{"text": f"Concern: {item.concern_text}"}],
    }
    if item.is_priority:
        out["priority"] = {
            "coding": [
                {"system": "http://terminology.hl7.org/CodeSystem/goal-priority",
                 "code": "high-priority", "display": "High Priority"}
            ]
        }  # fmt: skip
    if item.is_complete:
        out["achievementStatus"] = {
            "coding": [
                {"system": "http://terminology.hl7.org/CodeSystem/goal-achievement",
                 "code": "achieved", "display": "Achieved"}
            ]
        }  # fmt: skip
        out["statusDate"] = item.completed_at.date().isoformat()  # type: ignore[union-attr]
    if item.due_date:
        out["target"] = [{"dueDate": item.due_date.isoformat()}]
    if item.outcome:
        out["note"].append({"text": f"Outcome: {item.outcome}"})
    return out


# Consent: sharing the plan with the GP --------------------------------------------------------


def gp_sharing_rows(user: User) -> QuerySet[PlanSharingConsent]:
    patients = Case.objects.filter(pk__in=visible_case_ids(user)).values("patient_id")
    return PlanSharingConsent.objects.filter(patient_id__in=patients).select_related(
        "patient__gp_practice"
    )


def _gp_sharing_lookup(rest: str) -> Q | None:
    try:
        return Q(patient_id=UUID(rest))
    except ValueError:
        return None


def gp_sharing_consent_resource(choice: PlanSharingConsent) -> dict[str, Any]:
    patient = choice.patient
    gp = patient.gp_practice
    actor = (
        reference("Organization", gp.pk, gp.name)
        if gp
        else {"display": "The patient's GP practice"}
    )
    opt_out = {
        "coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                    "code": "OPTOUT", "display": "opt-out"}]
    }  # fmt: skip
    return {
        "status": "active",
        "scope": CONSENT_SCOPE,
        "category": [CONSENT_CATEGORY],
        "patient": reference("Patient", patient.pk, patient.full_name),
        "dateTime": choice.changed_at.isoformat(),
        "policyRule": OPT_IN if choice.allowed else opt_out,
        "provision": {
            "type": "permit" if choice.allowed else "deny",
            "actor": [
                {
                    "role": {
                        "coding": [
                            {"system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
                             "code": "IRCP", "display": "information recipient"}
                        ]
                    },
                    "reference": actor,
                }
            ],
            "action": [consent_action("disclose")],
        },
    }  # fmt: skip


# DocumentReference and Binary: the printed plan and the treatment summary ---------------------

PLAN_PDF = "care-plan-"
SUMMARY = "treatment-summary-"


def pdf_plan_rows(user: User) -> QuerySet[CarePlan]:
    return CarePlan.objects.filter(case_id__in=visible_case_ids(user)).select_related(
        "case__patient", "case__navigator"
    )


def plan_document_resource(plan: CarePlan) -> dict[str, Any]:
    patient = plan.case.patient
    status = "superseded" if plan.status == CarePlan.Status.SUPERSEDED else "current"
    return {
        "status": status,
        "docStatus": "preliminary" if plan.is_draft else "final",
        "type": {"text": "Personalised care and support plan (printable PDF)"},
        "subject": reference("Patient", patient.pk, patient.full_name),
        "date": plan.updated_at.isoformat(),
        "author": [
            reference("Practitioner", plan.case.navigator_id, plan.case.navigator.get_full_name())
        ],
        "description": f"Care plan, version {plan.version}",
        "content": [
            {
                "attachment": {
                    "contentType": "application/pdf",
                    "language": patient.language,
                    "url": resource_url("Binary", f"{PLAN_PDF}{plan.pk}"),
                    "title": f"Care plan, version {plan.version}",
                    "creation": plan.updated_at.isoformat(),
                }
            }
        ],
        "context": {"related": [reference("CarePlan", plan.pk)]},
    }


def plan_binary_resource(plan: CarePlan) -> dict[str, Any]:
    """The printed plan, in the patient's language and print size (cached per version)."""
    large = plan.case.patient.needs_large_print
    language = plan.case.patient.language if plan.case.patient.language in ("en", "cy") else "en"
    pdf = care_plan_pdf(plan=plan, large=large, language=language)
    return {
        "contentType": "application/pdf",
        "securityContext": reference("DocumentReference", f"{PLAN_PDF}{plan.pk}"),
        "data": base64.b64encode(pdf).decode("ascii"),
    }


def summary_rows(user: User) -> QuerySet[TreatmentSummary]:
    return TreatmentSummary.objects.filter(case_id__in=visible_case_ids(user)).select_related(
        "case__patient"
    )


def summary_text(summary: TreatmentSummary) -> str:
    parts = [
        ("Diagnosis", summary.diagnosis),
        ("Treatment given", summary.treatment_given),
        ("Treatment ended", f"{summary.treatment_ended_on:%d %B %Y}"
         if summary.treatment_ended_on else ""),
        ("Intent of treatment", str(summary.get_intent_display())),
        ("Possible side effects and late effects", summary.side_effects),
        ("Red-flag symptoms and what to do", summary.red_flags),
        ("What the GP is asked to do", summary.gp_actions),
        ("Who to contact", summary.contacts),
        ("Written by", f"{summary.written_by}, {summary.written_on:%d %B %Y}"),
    ]  # fmt: skip
    return "\n\n".join(f"{title}\n{text}" for title, text in parts if text)


def summary_document_resource(summary: TreatmentSummary) -> dict[str, Any]:
    patient = summary.case.patient
    return {
        "status": "current",
        "docStatus": "amended" if summary.version > 1 else "final",
        "type": {"text": "Cancer treatment summary"},
        "subject": reference("Patient", patient.pk, patient.full_name),
        "date": summary.updated_at.isoformat(),
        "author": [{"display": summary.written_by}],
        "description": f"Treatment summary, version {summary.version}",
        "content": [
            {
                "attachment": {
                    "contentType": "text/plain; charset=utf-8",
                    "url": resource_url("Binary", f"{SUMMARY}{summary.pk}"),
                    "title": "Treatment summary",
                    "creation": summary.written_on.isoformat(),
                }
            }
        ],
    }


def summary_binary_resource(summary: TreatmentSummary) -> dict[str, Any]:
    return {
        "contentType": "text/plain; charset=utf-8",
        "securityContext": reference("DocumentReference", f"{SUMMARY}{summary.pk}"),
        "data": base64.b64encode(summary_text(summary).encode()).decode("ascii"),
    }


# Registration ----------------------------------------------------------------------------------


def _status_param(documentation: str, filters: dict[str, Any], path: str = "") -> SearchParam:
    return SearchParam("status", "token", documentation, token_filter(path, filters, "status"))


def register() -> None:
    """Called by `CareplansConfig.ready()`."""
    fhir_source_register(
        Source(
            resource_type="Questionnaire",
            description="A version of an assessment's question set (the concerns checklist); "
            "its canonical URL reads the active version",
            rows=questionnaire_rows,
            build=questionnaire_resource,
            profile=uk_core("UKCore-Questionnaire"),
            params=[
                _status_param(
                    "active, retired or draft.",
                    {
                        "active": Q(is_active=True),
                        "retired": Q(is_active=False, published_at__isnull=False),
                        "draft": Q(is_active=False, published_at__isnull=True),
                    },
                )
            ],  # fmt: skip
            order=("code", "-version"),
            lookup=_questionnaire_lookup,
        )
    )
    fhir_source_register(
        Source(
            resource_type="CodeSystem",
            description="The domains and concerns of one question set version (id "
            "`hna-concerns-<questionnaire id>`)",
            rows=questionnaire_rows,
            build=concerns_code_system,
            prefix=CONCERNS,
            params=[SearchParam("url", "uri", "The canonical URL.", _concerns_url_filter)],
            order=("code", "-version"),
        )
    )
    fhir_source_register(
        Source(
            resource_type="QuestionnaireResponse",
            description="A Holistic Needs Assessment, sent or in progress",
            rows=assessment_rows,
            build=questionnaire_response_resource,
            profile=uk_core("UKCore-QuestionnaireResponse"),
            patient_path="case__patient_id",
            updated_path="updated_at",
            params=[
                _status_param(
                    "completed (sent) or in-progress.",
                    {
                        "completed": Q(submitted_at__isnull=False),
                        "in-progress": Q(submitted_at__isnull=True),
                    },
                )
            ],  # fmt: skip
            order=("-started_at", "pk"),
        )
    )
    fhir_source_register(
        Source(
            resource_type="CarePlan",
            description="One version of the personalised care and support plan",
            rows=plan_rows,
            build=care_plan_resource,
            profile=uk_core("UKCore-CarePlan"),
            patient_path="case__patient_id",
            updated_path="updated_at",
            params=[
                _status_param(
                    "draft, active (agreed) or revoked (replaced by a newer version).",
                    {v: [k] for k, v in PLAN_STATUS.items()},
                    "status",
                )
            ],
            order=("-version", "pk"),
        )
    )
    fhir_source_register(
        Source(
            resource_type="Goal",
            description="One concern of a care plan version: the goal, its due date, its outcome",
            rows=goal_rows,
            build=goal_resource,
            patient_path="plan__case__patient_id",
            params=[
                SearchParam(
                    "lifecycle-status",
                    "token",
                    "proposed (draft plan), active, completed or cancelled (replaced plan).",
                    token_filter("", GOAL_STATUS_FILTERS, "lifecycle-status"),
                )
            ],
            order=("plan_id", "-is_priority", "order", "pk"),
        )
    )
    fhir_source_register(
        Source(
            resource_type="Consent",
            description="The patient's choice about sharing their care plan with their GP "
            "practice, once they have made one (id `gp-sharing-<patient id>`)",
            rows=gp_sharing_rows,
            build=gp_sharing_consent_resource,
            profile=uk_core("UKCore-Consent"),
            prefix="gp-sharing-",
            patient_path="patient_id",
            params=[_status_param("active (every recorded choice is).", {"active": Q()})],
            order=("patient_id",),
            id_of=lambda choice: f"gp-sharing-{choice.patient_id}",
            lookup=_gp_sharing_lookup,
        )
    )
    fhir_source_register(
        Source(
            resource_type="DocumentReference",
            description="A care plan version as a printable PDF (id `care-plan-<plan id>`)",
            rows=pdf_plan_rows,
            build=plan_document_resource,
            profile=uk_core("UKCore-DocumentReference"),
            prefix=PLAN_PDF,
            patient_path="case__patient_id",
            updated_path="updated_at",
            params=[
                _status_param(
                    "current or superseded.",
                    {
                        "current": ~Q(status=CarePlan.Status.SUPERSEDED),
                        "superseded": Q(status=CarePlan.Status.SUPERSEDED),
                    },
                )
            ],  # fmt: skip
            order=("-version", "pk"),
        )
    )
    fhir_source_register(
        Source(
            resource_type="DocumentReference",
            description="The treatment summary, as text (id `treatment-summary-<id>`)",
            rows=summary_rows,
            build=summary_document_resource,
            profile=uk_core("UKCore-DocumentReference"),
            prefix=SUMMARY,
            patient_path="case__patient_id",
            updated_path="updated_at",
            params=[_status_param("current (a summary is).", {"current": Q()})],
            order=("-updated_at", "pk"),
        )
    )
    for prefix, rows, build in (
        (PLAN_PDF, pdf_plan_rows, plan_binary_resource),
        (SUMMARY, summary_rows, summary_binary_resource),
    ):
        fhir_source_register(
            Source(
                resource_type="Binary",
                description=f"The bytes of a DocumentReference (id `{prefix}<id>`)",
                rows=rows,
                build=build,
                prefix=prefix,
                patient_path="case__patient_id",
                searchable=False,
            )
        )
    for name, title, choices in (
        (OFFER_STATUS, "Needs assessment offer status", Assessment.OfferStatus.choices),
        (PATHWAY_POINT, "Point of pathway of a needs assessment", Assessment.PathwayPoint.choices),
        (COMPLETED_BY, "Who completed a needs assessment", Assessment.CompletedBy.choices),
        (AGREED_HOW, "How a care plan was agreed", CarePlan.AgreedHow.choices),
    ):
        fhir_definition_register(code_system(name, title, choices))
    for name, title, context, value_type in (
        (OFFER_STATUS, "Needs assessment offer status", "QuestionnaireResponse", "Coding"),
        (PATHWAY_POINT, "Point of pathway", "QuestionnaireResponse", "Coding"),
        (COMPLETED_BY, "Who completed the assessment", "QuestionnaireResponse", "Coding"),
        (AGREED_AT, "When the patient agreed the plan", "CarePlan", "dateTime"),
        (AGREED_HOW, "How the patient agreed the plan", "CarePlan", "Coding"),
    ):
        fhir_definition_register(
            extension_definition(
                name, title, f"{title} (national cancer dataset categories where they apply).",
                context=context, value_type=value_type,
            )
        )  # fmt: skip
