"""Panels that several pages of a case show, shaped for their templates.

The views compute these and pass them in, so the templates (`patients/includes/*_panel.html`)
only render.
"""

from dataclasses import dataclass

from navigator.accounts.models import User
from patients.models import AppointmentQuestion, Case
from patients.selectors import questions_for_case, unread_message_count

QUESTIONS_SHOWN = 5


@dataclass(frozen=True)
class MessagesPanel:
    """A link to the case's messages with how many are new to the viewer's side."""

    case: Case
    unread: int
    is_staff: bool
    is_carer: bool
    can_post: bool


def messages_panel(*, case: Case, user: User) -> MessagesPanel:
    return MessagesPanel(
        case=case,
        unread=unread_message_count(case=case, user=user),
        is_staff=user.is_staff_role,
        is_carer=not user.is_staff_role and case.patient.user_id != user.pk,
        can_post=user.has_perm("patients.post_message", case),
    )


@dataclass(frozen=True)
class QuestionsPanel:
    """The questions still to ask at the next appointment, for the patient's home page."""

    case: Case
    questions: list[AppointmentQuestion]
    more: bool
    is_carer: bool
    can_change: bool


def questions_panel(*, case: Case, user: User) -> QuestionsPanel:
    questions = list(
        questions_for_case(case=case).filter(asked_at__isnull=True)[: QUESTIONS_SHOWN + 1]
    )
    return QuestionsPanel(
        case=case,
        questions=questions[:QUESTIONS_SHOWN],
        more=len(questions) > QUESTIONS_SHOWN,
        is_carer=case.patient.user_id != user.pk,
        can_change=user.has_perm("patients.change_questions", case),
    )
