"""CarePlan and Goal for each plan version, and the GP sharing Consent."""

from typing import Any
from uuid import UUID

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery

from careplans.fhir.assessments import AGREED_AT, AGREED_HOW, coding, concerns_system, extension_url
from careplans.models import CarePlan, OwnerKind, PlanItem, PlanSharingConsent
from navigator.accounts.models import User
from navigator.fhir.addresses import reference
from patients.fhir import CONSENT_CATEGORY, CONSENT_SCOPE, OPT_IN, consent_action
from patients.models import Case
from patients.rules import visible_case_ids

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
            {"url": extension_url(AGREED_AT), "valueDateTime": plan.agreed_at.isoformat()}
        ]
        if plan.agreed_how:
            out["extension"].append(
                {"url": extension_url(AGREED_HOW),
                 "valueCoding": coding(AGREED_HOW, plan.agreed_how, str(how))}
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


def gp_sharing_lookup(rest: str) -> Q | None:
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
