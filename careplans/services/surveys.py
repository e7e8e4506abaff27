"""Patients' feedback after key moments: inviting (once per case and moment), nudging when the
invitation opens, recording the answers (online, or a number texted back to a one-question
survey), and the navigator's reply when the person asked for one.

Triggers: a diagnosis or a discharge recorded on the timeline (patients' hook
`timeline_event_recorded`, registered in `CareplansConfig.ready`), and a care plan agreed
(`care_plan_agree`, in this app)."""

import datetime as dt
import re
import uuid
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from careplans.models import (
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyQuestion,
    SurveyResponse,
)
from careplans.services.messages import survey_invitation_id_from_reference, survey_nudge_send
from careplans.services.tracking import (
    ItemKind,
    chase_task_open,
    track,
    tracked_close,
    tracked_open,
)
from navigator.accounts.models import User
from navigator.audit.models import AuditEvent
from navigator.audit.services import audit_record
from navigator.messaging.models import InboundSms, OutboundMessage
from navigator.messaging.services import MessagingError
from patients.models import Case, Patient, TimelineEvent

Moment = SurveyInvitation.Moment

# Which survey each moment asks (`careplans.survey_data`; a service edits them as data).
SURVEY_FOR_MOMENT = {
    Moment.DIAGNOSIS: "feedback-diagnosis",
    Moment.PLAN_AGREED: "feedback-plan",
    Moment.DISCHARGE: "feedback-discharge",
}
# Days after the moment before we ask: not in the first shock of a diagnosis, and long enough
# after leaving hospital or agreeing a plan to say how it went.
OPENS_AFTER_DAYS = {
    Moment.DIAGNOSIS: 14,
    Moment.PLAN_AGREED: 3,
    Moment.DISCHARGE: 3,
}
# How long an invitation stays open on the home page (and to a texted reply).
OPEN_FOR_DAYS = 28
# The timeline events that invite feedback.
MOMENT_FOR_EVENT = {
    TimelineEvent.Kind.DIAGNOSIS: Moment.DIAGNOSIS,
    TimelineEvent.Kind.DISCHARGE: Moment.DISCHARGE,
}
# Events recorded longer ago than this are history being keyed in, not a moment to ask about.
EVENT_WINDOW = dt.timedelta(days=30)
REPLY_TITLE = "A reply to your feedback"
COMMENT_MAX = 1000


@transaction.atomic
def survey_invite(
    *, case: Case, moment: str, source_event: TimelineEvent | None = None
) -> SurveyInvitation | None:
    """Invite the case's patient to give feedback on `moment`, once: with an invitation for this
    case and moment already made, that one is returned and nothing new is made. None when the
    case is closed or no survey is active for the moment. The nudge goes when it opens
    (`survey_invitations_nudge_due`)."""
    if not case.is_open:
        return None
    existing = SurveyInvitation.objects.filter(case=case, moment=moment).first()
    if existing is not None:
        return existing
    survey = Survey.objects.filter(code=SURVEY_FOR_MOMENT[Moment(moment)], is_active=True).first()
    if survey is None:
        return None
    now = timezone.now()
    opens_at = now + dt.timedelta(days=OPENS_AFTER_DAYS[Moment(moment)])
    try:
        with transaction.atomic():
            invitation = SurveyInvitation.objects.create(
                case=case,
                moment=moment,
                survey=survey,
                source_event=source_event,
                created_at=now,
                opens_at=opens_at,
                closes_at=opens_at + dt.timedelta(days=OPEN_FOR_DAYS),
            )
    except IntegrityError:
        # Another runner invited them for this moment at the same time: that one stands.
        return SurveyInvitation.objects.get(case=case, moment=moment)
    audit_record(
        actor=None,
        action=AuditEvent.Action.CREATE,
        obj=invitation,
        patient_id=case.patient_id,
        summary=f"Feedback invited ({invitation.get_moment_display()})",
    )
    return invitation


def survey_invite_from_event(*, event: TimelineEvent) -> SurveyInvitation | None:
    """patients' `timeline_event_recorded` hook: a diagnosis or discharge invites feedback, unless
    it happened long ago (history being keyed in)."""
    moment = MOMENT_FOR_EVENT.get(TimelineEvent.Kind(event.kind))
    if moment is None or event.occurred_at < timezone.now() - EVENT_WINDOW:
        return None
    return survey_invite(case=event.case, moment=moment, source_event=event)


def survey_invitations_nudge_due(*, limit: int = 200) -> int:
    """Periodic: nudge each invitation that has opened and not been nudged (SMS or email, by
    the messaging rules: opt-outs, quiet hours). Claims its rows with SKIP LOCKED, and each is
    nudged once however often the job runs. Returns how many were claimed."""
    now = timezone.now()
    with transaction.atomic():
        claimed = list(
            SurveyInvitation.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(nudged_at__isnull=True, opens_at__lte=now)
            .select_related("case__patient", "survey")
            .order_by("opens_at")[:limit]
        )
        questions = _questions_by_survey({inv.survey_id for inv in claimed})
        for invitation in claimed:
            invitation.nudged_at = now
            case = invitation.case
            if invitation.closes_at <= now or not case.is_open:
                invitation.not_sent_reason = "Not sent: closed before it could be sent"
            elif SurveyResponse.objects.filter(invitation=invitation).exists():
                invitation.not_sent_reason = "Not sent: already answered"
            elif case.patient.user_id is None:
                invitation.not_sent_reason = "Not sent: the patient has no account"
            else:
                asked = questions[invitation.survey_id]
                try:
                    invitation.message = survey_nudge_send(
                        invitation=invitation, only_question=asked[0] if len(asked) == 1 else None
                    )
                except MessagingError as error:
                    invitation.not_sent_reason = f"Not sent: {error}"[:200]
            invitation.save(update_fields=["nudged_at", "message", "not_sent_reason"])
    return len(claimed)


def _questions_by_survey(survey_ids: set[uuid.UUID]) -> dict[uuid.UUID, list[SurveyQuestion]]:
    found: dict[uuid.UUID, list[SurveyQuestion]] = {pk: [] for pk in survey_ids}
    for question in SurveyQuestion.objects.filter(survey_id__in=survey_ids).order_by("order"):
        found[question.survey_id].append(question)
    return found


def survey_is_open(invitation: SurveyInvitation) -> bool:
    now = timezone.now()
    return invitation.opens_at <= now < invitation.closes_at and invitation.case.is_open


@transaction.atomic
def survey_response_submit(
    *,
    invitation: SurveyInvitation,
    answers: Mapping[str, str],
    via: str,
    actor: User | None,
    comment: str = "",
    wants_reply: bool = False,
) -> SurveyResponse:
    """Record the person's answers (question code -> choice code), once.

    Every question needs one of its answers (errors by question code). With `wants_reply`, the
    navigator gets a request to reply on their worklist (a chase task on a tracked item due
    today) and sees this response, with the person's name, on the case page; without it, the
    answers only ever reach staff as counts."""
    invitation = (
        SurveyInvitation.objects.select_for_update(of=("self",))
        .select_related("case__patient")
        .get(pk=invitation.pk)
    )
    if SurveyResponse.objects.filter(invitation=invitation).exists():
        raise ValidationError(_("You have already answered these questions. Thank you."))
    if not survey_is_open(invitation):
        raise ValidationError(_("These questions are closed now."))
    if via not in SurveyResponse.Via.values:
        raise ValidationError(f"Unknown way of answering: {via!r}")
    questions = list(invitation.survey.questions.order_by("order"))
    errors = {
        q.code: _("Choose an answer")
        for q in questions
        if answers.get(q.code) not in q.choice_codes
    }
    if errors:
        raise ValidationError(errors)
    comment = comment.strip()
    if len(comment) > COMMENT_MAX:
        raise ValidationError(
            {"comment": _("Write no more than %(max)d characters") % {"max": COMMENT_MAX}}
        )
    response = SurveyResponse.objects.create(
        invitation=invitation,
        submitted_at=timezone.now(),
        via=via,
        comment=comment,
        wants_reply=wants_reply,
    )
    SurveyAnswer.objects.bulk_create(
        SurveyAnswer(response=response, question=q, choice=answers[q.code]) for q in questions
    )
    case = invitation.case
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=response,
        patient_id=case.patient_id,
        summary="Gave feedback and asked for a reply" if wants_reply else "Gave feedback",
    )
    if wants_reply:
        tracked_id = track(
            case=case,
            kind=ItemKind.PLAN_ITEM,
            title=REPLY_TITLE,
            expected_by=timezone.localdate(),
            actor=None,
        )
        response.tracked_item_id = tracked_id
        response.save(update_fields=["tracked_item_id"])
        tracked = tracked_open(tracked_id)
        if tracked is not None:
            chase_task_open(
                item=tracked, summary="Asked for a reply to their feedback: see the case page"
            )
    return response


@transaction.atomic
def survey_reply_record(*, response: SurveyResponse, actor: User) -> SurveyResponse:
    """The navigator has replied to feedback whose author asked for a reply."""
    response = (
        SurveyResponse.objects.select_for_update(of=("self",))
        .select_related("invitation__case")
        .get(pk=response.pk)
    )
    if not response.wants_reply:
        raise ValidationError("This feedback did not ask for a reply.")
    if response.replied_at is not None:
        return response
    response.replied_at = timezone.now()
    response.replied_by = actor
    response.save(update_fields=["replied_at", "replied_by"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=response,
        patient_id=response.invitation.case.patient_id,
        summary="Replied to their feedback",
    )
    tracked_close(tracked_item_id=response.tracked_item_id, outcome="Replied", actor=actor)
    return response


_NUMBER = re.compile(r"^\s*(\d{1,2})\s*[.!]?\s*$")


def survey_sms_reply(
    *, inbound: InboundSms, patient: Patient, message: OutboundMessage
) -> str | None:
    """appointments.inbound hands us a text replying to a one-question survey's nudge
    (registered in CareplansConfig.ready): a number among the answers records that answer, once.
    Anything else returns None and is handled as any other text. What we return is for staff:
    it says a feedback answer came, never what it was."""
    found = _NUMBER.match(inbound.body or "")
    invitation_id = survey_invitation_id_from_reference(message.reference)
    if found is None or invitation_id is None:
        return None
    invitation = (
        SurveyInvitation.objects.filter(pk=invitation_id, case__patient=patient)
        .select_related("case", "survey")
        .first()
    )
    if invitation is None:
        return None
    questions = list(invitation.survey.questions.order_by("order"))
    number = int(found.group(1))
    if len(questions) != 1 or not 1 <= number <= len(questions[0].choices):
        return None
    question = questions[0]
    try:
        survey_response_submit(
            invitation=invitation,
            answers={question.code: question.choice_codes[number - 1]},
            via=SurveyResponse.Via.SMS,
            actor=patient.user if patient.user_id else None,
        )
    except ValidationError:
        return None
    return "Recorded an answer to a feedback question (kept anonymous)."
