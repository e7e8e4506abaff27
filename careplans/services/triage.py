"""Triage: urgent flags on a case, raised, acknowledged, and escalated when nobody acts."""

from django.db import transaction
from django.utils import timezone

from careplans.models import Assessment, CaseFlag, TriageSettings
from careplans.services.messages import escalation_message_send
from navigator.accounts.models import User
from navigator.audit.models import AuditEvent
from navigator.audit.services import audit_record
from navigator.messaging.services import MessagingError
from navigator.organisations.models import Membership
from navigator.time import add_working_hours
from patients.models import Case
from patients.selectors import bank_holidays_for


def triage_reasons(assessment: Assessment) -> list[str]:
    """Why this assessment needs someone to act now, against the case team's thresholds."""
    rules = TriageSettings.for_team(assessment.case.team)
    reasons = []
    if assessment.distress_score is not None and (
        assessment.distress_score >= rules.distress_threshold
    ):
        reasons.append(f"Distress score {assessment.distress_score} out of 10")
    high = assessment.answers.filter(selected=True, rating__gte=rules.high_rating).select_related(
        "concern"
    )
    reasons.extend(f"“{a.concern.text}” rated {a.rating} out of 10" for a in high)
    return reasons


@transaction.atomic
def case_flag_raise(
    *, case: Case, kind: str, reason: str, assessment: Assessment | None, actor: User
) -> CaseFlag:
    """Flag the case as urgent, or add the reason to its open flag of the same kind."""
    Case.objects.select_for_update().filter(pk=case.pk).first()  # serialise raisers per case
    flag = CaseFlag.objects.open().filter(case=case, kind=kind).first()
    if flag is not None:
        flag.reason = f"{flag.reason}\n{reason}"
        flag.assessment = assessment or flag.assessment
        flag.save(update_fields=["reason", "assessment"])
        return flag
    rules = TriageSettings.for_team(case.team)
    now = timezone.now()
    flag = CaseFlag.objects.create(
        case=case,
        kind=kind,
        reason=reason,
        assessment=assessment,
        raised_at=now,
        escalate_after=add_working_hours(
            now,
            rules.escalate_after_working_hours,
            day_start_hour=rules.working_day_start_hour,
            day_end_hour=rules.working_day_end_hour,
            holidays=bank_holidays_for(case.patient.nation),
        ),
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=flag,
        patient_id=case.patient_id,
        summary=f"Case flagged: {flag.get_kind_display()}",
    )
    return flag


@transaction.atomic
def case_flag_acknowledge(*, flag: CaseFlag, actor: User) -> CaseFlag:
    """Someone on the case has picked the flag up; it stops counting towards escalation."""
    updated = (
        CaseFlag.objects.open()
        .filter(pk=flag.pk)
        .update(acknowledged_at=timezone.now(), acknowledged_by=actor)
    )
    flag.refresh_from_db()
    if updated:
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=flag,
            patient_id=flag.case.patient_id,
            summary="Urgent flag acknowledged",
        )
    return flag


def flags_escalate_due(*, limit: int = 100) -> int:
    """Hand every overdue, unacknowledged flag to its team lead, and tell the lead (email, or
    SMS; a link, no reasons). Returns how many moved.

    Rows are claimed with SKIP LOCKED, and the message has the flag's idempotency key, so two
    workers never escalate or notify twice.
    """
    now = timezone.now()
    with transaction.atomic():
        due = list(
            CaseFlag.objects.select_for_update(skip_locked=True, of=("self",))
            .open()
            .filter(escalated_at__isnull=True, escalate_after__lte=now)
            .select_related("case")
            .order_by("escalate_after")[:limit]
        )
        for flag in due:
            lead = (
                Membership.objects.filter(team_id=flag.case.team_id, is_lead=True)
                .select_related("user")
                .order_by("joined_at")
                .first()
            )
            flag.escalated_at = now
            flag.escalated_to = lead.user if lead else None
            flag.save(update_fields=["escalated_at", "escalated_to"])
            summary = f"Urgent flag escalated to {lead.user if lead else 'no team lead'}"
            if lead is not None:
                try:
                    escalation_message_send(flag=flag, lead=lead.user)
                except MessagingError as error:
                    summary = f"{summary}; not notified: {error}"
            audit_record(
                actor=None,
                action=AuditEvent.Action.UPDATE,
                obj=flag,
                patient_id=flag.case.patient_id,
                summary=summary[:200],
            )
    return len(due)
