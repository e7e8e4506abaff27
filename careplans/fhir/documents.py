"""DocumentReference and Binary: the printed care plan and the treatment summary."""

import base64
from typing import Any

from django.db.models import QuerySet

from careplans.models import CarePlan
from careplans.services.printing import care_plan_pdf
from navigator.accounts.models import User
from navigator.fhir.addresses import reference, resource_url
from patients.models import TreatmentSummary
from patients.rules import visible_case_ids

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
