"""Tracked items and the chase as FHIR R4 (UK Core) resources, registered with the FHIR API
(`navigator.fhir`) by `AppointmentsConfig.ready()`.

- every tracked item is a `Task` (id `item-<id>`): what the patient is waiting for, by when,
  from whom, with its state as the business status; appointments are also `Appointment`s and
  referrals `ServiceRequest`s (the item's own id), which the Task names as its focus;
- a chase task is a `Task` (id `chase-<id>`) for the staff on the case, as on the chase queue.

Who sees which rows is `patients.rules`: items of the cases the user may see; chase tasks of
the cases the user works on (`change`).
"""

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from appointments.models import (
    APPOINTMENT_KINDS,
    ChaseTask,
    ItemKind,
    ItemState,
    TrackedItem,
)
from navigator.accounts.models import User
from navigator.fhir.addresses import canonical, reference, uk_core
from navigator.fhir.definitions import code_system
from navigator.fhir.registry import (
    SearchParam,
    Source,
    fhir_definition_register,
    fhir_source_register,
    inverse,
    token_filter,
)
from patients.rules import visible_case_ids

ITEM_KIND = "tracked-item-kind"
ITEM_STATE = "tracked-item-state"
CHASE_STATUS = "chase-status"
S = ItemState


def _coding(system: str, code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": canonical("CodeSystem", system), "code": code,
                        "display": display}]}  # fmt: skip


def _patient(item: TrackedItem) -> dict[str, str]:
    return reference("Patient", item.case.patient_id, item.case.patient.full_name)


def item_rows(user: User) -> QuerySet[TrackedItem]:
    return TrackedItem.objects.filter(case_id__in=visible_case_ids(user)).select_related(
        "case__patient", "responsible_provider"
    )


# Appointment -----------------------------------------------------------------------------------

APPOINTMENT_STATUS = {
    S.TO_BE_BOOKED: "proposed",
    S.BOOKED: "booked",
    S.ATTENDED: "fulfilled",
    S.DID_NOT_ATTEND: "noshow",
    S.CANCELLED: "cancelled",
}


def appointment_rows(user: User) -> QuerySet[TrackedItem]:
    return item_rows(user).filter(kind__in=APPOINTMENT_KINDS)


def appointment_resource(item: TrackedItem) -> dict[str, Any]:
    status = APPOINTMENT_STATUS.get(ItemState(item.state), "proposed")
    out: dict[str, Any] = {
        "status": status,
        "serviceType": [_coding(ITEM_KIND, item.kind, item.get_kind_display())],
        "description": item.title,
        "created": item.created_at.isoformat(),
        "participant": [
            {
                "actor": _patient(item),
                "required": "required",
                "status": "needs-action" if status == "proposed" else "accepted",
            }
        ],
        "requestedPeriod": [{"end": item.expected_by.isoformat()}],
    }
    # FHIR wants a start and an end once an appointment is more than proposed; we record the
    # start only, so the end repeats it, and say so. Without a recorded time, the expected day.
    if status not in ("proposed", "cancelled"):
        start = item.starts_at or timezone.make_aware(
            dt.datetime.combine(item.expected_by, dt.time())
        )
        out["start"] = out["end"] = start.isoformat()
        out["comment"] = (
            "The end time is not recorded."
            if item.starts_at
            else "The time is not recorded; this is the day it was expected by."
        )
    elif item.starts_at:
        out["start"] = out["end"] = item.starts_at.isoformat()
    if item.what_to_bring:
        out["patientInstruction"] = f"Bring: {item.what_to_bring}"
    if item.location:
        out["comment"] = " ".join(filter(None, [f"Where: {item.location}.", out.get("comment")]))
    if item.external_id:
        out["identifier"] = [
            {"value": item.external_id, "assigner": {"display": item.source_system or "Hospital"}}
        ]
    return out


# ServiceRequest --------------------------------------------------------------------------------


def referral_status(item: TrackedItem) -> str:
    if item.is_open:
        return "active"
    return "completed" if item.state == S.BOOKED else "revoked"


def referral_rows(user: User) -> QuerySet[TrackedItem]:
    return item_rows(user).filter(kind=ItemKind.REFERRAL)


def referral_resource(item: TrackedItem) -> dict[str, Any]:
    out: dict[str, Any] = {
        "status": referral_status(item),
        "intent": "order",
        "code": {"text": item.title},
        "subject": _patient(item),
        "authoredOn": item.created_at.isoformat(),
        "note": [{"text": f"{item.get_state_display()}; expected by {item.expected_by:%d %B %Y}."}],
    }
    provider = item.responsible_provider
    if provider is not None:
        out["performer"] = [reference("Organization", provider.pk, provider.name)]
    if item.external_id:
        out["identifier"] = [
            {"value": item.external_id, "assigner": {"display": item.source_system or "Hospital"}}
        ]
    return out


# Task: tracked items ---------------------------------------------------------------------------

_FAILED_STATES = {S.DID_NOT_ATTEND: "failed", S.DECLINED: "rejected", S.CANCELLED: "cancelled"}


def item_task_status(item: TrackedItem) -> str:
    if item.is_open:
        return "in-progress"
    return _FAILED_STATES.get(ItemState(item.state), "completed")


ITEM_TASK_STATUS_FILTERS = {
    "in-progress": Q(closed_at__isnull=True),
    "completed": Q(closed_at__isnull=False) & ~Q(state__in=list(_FAILED_STATES)),
    **{status: Q(closed_at__isnull=False, state=state) for state, status in _FAILED_STATES.items()},
}


def item_task_resource(item: TrackedItem) -> dict[str, Any]:
    out: dict[str, Any] = {
        "status": item_task_status(item),
        "businessStatus": _coding(ITEM_STATE, item.state, item.get_state_display()),
        "intent": "order",
        "code": _coding(ITEM_KIND, item.kind, item.get_kind_display()),
        "description": item.title,
        "for": _patient(item),
        "authoredOn": item.created_at.isoformat(),
        "lastModified": max(item.updated_at, item.created_at).isoformat(),
        "restriction": {"period": {"end": item.expected_by.isoformat()}},
    }
    if item.kind in APPOINTMENT_KINDS:
        out["focus"] = reference("Appointment", item.pk)
    elif item.kind == ItemKind.REFERRAL:
        out["focus"] = reference("ServiceRequest", item.pk)
    provider = item.responsible_provider
    if provider is not None:
        out["owner"] = reference("Organization", provider.pk, provider.name)
    return out


# Task: chase tasks -----------------------------------------------------------------------------

CHASE_STATES = {
    "open": "Open: nobody has chased it yet",
    "escalated": "Escalated to the team lead",
    "contact-problem": "Open: contact them another way (no email address)",
    "done": "Done: the chase was recorded",
}


def chase_rows(user: User) -> QuerySet[ChaseTask]:
    return ChaseTask.objects.filter(
        item__case_id__in=visible_case_ids(user, change=True)
    ).select_related("item__case__patient", "assigned_to", "escalated_to")


def chase_business_status(task: ChaseTask) -> str:
    if not task.is_open:
        return "done"
    if task.escalated_at:
        return "escalated"
    return "contact-problem" if task.contact_problem else "open"


def chase_task_resource(task: ChaseTask) -> dict[str, Any]:
    item = task.item
    state = chase_business_status(task)
    changed = max(filter(None, [task.opened_at, task.escalated_at, task.closed_at]))
    out: dict[str, Any] = {
        "status": "ready" if task.is_open else "completed",
        "businessStatus": _coding(CHASE_STATUS, state, CHASE_STATES[state]),
        "intent": "order",
        "code": {"text": "Chase an overdue item"},
        "description": f"Chase round {task.chase_round}: {item.title}",
        "focus": reference("Task", f"item-{item.pk}", item.title),
        "for": _patient(item),
        "authoredOn": task.opened_at.isoformat(),
        "lastModified": changed.isoformat(),
        "executionPeriod": {
            "start": task.opened_at.isoformat(),
            **({"end": task.closed_at.isoformat()} if task.closed_at else {}),
        },
    }
    owner = task.escalated_to if task.is_open and task.escalated_to_id else task.assigned_to
    if owner is not None:
        out["owner"] = reference("Practitioner", owner.pk, owner.get_full_name())
    if task.contact_problem:
        out["note"] = [{"text": task.contact_problem}]
    return out


def register() -> None:
    """Called by `AppointmentsConfig.ready()`."""
    fhir_source_register(
        Source(
            resource_type="Appointment",
            description="An appointment or follow-up the patient is waiting for or went to",
            rows=appointment_rows,
            build=appointment_resource,
            profile=uk_core("UKCore-Appointment"),
            patient_path="case__patient_id",
            updated_path="updated_at",
            params=[
                SearchParam(
                    "status",
                    "token",
                    "proposed (to be booked), booked, fulfilled, noshow or cancelled.",
                    token_filter("state", inverse(APPOINTMENT_STATUS), "status"),
                )
            ],
            order=("expected_by", "pk"),
        )
    )
    fhir_source_register(
        Source(
            resource_type="ServiceRequest",
            description="A referral to another provider, tracked until they book it",
            rows=referral_rows,
            build=referral_resource,
            profile=uk_core("UKCore-ServiceRequest"),
            patient_path="case__patient_id",
            updated_path="updated_at",
            params=[
                SearchParam(
                    "status",
                    "token",
                    "active (waiting), completed (booked) or revoked (declined, cancelled).",
                    token_filter(
                        "",
                        {
                            "active": Q(closed_at__isnull=True),
                            "completed": Q(closed_at__isnull=False, state=S.BOOKED),
                            "revoked": Q(closed_at__isnull=False) & ~Q(state=S.BOOKED),
                        },
                        "status",
                    ),
                )
            ],
            order=("expected_by", "pk"),
        )
    )
    fhir_source_register(
        Source(
            resource_type="Task",
            description="A tracked item: something the patient is waiting for, by a date, with "
            "its state as the business status (id `item-<id>`)",
            rows=item_rows,
            build=item_task_resource,
            profile=uk_core("UKCore-Task"),
            prefix="item-",
            patient_path="case__patient_id",
            updated_path="updated_at",
            params=[
                SearchParam(
                    "status",
                    "token",
                    "in-progress (open), completed, failed, rejected or cancelled.",
                    token_filter("", ITEM_TASK_STATUS_FILTERS, "status"),
                )
            ],
            order=("expected_by", "pk"),
        )
    )
    fhir_source_register(
        Source(
            resource_type="Task",
            description="A chase task on the navigators' worklist, for the staff on the case "
            "(id `chase-<id>`)",
            rows=chase_rows,
            build=chase_task_resource,
            profile=uk_core("UKCore-Task"),
            prefix="chase-",
            patient_path="item__case__patient_id",
            params=[
                SearchParam(
                    "status",
                    "token",
                    "ready (open) or completed.",
                    token_filter(
                        "status",
                        {"ready": [ChaseTask.Status.OPEN], "completed": [ChaseTask.Status.DONE]},
                        "status",
                    ),
                )
            ],
            order=("-opened_at", "pk"),
        )
    )
    fhir_definition_register(code_system(ITEM_KIND, "Kinds of tracked item", ItemKind.choices))
    fhir_definition_register(code_system(ITEM_STATE, "States of a tracked item", ItemState.choices))
    fhir_definition_register(
        code_system(CHASE_STATUS, "Chase tasks and their states", CHASE_STATES.items())
    )
