"""The patient's questions for their next appointment."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from navigator.accounts.models import User
from navigator.audit.models import AuditEvent
from navigator.audit.services import audit_record
from patients.models import AppointmentQuestion, Case
from patients.services.common import _Errors

QUESTION_MAX_LENGTH = 500

# Starting points for the question list, in plain words (in the reader's language: a Welsh
# reader's pick is kept in Welsh, as typed). People pick any, then add their own.
SUGGESTED_QUESTIONS = (
    _("What is the plan for my treatment, and when will it start?"),
    _("What side effects might I get, and what should I do if I get them?"),
    _("Who do I contact if I feel unwell or have questions between appointments?"),
    _("When will I get my test results, and how will I be told?"),
    _("How might treatment affect my work, money or day-to-day life?"),
    _("Is there support for my family or the people who look after me?"),
    _("Can I bring someone with me to my appointments?"),
    _("Is there anything I can do to help myself feel better?"),
)


def suggested_questions() -> list[str]:
    """The suggested questions in the active language."""
    return [str(question) for question in SUGGESTED_QUESTIONS]


def _clean_question_text(text: str) -> str:
    errors = _Errors()
    text = " ".join((text or "").split())
    if not text:
        errors.add("text", _("Enter your question."))
    elif len(text) > QUESTION_MAX_LENGTH:
        errors.add(
            "text",
            ValidationError(
                _("Your question must be %(limit)s characters or fewer."),
                params={"limit": QUESTION_MAX_LENGTH},
            ),
        )
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
