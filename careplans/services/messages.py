"""One function per message this app sends. Every body is a short line and a link (or, to a
service, who to call): no diagnosis, concern or other clinical detail, and the patient's name
never goes to a third party. Text lives in templates/sms/ and templates/emails/."""

from typing import Any

from django.urls import reverse

from careplans.models import AssessmentOffer, CaseFlag, DirectoryService, PlanItem
from navigator.messaging.models import OutboundMessage
from navigator.messaging.services import Recipient, message_send
from patients.models import Patient


def patient_recipient(patient: Patient) -> Recipient:
    return Recipient(
        name=patient.full_name,
        phone=patient.phone,
        email=patient.email,
        preferred_channel=patient.preferred_channel,
        language=patient.language,
    )


def _plan_link(item: PlanItem) -> str:
    url = reverse(
        "careplans:plan_detail", kwargs={"case_id": item.plan.case_id, "plan_id": item.plan_id}
    )
    return f"{url}#item-{item.pk}"


def offer_message_send(*, offer: AssessmentOffer) -> OutboundMessage:
    """Tell the person an assessment is waiting for them on their home page."""
    return message_send(
        recipient=patient_recipient(offer.case.patient),
        kind="assessment_offer",
        context={"link": f"{reverse('home')}?case={offer.case_id}"},
        idempotency_key=f"assessment-offer:{offer.pk}",
        subject_id=offer.pk,
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
        subject_id=item.pk,
    )


def signpost_message_send(*, item: PlanItem, service: DirectoryService) -> OutboundMessage:
    """Give the person a service's phone number and a link to the details behind sign-in.

    The service's name is left out: a name such as "lung cancer support group" is clinical
    detail."""
    return message_send(
        recipient=patient_recipient(item.plan.case.patient),
        kind="signpost",
        context={"phone": service.phone, "link": _plan_link(item)},
        idempotency_key=f"signpost:{item.lineage}:{service.pk}",
        subject_id=item.pk,
    )


def feedback_request_send(*, item: PlanItem) -> OutboundMessage:
    """Ask "did you get the help you needed?" with a link to answer."""
    return message_send(
        recipient=patient_recipient(item.plan.case.patient),
        kind="signpost_feedback",
        context={"link": _plan_link(item)},
        idempotency_key=f"signpost-feedback:{item.lineage}",
        subject_id=item.pk,
    )


def escalation_message_send(*, flag: CaseFlag, lead: Any) -> OutboundMessage:
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
            "link": reverse("careplans:assessment_list", kwargs={"case_id": flag.case_id}),
        },
        idempotency_key=f"flag-escalated:{flag.pk}",
        subject_id=flag.pk,
        urgent=True,
    )
