"""One function per message this app sends. Every body is a short line and a link (or, to a
service, who to call): no diagnosis, concern or other clinical detail, and the patient's name
never goes to a third party. Text lives in templates/sms/ and templates/emails/.

A message to or about a patient has their id as `subject_id` (so it shows in their case's
outbox, and a reply or a number found undeliverable leads back to them; a lead's escalation
has none, so their phone is never taken for the patient's); `reference` names the record, so a
reply can be matched to it."""

import uuid

from django.urls import reverse

from careplans.models import (
    AssessmentOffer,
    CaseFlag,
    DirectoryService,
    PlanItem,
    SurveyInvitation,
    SurveyQuestion,
)
from navigator.accounts.models import User
from navigator.language import WELSH
from navigator.messaging.models import Channel, InboundSms, OutboundMessage
from navigator.messaging.services import Recipient, message_send
from patients import links
from patients.services import patient_recipient

FEEDBACK_REQUEST = "signpost_feedback"
FEEDBACK_THANKS = "signpost_feedback_thanks"
PLAN_ITEM_REFERENCE = "careplans.planitem:"


def plan_item_reference(item: PlanItem) -> str:
    """How an outbox row names the plan item it is about (OutboundMessage.reference)."""
    return f"{PLAN_ITEM_REFERENCE}{item.pk}"


def plan_item_id_from_reference(reference: str) -> uuid.UUID | None:
    if not reference.startswith(PLAN_ITEM_REFERENCE):
        return None
    try:
        return uuid.UUID(reference.removeprefix(PLAN_ITEM_REFERENCE))
    except ValueError:
        return None


def _plan_link(item: PlanItem) -> str:
    url = reverse(
        "careplans:plan_detail", kwargs={"case_id": item.plan.case_id, "plan_id": item.plan_id}
    )
    return f"{url}#item-{item.pk}"


def offer_message_send(*, offer: AssessmentOffer) -> OutboundMessage:
    """Tell the person an assessment is waiting for them on their home page."""
    return message_send(
        recipient=patient_recipient(patient=offer.case.patient),
        kind="assessment_offer",
        context={"link": links.home_link(case_id=offer.case_id, section=links.ASSESSMENT)},
        idempotency_key=f"assessment-offer:{offer.pk}",
        subject_id=offer.case.patient_id,
        reference=f"careplans.assessmentoffer:{offer.pk}",
    )


def referral_message_send(*, item: PlanItem, service: DirectoryService) -> OutboundMessage:
    """Ask a service (by its contact email) to take a referral: who to call, nothing more."""
    case = item.plan.case
    return message_send(
        recipient=Recipient(name=service.name, email=service.email, preferred_channel="email"),
        kind="service_referral",
        channel="email",
        context={
            "service": service.name,
            "team_name": case.team.name,
            "team_phone": case.team.phone,
            "navigator_name": case.navigator.get_full_name(),
            "navigator_email": case.navigator.email,
        },
        idempotency_key=f"referral:{item.lineage}:{service.pk}",
        subject_id=case.patient_id,
        reference=plan_item_reference(item),
    )


def signpost_message_send(*, item: PlanItem, service: DirectoryService) -> OutboundMessage:
    """Give the person a service's phone number and a link to the details behind sign-in.

    The service's name is left out: a name such as "lung cancer support group" is clinical
    detail."""
    return message_send(
        recipient=patient_recipient(patient=item.plan.case.patient),
        kind="signpost",
        context={"phone": service.phone, "link": _plan_link(item)},
        idempotency_key=f"signpost:{item.lineage}:{service.pk}",
        subject_id=item.plan.case.patient_id,
        reference=plan_item_reference(item),
    )


def feedback_request_send(*, item: PlanItem) -> OutboundMessage:
    """Ask "did you get the help you needed?": reply to the text, or answer at the link. The
    reply is matched to the item by `reference` (see `signpost_feedback_sms_reply`).

    The text asks for Y or N, not YES: Twilio treats YES as a word to opt back in to texts and
    answers it with its own message. YES, NO and the like are understood all the same."""
    return message_send(
        recipient=patient_recipient(patient=item.plan.case.patient),
        kind=FEEDBACK_REQUEST,
        context={"link": _plan_link(item)},
        idempotency_key=f"signpost-feedback:{item.lineage}",
        subject_id=item.plan.case.patient_id,
        reference=plan_item_reference(item),
    )


def feedback_thanks_send(*, item: PlanItem, inbound: InboundSms, helped: bool) -> OutboundMessage:
    """Thank them for the answer they just texted, once per text (the key is the text's Twilio
    id, as for appointments' replies); urgent, since it answers a text sent a moment ago."""
    patient = item.plan.case.patient
    return message_send(
        recipient=Recipient(
            name=patient.full_name, phone=inbound.from_number, language=patient.language
        ),
        kind=FEEDBACK_THANKS,
        context={"helped": helped},
        idempotency_key=f"sms-reply:{inbound.message_sid}",
        subject_id=patient.pk,
        channel=Channel.SMS,
        urgent=True,
        reference=plan_item_reference(item),
    )


def escalation_message_send(*, flag: CaseFlag, lead: User) -> OutboundMessage:
    """Tell the team lead an urgent flag has waited too long: a link to the case, no reasons."""
    return message_send(
        recipient=Recipient(
            name=lead.get_full_name(),
            email=lead.email,
            phone=getattr(lead, "phone", ""),
            preferred_channel="email",
        ),
        kind="flag_escalated",
        context={
            # The lead's worklist, which lists what was escalated first (a URL name, not an
            # import: the page is the top layer's).
            "link": reverse("caseload:worklist") + "?scope=team#escalated",
        },
        idempotency_key=f"flag-escalated:{flag.pk}",
        reference=f"careplans.caseflag:{flag.pk}",
        urgent=True,
    )


FEEDBACK_SURVEY = "feedback_survey"
# A survey of one question: the text asks for the answer's number as a reply.
FEEDBACK_SURVEY_ONE = "feedback_survey_one"
SURVEY_REFERENCE = "careplans.surveyinvitation:"


def survey_invitation_id_from_reference(reference: str) -> uuid.UUID | None:
    if not reference.startswith(SURVEY_REFERENCE):
        return None
    try:
        return uuid.UUID(reference.removeprefix(SURVEY_REFERENCE))
    except ValueError:
        return None


def survey_nudge_send(
    *, invitation: SurveyInvitation, only_question: SurveyQuestion | None
) -> OutboundMessage:
    """Ask the person how a key moment went: a line and a link to the feedback part of their
    home page, never which moment (a diagnosis, a discharge) nor anything clinical. A survey of
    one question (`only_question`) also offers its answers by number, to reply with
    (`survey_sms_reply`), in the person's language."""
    patient = invitation.case.patient
    context = {"link": links.home_link(case_id=invitation.case_id, section=links.FEEDBACK)}
    if only_question is not None:
        field = "text_cy" if patient.language == WELSH else "text"
        context["choices"] = ", ".join(
            f"{number} {choice[field].lower()}"
            for number, choice in enumerate(only_question.choices, start=1)
        )
    return message_send(
        recipient=patient_recipient(patient=patient),
        kind=FEEDBACK_SURVEY if only_question is None else FEEDBACK_SURVEY_ONE,
        context=context,
        idempotency_key=f"feedback-survey:{invitation.pk}",
        subject_id=invitation.case.patient_id,
        reference=f"{SURVEY_REFERENCE}{invitation.pk}",
    )
