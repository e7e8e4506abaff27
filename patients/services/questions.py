"""The patient's questions for their next appointment."""

from django.db import transaction
from django.utils import timezone

from navigator.accounts.models import User
from navigator.audit.models import AuditEvent
from navigator.audit.services import audit_record
from patients.models import AppointmentQuestion, Case
from patients.services.common import _Errors

QUESTION_MAX_LENGTH = 500

# Starting points for the question list, in plain English. People pick any, then add their own.
SUGGESTED_QUESTIONS = (
    "What is the plan for my treatment, and when will it start?",
    "What side effects might I get, and what should I do if I get them?",
    "Who do I contact if I feel unwell or have questions between appointments?",
    "When will I get my test results, and how will I be told?",
    "How might treatment affect my work, money or day-to-day life?",
    "Is there support for my family or the people who look after me?",
    "Can I bring someone with me to my appointments?",
    "Is there anything I can do to help myself feel better?",
)


def _clean_question_text(text: str) -> str:
    errors = _Errors()
    text = " ".join((text or "").split())
    if not text:
        errors.add("text", "Enter your question.")
    elif len(text) > QUESTION_MAX_LENGTH:
        errors.add("text", f"Your question must be {QUESTION_MAX_LENGTH} characters or fewer.")
    errors.raise_any()
    return text


def appointment_question_add(*, case: Case, by: User, text: str) -> AppointmentQuestion:
    """Add a question for the next appointment (the caller checked `patients.change_questions`).

    The text is tidied (runs of spaces become one) and must be 1 to QUESTION_MAX_LENGTH
    characters; a ValidationError keyed "text" says what is wrong.
    """
    text = _clean_question_text(text)
    with transaction.atomic():
        question = AppointmentQuestion.objects.create(case=case, text=text, created_by=by)
        audit_record(
            actor=by,
            action=AuditEvent.Action.CREATE,
            obj=question,
            patient_id=case.patient_id,
            summary="Added a question for the next appointment",
        )
    return question


def appointment_question_update(
    *, question: AppointmentQuestion, by: User, text: str
) -> AppointmentQuestion:
    """Change a question's words, with the same rules as adding one."""
    question.text = _clean_question_text(text)
    with transaction.atomic():
        question.save(update_fields=["text", "updated_at"])
        audit_record(
            actor=by,
            action=AuditEvent.Action.UPDATE,
            obj=question,
            patient_id=question.case.patient_id,
            summary="Changed a question for the next appointment",
        )
    return question


def appointment_question_mark(
    *, question: AppointmentQuestion, by: User, asked: bool
) -> AppointmentQuestion:
    """Tick a question off as asked, or put it back on the list to ask."""
    question.asked_at = timezone.now() if asked else None
    with transaction.atomic():
        question.save(update_fields=["asked_at", "updated_at"])
        audit_record(
            actor=by,
            action=AuditEvent.Action.UPDATE,
            obj=question,
            patient_id=question.case.patient_id,
            summary="Ticked off a question" if asked else "Put a question back on the list",
        )
    return question


def appointment_question_delete(*, question: AppointmentQuestion, by: User) -> None:
    with transaction.atomic():
        audit_record(
            actor=by,
            action=AuditEvent.Action.DELETE,
            obj=question,
            patient_id=question.case.patient_id,
            summary="Deleted a question for the next appointment",
        )
        question.delete()
