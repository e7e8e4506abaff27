from uuid import UUID

from django.db.models import QuerySet

from navigator.messaging.models import OutboundMessage, SmsOptOut


def outbox_for_subject(*, subject_id: UUID) -> QuerySet[OutboundMessage]:
    """Every message about one patient, newest first (served by the outbox_subject_created index)."""
    return OutboundMessage.objects.filter(subject_id=subject_id).order_by("-created_at", "-id")


def outbox_needing_attention(*, subject_id: UUID) -> QuerySet[OutboundMessage]:
    """Messages about one patient stuck with no word from the provider whether they went."""
    return outbox_for_subject(subject_id=subject_id).filter(status=OutboundMessage.Status.ATTENTION)


def sms_opt_outs_for(*, phone: str) -> QuerySet[SmsOptOut]:
    """The number's opt-out, as a queryset (none for no number)."""
    if not phone:
        return SmsOptOut.objects.none()
    return SmsOptOut.objects.filter(phone=phone)


def sms_opt_out_for(*, phone: str) -> SmsOptOut | None:
    """Why a number gets no SMS, if it has opted out."""
    if not phone:
        return None
    return sms_opt_outs_for(phone=phone).first()
