"""Upserting appointments and results from a hospital system, all rows or none.

A hospital system (its patient administration or results system) sends rows; each is one item
identified by (`source_system`, `external_id`). A row for an item we already track updates it;
any other row starts tracking one. A row carries the item's whole current state in the source
(title, when, where, what to bring, state), so fields it leaves empty are cleared.

All or nothing: every row is checked, and applied in one transaction; a row that cannot be
applied (no such case, a state its kind cannot move to, an item on another case) rolls back
the whole import, and the caller gets every row's problems at once, by row number. Sending the
same rows again changes nothing (every row "unchanged").
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from appointments.models import APPOINTMENT_KINDS, TrackedItem
from appointments.services import (
    tracked_item_create,
    tracked_item_move_to,
    tracked_item_transition,
)
from navigator.accounts.models import User
from navigator.audit.models import AuditEvent
from navigator.audit.services import audit_record
from navigator.organisations.models import Organisation, Team
from patients.models import Case
from patients.rules import case_access_q

UPDATABLE = ("title", "expected_by", "starts_at", "location", "what_to_bring")


@dataclass(frozen=True)
class RowOutcome:
    row: int
    external_id: str
    item: TrackedItem
    result: str  # created | updated | unchanged


class ImportRejected(Exception):
    """Nothing was imported. `rows` lists each row's problems: row number, external id, errors
    by field."""

    def __init__(self, rows: list[dict[str, Any]], detail: str = "") -> None:
        self.rows = rows
        self.detail = detail or (
            f"{len(rows)} row{'s' if len(rows) != 1 else ''} could not be imported, so "
            "nothing was imported. Correct them and send all the rows again."
        )
        super().__init__(self.detail)


def row_error(row: int, external_id: Any, errors: dict[str, list[str]]) -> dict[str, Any]:
    return {"row": row, "external_id": external_id, "errors": errors}


def hospital_import(
    *, team: Team, actor: User, source_system: str, rows: list[dict[str, Any]]
) -> list[RowOutcome]:
    """Apply `rows` (already shaped: see appointments.serializers.ImportRowInput) for `team`.

    Rules:
    - a row's case is its `case_id`, or the one open case in `team` for its `nhs_number`,
      and must be one `actor` may change;
    - an external id names one item in one case, of one kind, for good;
    - an item's state moves only as its kind's workflow allows (tracked_item_transition);
    - raises ImportRejected with every row's problems, having changed nothing;
    - each item's change is audited, and the import as a whole on the team.
    """
    source_system = source_system.strip()
    if not source_system:
        raise ImportRejected(
            [], detail="Give the source system: the name of the hospital system sending rows."
        )
    errors: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for number, data in enumerate(rows):
        external_id = data["external_id"].strip()
        if external_id in seen:
            errors.append(
                row_error(
                    number,
                    external_id,
                    {"external_id": [f"Row {seen[external_id]} has the same external_id."]},
                )
            )
        seen.setdefault(external_id, number)
    if errors:
        raise ImportRejected(errors)

    outcomes: list[RowOutcome] = []
    with transaction.atomic():
        for number, data in enumerate(rows):
            external_id = data["external_id"].strip()
            try:
                with transaction.atomic():
                    outcomes.append(
                        _apply(
                            number,
                            {**data, "external_id": external_id},
                            team=team,
                            actor=actor,
                            source_system=source_system,
                        )
                    )
            except ValidationError as error:
                errors.append(row_error(number, external_id, _by_field(error)))
            except IntegrityError:
                errors.append(
                    row_error(
                        number,
                        external_id,
                        {"external_id": ["Another import added this item at the same moment."]},
                    )
                )
        if errors:
            raise ImportRejected(errors)  # rolls back every row applied above
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=team,
            summary=f"Imported {len(outcomes)} rows from {source_system}"[:200],
        )
    return outcomes


def _by_field(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {field: list(messages) for field, messages in error.message_dict.items()}
    return {"non_field_errors": list(error.messages)}


def _apply(
    number: int, data: dict[str, Any], *, team: Team, actor: User, source_system: str
) -> RowOutcome:
    case = _case_for(data, team=team, actor=actor)
    kind = data["kind"]
    is_appointment = kind in APPOINTMENT_KINDS
    problems: dict[str, list[str]] = {}
    if not is_appointment:
        for field in ("starts_at", "location", "what_to_bring"):
            if data.get(field):
                problems[field] = ["Only appointments have a time, a place and things to bring."]
    starts_at = data.get("starts_at")
    expected_by = data.get("expected_by")
    if expected_by is None and starts_at is not None:
        expected_by = timezone.localdate(starts_at)
    provider = None
    if data.get("responsible_provider_ods"):
        provider = Organisation.objects.filter(
            ods_code__iexact=data["responsible_provider_ods"].strip()
        ).first()
        if provider is None:
            problems["responsible_provider_ods"] = ["No organisation has this ODS code."]
    if problems:
        raise ValidationError(problems)

    existing = (
        TrackedItem.objects.select_for_update()
        .filter(source_system=source_system, external_id=data["external_id"])
        .first()
    )
    if existing is None:
        if expected_by is None:
            raise ValidationError(
                {"expected_by": ["Give the date it is expected by, or the start time."]}
            )
        item = tracked_item_create(
            case=case,
            kind=kind,
            title=data["title"],
            expected_by=expected_by,
            actor=actor,
            state=data.get("state") or None,
            responsible_provider=provider,
            starts_at=starts_at,
            location=data.get("location", ""),
            what_to_bring=data.get("what_to_bring", ""),
            external_id=data["external_id"],
            source_system=source_system,
            note=f"Imported from {source_system}",
        )
        return RowOutcome(number, data["external_id"], item, "created")

    if existing.case_id != case.pk:
        raise ValidationError(
            {"external_id": ["This item is tracked on another case; it cannot move between cases."]}
        )
    if existing.kind != kind:
        raise ValidationError(
            {"kind": [f"This item is tracked as {existing.get_kind_display().lower()}."]}
        )
    changed = item_update_from_source(
        existing,
        title=data["title"],
        expected_by=expected_by,
        starts_at=starts_at,
        location=data.get("location", ""),
        what_to_bring=data.get("what_to_bring", ""),
        provider=provider,
        state=data.get("state") or None,
        actor=actor,
        source=source_system,
    )
    existing.refresh_from_db()
    return RowOutcome(number, data["external_id"], existing, "updated" if changed else "unchanged")


def item_update_from_source(
    existing: TrackedItem,
    *,
    title: str,
    expected_by: dt.date | None,
    starts_at: dt.datetime | None,
    location: str,
    what_to_bring: str,
    provider: Organisation | None,
    state: str | None,
    actor: User | None,
    source: str,
    walk: bool = False,
) -> bool:
    """Bring an item a hospital system sent before up to what it says now; whether anything
    changed. Shared by the JSON import and FHIR (`appointments.fhir_inbound`).

    Rules:
    - the fields it sends are the item's whole current state there, so empty ones clear ours;
    - a new expected-by date restarts the wait of an open item (not escalated);
    - the state moves as its kind's workflow allows: one move (`tracked_item_transition`), or
      with `walk` the fewest allowed moves (`tracked_item_move_to`); ValidationError if none;
    - each change is audited.
    """
    patient_id = existing.case.patient_id
    wanted: dict[str, Any] = {
        "title": " ".join(title.split()),
        "expected_by": expected_by or existing.expected_by,
        "starts_at": starts_at,
        "location": location.strip(),
        "what_to_bring": what_to_bring.strip(),
    }
    changes = {field: value for field, value in wanted.items() if getattr(existing, field) != value}
    if provider is not None and existing.responsible_provider_id != provider.pk:
        changes["responsible_provider"] = provider
    changed = bool(changes)
    if changes:
        if "expected_by" in changes and existing.is_open:
            # A new date restarts the wait, as a transition to a dated state does.
            changes["next_chase_on"] = changes["expected_by"] + dt.timedelta(
                days=existing.workflow.first_chase_after_days
            )
            changes["escalated_at"] = None
        TrackedItem.objects.filter(pk=existing.pk).update(
            **changes, version=F("version") + 1, updated_at=timezone.now()
        )
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=existing,
            patient_id=patient_id,
            summary=f"Updated from {source}: {', '.join(sorted(changes))}"[:200],
        )
    if state and state != existing.state:
        if walk:
            tracked_item_move_to(item=existing, to_state=state, actor=actor, note=f"From {source}")
        else:
            tracked_item_transition(
                item=existing, to_state=state, actor=actor, note=f"From {source}"
            )
        changed = True
    return changed


def _case_for(data: dict[str, Any], *, team: Team, actor: User) -> Case:
    cases = Case.objects.filter(case_access_q(actor, change=True), team=team, status="open")
    if data.get("case_id"):
        case = cases.filter(pk=data["case_id"]).select_related("patient").first()
        if case is None:
            raise ValidationError({"case_id": ["No open case of this team has this id."]})
        return case
    nhs_number = "".join((data.get("nhs_number") or "").split())
    if not nhs_number:
        raise ValidationError({"nhs_number": ["Give the patient's NHS number, or the case_id."]})
    found = list(cases.filter(patient__nhs_number=nhs_number).select_related("patient")[:2])
    if not found:
        raise ValidationError({"nhs_number": ["No open case of this team is for this NHS number."]})
    if len(found) > 1:
        raise ValidationError(
            {"case_id": ["This person has more than one open case in this team: give case_id."]}
        )
    return found[0]
