"""The end-of-treatment summary of a case: writing it (a service) and reading it for a page."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from navigator.accounts.models import User
from navigator.audit.models import AuditEvent
from navigator.audit.services import audit_record
from patients.models import Case, TreatmentSummary

# What a summary must say for a GP to act on it safely.
REQUIRED = {
    "diagnosis": "Enter the diagnosis",
    "treatment_given": "Enter the treatment given and its dates",
    "red_flags": "Enter the red-flag symptoms and what to do",
    "contacts": "Enter who to contact with questions",
    "written_by": "Enter who wrote the summary",
}
TEXT_FIELDS = (
    "diagnosis",
    "treatment_given",
    "side_effects",
    "red_flags",
    "gp_actions",
    "contacts",
    "written_by",
)


class StaleSummary(Exception):
    """Someone else saved the summary after the form was opened; `current` is what it says now."""

    def __init__(self, current: TreatmentSummary) -> None:
        super().__init__("The treatment summary changed since the form was opened.")
        self.current = current


def treatment_summaries_of(case: Case) -> QuerySet[TreatmentSummary]:
    """The case's treatment summary, as a queryset (a page may read it beside other rows)."""
    return TreatmentSummary.objects.filter(case=case)


def treatment_summary_for_case(case: Case) -> TreatmentSummary | None:
    return treatment_summaries_of(case).first()


@transaction.atomic
def treatment_summary_save(
    *,
    case: Case,
    by: User,
    expected_version: int | None,
    diagnosis: str,
    treatment_given: str,
    intent: str,
    red_flags: str,
    contacts: str,
    written_by: str,
    written_on: dt.date,
    treatment_ended_on: dt.date | None = None,
    side_effects: str = "",
    gp_actions: str = "",
) -> TreatmentSummary:
    """Write the case's treatment summary, or change it.

    Rules:
    - the diagnosis, treatment, intent, red flags, contacts, author and date are required;
    - the summary cannot be dated in the future, nor end treatment in the future;
    - `expected_version` is the version the form was opened on (None: there was none); a save
      from an older version raises StaleSummary, so nobody overwrites a change unseen;
    - every save adds one to the version and writes an audit entry.
    """
    values: dict[str, Any] = {
        "diagnosis": diagnosis,
        "treatment_given": treatment_given,
        "side_effects": side_effects,
        "red_flags": red_flags,
        "gp_actions": gp_actions,
        "contacts": contacts,
        "written_by": written_by,
    }
    values = {name: (value or "").strip() for name, value in values.items()}
    errors: dict[str, list[str]] = {}
    for name, message in REQUIRED.items():
        if not values[name]:
            errors.setdefault(name, []).append(message)
    if intent not in TreatmentSummary.Intent.values:
        errors.setdefault("intent", []).append("Choose the aim of the treatment")
    today = timezone.localdate()
    if written_on > today:
        errors.setdefault("written_on", []).append("The date written must be today or in the past")
    if treatment_ended_on is not None and treatment_ended_on > today:
        errors.setdefault("treatment_ended_on", []).append(
            "The date treatment ended must be today or in the past"
        )
    if errors:
        raise ValidationError(
            {name: [ValidationError(m) for m in ms] for name, ms in errors.items()}
        )

    current = TreatmentSummary.objects.select_for_update().filter(case=case).first()
    if current is not None and current.version != expected_version:
        raise StaleSummary(current)
    now = timezone.now()
    fields = {
        **values,
        "intent": intent,
        "written_on": written_on,
        "treatment_ended_on": treatment_ended_on,
        "updated_at": now,
        "updated_by": by,
    }
    if current is None:
        try:
            with transaction.atomic():
                summary = TreatmentSummary.objects.create(case=case, created_at=now, **fields)
        except IntegrityError:  # written by someone else at the same moment
            raise StaleSummary(TreatmentSummary.objects.get(case=case)) from None
        action, summary_text = AuditEvent.Action.CREATE, "Wrote the treatment summary"
    else:
        for name, value in fields.items():
            setattr(current, name, value)
        current.version += 1
        current.save()
        summary = current
        action = AuditEvent.Action.UPDATE
        summary_text = f"Changed the treatment summary (version {summary.version})"
    audit_record(
        actor=by,
        action=action,
        obj=summary,
        patient_id=case.patient_id,
        summary=summary_text,
    )
    return summary
